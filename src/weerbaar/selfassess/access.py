"""Who may read and edit a self-assessment and a region's role split. The one home of
this policy: the web app asks here, the CLI (run by whoever holds the workspace) does not
need to.

* A user limited to organisations reads the self-assessment of those organisations; a
  beoordelaar or beheerder of the organisation edits it and may publish it; a lezer only
  reads.
* A beheerder without an organisation limit (the team that runs the workspace) reads and
  edits every self-assessment: they administer the workspace and its database anyway.
  A beoordelaar or lezer without a limit (e.g. an inventory team) sees only published
  self-assessments.
* Anyone else may not see a private self-assessment; a published one is read-only to
  every logged-in user (without the names in its history).
* Role split (rolverdeling) of a region: users of the region and unlimited users see all of
  the region's municipalities; users of a municipality see only their own municipality's
  rows. A beoordelaar/beheerder of the region edits all rows, one of a municipality only
  that municipality's rows; an unlimited beheerder edits all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Viewer(Protocol):
    """The parts of a user the policy looks at (``weerbaar.web.accounts.User`` fits)."""

    @property
    def organisations(self) -> tuple[str, ...] | None: ...

    @property
    def can_review(self) -> bool: ...

    @property
    def is_admin(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Rights:
    """What a viewer may do with one organisation's self-assessment."""

    member: bool  # own organisation, or an unlimited beheerder
    can_edit: bool
    can_publish: bool
    published: bool


def selfassessment_rights(viewer: Viewer, code: str, *, published: bool) -> Rights | None:
    """The viewer's rights on the self-assessment of ``code``; None when it may not read it."""
    orgs = viewer.organisations
    own = orgs is not None and code in orgs
    member = own or (orgs is None and viewer.is_admin)
    if not member and not published:
        return None
    editor = member and viewer.can_review
    return Rights(member=member, can_edit=editor, can_publish=editor, published=published)


def shows_history_names(rights: Rights) -> bool:
    """Names in the history are for the organisation's own people only."""
    return rights.member


@dataclass(frozen=True, slots=True)
class RegionRights:
    visible: tuple[str, ...]  # municipality codes the viewer sees
    editable: frozenset[str]  # municipality codes the viewer may edit


def role_split_rights(
    viewer: Viewer, region: str, municipalities: Iterable[str]
) -> RegionRights | None:
    """Which rows of a region's role split the viewer sees and edits; None when none."""
    orgs = viewer.organisations
    munis = list(municipalities)
    if orgs is None or region in orgs:
        visible = munis
    else:
        visible = [m for m in munis if m in orgs]
        if not visible:
            return None
    editable: set[str] = set()
    if viewer.can_review:
        if (orgs is None and viewer.is_admin) or (orgs is not None and region in orgs):
            editable = set(visible)
        elif orgs is not None:
            editable = {m for m in visible if m in orgs}
    return RegionRights(visible=tuple(visible), editable=frozenset(editable))
