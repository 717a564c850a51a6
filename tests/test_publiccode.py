"""publiccode.yml follows the Standard for Public Code's required keys and limits."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

DEV_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}
MAINTENANCE = {"internal", "contract", "community", "none"}


def test_publiccode_yml_is_valid() -> None:
    data = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    for key in (
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "categories",
        "developmentStatus",
        "softwareType",
        "description",
        "legal",
        "maintenance",
        "localisation",
    ):
        assert key in data, key
    assert data["developmentStatus"] in DEV_STATUS
    assert data["softwareType"] in SOFTWARE_TYPES
    assert data["maintenance"]["type"] in MAINTENANCE
    assert data["legal"]["license"] == "EUPL-1.2"
    assert data["softwareVersion"] == __import__("weerbaar").__version__
    nl = data["description"]["nl"]
    assert len(nl["shortDescription"]) <= 150
    assert 150 <= len(nl["longDescription"]) <= 10000
    assert nl["features"] and all(len(f) <= 100 for f in nl["features"])
    assert "nl" in data["localisation"]["availableLanguages"]
