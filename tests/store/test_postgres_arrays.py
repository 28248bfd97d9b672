"""Array literals (store/postgres/arrays.py): the text, and PostgreSQL reading back exactly the values given."""

from __future__ import annotations

from datenhub.store.postgres.arrays import number_array, text_array
from datenhub.store.postgres.store import PostgresStore

AWKWARD = ["plain", "a,b", "{braces}", ' quoted "word" ', "back\\slash", "NULL", "", "Zeche Zollverein – Schacht XII",
           "tab\tand\nnewline"]


def test_literals() -> None:
    assert number_array([1, -2, 3]) == "{1,-2,3}"
    assert number_array([51.4513, -999.0]) == "{51.4513,-999.0}"
    assert number_array([]) == "{}"
    assert text_array(["a,b", None, 'say "hi"', "c\\d"]) == '{"a,b",NULL,"say \\"hi\\"","c\\\\d"}'


def test_postgresql_reads_back_what_was_given(pg: PostgresStore) -> None:
    floats = [51.4513, 7.0138, 0.1 + 0.2, -999.0, 1e-07, 123456789.123456789, float("inf")]
    with pg._conns.connection() as conn:
        texts = conn.execute("SELECT %s::text[]", (text_array([*AWKWARD, None]),)).fetchall()[0][0]
        numbers = conn.execute("SELECT %s::float8[], %s::integer[]", (number_array(floats),
                                                                     number_array([0, -1, 2**31 - 1]))).fetchall()[0]
        # the same statement as the store's searches: a literal cast in place behaves as psycopg's own list
        same = conn.execute("SELECT %s::text[] = %s::text[]", (text_array(AWKWARD), AWKWARD)).fetchall()[0][0]
    assert texts == [*AWKWARD, None]
    assert numbers == (floats, [0, -1, 2**31 - 1])
    assert same

