"""The adapter registry. Built-in adapters register here exactly as third-party ones would."""

from __future__ import annotations

from importlib import import_module
from typing import TypeVar

from datenhub.ingest.base import Adapter, RawInput
from datenhub.ingest.decode import HTML_PAGE, html_title

ADAPTERS: dict[str, type[Adapter]] = {}
A = TypeVar("A", bound=type[Adapter])

# Built-ins are plain modules that call `register` on import, like any plugin.
BUILTIN_MODULES = (
    "datenhub.ingest.dbstations",
    "datenhub.ingest.geojson",
    "datenhub.ingest.jsonld",
    "datenhub.ingest.csv_",
    "datenhub.ingest.osm",
    "datenhub.ingest.ical",
    "datenhub.ingest.hubjson",
)


class UnknownAdapterError(LookupError):
    pass


def register(cls: A) -> A:
    if cls.name in ADAPTERS and ADAPTERS[cls.name] is not cls:
        raise ValueError(f"adapter name {cls.name!r} is already registered by {ADAPTERS[cls.name]!r}")
    ADAPTERS[cls.name] = cls
    return cls


def load_builtins() -> None:
    for module in BUILTIN_MODULES:
        import_module(module)


def get_adapter(name: str) -> Adapter:
    load_builtins()
    try:
        return ADAPTERS[name]()
    except KeyError:
        known = ", ".join(sorted(ADAPTERS))
        raise UnknownAdapterError(f"unknown adapter {name!r}; known adapters: {known}") from None


def detect_adapter(raw: RawInput) -> Adapter:
    """Pick the first registered adapter that recognises the payload (order: BUILTIN_MODULES)."""
    load_builtins()
    for cls in ADAPTERS.values():
        if cls.sniff(raw):
            return cls()
    known = ", ".join(sorted(ADAPTERS))
    title = html_title(raw.payload[:65_536].decode("utf-8", errors="replace").lstrip("\ufeff"))
    if title is not None:
        named = f" ({title!r})" if title else ""
        raise UnknownAdapterError(f"{raw.name!r} is an HTML page{named}, not a data file: {HTML_PAGE}")
    raise UnknownAdapterError(
        f"cannot tell the format of {raw.name!r}; name one with --adapter ({known})"
    )
