"""Secondary indexes set aside while the first import fills an empty hub, and built again at its end.

Inserting into an index at random places costs more than building it once from sorted rows, on the importing
process, the import's critical path (100k places: ~0.2 s of a 9 s import). Only indexes that speed up reads go
aside; the ones that enforce keys (primary keys, UNIQUE) stay, so the import checks what it always checks. The
drop and the rebuild are part of the import's transaction: an import that fails or is killed leaves the indexes
as they were. Nothing reads the hub meanwhile (Connections.direct).
"""

from __future__ import annotations

import sqlite3

# The read indexes whose keys an import brings in random order (names, map areas): kept up row by row, they touch
# pages all over the file, and cost more than building them once (the others, in the order of rowids or
# sequence numbers, or of few distinct values, cost less as they are).
SCATTERED = ("entities_kind_name", "entities_area_fine", "entities_area_coarse")


def set_aside(db: sqlite3.Connection) -> list[str]:
    """Drop the scattered indexes; returns the statements that create them again."""
    marks = ",".join("?" * len(SCATTERED))
    found = db.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks}) "
                       "ORDER BY name", SCATTERED).fetchall()
    for name, _ in found:
        db.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def restore(db: sqlite3.Connection, statements: list[str]) -> None:
    for sql in statements:
        db.execute(sql)
