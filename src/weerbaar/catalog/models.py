"""Data model of the measure catalogue (pydantic v2, immutable once loaded)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from weerbaar.errors import UnknownMeasure

#: The crisis phases of the guidance, in chronological order.
PHASES: tuple[str, ...] = ("koude fase", "warme fase < 72 uur", "warme fase > 72 uur", "nafase")
#: Used alone when the source does not let us read the phases of a measure.
UNKNOWN_PHASE = "onbekend"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Aspect(_Frozen):
    """One concrete evidence item of a measure (a checklist line)."""

    id: str = Field(description='Aspect id, e.g. "2.2.a".')
    label: str = Field(description="Short Dutch checklist item.")
    terms: list[str] = Field(default_factory=list, description="Dutch cue words in a passage.")


class Pillar(_Frozen):
    """One of the pillars (pijlers) of the guidance."""

    number: int
    name: str
    authority: str = Field(description="Bevoegd gezag, e.g. 'burgemeester'.")
    size: int = Field(description="Number of measures in this pillar.")

    @property
    def bevoegd_gezag(self) -> str:
        return self.authority


class Measure(_Frozen):
    """One measure of the guidance, described in our own words."""

    id: str = Field(description='Official number, e.g. "2.2".')
    pillar: int
    title: str
    description: str
    responsible: list[str] = Field(description="Eindverantwoordelijke partij(en).")
    partners: list[str] = Field(default_factory=list, description="Samenwerkingspartners.")
    phases: list[str] = Field(description="Subset of PHASES, or ['onbekend'].")
    crucial: bool = False
    aspects: list[Aspect]
    depends_on: list[str] = Field(default_factory=list)
    terms: list[str]
    note: str | None = Field(default=None, description="Remark on how a field was read.")

    @property
    def number(self) -> int:
        """Position of the measure within its pillar (the part after the dot)."""
        return int(self.id.split(".")[1])

    def aspect(self, aspect_id: str) -> Aspect:
        for aspect in self.aspects:
            if aspect.id == aspect_id:
                return aspect
        raise KeyError(aspect_id)


class Catalog(_Frozen):
    """One version of the catalogue: pillars and measures in official order."""

    version: str
    date: dt.date
    source: str
    pillars: list[Pillar]
    measures: list[Measure]

    _by_id: dict[str, Measure] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        self._by_id = {m.id: m for m in self.measures}

    def measure(self, measure_id: str) -> Measure:
        """The measure with this official number; raises ``UnknownMeasure``."""
        try:
            return self._by_id[str(measure_id).strip()]
        except KeyError:
            raise UnknownMeasure(str(measure_id)) from None

    def has_measure(self, measure_id: str) -> bool:
        return str(measure_id).strip() in self._by_id

    def pillar(self, number: int) -> Pillar:
        for pillar in self.pillars:
            if pillar.number == number:
                return pillar
        raise KeyError(number)

    def ids(self) -> list[str]:
        return [m.id for m in self.measures]

    def crucial(self) -> list[Measure]:
        return [m for m in self.measures if m.crucial]

    def select(self, *, pillar: int | None = None, crucial_only: bool = False) -> list[Measure]:
        """Measures in official order, optionally of one pillar and/or crucial only."""
        return [
            m
            for m in self.measures
            if (pillar is None or m.pillar == pillar) and (not crucial_only or m.crucial)
        ]

    def dependents(self, measure_id: str) -> list[str]:
        """Ids of the measures that depend on ``measure_id``."""
        return [m.id for m in self.measures if measure_id in m.depends_on]
