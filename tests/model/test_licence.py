"""Licence vocabulary helpers."""

from __future__ import annotations

from datenhub.model.licence import licence_mix


def test_licence_mix_names_the_declared_licence_when_the_records_agree() -> None:
    assert licence_mix("CC0-1.0", {"CC0-1.0": 12}) == "CC0-1.0"
    assert licence_mix("CC0-1.0", {}) == "CC0-1.0"  # no records yet
    assert licence_mix(None, {}) == ""


def test_licence_mix_counts_the_licences_records_carry_most_first() -> None:
    assert licence_mix("CC0-1.0", {"closed": 1, "CC0-1.0": 5, "CC-BY-4.0": 1}) == \
        "CC0-1.0 (5), CC-BY-4.0 (1), closed (1)"
    assert licence_mix(None, {"DL-DE-BY-2.0": 3}) == "DL-DE-BY-2.0 (3)"  # declared none, the rows say
