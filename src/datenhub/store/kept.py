"""Tables no import can rebuild, read and written whole when a hub moves to another database (`db copy`).

Records, sources, keys and the like move through their own store methods; what is left is kept only once:
redirects of merged hub ids, earlier versions of changed records, the audit log of writes and the webhook
outbox. Every backend reads and writes them as rows of the same neutral values (`Kind` below), so a row read
from one backend writes unchanged into another, and the two sides can be compared row by row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import orjson

# text, int: as they are; time: an aware datetime; json: the JSON text exactly as stored (bytes kept);
# words: a list of strings (SQLite stores them as a JSON array, PostgreSQL as text[])
Kind = Literal["text", "int", "time", "json", "words"]


@dataclass(frozen=True, slots=True)
class KeptTable:
    name: str
    columns: tuple[tuple[str, Kind], ...]
    key: str  # the order rows are read in: "id" is the order written (SQLite's rowid), else this column's
    what: str  # for messages

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


KEPT: tuple[KeptTable, ...] = (
    KeptTable("aliases", (("alias", "text"), ("hub_id", "text")), "alias", "redirects of merged hub ids"),
    KeptTable("record_history", (("record_id", "text"), ("changed_at", "time"), ("checksum", "text"),
                                 ("data", "json")), "id", "earlier versions of changed records"),
    KeptTable("audit_log", (("at", "time"), ("key_id", "text"), ("method", "text"), ("path", "text"),
                            ("status", "int"), ("record_ids", "words"), ("detail", "text")), "id",
              "audit log entries"),
    KeptTable("webhook_outbox", (("webhook_id", "text"), ("payload", "text"), ("attempts", "int"),
                                 ("next_at", "time"), ("delivered_at", "time"), ("last_error", "text")), "id",
              "webhook notifications"),
)
BY_NAME = {table.name: table for table in KEPT}
CHUNK = 5000  # rows per write while copying


def portable(table: KeptTable, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row as every backend can store it: text without NUL characters, which PostgreSQL's text cannot hold (a
    SQLite hub's audit log can, from a request path with %00 in it)."""
    if not any((isinstance(v, str) and "\x00" in v) or (isinstance(v, list) and any("\x00" in w for w in v))
               for v in row):
        return row
    return tuple(_no_nul(kind, value) for (_, kind), value in zip(table.columns, row, strict=True))


def _no_nul(kind: Kind, value: Any) -> Any:
    if kind == "words":
        return [word.replace("\x00", "") for word in value]
    return value.replace("\x00", "") if kind == "text" and value is not None else value


def kept_table(name: str) -> KeptTable:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"no kept table {name!r}; one of {', '.join(BY_NAME)}") from None


class RowDigest:
    """Count and fingerprint of a row sequence: what `db copy` compares between the two databases."""

    def __init__(self) -> None:
        self.rows = 0
        self._hash = hashlib.sha256()

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows += 1
        # orjson writes an aware datetime as RFC 3339, the same text for each backend's UTC
        self._hash.update(orjson.dumps(row, option=orjson.OPT_UTC_Z))
        self._hash.update(b"\n")

    def extend(self, rows: Iterable[tuple[Any, ...]]) -> RowDigest:
        for row in rows:
            self.add(row)
        return self

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RowDigest) and (self.rows, self.hexdigest) == (other.rows, other.hexdigest)

    __hash__ = None  # type: ignore[assignment]
