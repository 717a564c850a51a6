"""The versioned catalogue of the measures of the guidance, and the organisations register.

The names are loaded on first use (PEP 562): the register (``catalog.organisations``,
which the ingest uses to recognise organisations) is then imported without the
catalogue's validation models, whose import takes about a tenth of a second."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weerbaar.catalog.models import PHASES, UNKNOWN_PHASE, Aspect, Catalog, Measure, Pillar
    from weerbaar.catalog.organisations import Organisation, Register, load_register
    from weerbaar.catalog.versions import available_versions, load_catalog, map_measure_id

_HOMES = {
    "PHASES": "models",
    "UNKNOWN_PHASE": "models",
    "Aspect": "models",
    "Catalog": "models",
    "Measure": "models",
    "Pillar": "models",
    "Organisation": "organisations",
    "Register": "organisations",
    "load_register": "organisations",
    "available_versions": "versions",
    "load_catalog": "versions",
    "map_measure_id": "versions",
}

__all__ = [
    "PHASES",
    "UNKNOWN_PHASE",
    "Aspect",
    "Catalog",
    "Measure",
    "Organisation",
    "Pillar",
    "Register",
    "available_versions",
    "load_catalog",
    "load_register",
    "map_measure_id",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
