"""Enrichers: the registry runs in order over every batch of new or changed records."""

from __future__ import annotations

from collections.abc import Sequence

from datenhub.enrich.base import Enricher
from datenhub.enrich.municipality import MunicipalityEnricher
from datenhub.enrich.stations import StationsEnricher
from datenhub.model import AnyEntity
from datenhub.notices import Notice

ENRICHERS: list[Enricher] = [MunicipalityEnricher(), StationsEnricher()]


def register_enricher(enricher: Enricher) -> None:
    ENRICHERS.append(enricher)


def enrich_all(entities: Sequence[AnyEntity], *, notices_only: bool = False) -> list[Notice]:
    """`notices_only`: run only the enrichers that can report a problem (for records whose stored content stays:
    what they say is all that is wanted of them)."""
    notices: list[Notice] = []
    for enricher in ENRICHERS:
        if enricher.codes or not notices_only:
            notices.extend(enricher.enrich(entities))
    return notices


def derived_fields() -> set[str]:
    return {f for e in ENRICHERS for f in e.writes}
