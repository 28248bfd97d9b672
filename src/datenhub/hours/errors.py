"""The one exception the opening-hours engine raises for bad input."""

from __future__ import annotations


class OpeningHoursError(ValueError):
    """A value that is not a valid ``opening_hours`` expression.

    ``position`` is the 0-based character offset in the original value where the problem was found.
    """

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position
