"""Municipalities by name or AGS (query filters, imports): the ways people write a town's name."""

from __future__ import annotations

import pytest

from datenhub.enrich.municipality import boundaries, resolve_municipality


@pytest.mark.parametrize(("written", "name"), [
    ("Muelheim", "Mülheim an der Ruhr"), ("Muelheim an der Ruhr", "Mülheim an der Ruhr"),
    ("Mulheim", "Mülheim an der Ruhr"), ("Duesseldorf", "Düsseldorf"), ("DUESSELDORF", "Düsseldorf"),
    ("Loehne", "Löhne"), ("Koeln", "Köln"), ("Moenchengladbach", "Mönchengladbach"), ("Boenen", "Bönen"),
    ("Froendenberg", "Fröndenberg/Ruhr"), ("Düsseldorf", "Düsseldorf"), ("05113000", "Essen"),
])
def test_resolve_takes_umlauts_written_out_in_ascii(written: str, name: str) -> None:
    found = boundaries().resolve(written)
    assert found is not None and found.name == name


@pytest.mark.parametrize("written", ["Muelheimer", "Dusseldorfe", "Oe", "Xyz", "Bo"])
def test_resolve_still_refuses_what_is_no_town(written: str) -> None:
    assert resolve_municipality(written) is None
