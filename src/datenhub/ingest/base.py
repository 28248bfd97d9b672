"""What every ingest adapter gets (RawInput, options) and yields (Draft records and Notices)."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from datenhub.notices import Location, Notice, Severity
from datenhub.notices.notice import shorten


@dataclass(frozen=True, slots=True)
class RawInput:
    """The bytes exactly as a source gave them, kept so a source can be re-processed without re-fetching."""

    source: str
    name: str
    payload: bytes
    fetched_at: datetime
    media_type: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()

    @classmethod
    def from_path(cls, path: Path, source: str, fetched_at: datetime) -> RawInput:
        return cls(source=source, name=path.name, payload=path.read_bytes(), fetched_at=fetched_at)


@dataclass(slots=True)
class Draft:
    """A record as an adapter read it: canonical field names, values not yet validated."""

    kind: str  # "place" | "event"
    local_id: str | None
    data: dict[str, Any]
    location: Location = field(default_factory=Location)

    def __reduce__(self) -> tuple[type[Draft], tuple[Any, ...]]:
        return Draft, (self.kind, self.local_id, self.data, self.location)  # cheap to send to import workers


# what a record's own `kind` may say, in either language and any case
KINDS = {"place": "place", "event": "event", "ort": "place", "veranstaltung": "event", "termin": "event"}


def named_kind(given: object) -> str | None:
    """The kind a record's `kind` value names ("Event", "Ort" …), None for anything else."""
    return KINDS.get(given.strip().casefold()) if isinstance(given, str) else None


def unknown_kind(given: object, where: Location) -> Notice:
    return Notice("unknown_kind", Severity.ERROR, f"kind {given!r} is neither place nor event (Ort, Veranstaltung, "
                  "Termin): the record is left out", where.at_field("kind"), shorten(given))


def json_kind(value: Any) -> str:
    """What kind of JSON value `value` is, as a message names it ("an object", "a list" …)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    return "a number" if isinstance(value, int | float) else type(value).__name__


def unusable_id(value: object, where: Location) -> Notice | None:
    """A record id a JSON file gives as an object, a list or true/false: no id at all, not its Python spelling."""
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return None
    return Notice("invalid_id", Severity.ERROR, f"the id must be a text or a number, not {json_kind(value)}: the "
                  "record is left out", where.at_field("id"), shorten(value))


@dataclass(slots=True)
class AdapterOptions:
    """Per-import settings: a mapping file (CSV), defaults a source applies to all its records."""

    source: str
    mapping: dict[str, Any] | None = None
    defaults: dict[str, Any] = field(default_factory=dict)


class Adapter(ABC):
    """An ingest adapter reads one source format. Register it with `@register` to make it usable."""

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    @abstractmethod
    def read(self, raw: RawInput, options: AdapterOptions) -> Iterator[Draft | Notice]:
        """Yield drafts and notices. Never raise for bad data: emit an ERROR notice instead."""

    @classmethod
    def sniff(cls, raw: RawInput) -> bool:
        """True when this adapter recognises the payload (used when no adapter is named)."""
        return raw.name.lower().endswith(cls.extensions) if cls.extensions else False
