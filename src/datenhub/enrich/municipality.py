"""Municipality, Kreis and AGS by point-in-polygon on the BKG VG5000 boundaries; the in-RVR flag."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import shape

from datenhub.data import data_path
from datenhub.enrich.base import Enricher
from datenhub.model import AnyEntity, Municipality
from datenhub.notices import Location, Notice, Severity

BOUNDARIES_ATTRIBUTION = "© GeoBasis-DE / BKG 2021 (Daten verändert), dl-de/by-2-0"


@dataclass(frozen=True, slots=True)
class MunicipalityInfo:
    name: str
    ags: str
    kreis: str | None
    kreis_ags: str
    in_rvr: bool


class Boundaries:
    """The 396 NRW municipalities in an STRtree, with RVR membership and Kreis names."""

    def __init__(self) -> None:
        folder = data_path("boundaries")
        nrw = json.loads((folder / "nrw_gemeinden_vg5000_2021.geojson").read_text(encoding="utf-8"))
        rvr = json.loads((folder / "rvr_53_gemeinden_vg5000_2021.geojson").read_text(encoding="utf-8"))
        kreise = json.loads((folder / "rvr_15_kreise_vg5000_2021.geojson").read_text(encoding="utf-8"))
        outline = json.loads((folder / "rvr_outline_vg5000_2021.geojson").read_text(encoding="utf-8"))
        rvr_ags = {f["properties"]["AGS"] for f in rvr["features"]}
        kreis_names = {f["properties"]["AGS"]: f["properties"]["GEN"] for f in kreise["features"]}
        self.infos: list[MunicipalityInfo] = []
        # (folded words of a name, the same with umlauts written out, its info)
        self._by_words: list[tuple[str, str, MunicipalityInfo]] | None = None
        geoms = []
        for feature in nrw["features"]:
            props = feature["properties"]
            ags = props["AGS"]
            self.infos.append(MunicipalityInfo(props["GEN"], ags, kreis_names.get(ags[:5]), ags[:5], ags in rvr_ags))
            geoms.append(shape(feature["geometry"]))
        self.geometries = np.array(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geometries)
        self.rvr_outline = shape(outline["features"][0]["geometry"])
        self.by_ags = {i.ags: i for i in self.infos}
        self.by_name = {i.name.lower(): i for i in self.infos}
        self.rvr_geojson = {"municipalities": rvr, "kreise": kreise, "outline": outline}

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[MunicipalityInfo | None]:
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        found: list[MunicipalityInfo | None] = [None] * len(points)
        point_idx, poly_idx = self.tree.query(points, predicate="within")
        for p, g in zip(point_idx.tolist(), poly_idx.tolist(), strict=True):
            if found[p] is None:
                found[p] = self.infos[g]
        return found

    def resolve(self, name_or_ags: str) -> MunicipalityInfo | None:
        """A municipality by AGS ('05113000') or name ('Essen', case-insensitive, umlauts optional or written out
        as ue/oe/ae: 'Mulheim', 'Muelheim'), or by the first words of its name when only one name starts so
        ('Mülheim' for Mülheim an der Ruhr)."""
        key = name_or_ags.strip()
        found = self.by_ags.get(key) or self.by_name.get(key.lower())
        if found is not None or not key:
            return found
        wanted = _words(key)
        if not wanted:
            return None
        if self._by_words is None:
            self._by_words = [(_words(name), _words(_spelled_out(name)), info) for name, info in self.by_name.items()]
        alike = [info for plain, spelled, info in self._by_words if wanted in (plain, spelled)]
        if not alike:
            alike = [info for plain, spelled, info in self._by_words
                     if plain.startswith(wanted + " ") or spelled.startswith(wanted + " ")]
        return alike[0] if len({info.ags for info in alike}) == 1 else None


_WORD = re.compile(r"\w+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def _spelled_out(name: str) -> str:
    """A name as written without umlaut keys: "Mülheim" is "Muelheim", "Löhne" "Loehne" (ß: fold makes it ss)."""
    return name.lower().translate(_UMLAUTS)


def _words(name: str) -> str:
    """A name's words, folded: "Fröndenberg/Ruhr", "Castrop-Rauxel" and "Wetter (Ruhr)" start with "Fröndenberg",
    "Castrop" and "Wetter", and "Wetter Ruhr" is "Wetter (Ruhr)"."""
    from datenhub.store.text import fold  # the hub's one match key for names (lower case, no accents)

    return " ".join(_WORD.findall(fold(name)))


@lru_cache(maxsize=1)
def boundaries() -> Boundaries:
    return Boundaries()


def resolve_municipality(value: str) -> str | None:
    """The AGS of a municipality given by name or AGS, for query filters (store.from_params); None if unknown."""
    info = boundaries().resolve(value)
    return info.ags if info else None


class MunicipalityEnricher(Enricher):
    name = "municipality"
    writes = ("municipality",)
    codes = {
        "outside_rvr": (Severity.INFO, "the place lies outside the Regionalverband Ruhr"),
        "outside_nrw": (Severity.WARNING, "the place lies in no NRW municipality"),
    }

    def warm(self) -> None:
        boundaries()

    def enrich(self, entities: Sequence[AnyEntity]) -> list[Notice]:
        located = [e for e in entities if e.geo is not None]
        if not located:
            return []
        infos = boundaries().locate_many([e.geo.lat for e in located], [e.geo.lon for e in located])  # type: ignore[union-attr]
        notices: list[Notice] = []
        for entity, info in zip(located, infos, strict=True):
            if info is None:
                entity.municipality = None
                notices.append(Notice("outside_nrw", Severity.WARNING, "the point is in no NRW municipality",
                                      _location(entity)))
                continue
            entity.municipality = _model(info)
            if not info.in_rvr:
                notices.append(Notice("outside_rvr", Severity.INFO, f"in {info.name}, outside the RVR",
                                      _location(entity)))
        return notices


@lru_cache(maxsize=1024)
def _model(info: MunicipalityInfo) -> Municipality:
    """One shared, never-mutated model per municipality: imports enrich every record, and the values are the
    shipped boundaries' own, so they are built once without re-validation."""
    return Municipality.model_construct(name=info.name, ags=info.ags, kreis=info.kreis, kreis_ags=info.kreis_ags,
                                        in_rvr=info.in_rvr)


def _location(entity: AnyEntity) -> Location:
    return Location(source=entity.id.split(":", 1)[0], entity_id=entity.id, field="geo")
