"""The Python API the CLI and the server wrap: import, validate, re-process, search, export, merge."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from datenhub.checks import CheckContext
from datenhub.clock import Clock, utc_now
from datenhub.ingest.base import AdapterOptions, RawInput
from datenhub.ingest.mapping import Mapping, MappingError
from datenhub.ingest.registry import detect_adapter, get_adapter
from datenhub.model import AnyEntity, hub_id_for
from datenhub.model.licence import OPEN_LICENCES, is_open, parse_licence
from datenhub.notices import Location, Report
from datenhub.pipeline import ImportResult, rebuild, retire_hub, run_import, validate_stream
from datenhub.publish import get_serializer
from datenhub.publish.venues import with_venue_ids
from datenhub.store import Query, Store
from datenhub.store.base import OWN_NOTICES

REGIONS = ("rvr", "nrw")


def region_filter(region: str | None) -> Callable[[AnyEntity], bool] | None:
    if region is None:
        return None
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; use one of {', '.join(REGIONS)}")
    from datenhub.enrich.municipality import boundaries

    def keep(entity: AnyEntity) -> bool:
        geo = entity.geo
        if geo is None:
            return True  # where it is cannot be told (an event with a venue's name only): kept, not judged
        info = boundaries().locate_many([geo.lat], [geo.lon])[0]
        return info is not None and (region == "nrw" or info.in_rvr)

    return keep


def load_mapping(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    import tomllib

    Mapping.load(path)  # validates, raising MappingError with the file name
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _keep_closed(mapping: Path | None, declared: Any, given: str | None) -> None:
    """--licence may change a mapping file's licence, but never open what the file declares closed: that would
    publish a partner's data as open data, silently. Such a change belongs in the mapping file itself."""
    said, wanted = parse_licence(str(declared)) if declared else None, parse_licence(given) if given else None
    if said is not None and wanted is not None and not is_open(said) and is_open(wanted):
        raise MappingError(f"{mapping}: declares licence {said.value!r}; --licence {given} would publish its records "
                           "as open data. If the licence really changed, change it in the mapping file.")


def make_options(source: str, mapping: Path | None, licence: str | None, attribution: str | None,
                 title: str | None = None) -> AdapterOptions:
    mapping_data = load_mapping(mapping)
    defaults: dict[str, Any] = {}
    if mapping_data:
        constants = mapping_data.get("constants", {})
        defaults.update({k: constants[k] for k in ("licence", "attribution") if k in constants})
        # --licence / --attribution say it for this import: they win over the mapping file's constants, which
        # would otherwise be written into every record and keep the file's licence
        given = {"licence": licence, "attribution": attribution}
        _keep_closed(mapping, constants.get("licence") if isinstance(constants, dict) else None, licence)
        if any(given.values()) and isinstance(constants, dict):
            mapping_data = {**mapping_data, "constants": {k: v for k, v in constants.items() if not given.get(k)}}
    if licence:
        defaults["licence"] = licence
    if attribution:
        defaults["attribution"] = attribution
    if title:
        defaults["title"] = title
    return AdapterOptions(source=source, mapping=mapping_data, defaults=defaults)


def import_file(store: Store, path: Path, source: str, *, adapter: str | None = None, mapping: Path | None = None,
                licence: str | None = None, attribution: str | None = None, priority: int | None = None,
                full: bool = True, within: str | None = None, clock: Clock = utc_now,
                progress: Callable[[int], None] | None = None, title: str | None = None,
                force: bool = False, workers: int | None = None, allow_empty: bool = False) -> ImportResult:
    raw = RawInput.from_path(path, source, clock())
    chosen = get_adapter(adapter) if adapter else detect_adapter(raw)
    options = make_options(source, mapping, licence, attribution, title)
    return run_import(store, raw, chosen, options, clock=clock, full=full, priority=priority, progress=progress,
                      keep_if=region_filter(within), filter_key=within, force=force, workers=workers,
                      allow_empty=allow_empty)


def validate_file(path: Path, *, source: str = "validate", adapter: str | None = None,
                  mapping: Path | None = None, licence: str | None = None, attribution: str | None = None,
                  within: str | None = None, clock: Clock = utc_now) -> Report:
    """Run adapter, checks and enrichment with the options an import would get; nothing is written anywhere."""
    from datenhub.enrich import enrich_all
    from datenhub.pipeline.prepare import located, outside_notice

    keep = region_filter(within)
    raw = RawInput.from_path(path, source, clock())
    chosen = get_adapter(adapter) if adapter else detect_adapter(raw)
    options = make_options(source, mapping, licence, attribution)
    report = Report()
    where: dict[str, Location] = {}
    entities, _, _ = validate_stream(chosen.read(raw, options), CheckContext(source, options.defaults), report,
                                     where=where)
    if keep is not None:
        kept = []
        for entity in entities:
            if keep(entity):
                kept.append(entity)
            else:
                report.add(outside_notice(where[entity.id]))
        entities = kept
    report.extend(located(enrich_all(entities), where))
    return report


