"""The schema.org types the hub knows (shipped: data/schemaorg/types.json, see its ATTRIBUTION.md)."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache

from datenhub.data import data_path

SCHEMA_PREFIXES = ("https://schema.org/", "http://schema.org/", "schema:")


@lru_cache(maxsize=1)
def vocabulary() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(Place and its subtypes, Event and its subtypes, every schema.org type)."""
    types = json.loads(data_path("schemaorg", "types.json").read_text(encoding="utf-8"))
    return frozenset(types["place"]), frozenset(types["event"]), frozenset(types["types"])


def term(key: str) -> str:
    """A schema.org term without its prefix: "schema:Museum" and "https://schema.org/Museum" are "Museum"."""
    for prefix in SCHEMA_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


@lru_cache(maxsize=1)
def _by_lower() -> dict[str, str]:
    return {name.lower(): name for name in vocabulary()[2]}


def canonical_type(value: str) -> str | None:
    """The schema.org type `value` names, spelled as schema.org spells it ("trainstation" → TrainStation)."""
    return _by_lower().get(term(value.strip()).lower())


def similar_types(value: str, kinds: frozenset[str] | None = None) -> list[str]:
    """Up to three known types spelled like `value` (for "did you mean")."""
    names = sorted(kinds if kinds is not None else vocabulary()[2])
    lower = {name.lower(): name for name in names}
    return [lower[m] for m in difflib.get_close_matches(term(value.strip()).lower(), list(lower), n=3, cutoff=0.6)]
