"""The kept tables (store.kept) in SQLite: times as ISO text, words as a JSON array, JSON as its text."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import orjson

from datenhub.store.kept import CHUNK, Kind, kept_table
from datenhub.store.rows import iso, parse_iso


def dump_words(words: list[str]) -> str:
    """A list of ids as SQLite keeps it: a JSON array (a local id may hold blanks)."""
    return orjson.dumps(words).decode("utf-8")


def load_words(stored: str | None) -> list[str]:
    """`dump_words` read back; rows written before it hold the ids blank-separated (never starting with "[", as
    a record id starts with its source's name)."""
    if not stored:
        return []
    return orjson.loads(stored) if stored.startswith("[") else stored.split()  # type: ignore[no-any-return]


def _read(kind: Kind, value: Any) -> Any:
    if kind == "words":
        return load_words(value)
    if value is None:
        return None
    return parse_iso(value) if kind == "time" else value


def _write(kind: Kind, value: Any) -> Any:
    if kind == "time":
        return iso(value)
    return dump_words(value) if kind == "words" else value


class SqliteKeptMixin:
    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

    def kept_rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        spec = kept_table(table)
        key = "rowid" if spec.key == "id" else spec.key  # the order written is the rowid's
        after: Any = 0 if key == "rowid" else ""
        sql = f"SELECT {key}, {', '.join(spec.names)} FROM {spec.name} WHERE {key} > ? ORDER BY {key} LIMIT ?"
        # a chunk at a time: an open cursor would hold a read snapshot across the caller's own writes
        while rows := self.db.execute(sql, (after, CHUNK)).fetchall():
            after = rows[-1][0]
            for row in rows:
                yield tuple(_read(kind, value) for (_, kind), value in zip(spec.columns, row[1:], strict=True))

    def add_kept_rows(self, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        spec = kept_table(table)
        marks = ", ".join("?" * len(spec.columns))
        self.db.executemany(f"INSERT INTO {spec.name} ({', '.join(spec.names)}) VALUES ({marks})",
                            (tuple(_write(kind, value) for (_, kind), value in zip(spec.columns, row, strict=True))
                             for row in rows))
