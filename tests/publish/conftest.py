"""Fixtures for the serializer tests: the shared schema.org files, the demo hub, real iCal events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from datenhub.clock import utc_now
from datenhub.demo import import_demo
from datenhub.store import open_store
from tests.publish.samples import CLOCK

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the workspace's shared data: present in the project workspace and CI, "
                    "not in a plain clone)")
    return path


@dataclass
class SchemaOrg:
    """schema.org release files, loaded once: context (for offline JSON-LD parsing), shapes, vocabulary."""

    context: dict[str, Any]
    shapes: Any  # rdflib.Graph of the official SHACL shapes, unmodified
    subclasses: Any  # rdflib.Graph of rdfs:subClassOf triples, so shapes of Place also apply to Museum
    vocabulary: dict[str, dict[str, Any]]  # "Museum" -> the vocabulary node


@pytest.fixture(scope="session")
def schemaorg() -> SchemaOrg:
    folder = shared("schemaorg")
    pytest.importorskip("pyshacl")
    from rdflib import Graph

    context = json.loads((folder / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))["@context"]
    graph = json.loads((folder / "schemaorg-current-https.jsonld").read_text(encoding="utf-8"))["@graph"]
    vocabulary = {node["@id"].removeprefix("schema:"): node for node in graph if node["@id"].startswith("schema:")}
    return SchemaOrg(context, Graph().parse(folder / "schemaorg-shapes.shacl"),
                     Graph().parse(folder / "schemaorg-subclasses.shacl"), vocabulary)


@pytest.fixture(scope="session")
def demo_places(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Every place of the shipped demo (a real import into a fresh SQLite store)."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'hub.db'}")
    try:
        import_demo(store, clock=CLOCK)
        return list(store.iter_entities("place"))
    finally:
        store.close()


@pytest.fixture(scope="session")
def ical_events() -> list[dict[str, Any]]:
    """Real-world events: the icalendar test suite's event files read by our iCal adapter and checks."""
    from datenhub.checks import CheckContext
    from datenhub.ingest.base import AdapterOptions, RawInput
    from datenhub.ingest.ical import ICalAdapter
    from datenhub.notices import Report
    from datenhub.pipeline import validate_stream

    events: list[dict[str, Any]] = []
    for path in sorted(shared("icalendar", "events").glob("*.ics")):
        raw = RawInput.from_path(path, "ics-suite", utc_now())
        options = AdapterOptions(source="ics-suite", mapping=None, defaults={"licence": "CC0-1.0"})
        entities, _, _ = validate_stream(ICalAdapter().read(raw, options), CheckContext("ics-suite", options.defaults),
                                         Report())
        events.extend(e.model_dump(mode="json") for e in entities)
    return list({e["id"]: e for e in reversed(events)}.values())[::-1]  # the same UID in several files: once
