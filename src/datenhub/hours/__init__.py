"""Opening-hours engine: parse and evaluate OSM ``opening_hours`` values (see docs/opening-hours.md)."""

from .core import OpeningHours, clear_cache
from .errors import OpeningHoursError
from .evaluator import State
from .humanize import describe

__all__ = ["OpeningHours", "OpeningHoursError", "State", "clear_cache", "describe"]
