"""Query parameters of the OGC endpoint: parsed strictly, every bad or unknown one a QueryError (400)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.datastructures import QueryParams

from datenhub.store.query import QueryError, is_bare_date, parse_bbox, parse_datetime, parse_until

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
FORMATS = ("json",)
ITEMS_PARAMS = ("bbox", "datetime", "limit", "cursor", "f")
OTHER_PARAMS = ("f",)
# The store keeps `start < date_to`; a closed interval includes its end, so step one tick past it.
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ItemsParams:
    bbox: tuple[float, float, float, float] | None
    date_from: datetime | None
    date_to: datetime | None  # exclusive
    limit: int
    cursor: str | None


def check_known(params: QueryParams, allowed: tuple[str, ...]) -> None:
    """/req/core/query-param-unknown and -invalid: anything not in the API definition, or repeated, is a 400."""
    for name in params:
        if name not in allowed:
            raise QueryError(name, f"unknown parameter; this resource accepts {', '.join(allowed)}")
        values = params.getlist(name)
        if len(values) > 1:
            raise QueryError(name, "given more than once")
        if not values[0].strip():
            raise QueryError(name, "empty value")
    fmt = params.get("f")
    if fmt is not None and fmt not in FORMATS:
        raise QueryError("f", f"expected one of {', '.join(FORMATS)} (this endpoint speaks JSON only)")


def parse_limit(value: str | None) -> int:
    """Default 10. Above the maximum is capped, not refused (/per/core/fc-limit-response-2: fewer is allowed)."""
    if value is None:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise QueryError("limit", f"expected a whole number, got {value!r}") from None
    if limit < 1:
        raise QueryError("limit", "must be at least 1")
    return min(limit, MAX_LIMIT)


def parse_ogc_bbox(value: str) -> tuple[float, float, float, float]:
    """Four numbers in CRS84, or six in CRS84h whose heights are checked and then ignored (points have none)."""
    parts = [p.strip() for p in value.split(",")]
    if len(parts) == 6:
        try:
            min_h, max_h = float(parts[2]), float(parts[5])
        except ValueError:
            raise QueryError("bbox", f"expected numbers, got {value!r}") from None
        if not min_h <= max_h:
            raise QueryError("bbox", "minimum height above maximum height")
        parts = [parts[0], parts[1], parts[3], parts[4]]
    elif len(parts) != 4:
        raise QueryError("bbox", f"expected 4 (or 6) comma-separated numbers, got {value!r}")
    return parse_bbox(",".join(parts))


def _bound(text: str, *, upper: bool) -> datetime:
    """One end of an interval. A bare date stands for the whole day in Europe/Berlin."""
    try:
        at = parse_datetime("datetime", text.upper())  # RFC 3339 allows a lower-case t and z
    except QueryError as exc:  # say it with the client's own spelling, and how to leave an end open
        raise QueryError("datetime", exc.detail.replace(repr(text.upper()), repr(text)) +
                         "; '..' leaves an end of an interval open") from None
    if is_bare_date(text):
        return parse_until("datetime", text) if upper else at
    return at + _TICK if upper else at


def parse_interval(value: str) -> tuple[datetime | None, datetime | None]:
    """`datetime` (RFC 3339 instant, closed or half-bounded interval) → (from, to-exclusive) for the store."""
    text = value.strip()
    if "/" not in text:
        return _bound(text, upper=False), _bound(text, upper=True)
    parts = text.split("/")
    if len(parts) != 2:
        raise QueryError("datetime", "expected an instant or one interval start/end")
    start_text, end_text = (p.strip() for p in parts)
    start = None if start_text in ("", "..") else _bound(start_text, upper=False)
    end = None if end_text in ("", "..") else _bound(end_text, upper=True)
    if start is None and end is None:
        raise QueryError("datetime", "an interval needs at least one bound (use ../end or start/..)")
    if start is not None and end is not None and start >= end:
        raise QueryError("datetime", "the interval starts after it ends")
    return start, end


def parse_items(params: QueryParams) -> ItemsParams:
    check_known(params, ITEMS_PARAMS)
    bbox = parse_ogc_bbox(params["bbox"]) if "bbox" in params else None
    date_from, date_to = parse_interval(params["datetime"]) if "datetime" in params else (None, None)
    return ItemsParams(bbox, date_from, date_to, parse_limit(params.get("limit")), params.get("cursor"))
