"""Opening-hours engine: parse and evaluate OSM ``opening_hours`` values (see docs/opening-hours.md)."""

from .core import OpeningHours, clear_cache
from .errors import OpeningHoursError
from .evaluator import State

__all__ = ["OpeningHours", "OpeningHoursError", "State", "clear_cache", "describe"]


def __getattr__(name: str) -> object:
    if name == "describe":
        from .describe import describe

        return describe
    raise AttributeError(name)
