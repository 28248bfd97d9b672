"""The canonical model. Imports nothing but notices/ (and pydantic)."""

from datenhub.model.entity import (
    LANGS,
    Address,
    AnyEntity,
    Contact,
    Entity,
    Event,
    FieldSource,
    Geo,
    Image,
    Municipality,
    NearbyStation,
    Place,
    entity_class,
)
from datenhub.model.ids import hub_id_for, record_id
from datenhub.model.licence import LICENCES, LicenceId, is_open, parse_licence

__all__ = [
    "LANGS", "LICENCES", "Address", "AnyEntity", "Contact", "Entity", "Event", "FieldSource", "Geo", "Image",
    "LicenceId", "Municipality", "NearbyStation", "Place", "entity_class", "hub_id_for", "is_open",
    "parse_licence", "record_id",
]
