"""The Notice type: one data problem, where it is, and how bad it is."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """ERROR: the record is not published. WARNING: published and flagged. INFO: for the record."""

    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a notice points: as precise as the adapter can tell."""

    source: str | None = None
    file: str | None = None
    row: int | None = None
    pointer: str | None = None  # JSON pointer, XPath-like path or OSM element id
    field: str | None = None
    entity_id: str | None = None

    def __reduce__(self) -> tuple[type[Location], tuple[str | int | None, ...]]:
        # plain positional state: import batches cross process boundaries by the thousand
        return Location, (self.source, self.file, self.row, self.pointer, self.field, self.entity_id)

    # Direct constructors instead of dataclasses.replace (which looks up the fields on every call): checks
    # locate a notice per record, and an import checks hundreds of thousands.
    def at_field(self, field: str | None) -> Location:
        return Location(self.source, self.file, self.row, self.pointer, field, self.entity_id)

    def of_entity(self, entity_id: str | None) -> Location:
        return Location(self.source, self.file, self.row, self.pointer, self.field, entity_id)

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.pointer:
            parts.append(self.pointer)
        if self.field:
            parts.append(f"field {self.field}")
        if self.entity_id:
            parts.append(f"id {self.entity_id}")
        return ", ".join(parts) or (self.source or "-")


@dataclass(frozen=True, slots=True)
class Notice:
    code: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    value: str | None = None  # the offending value, as shorten() gives it

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # positional state, the severity by value: import workers send back notices by the thousand, and
        # the dataclass default (a state dict, an enum call each) took 9 µs a notice there and back
        return _notice, (self.code, self.severity.value, self.message, self.location, self.value)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["location"] = {k: v for k, v in data["location"].items() if v is not None}
        if data["value"] is None:
            del data["value"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Notice:
        return cls(
            code=data["code"],
            severity=Severity(data["severity"]),
            message=data["message"],
            location=Location(**data.get("location", {})),
            value=data.get("value"),
        )


_SEVERITIES = {s.value: s for s in Severity}


def _notice(code: str, severity: str, message: str, location: Location, value: str | None) -> Notice:
    return Notice(code, _SEVERITIES[severity], message, location, value)


def shorten(value: object, limit: int = 120) -> str:
    """A notice's `value`: a string as it is, anything else as its JSON text ({"de": "x"}, ["a", "b"], null), so
    that tools read it back (str() gave Python reprs). Notices quote offending values; a 10 MB field must not become
    a 10 MB notice: cut to `limit` characters, ending in "…"."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
