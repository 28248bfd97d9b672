"""CSV as spreadsheets open it: text that looks like a formula stays text."""

from __future__ import annotations

import csv
import io

from datenhub.publish.csv_ import write_csv


def test_csv_cells_that_look_like_formulas_stay_text() -> None:
    entity = {"id": "dh-1", "kind": "place", "name": {"de": '=HYPERLINK("http://evil.example","Klick")',
                                                        "en": "+49 201 123", "nl": "@home"},
              "description": {"de": "-5 % für Gruppen"}, "geo": {"lat": 51.5, "lon": -0.12}, "licence": "CC0-1.0"}
    header, row = list(csv.reader(io.StringIO(b"".join(write_csv([entity])).decode("utf-8"))))
    values = dict(zip(header, row, strict=True))
    assert values["name_de"] == '\'=HYPERLINK("http://evil.example","Klick")'
    assert (values["name_en"], values["name_nl"], values["description_de"]) == ("'+49 201 123", "'@home",
                                                                                 "'-5 % für Gruppen")
    assert (values["lat"], values["lon"]) == ("51.5", "-0.12")  # numbers stay numbers


def test_csv_keeps_every_language_and_imports_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datenhub import hub
    from datenhub.store import open_store
    from tests.conftest import FIXED_NOW

    source = tmp_path / "orte.csv"
    source.write_text("id,name_de,name_en,description_de,description_en,description_nl,category,lat,lon,keywords,"
                      "email,street,city,licence,attribution\n1,Tierpark Bochum,Bochum Zoo,Zoo mit Aquarium,Zoo "
                      "with an aquarium,Dierentuin met aquarium,Zoo,51.4846,7.2138,Tiere;Familie,info@tierpark.de,"
                      "Klinikstr. 49,Bochum,CC-BY-4.0,Stadt Bochum\n", encoding="utf-8")
    first = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    hub.import_file(first, source, "orte", clock=lambda: FIXED_NOW)
    exported = tmp_path / "export.csv"
    exported.write_bytes(b"".join(hub.export(first, "csv")))
    second = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    result = hub.import_file(second, exported, "kopie", clock=lambda: FIXED_NOW)
    assert (result.new, result.rejected) == (1, 0)
    (before,), (after,) = list(first.iter_entities()), list(second.iter_entities())
    for key in ("name", "description", "categories", "keywords", "licence", "attribution", "contact"):
        assert after.get(key) == before.get(key), key
    assert after["address"]["locality"] == "Bochum"
