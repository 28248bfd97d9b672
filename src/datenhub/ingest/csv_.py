"""CSV/TSV with a declarative mapping file, encoding detection and delimiter sniffing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import pairwise
from typing import Any

from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput, named_kind, unknown_kind
from datenhub.ingest.decode import read_text
from datenhub.ingest.mapping import Mapping, auto_mapping
from datenhub.ingest.registry import register
from datenhub.ingest.setpath import set_path
from datenhub.notices import Location, Notice, Severity
from datenhub.notices.notice import shorten
from datenhub.spreadsheet import unguard

csv.field_size_limit(64 * 1024 * 1024)  # big fields become notices in checks, not parser crashes
_DELIMITERS = ",;\t|"


# Columns of the hub's CSV export (publish.csv_.COLUMNS) that the hub makes itself: the municipality and its
# codes and the nearest station from the coordinates, the rest from its bookkeeping. No [fields] target takes them.
HUB_DERIVED = frozenset({"municipality", "ags", "kreis", "in_rvr", "nearest_station", "nearest_station_m", "sources",
                         "last_changed", "withdrawn_at"})


def sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # Fall back to the candidate that splits the header most often.
        return max(_DELIMITERS, key=lambda d: lines[0].count(d))


def apply_mapping(row: dict[str, str], mapping: Mapping) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for target, value in mapping.constants.items():
        set_path(data, target, value)
    for target, column in mapping.fields.items():
        value = row.get(column)
        if value is not None and value.strip() != "":
            set_path(data, target, value.strip())
    return data


class RowMapper:
    """apply_mapping for one header, compiled: cells by position, no dict per row (imports call it per row)."""

    def __init__(self, header: list[str], mapping: Mapping) -> None:
        position = {name: i for i, name in enumerate(header)}  # a repeated column name: the last one wins
        self.constants = mapping.constants
        self.fields = [(position[column], *target.partition(".")[::2]) for target, column in mapping.fields.items()
                       if column in position]

    def __call__(self, cells: list[str]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for target, value in self.constants.items():
            set_path(data, target, value)
        width = len(cells)
        for index, head, rest in self.fields:
            if index < width:
                value = cells[index].strip()
                if value:
                    if value[0] == "'":
                        value = unguard(value)
                    if not rest:
                        data[head] = value
                    else:
                        child = data.setdefault(head, {})
                        if isinstance(child, dict):
                            child[rest] = value
        return data


def json_images(data: dict[str, Any], where: Location) -> Notice | None:
    """An images cell as the hub's CSV export writes it, a JSON list of image objects, read as that list; any other
    text stays as it is (one image URL, which checks.shape reads as such). JSON that does not parse is left out."""
    text = data["images"]
    if not isinstance(text, str) or text[:1] not in "[{":  # a mapping's constant may be a TOML list already
        return None
    try:
        data["images"] = json.loads(text)
    except ValueError as exc:
        del data["images"]
        return Notice("invalid_field_type", Severity.WARNING,
                      f"the images cell is not valid JSON ({exc}): left out; write a JSON list such as "
                      '[{"url": "https://…", "licence": "CC-BY-4.0", "attribution": "Foto: …"}], or one image URL',
                      where, shorten(text))
    return None


def _declared_delimiter(text: str) -> tuple[str | None, int]:
    """(the delimiter of an Excel "sep=X" first line, or None; the file's row number of the header)."""
    first = text[:16].split("\n", 1)[0].rstrip("\r")
    if len(first) == 5 and first.lower().startswith("sep="):
        return first[4], 2
    return None, 1


def lines(text: str) -> Iterable[str]:
    """The text's lines with their line ends, for csv.reader. io.StringIO(text, newline="") gives the same lines
    but first copies the text at 4 bytes a character: 88 MB for 100k places, a fifth of an import's peak memory."""
    if text.count("\r") != text.count("\r\n"):
        return io.StringIO(text, newline="")  # lines that end in a bare CR (old Mac exports): StringIO splits there
    return _split_at_newlines(text)


def _split_at_newlines(text: str) -> Iterator[str]:
    find, start = text.find, 0
    while (end := find("\n", start)) >= 0:
        yield text[start:end + 1]
        start = end + 1
    if start < len(text):
        yield text[start:]


@register
class CsvAdapter(Adapter):
    name = "csv"
    extensions = (".csv", ".tsv", ".txt")
    description = "CSV/TSV with a TOML mapping file (--mapping); headers like name, lat, lon are understood"

    def read(self, raw: RawInput, options: AdapterOptions) -> Iterator[Draft | Notice]:
        where = Location(source=raw.source, file=raw.name)
        mapping = Mapping.from_dict(options.mapping) if options.mapping else None
        decoded, notices = read_text(raw.payload, where, "CSV", mapping.encoding if mapping else None)
        yield from notices
        if decoded is None:
            return
        text = decoded
        # Excel writes "sep=;" as the first line when asked to: it names the delimiter and is not the header
        declared, first_row = _declared_delimiter(text)
        if declared is not None:
            text = text.split("\n", 1)[1] if "\n" in text else ""
        delimiter = (mapping.delimiter if mapping and mapping.delimiter else None) or declared or (
            "\t" if raw.name.lower().endswith(".tsv") else sniff_delimiter(text[:20_000])
        )
        reader = csv.reader(lines(text), delimiter=delimiter)
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            yield Notice("malformed_csv", Severity.ERROR, f"cannot read the header row: {exc}", where)
            return
        header = [h.strip() for h in header]
        if mapping is None:
            mapping = auto_mapping(header)
        elif not mapping.fields:  # only [csv] or [constants] given: the columns are read by their common names
            mapping = replace(mapping, fields=auto_mapping(header).fields)
        missing = sorted({c for c in mapping.fields.values() if c not in header})
        if missing:
            yield Notice("mapping_column_missing", Severity.ERROR,
                         f"mapped column(s) not in the header: {', '.join(missing)}; header is: "
                         f"{', '.join(h or f'(column {i}: no name)' for i, h in enumerate(header, start=1))}", where)
            return
        if not mapping.fields:
            yield Notice("no_known_columns", Severity.ERROR,
                         "no column could be mapped; give a mapping file with --mapping", where)
            return
        known = {*mapping.fields.values(), *mapping.ignore}
        unmapped = [column for column in header if column and column not in known]
        # what the hub's own CSV export writes of its own making: no mapping can import it, every import derives it
        derived = [column for column in unmapped if column in HUB_DERIVED]
        if unmapped := [column for column in unmapped if column not in HUB_DERIVED]:
            how = ("name them under [fields] in the mapping, or under [csv] ignore" if options.mapping
                   else "give a mapping file (--mapping) that names them")
            also = (f" ({', '.join(derived)}: the hub derives these itself on every import, from the coordinates "
                    "and its own records)") if derived else ""
            yield Notice("unmapped_columns", Severity.INFO,
                         f"column(s) not imported: {', '.join(unmapped)}; {how}{also}", where)
        used = set(mapping.fields.values())
        for column in sorted({c for c in header if c in used and header.count(c) > 1}):
            places = [str(i) for i, c in enumerate(header, start=1) if c == column]
            yield Notice("duplicate_column", Severity.WARNING,
                         f"the header names column {column!r} {len(places)} times (columns {', '.join(places)}); "
                         "the last one is read: rename the others, or delete them", where, column)
        kind = mapping.kind
        # a column named `kind` (the hub's own export) or mapped on purpose must say place or event; one only
        # guessed ("Art", which German files also use for a place's type) leaves its other values to the default
        strict_kind = bool(options.mapping) or mapping.fields.get("kind", "").strip().lower() == "kind"
        to_data = RowMapper(header, mapping)
        nameless = [i for i, h in enumerate(header) if not h]  # no mapping can name them: said once if they hold data
        row_no = 1
        # An odd number of quote characters means a quoted field never closes: the file was cut off.
        truncated = text.count('"') % 2 == 1
        pending: Draft | None = None
        try:
            for row_no, cells in enumerate(reader, start=first_row + 1):
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    yield Notice("row_length_mismatch", Severity.WARNING,
                                 f"row has {len(cells)} cells, the header has {len(header)}"
                                 f"{_split_number_hint(cells, header, delimiter)}",
                                 Location(source=raw.source, file=raw.name, row=row_no))
                if nameless and (held := [i for i in nameless if i < len(cells) and cells[i].strip()]):
                    yield _nameless(held, cells, Location(source=raw.source, file=raw.name, row=row_no))
                    nameless = []
                data = to_data(cells)
                local_id = data.pop("id", None)
                if "images" in data and (bad := json_images(data, Location(
                        source=raw.source, file=raw.name, row=row_no, field="images", entity_id=local_id))):
                    yield bad
                given = data.pop("kind", None)  # a column of its own decides row by row, as the export writes
                row_kind = named_kind(given) if given is not None else kind
                if row_kind is None and not strict_kind:
                    row_kind = kind
                if row_kind is None:
                    yield unknown_kind(given, Location(source=raw.source, file=raw.name, row=row_no,
                                                       entity_id=local_id))
                    continue
                if pending is not None:
                    yield pending
                pending = Draft(row_kind, local_id, data,
                                Location(source=raw.source, file=raw.name, row=row_no, entity_id=local_id))
            if pending is not None:
                if truncated:
                    yield Notice("truncated_file", Severity.ERROR,
                                 "a quoted field never closes: the file is cut off; its last record is dropped",
                                 Location(source=raw.source, file=raw.name, row=pending.location.row))
                else:
                    yield pending
        except csv.Error as exc:
            yield Notice("malformed_csv", Severity.ERROR, f"CSV stops being readable: {exc}",
                         Location(source=raw.source, file=raw.name, row=row_no + 1))


def _split_number_hint(cells: list[str], header: list[str], delimiter: str) -> str:
    """Why a comma-separated row may have too many cells: a decimal comma written without quotes ("51,4862")
    splits a number in two, shifting every later column; said where two neighbouring cells are digits only."""
    if delimiter != "," or len(cells) <= len(header):
        return ""
    digits = [c.strip().lstrip("+-\u2212").isdigit() for c in cells]
    if not any(a and b for a, b in pairwise(digits)):
        return ""
    return ("; a decimal comma without quotes (51,4862) splits a number into two cells and shifts the columns after "
            "it: put such values in quotes (\"51,4862\"), or separate the columns with ';'")


def _nameless(held: list[int], cells: list[str], where: Location) -> Notice:
    columns = ", ".join(str(i + 1) for i in held)
    return Notice("unnamed_column", Severity.WARNING,
                  f"column(s) {columns} have no name in the header but hold values (here: {cells[held[0]].strip()!r}); "
                  "they are not imported: give them a name in the header and map it", where, columns)
