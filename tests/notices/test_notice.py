"""Notice values: what tools read back from the CLI table, the JSON report and the API."""

from __future__ import annotations

import json

import pytest

from datenhub.notices.notice import shorten


@pytest.mark.parametrize(("value", "shown"), [
    ({"de": "x"}, '{"de": "x"}'), (["a", "b"], '["a", "b"]'), (None, "null"), (7, "7"), (1.5, "1.5"),
    (True, "true"), ({"name": "Zeche", "öffnet": [10, None]}, '{"name": "Zeche", "öffnet": [10, null]}')])
def test_shorten_a_value_that_is_not_a_string_is_its_json_text(value: object, shown: str) -> None:
    assert shorten(value) == shown
    assert json.loads(shorten(value)) == value


@pytest.mark.parametrize("value", ["Zeche Zollern", "", "{'de': 'x'}", "None", "2026-13-01"])
def test_shorten_a_string_stays_as_it_is(value: str) -> None:
    assert shorten(value) == value


def test_shorten_keeps_the_length_cap_for_strings_and_json() -> None:
    assert shorten("x" * 500) == "x" * 119 + "…"
    long = shorten({"de": "x" * 500})
    assert len(long) == 120 and long.startswith('{"de": "xxx') and long.endswith("…")
