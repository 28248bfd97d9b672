"""Source records and their history: every version a source delivered, never deleted."""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import Any

from datenhub.store.base import RecordState, StoredRecord, StoreError
from datenhub.store.postgres.arrays import text_array
from datenhub.store.postgres.bulk import copy_new, copy_to_stage, known_keys
from datenhub.store.postgres.connection import Connections
from datenhub.store.postgres.entities import dumps
from datenhub.store.postgres.schema import ADD_TALLIES
from datenhub.store.rows import iso
from datenhub.store.tallies import KEY_COLUMNS, replaced, tally_key, tally_rows, written

_STAGE_COLUMNS = ("record_id", "source", "local_id", "kind", "hub_id", "checksum", "data", "first_seen",
                  "last_changed", "withdrawn_at", "draft", "draft_notices")
_STAGE_COLUMNS_SQL = ", ".join(_STAGE_COLUMNS)
_COPY_TRIES = 5
_CHANGED = _STAGE_COLUMNS.index("last_changed")
# a stored record's group in record_tallies (tallies.tally_key)
_TALLY_KEY = "source, coalesce(data->>'licence', ''), coalesce(data->>'attribution', '')"
_RECORD_COLUMNS = "record_id, source, local_id, kind, hub_id, checksum, data, first_seen, last_changed, withdrawn_at"


def record_row(r: StoredRecord) -> tuple[Any, ...]:
    """The staging row of a record, then its tally_key: pure, so an import worker can compute it."""
    return (r.record_id, r.source, r.local_id, r.kind, r.hub_id, r.checksum, r.data_json or dumps(r.data),
            r.first_seen, r.last_changed, r.withdrawn_at, r.draft, r.draft_notices, *tally_key(r.data))


def _record(row: tuple[Any, ...]) -> StoredRecord:
    return StoredRecord(*row)


class RecordsMixin:
    _conns: Connections

    def record_states(self, source: str) -> dict[str, RecordState]:
        with self._conns.connection() as conn:
            rows = conn.execute("SELECT local_id, checksum, hub_id, withdrawn_at, draft, draft_notices FROM records "
                                "WHERE source = %s", (source,)).fetchall()
        return {r[0]: RecordState(r[1], r[2], r[3] is not None, r[4], r[5]) for r in rows}

    def set_record_drafts(self, source: str, drafts: list[tuple[str, str, str | None]]) -> None:
        if not drafts:
            return
        with self._conns.connection() as conn:
            conn.execute("UPDATE records r SET draft = d.draft, draft_notices = d.notices FROM unnest(%s::text[], "
                         "%s::text[], %s::text[]) AS d (record_id, draft, notices) WHERE r.record_id = d.record_id",
                         (text_array([f"{source}:{lid}" for lid, _, _ in drafts]),
                          text_array([d for _, d, _ in drafts]), text_array([n for _, _, n in drafts])))

    def upsert_records(self, records: list[StoredRecord]) -> None:
        self.upsert_record_rows([record_row(r) for r in records])

    def upsert_record_rows(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        # one row per record id (the last one wins): ON CONFLICT cannot touch a row twice in one statement
        latest = {row[0]: row for row in rows}
        with self._conns.transaction() as conn:
            # the new ones first, all at once; one that a concurrent import wrote meanwhile (committed: READ
            # COMMITTED sees it on the next try) goes with the known ones
            for _ in range(_COPY_TRIES):
                known = known_keys(conn, "records", "record_id", list(latest))
                new = [row for rid, row in latest.items() if rid not in known]
                if copy_new(conn, "records", _STAGE_COLUMNS, [row[:-KEY_COLUMNS] for row in new]):
                    break
            else:
                raise StoreError(f"other writers kept adding the same records of {rows[0][1]!r}; try again")
            # the rows the changed ones replace leave their groups (locked: no other writer changes them meanwhile)
            changed = [row for rid, row in latest.items() if rid in known]
            before = [(*old[1:], latest[old[0]][_CHANGED]) for old in conn.execute(
                f"SELECT record_id, {_TALLY_KEY}, withdrawn_at IS NOT NULL FROM records WHERE record_id = "
                "ANY(%s::text[]) ORDER BY record_id FOR UPDATE", (text_array([row[0] for row in changed]),))
            ] if changed else []
            conn.cursor().executemany(ADD_TALLIES, tally_rows(chain(written(new + changed), replaced(before))))
            latest = {rid: row[:-KEY_COLUMNS] for rid, row in latest.items() if rid in known}
            if not latest:
                return
            # by the primary key, not a join with the staging table: the planner knows nothing about a freshly
            # filled temp table and would hash-join all records (quadratic over a long import)
            conn.execute("INSERT INTO record_history (record_id, changed_at, checksum, data) SELECT record_id, "
                         "last_changed, checksum, data FROM records WHERE record_id = ANY(%s::text[]) "
                         "ORDER BY record_id", (text_array(latest),))
            copy_to_stage(conn, "records_stage", "records", _STAGE_COLUMNS, latest.values())
            conn.execute(
                f"INSERT INTO records ({_STAGE_COLUMNS_SQL}) SELECT {_STAGE_COLUMNS_SQL} FROM records_stage "
                "ON CONFLICT (record_id) DO UPDATE SET hub_id = excluded.hub_id, checksum = excluded.checksum, "
                "data = excluded.data, last_changed = excluded.last_changed, "
                "withdrawn_at = excluded.withdrawn_at, kind = excluded.kind, draft = excluded.draft, "
                "draft_notices = excluded.draft_notices")

    def withdraw_records(self, record_ids: list[str], at: datetime) -> None:
        with self._conns.transaction() as conn:
            gone = conn.execute(f"UPDATE records SET withdrawn_at = %s WHERE record_id = ANY(%s::text[]) "
                                f"AND withdrawn_at IS NULL RETURNING {_TALLY_KEY}",
                                (at, text_array(record_ids))).fetchall()
            # each leaves the active records of its group for the withdrawn ones
            conn.cursor().executemany(ADD_TALLIES, tally_rows((*key, -1, 1, None, at) for key in gone))

    def get_record(self, record_id: str) -> StoredRecord | None:
        with self._conns.connection() as conn:
            row = conn.execute(f"SELECT {_RECORD_COLUMNS} FROM records WHERE record_id = %s",
                               (record_id,)).fetchone()
        return _record(row) if row else None

    def records_of_hubs(self, hub_ids: list[str]) -> dict[str, list[StoredRecord]]:
        out: dict[str, list[StoredRecord]] = {}
        with self._conns.connection() as conn:
            rows = conn.execute(f"SELECT {_RECORD_COLUMNS} FROM records WHERE hub_id = ANY(%s::text[])",
                                (text_array(hub_ids),)).fetchall()
        for row in rows:
            out.setdefault(row[4], []).append(_record(row))
        return out

    def record_history(self, record_id: str) -> list[dict[str, Any]]:
        with self._conns.connection() as conn:
            rows = conn.execute("SELECT changed_at, checksum, data FROM record_history WHERE record_id = %s "
                                "ORDER BY id", (record_id,)).fetchall()
        return [{"changed_at": iso(r[0]), "checksum": r[1], "data": r[2]} for r in rows]

    def reassign_records(self, assignments: dict[str, str]) -> None:
        if not assignments:
            return
        with self._conns.connection() as conn:
            conn.execute("UPDATE records r SET hub_id = a.hub_id FROM unnest(%s::text[], %s::text[]) "
                         "AS a (record_id, hub_id) WHERE r.record_id = a.record_id",
                         (text_array(assignments), text_array(assignments.values())))

