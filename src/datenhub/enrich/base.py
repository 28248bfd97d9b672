"""Enrichers add derived facts to a batch of entities in place and report what they could not do."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from datenhub.model import AnyEntity
from datenhub.notices import Notice, Severity


class Enricher(ABC):
    name: ClassVar[str]
    # Fields this enricher writes: they are derived, so merges recompute rather than copy them.
    writes: ClassVar[tuple[str, ...]] = ()
    # The notices it may report, by code: (severity, meaning). One without codes never reports a problem.
    codes: ClassVar[dict[str, tuple[Severity, str]]] = {}

    @abstractmethod
    def enrich(self, entities: Sequence[AnyEntity]) -> list[Notice]:
        """Work on the whole batch at once (vectorised lookups are what make 10k places/s possible)."""

    def warm(self) -> None:
        """Load now what the enricher would load on its first batch (boundaries, an index): see Check.warm."""
        return
