"""The versioned catalogue of the measures of the guidance, and the organisations register."""

from weerbaar.catalog.models import PHASES, UNKNOWN_PHASE, Aspect, Catalog, Measure, Pillar
from weerbaar.catalog.organisations import Organisation, Register, load_register
from weerbaar.catalog.versions import available_versions, load_catalog, map_measure_id

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
