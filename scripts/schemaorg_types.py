"""Regenerate src/datenhub/data/schemaorg/types.json from a schema.org vocabulary file.

    python scripts/schemaorg_types.py ../shared/data/schemaorg/schemaorg-current-https.jsonld 30.0

The JSON-LD adapter needs to know which types are places and which are events (their subtypes included), and
which names are schema.org types at all; the full vocabulary is 3 MB, the names a few kB.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "datenhub" / "data" / "schemaorg" / "types.json"


def as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def main(vocabulary: Path, release: str) -> None:
    graph = json.loads(vocabulary.read_text(encoding="utf-8"))["@graph"]
    parents: dict[str, set[str]] = {}
    for node in graph:
        if "rdfs:Class" in as_list(node.get("@type")):
            parents[node["@id"].removeprefix("schema:")] = {
                str(p["@id"]).removeprefix("schema:") for p in as_list(node.get("rdfs:subClassOf", []))
                if isinstance(p, dict)}

    def subtypes(root: str) -> list[str]:
        found = {root}
        while grown := {c for c, ps in parents.items() if c not in found and ps & found}:
            found |= grown
        return sorted(found)

    OUT.write_text(json.dumps({"source": f"schema.org vocabulary, release {release}",
                               "place": subtypes("Place"), "event": subtypes("Event"), "types": sorted(parents)},
                              indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
