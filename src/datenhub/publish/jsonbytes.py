"""Compact UTF-8 JSON for the serializers: orjson (several times faster), the standard library where it refuses.

Same bytes as `json.dumps(value, ensure_ascii=False, separators=(",", ":"))` except floats below 1e-4, which
orjson writes without an exponent (0.00001, not 1e-05): the same number either way.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # non-string keys, integers beyond 64 bits
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
