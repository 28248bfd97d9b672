"""The kept tables (store.kept) in PostgreSQL: JSON read as its stored text, times in UTC, words as text[]."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from datenhub.store.kept import CHUNK, Kind, kept_table
from datenhub.store.postgres.arrays import text_array
from datenhub.store.postgres.bulk import copy_rows
from datenhub.store.postgres.connection import Connections
from datenhub.store.postgres.entities import clean


def _select(name: str, kind: Kind) -> str:
    return f"{name}::text" if kind == "json" else name  # json keeps its input text byte for byte


def _read(kind: Kind, value: Any) -> Any:
    if value is None:
        return [] if kind == "words" else None
    if kind == "time":
        return value.astimezone(UTC)
    return list(value) if kind == "words" else value


def _write(kind: Kind, value: Any) -> Any:
    # PostgreSQL text cannot hold NUL characters (a SQLite hub's can): dropped, as kept.portable does
    if kind == "words":
        return text_array([clean(word) for word in value])
    return clean(value) if kind == "text" else value


class PostgresKeptMixin:
    _conns: Connections

    def kept_rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        spec = kept_table(table)
        columns = ", ".join(_select(name, kind) for name, kind in spec.columns)
        sql = f"SELECT {spec.key}, {columns} FROM {spec.name} WHERE {spec.key} > %s ORDER BY {spec.key} LIMIT %s"
        after: Any = "" if spec.key == "alias" else 0
        while True:
            with self._conns.connection() as conn:
                rows = conn.execute(sql, (after, CHUNK)).fetchall()
            if not rows:
                return
            after = rows[-1][0]
            for row in rows:
                yield tuple(_read(kind, value) for (_, kind), value in zip(spec.columns, row[1:], strict=True))

    def add_kept_rows(self, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        spec = kept_table(table)
        with self._conns.connection() as conn:
            copy_rows(conn, spec.name, spec.names,
                      (tuple(_write(kind, value) for (_, kind), value in zip(spec.columns, row, strict=True))
                       for row in rows))
