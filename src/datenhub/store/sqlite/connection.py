"""SQLite connections: one per thread, WAL so readers never block the importer."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from datenhub.store.base import StoreError

log = logging.getLogger("datenhub.store")

MMAP_SIZE = 256 * 1024 * 1024  # readers (the API) map the file: page reads without a system call each
CACHE_KIB = 16 * 1024  # page cache per connection; the OS page cache does the rest
# An import's connection: with 16 MiB the pages of the indexes it inserts into at random places (~45 MB at 100k
# places) went back and forth between cache and WAL: 740k writes and 520k reads of pages for 100k places, and
# 40 µs of system time per place. 64 MiB halves that (writes 128 → ~108 µs per place); more gained nothing.
BULK_CACHE_KIB = 64 * 1024
# Pages of a new database: a stored place is ~2 KB of entity and ~1.4 KB of record, so 4 KiB pages held two rows
# and an index a few hundred keys. 8 KiB cut a 100k-place import's SQL by a fifth (8.96 → 7.33 s) and its file
# by 4 %; 16 KiB gained nothing more. A database made before keeps its page size (only VACUUM changes it).
PAGE_SIZE = 8192
BUSY_TIMEOUT_MS = 30_000  # how long a statement waits for a file another connection holds


def path_from_url(url: str) -> str:
    """sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory: → a path for sqlite3."""
    if not url.startswith("sqlite://"):
        raise StoreError(f"not a SQLite URL: {url!r} (expected sqlite:///path/to/file.db)")
    rest = url.removeprefix("sqlite://")
    if rest in ("", "/", "/:memory:"):
        return ":memory:"
    return rest[1:] if rest.startswith("/") else rest


class Connections:
    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._memory: sqlite3.Connection | None = None
        self._by_thread: dict[int, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        if path != ":memory:":
            parent = Path(path).parent
            if not parent.exists():
                raise StoreError(f"the folder {parent} for the database does not exist")

    def get(self) -> sqlite3.Connection:
        if self.path == ":memory:":
            if self._memory is None:
                self._memory = self._open()
            return self._memory
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self._close_finished_threads()
            conn = self._open()
            self._local.conn = conn
            with self._lock:
                self._by_thread[threading.get_ident()] = conn
        return conn

    def _close_finished_threads(self) -> None:
        """Servers and test clients come and go with threads: a finished thread's connection is closed."""
        alive = {t.ident for t in threading.enumerate()}
        with self._lock:
            for ident in [i for i in self._by_thread if i not in alive]:
                self._by_thread.pop(ident).close()

    @contextmanager
    def unmapped(self) -> Iterator[None]:
        """This thread's connection reads through its own page cache, not a memory map, until the block ends:
        a scan over a big table then stays out of the process's resident set. The cache is bigger meanwhile
        (BULK_CACHE_KIB): an import inserts into a dozen indexes at random places."""
        conn = self.get()
        conn.execute("PRAGMA mmap_size=0")
        conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size={MMAP_SIZE}")

    @contextmanager
    def direct(self) -> Iterator[bool]:
        """Around the first import into an empty hub (outside any transaction): this thread's connection writes
        the file through a rollback journal instead of the WAL, and yields whether it does. In WAL mode every page
        is written twice, to the WAL and by the checkpoint after the commit into the file; a rollback journal
        keeps only the pages the import overwrites, and pages it appends have nothing to keep. 100k places:
        ~1.7 s of a 12 s import. The import stays one transaction: a failed one rolls back, a killed one's
        journal is rolled back by the next connection. Readers do not read beside it as they do beside a WAL
        import, so it is only done where there is nothing to read yet and no other connection is open (SQLite
        refuses the switch then; the import writes through the WAL as always)."""
        conn = self.get()
        switched = False
        if self.path != ":memory:" and not conn.in_transaction and _empty_hub(conn):
            conn.execute("PRAGMA busy_timeout=0")  # another connection open: refuse at once, not after 30 s
            try:
                switched = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
            except sqlite3.OperationalError:
                switched = False
            finally:
                conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            yield switched
        finally:
            if switched:
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                except sqlite3.OperationalError as exc:  # a reader holds the file: the next connection turns it on
                    log.warning("%s stays without the WAL for now (%s); the next connection turns it on", self.path,
                                exc)

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL writes the header; no-op on an existing file
            _wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise StoreError(f"{self.path} stayed busy for {BUSY_TIMEOUT_MS / 1000:g} s: another process is "
                                 "writing it without the WAL (the first import into an empty hub holds the whole "
                                 "file until it commits); try again when that import is done") from None
            raise StoreError(f"cannot open {self.path} as a SQLite database: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open {self.path} as a SQLite database: {exc}") from None
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._by_thread.values():
                conn.close()
            self._by_thread.clear()
        self._memory = None
        self._local = threading.local()


def _wal(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout=0")  # the statements after this one wait for a busy file, once
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        # the first import into an empty hub writes without the WAL (Connections.direct) and holds the file
        # meanwhile: this connection reads in the journal mode it finds, and a later one turns the WAL on again
        if "locked" not in str(exc):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


# Nothing in the file worth a WAL's protection yet: no records or entities, and none of what an operator sets up
# by hand (keys, webhooks, sensors). A rollback journal at synchronous=NORMAL is a little weaker against a power
# cut than the WAL; the raw input the import keeps was committed before it starts.
_EMPTY_HUB = " AND ".join(f"NOT EXISTS (SELECT 1 FROM {table})" for table in (
    "records", "entities", "api_keys", "webhooks", "occupancy_sensors"))


def _empty_hub(conn: sqlite3.Connection) -> bool:
    return conn.execute(f"SELECT {_EMPTY_HUB}").fetchone()[0] == 1
