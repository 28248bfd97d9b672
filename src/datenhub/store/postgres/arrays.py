"""Array parameters as PostgreSQL array literals, one function per element type.

psycopg adapts a Python list element by element in Python, looking up each element's dumper (its C extension
does not cover lists): a map view's cell arrays (96 numbers) took ~100 µs of a ~800 µs request, and each COPY
row's tags several µs. Written as one literal and cast in the statement (`%s::integer[]`), a list costs one
string join.
"""

from __future__ import annotations

from collections.abc import Iterable


def number_array(values: Iterable[int | float]) -> str:
    """For integer[], bigint[] and float8[]: repr() of a float is the shortest text that reads back as the same
    double (and `inf`/`nan` read as PostgreSQL's infinity and NaN)."""
    return "{" + ",".join(map(repr, values)) + "}"


def _quoted(text: str) -> str:
    # every element quoted: unquoted, commas, braces, blanks and the word NULL mean something else
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def text_array(values: Iterable[str | None]) -> str:
    """For text[]: None elements become NULL."""
    return "{" + ",".join(["NULL" if v is None else _quoted(v) for v in values]) + "}"
