"""The canonical model shared by every source and every output: Place and Event (schema.org aligned)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from datenhub.model.licence import LicenceId

LANGS = ("de", "en", "nl")
Wheelchair = Literal["yes", "limited", "no"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Geo(_Base):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Address(_Base):
    street: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    country: str = "DE"


class Contact(_Base):
    website: str | None = None
    phone: str | None = None
    email: str | None = None


class Image(_Base):
    url: str
    caption: dict[str, str] = Field(default_factory=dict)
    licence: LicenceId
    attribution: str | None = None
    author: str | None = None


class Municipality(_Base):
    """Filled by the municipality enricher from the BKG boundaries."""

    name: str
    ags: str
    kreis: str | None = None
    kreis_ags: str | None = None
    in_rvr: bool = False


class NearbyStation(_Base):
    id: str
    name: str
    distance_m: int


class FieldSource(_Base):
    """Field-level provenance: which source record gave this value, and when we saw it."""

    source: str
    record_id: str
    at: datetime


class Entity(_Base):
    """Fields common to places and events."""

    id: str
    kind: str
    type: str
    categories: list[str] = Field(default_factory=list)
    name: dict[str, str]
    description: dict[str, str] = Field(default_factory=dict)
    geo: Geo | None = None
    address: Address | None = None
    municipality: Municipality | None = None
    contact: Contact = Field(default_factory=Contact)
    images: list[Image] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    licence: LicenceId
    attribution: str | None = None
    sources: list[str] = Field(default_factory=list)
    provenance: dict[str, FieldSource] = Field(default_factory=dict)
    first_seen: datetime | None = None
    last_changed: datetime | None = None
    withdrawn_at: datetime | None = None

    @field_validator("name")
    @classmethod
    def _name_present(cls, value: dict[str, str]) -> dict[str, str]:
        if not any(v.strip() for v in value.values()):
            raise ValueError("a name in at least one language is required")
        return value

    def display_name(self, lang: str = "de") -> str:
        return self.name.get(lang) or self.name.get("de") or next(iter(self.name.values()))

    def text(self, field: str, lang: str = "de") -> str | None:
        values: dict[str, str] = getattr(self, field)
        return values.get(lang) or values.get("de") or next(iter(values.values()), None)


class Place(Entity):
    kind: Literal["place"] = "place"
    type: str = "TouristAttraction"
    opening_hours: str | None = None  # raw OSM opening_hours syntax
    wheelchair: Wheelchair | None = None
    nearest_stations: list[NearbyStation] = Field(default_factory=list)
    route_role: str | None = None  # Route der Industriekultur: Ankerpunkt, Panorama, Siedlung


class Event(Entity):
    kind: Literal["event"] = "event"
    type: str = "Event"
    start: datetime
    end: datetime | None = None
    all_day: bool = False
    location_name: str | None = None
    place_id: str | None = None  # hub id of the venue when known
    organizer: str | None = None
    url: str | None = None
    status: str | None = None  # EventScheduled, EventCancelled, …


AnyEntity = Place | Event

# The fields that field-level provenance and source-priority merging operate on.
MERGE_FIELDS: tuple[str, ...] = (
    "type", "categories", "name", "description", "geo", "address", "contact", "images", "keywords",
    "opening_hours", "wheelchair", "route_role", "start", "end", "all_day", "location_name", "place_id",
    "organizer", "url", "status",
)


def entity_class(kind: str) -> type[Place] | type[Event]:
    return Event if kind == "event" else Place
