"""The broken-input corpus: checked-in small files, generated big ones, and what each must produce."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

CORPUS = Path(__file__).parent / "corpus"
REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = (REPO / "../shared/data").resolve()
FIXED_NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def fixed_clock() -> datetime:
    return FIXED_NOW


def write_deep_json(folder: Path) -> Path:
    path = folder / "deep.geojson"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="ascii")
    return path


def write_oversized_csv(folder: Path) -> Path:
    """One record whose description is 10 MB of text: generated, never checked in."""
    path = folder / "oversized.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("id,name,description,lat,lon,licence\n")
        out.write("big1,Zeche Zollverein," + "x" * 10_000_000 + ",51.4862,7.0406,CC0-1.0\n")
    return path


@dataclass(frozen=True)
class Case:
    """A broken input, what `validate` must report about it and how many records an import accepts."""

    id: str
    file: str | Callable[[Path], Path]
    keys: tuple[str, ...]
    expected: list[list[object]]
    accepted: int

    def path(self, tmp_path: Path) -> Path:
        return CORPUS / self.file if isinstance(self.file, str) else self.file(tmp_path)


CASES = [
    Case("truncated_mid_field", "truncated.csv", ("row", "code"),
         [[3, "row_length_mismatch"], [3, "truncated_file"]], 1),
    Case("windows_1252", "cp1252.csv", ("row", "code"), [[None, "encoding_detected"]], 4),
    Case("utf8_bom", "bom.csv", ("row", "code"), [], 2),
    Case("semicolon_delimited", "semicolon.csv", ("row", "code"), [], 2),
    Case("invalid_json", "invalid.geojson", ("row", "code"), [[1, "invalid_json"]], 0),
    Case("json_100k_deep", write_deep_json, ("row", "code"), [[None, "json_too_deep"]], 0),
    Case("billion_laughs", "billion_laughs.osm", ("pointer", "code"), [[None, "xml_entities_refused"]], 0),
    Case("swapped_lat_lon", "swapped.csv", ("row", "code"), [[2, "swapped_coordinates"]], 1),
    Case("coordinates_out_of_range", "out_of_range.csv", ("row", "code"), [[2, "invalid_coordinates"]], 0),
    Case("field_10mb", write_oversized_csv, ("row", "field", "code"), [[2, "description.de", "oversized_field"]], 1),
    Case("duplicate_ids", "duplicate_ids.csv", ("row", "code"), [[3, "duplicate_id"]], 1),
    Case("empty_file", "empty.csv", ("row", "code"), [[None, "empty_file"]], 0),
    Case("binary_garbage", "garbage.csv", ("row", "code"), [[None, "not_text"]], 0),
    Case("ical_bad_dtstart", "bad_dtstart.ics", ("pointer", "code"), [["VEVENT[1]", "invalid_date"]], 0),
    Case("geojson_non_object_feature", "non_object_feature.geojson", ("pointer", "code"),
         [["/features/0", "invalid_feature"]], 1),
    Case("jsonld_bad_node", "bad_node.jsonld", ("pointer", "code"), [["/@graph/0", "invalid_jsonld_node"]], 1),
    Case("unknown_licence", "unknown_licence.csv", ("row", "code"), [[2, "unknown_licence"]], 0),
    Case("html_error_page_as_csv", "error_page.csv", ("row", "code"), [[None, "html_page"]], 0),
    Case("html_login_page_as_geojson", "login_page.geojson", ("row", "code"), [[None, "html_page"]], 0),
    Case("html_error_page_as_ical", "error_page.ics", ("pointer", "code"), [[None, "html_page"]], 0),
]
