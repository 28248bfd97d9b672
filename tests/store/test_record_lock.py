"""Store.lock_record: writers of one record take turns inside their transactions (the API's If-Match and PATCH
read the record and write it in one step). SQLite's write transactions take turns already; PostgreSQL's need
the lock, and it must hold for a record that does not exist yet."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from datenhub.store import Store, open_store

if TYPE_CHECKING:
    from datenhub.store.postgres.store import PostgresStore


def test_lock_record_is_part_of_the_contract(store: Store) -> None:
    with store.transaction():
        store.lock_record("a:1")
        store.lock_record("a:1")  # again in the same transaction: it holds it already
    with store.transaction():
        store.lock_record("a:1")  # released with the transaction before


def test_another_writer_of_the_record_waits_until_the_transaction_ends(pg: PostgresStore) -> None:
    import psycopg

    other = open_store(pg.url)
    other.serve(lock_wait_s=0.2)  # a lock wait longer than this fails, as it does for a serving API
    try:
        outcome: list[str] = []

        def second(record_id: str) -> None:
            try:
                with other.transaction():
                    other.lock_record(record_id)
                outcome.append("locked")
            except psycopg.errors.LockNotAvailable as exc:
                outcome.append(f"waited: {exc}")

        with pg.transaction():
            pg.lock_record("stadt-bochum:neu")  # no such record: the lock holds all the same
            thread = threading.Thread(target=second, args=("stadt-bochum:neu",))
            thread.start()
            thread.join()
            free = threading.Thread(target=second, args=("stadt-bochum:anderer",))
            free.start()
            free.join()
        assert outcome[0].startswith("waited") and outcome[1] == "locked"
        after = threading.Thread(target=second, args=("stadt-bochum:neu",))
        after.start()
        after.join()
        assert outcome[2] == "locked"  # released at commit
    finally:
        other.close()


def test_the_record_read_after_the_lock_is_not_one_an_import_is_replacing(pg: PostgresStore) -> None:
    """An import does not take lock_record: a write that locked the record read the version committed before the
    import, passed If-Match with it and then overwrote what the import wrote (its row waited for the import's
    commit, its check did not). The lock waits for a write of the record in progress."""
    import time

    from datenhub.pipeline.writes import write_records

    pg.migrate()
    place = b'{"id": "k", "name": {"de": "%s"}, "geo": {"lat": 51.425, "lon": 7.26}, "licence": "CC0-1.0"}'
    write_records(pg, "stadt-bochum", place % b"alt", kind="place")
    other = open_store(pg.url)
    wrote = threading.Event()

    def import_() -> None:
        with pg.transaction():
            write_records(pg, "stadt-bochum", place % b"neu", kind="place")
            wrote.set()
            time.sleep(0.5)  # the writer below comes while the import is not committed yet

    thread = threading.Thread(target=import_)
    thread.start()
    try:
        assert wrote.wait(10)
        with other.transaction():
            other.lock_record("stadt-bochum:k")
            record = other.get_record("stadt-bochum:k")
        assert record is not None and record.data["name"] == {"de": "neu"}
    finally:
        thread.join()
        other.close()
