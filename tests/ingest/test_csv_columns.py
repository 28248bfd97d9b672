"""Columns a CSV adapter leaves out are named once per file, so a steward sees what did not arrive."""

from __future__ import annotations

from typing import Any

import pytest
from ingest_corpus import FIXED_NOW

from datenhub.ingest.base import AdapterOptions, Draft, RawInput
from datenhub.ingest.mapping import Mapping, MappingError
from datenhub.ingest.registry import get_adapter
from datenhub.notices import Notice, Severity


def notices(payload: bytes, **options: Any) -> list[Notice]:
    raw = RawInput("test", "orte.csv", payload, FIXED_NOW)
    return [item for item in get_adapter("csv").read(raw, AdapterOptions("test", **options))
            if not isinstance(item, Draft)]


def test_unmapped_columns_are_named_in_one_info_notice() -> None:
    [notice] = notices(b"id,name,lat,lon,Eintritt,Bearbeiter\n1,Gasometer,51.49,6.87,12 EUR,mk\n")
    assert (notice.code, notice.severity, notice.location.file) == ("unmapped_columns", Severity.INFO, "orte.csv")
    assert "Eintritt, Bearbeiter" in notice.message and "--mapping" in notice.message


def test_mapping_names_columns_it_leaves_out_on_purpose() -> None:
    ignore = ["Bearbeiter"]
    mapping = {"csv": {"ignore": ignore}, "fields": {"id": "id", "name.de": "name", "lat": "lat", "lon": "lon"}}
    [notice] = notices(b"id,name,lat,lon,Eintritt,Bearbeiter\n1,Gasometer,51.49,6.87,12 EUR,mk\n", mapping=mapping)
    assert notice.code == "unmapped_columns"
    assert "Eintritt;" in notice.message and "Bearbeiter" not in notice.message and "[csv] ignore" in notice.message
    ignore.append("Eintritt")
    assert notices(b"id,name,lat,lon,Eintritt,Bearbeiter\n1,Gasometer,51.49,6.87,12 EUR,mk\n", mapping=mapping) == []


@pytest.mark.parametrize(("csv_options", "message"), [
    ({"ignore": "Bearbeiter"}, "ignore must be a list"),
    ({"ignored": ["Bearbeiter"]}, "unknown [csv] option(s) ['ignored']"),
    ({"ignore": ["name"]}, "column(s) name both mapped under [fields] and ignored"),
])
def test_mapping_csv_options_are_checked(csv_options: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError) as error:
        Mapping.from_dict({"csv": csv_options, "fields": {"name.de": "name"}})
    assert message in str(error.value)


def test_a_column_named_twice_is_a_warning_naming_it() -> None:
    raw = RawInput("t", "dup.csv", b"id,name,name,lat,lon,licence\nd1,Erster,Zweiter,51.5,7.0,CC0-1.0\n", FIXED_NOW)
    items = list(get_adapter("csv").read(raw, AdapterOptions("t")))
    notices = [(n.code, n.severity, n.value) for n in items if isinstance(n, Notice)]
    assert ("duplicate_column", Severity.WARNING, "name") in notices
    assert [d.data["name"] for d in items if isinstance(d, Draft)] == [{"de": "Zweiter"}]
