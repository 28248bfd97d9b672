"""/ogc: landing page, conformance, collections, items and single features (OGC API – Features – Part 1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response
from starlette.routing import NoMatchFound

from datenhub.api.deps import get_clock, get_store
from datenhub.api.formats import accepts_json
from datenhub.api.ogc.collections import COLLECTIONS, CRS84, FeatureCollection, compute_extents, extent_body
from datenhub.api.ogc.openapi import GEOJSON, OAS30, PREFIX, ogc_openapi, operation
from datenhub.api.ogc.params import OTHER_PARAMS, ItemsParams, check_known, parse_items
from datenhub.api.routers._listing import item_bytes
from datenhub.api.urls import base_url, with_param
from datenhub.publish.geojson import COLLECTION_HEAD, to_feature
from datenhub.store import Store

JSON = "application/json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
# Endpoint names of the hub's REST resources, offered as `alternate` representations where the app mounts them.
_REST_LIST = {"place": "list_places", "event": "list_events"}
_REST_ONE = {"place": ("get_place", "place_id"), "event": ("get_event", "event_id")}

router = APIRouter(prefix=PREFIX, tags=["ogc"], dependencies=[Depends(accepts_json)])
CollectionId = Path(alias="collectionId", description="`places`, `events` or `places-<category>`")
FeatureId = Path(alias="featureId", description="Hub id of the feature")


def _get(path: str, media_type: str, summary: str, *, items: bool = False) -> Callable[[Any], Any]:
    """A GET operation with the OGC parameters documented (HEAD: api.middleware.HeadMiddleware)."""

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        return router.get(path, summary=summary, response_class=Response,
                          openapi_extra=operation(media_type, summary, items=items))(endpoint)

    return register


def _json(body: dict[str, Any], media_type: str = JSON) -> Response:
    return Response(orjson.dumps(body), media_type=media_type)


def _url(request: Request, path: str) -> str:
    return base_url(request) + path


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _path_for(request: Request, name: str, **path_params: str) -> str | None:
    """The path of another router's endpoint, or None when the app does not mount it. Remembered per app:
    the routes never change once it serves, and Starlette finds a path by trying every route."""
    state = request.app.state
    paths: dict[tuple[str, ...], str | None] | None = getattr(state, "ogc_paths", None)
    if paths is None:
        paths = state.ogc_paths = {}
    key = (name, *(f"{k}={v}" for k, v in sorted(path_params.items())))
    if key not in paths:
        try:
            paths[key] = str(request.app.url_path_for(name, **path_params))
        except NoMatchFound:
            paths[key] = None
        if len(paths) > 10_000:  # single features ask with their id: keep the memo bounded
            paths.clear()
    return paths[key]


def _collection(collection_id: str) -> FeatureCollection:
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise HTTPException(404, f"no collection {collection_id!r}; see {PREFIX}/collections")
    return collection


def _collection_body(request: Request, collection: FeatureCollection, extent_by_id: dict[str, Any]) -> dict[str, Any]:
    base = _url(request, f"{PREFIX}/collections/{collection.id}")
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "extent": extent_body(collection, extent_by_id[collection.id]),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": [_link(base, "self", JSON, collection.title),
                  _link(f"{base}/items", "items", GEOJSON, f"{collection.title} as GeoJSON")],
    }


def _rest_url(request: Request, path: str, found: FeatureCollection, params: ItemsParams,
              dates: dict[str, datetime | None]) -> str:
    """This page's query in the REST API's filter language (same store, same sort, so the cursor carries over)."""
    date_from, date_to = dates.get("date_from"), dates.get("date_to")
    query = {"bbox": ",".join(map(repr, params.bbox)) if params.bbox else None, "category": found.category,
             "from": date_from.isoformat() if date_from else None, "to": date_to.isoformat() if date_to else None,
             "limit": str(params.limit), "cursor": params.cursor}
    return _url(request, path) + "?" + urlencode({k: v for k, v in query.items() if v is not None})


@_get("", JSON, "OGC API Features landing page")
def landing_page(request: Request) -> Response:
    check_known(request.query_params, OTHER_PARAMS)
    links = [_link(_url(request, PREFIX), "self", JSON, "This document")]
    home = _path_for(request, "home") or _path_for(request, "landing")
    if home is not None:
        links.append(_link(_url(request, home), "alternate", "text/html", "The hub's home page"))
    if request.app.openapi_url:
        version = ".".join(request.app.openapi_version.split(".")[:2])
        links.append(_link(_url(request, f"{PREFIX}/api"), "service-desc", OAS30,
                           "The OGC operations as OpenAPI 3.0"))
        links.append(_link(_url(request, request.app.openapi_url), "service-desc",
                           f"application/vnd.oai.openapi+json;version={version}", "The whole hub API"))
    if request.app.docs_url:
        links.append(_link(_url(request, request.app.docs_url), "service-doc", "text/html", "API documentation"))
    links.append(_link(_url(request, f"{PREFIX}/conformance"), "conformance", JSON, "Conformance classes"))
    links.append(_link(_url(request, f"{PREFIX}/collections"), "data", JSON, "Feature collections"))
    return _json({"title": "DatenHub Ruhr – OGC API Features",
                  "description": "Places and events of the Metropole Ruhr as OGC API Features (GeoJSON, CRS84). "
                                 "Openly licensed data only.",
                  "links": links})


@_get("/api", OAS30, "The OGC operations as an OpenAPI 3.0 document")
def api_definition(request: Request) -> Response:
    check_known(request.query_params, OTHER_PARAMS)
    return _json(ogc_openapi(request.app, base_url(request)), OAS30)


@_get("/conformance", JSON, "Conformance classes implemented")
def conformance(request: Request) -> Response:
    check_known(request.query_params, OTHER_PARAMS)
    return _json({"conformsTo": CONFORMANCE,
                  "links": [_link(_url(request, f"{PREFIX}/conformance"), "self", JSON, "This document")]})


@_get("/collections", JSON, "Feature collections")
def collections(request: Request, store: Store = Depends(get_store)) -> Response:
    check_known(request.query_params, OTHER_PARAMS)
    extents = {**compute_extents(store, "place"), **compute_extents(store, "event")}
    return _json({"links": [_link(_url(request, f"{PREFIX}/collections"), "self", JSON, "This document")],
                  "collections": [_collection_body(request, c, extents) for c in COLLECTIONS.values()]})


@_get("/collections/{collectionId}", JSON, "One feature collection")
def collection(request: Request, collection_id: str = CollectionId, store: Store = Depends(get_store)) -> Response:
    check_known(request.query_params, OTHER_PARAMS)
    found = _collection(collection_id)
    return _json(_collection_body(request, found, compute_extents(store, found.kind)))


@_get("/collections/{collectionId}/items", GEOJSON, "Features of a collection", items=True)
async def items(request: Request, collection_id: str = CollectionId, store: Store = Depends(get_store)) -> Response:
    found = _collection(collection_id)
    params = parse_items(request.query_params)
    # Places have no temporal geometry, so every place matches any datetime (/req/core/fc-time-response C).
    dates: dict[str, datetime | None] = (
        {"date_from": params.date_from, "date_to": params.date_to} if found.temporal else {})
    page = store.search(found.query(bbox=params.bbox, limit=params.limit, cursor=params.cursor, **dates))
    base = _url(request, f"{PREFIX}/collections/{found.id}")
    links = [_link(str(request.url), "self", GEOJSON, "This page")]
    rest_path = _path_for(request, _REST_LIST[found.kind])
    if rest_path is not None:
        links.append(_link(_rest_url(request, rest_path, found, params, dates), "alternate", JSON,
                           "The same page in the hub's REST API"))
    if page.next_cursor:
        links.append(_link(with_param(request, "cursor", page.next_cursor), "next", GEOJSON,
                           "Next page"))
    links.append(_link(base, "collection", JSON, found.title))
    features = item_bytes(page, None, features=True)  # from the stored bytes where it can
    tail = {"timeStamp": get_clock(request)().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "numberReturned": len(features),
            "links": links}
    return Response(COLLECTION_HEAD + b",".join(features) + b"]," + orjson.dumps(tail)[1:], media_type=GEOJSON)


@_get("/collections/{collectionId}/items/{featureId:path}", GEOJSON, "One feature")
async def feature(request: Request, collection_id: str = CollectionId, feature_id: str = FeatureId,
            store: Store = Depends(get_store)) -> Response:
    check_known(request.query_params, OTHER_PARAMS)
    found = _collection(collection_id)
    entity = store.get_entity(feature_id)
    if entity is None or not found.contains(entity):
        raise HTTPException(404, f"no feature {feature_id!r} in collection {found.id!r}")
    base = _url(request, f"{PREFIX}/collections/{found.id}")
    links = [_link(str(request.url), "self", GEOJSON, "This feature")]
    name, param = _REST_ONE[found.kind]
    rest_path = _path_for(request, name, **{param: entity["id"]})
    if rest_path is not None:
        links.append(_link(_url(request, rest_path), "alternate", JSON, "The same feature in the hub's REST API"))
    links.append(_link(base, "collection", JSON, found.title))
    return _json({**to_feature(entity), "links": links}, GEOJSON)
