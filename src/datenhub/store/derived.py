"""Figures derived from a hub's data (its counts, the opening-hours pairs of the open_at filter …), kept per data
version: `Store.data_version` moves with every import and write, so a figure is computed once per change and
process, and the pages and probes that show it read it from here (1M places on PostgreSQL: counting the hub took
1.3 s of three processes, on every landing page and health check)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Version = tuple[int, int]


class DerivedFigures:
    def __init__(self) -> None:
        self._figures: dict[str, tuple[Version, Any]] = {}

    def get(self, name: str, version: Version, compute: Callable[[], T]) -> T:
        """The figure `name` of data version `version`: the kept one, or `compute()` (two threads that both miss
        compute it twice; either result is right)."""
        hit = self._figures.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]  # type: ignore[no-any-return]
        value = compute()
        self._figures[name] = (version, value)
        return value
