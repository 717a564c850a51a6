"""The versioned catalogue of the measures of the guidance, and the organisations register."""

from weerbaar.catalog.models import PHASES, UNKNOWN_PHASE, Aspect, Catalog, Measure, Pillar
from weerbaar.catalog.versions import available_versions, load_catalog, map_measure_id

__all__ = [
    "PHASES",
    "UNKNOWN_PHASE",
    "Aspect",
    "Catalog",
    "Measure",
    "Pillar",
    "available_versions",
    "load_catalog",
    "map_measure_id",
]
