"""Sample for the self-assessment web tests: the review app's two fictional municipalities
(web_sample) plus a region account and accounts without an organisation limit."""

from __future__ import annotations

from web_sample import PASSWORD, Sample, build
from weerbaar.store import Workspace
from weerbaar.web.accounts import create_user

SECRET_A = "GEHEIME-NOTITIE-NOORDWAARDE"


def build_selfassess(ws: Workspace, *, n_a: int = 4) -> Sample:
    s = build(ws, n_a=n_a)
    create_user(ws, "regio", role="beoordelaar", password=PASSWORD, organisations=["VR99"])
    create_user(ws, "landelijk", role="beoordelaar", password=PASSWORD)
    create_user(ws, "kijker", role="lezer", password=PASSWORD)
    return s