def reprocess(store: Store, source: str, *, clock: Clock = utc_now) -> ImportResult:
    """Re-run the latest raw input of a source through today's adapters and checks (no re-fetch), with the
    settings that import ran with (mapping, licence, attribution, --within, --partial)."""
    if store.get_source(source) is None:
        raise LookupError(f"no source {source!r} (datenhub sources lists them)")
    imports = [i for i in store.list_imports(source, limit=100_000) if i["raw_id"] and i["status"] == "ok"]
    if not imports:
        raise LookupError(f"no raw input kept for source {source!r}")
    # A write through the API is one record's body: run again, it would bring back a record deleted since. The
    # input to run again is the latest that spoke for the whole source, and only while no write came after it,
    # which running it again would undo.
    latest = next((i for i in imports if not i["stats"].get(OWN_NOTICES)), None)  # newest first
    if latest is None:
        raise LookupError(f"source {source!r} was only ever written through the API: there is no file to run again")
    later = [i for i in imports if i["id"] > latest["id"]]  # every one of them a write through the API
    if later:
        raise LookupError(f"source {source!r} had {len(later)} write(s) through the API since its last import "
                          f"(#{latest['id']}), which running that input again would undo; import the current file "
                          "instead")
    settings = latest["stats"].get("settings")
    if settings is None:
        # Without its mapping a CSV would be read by guessed headers: columns, hours and constants lost.
        raise LookupError(f"the last import of {source!r} (#{latest['id']}) ran before imports kept their settings "
                          "(mapping, licence, --within); import the file again with them once, then reprocess works")
    raw = store.get_raw(latest["raw_id"])
    assert raw is not None
    within = settings.get("within")
    return run_import(store, raw, get_adapter(latest["adapter"]),
                      AdapterOptions(source, settings.get("mapping"), settings.get("defaults") or {}),
                      clock=clock, force=True, full=bool(settings.get("full", True)), keep_if=region_filter(within),
                      filter_key=within, allow_empty=bool(settings.get("allow_empty", False)))


def export(store: Store, fmt: str, *, kind: str | None = None, include_closed: bool = False,
           base_url: str | None = None) -> Iterator[bytes]:
    """`base_url`: where the hub is published, for formats that link to entities (JSON-LD's @id)."""
    if kind not in (None, "place", "event"):
        raise LookupError(f"unknown kind {kind!r}; use place or event")
    serializer = get_serializer(fmt)
    if serializer.name == "ical" and kind == "place":  # a calendar of places is always empty: say so, not exit 0
        raise LookupError("the ical format holds events only: --kind place would give an empty calendar; use "
                          "--kind event, or another format (jsonl, geojson, csv, jsonld) for places")
    if base_url is not None and serializer.links:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            # "datenhub.ruhr" or a path would give every @id as a relative reference that names nothing
            raise ValueError(f"base URL {base_url!r} is not an absolute http(s) URL: give the hub's public "
                             "address, such as https://datenhub.ruhr")
    entities = with_venue_ids(store, store.iter_entities(kind, include_closed=include_closed), include_closed)
    return serializer.stream(entities, base_url)


def split_record(store: Store, record_id: str, clock: Clock = utc_now) -> str:
    """Undo a merge: the record becomes its own entity again (and stays so on re-import)."""
    record = store.get_record(record_id)
    if record is None:
        raise LookupError(f"no record {record_id!r}")
    old_hub = record.hub_id
    if not any(r.record_id != record_id for r in store.records_of_hubs([old_hub]).get(old_hub, [])):
        # alone in its entity already: nothing to take apart, and its id stays; later imports keep it alone
        with store.transaction():
            store.set_override(record_id, "split", old_hub, clock())
        return old_hub
    with store.transaction():
        new_hub = _own_hub_id(store, record_id, record.data.get("licence") in OPEN_LICENCES, old_hub)
        store.set_override(record_id, "split", new_hub, clock())
        store.reassign_records({record_id: new_hub})
        store.remove_alias(new_hub)  # a join had made it another hub's alias: it names its own again
    rebuild(store, [old_hub, new_hub], clock)
    return new_hub


def _own_hub_id(store: Store, record_id: str, is_open: bool, old_hub: str) -> str:
    """The id of the hub a record split off founds: the one it founded before, where it did (a join made that id an
    alias, or retired it), whatever its licence then; else a new one, salted if its data is closed (hub_id_for).
    Never a hub other records live in."""
    salt = store.hub_id_salt()
    founded = [hub_id_for(record_id), hub_id_for(record_id, salt)]
    if not is_open:
        founded.reverse()

    def free(hub_id: str) -> bool:
        return hub_id != old_hub and not store.records_of_hubs([hub_id]).get(hub_id)

    for candidate in founded:
        if free(candidate) and store.get_entity(candidate, include_closed=True, include_withdrawn=True, exact=True):
            return candidate
    # else a new one, as its licence has it now
    splits = (hub_id_for(("split:" if n == 1 else f"split:{n}:") + record_id, "" if is_open else salt)
              for n in range(1, 100))
    return next((h for h in (founded[0], *splits) if free(h)), founded[0])


def join_record(store: Store, record_id: str, hub_id: str, clock: Clock = utc_now) -> None:
    """Force a merge the matcher missed."""
    record = store.get_record(record_id)
    if record is None:
        raise LookupError(f"no record {record_id!r}")
    if store.get_entity(hub_id, include_closed=True) is None:
        raise LookupError(f"no entity {hub_id!r}")
    old_hub = record.hub_id
    now = clock()
    with store.transaction():
        store.set_override(record_id, "join", hub_id, now)
        store.reassign_records({record_id: hub_id})
        store.add_alias(old_hub, hub_id)
        rebuild(store, [old_hub, hub_id], clock)
        retire_hub(store, old_hub, record, now)  # the hub it left, if it left it empty


def search(store: Store, query: Query) -> dict[str, Any]:
    page = store.search(query)
    return {"items": page.items, "next_cursor": page.next_cursor, "distances": page.distances}


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


__all__ = ["MappingError", "export", "import_file", "join_record", "reprocess", "search", "split_record",
           "validate_file"]
