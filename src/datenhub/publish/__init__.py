"""Serializers: pure functions from canonical entities to bytes, one registry for every output format."""

from datenhub.publish.registry import SERIALIZERS, Serializer, get_serializer, register_serializer

__all__ = ["SERIALIZERS", "Serializer", "get_serializer", "register_serializer"]
