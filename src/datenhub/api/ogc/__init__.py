"""OGC API – Features – Part 1 (Core, GeoJSON, OpenAPI 3.0) over the store, so GIS clients read the hub directly.

`collections` defines the feature collections and their extents, `params` parses the items query,
`openapi` builds the OpenAPI 3.0 document, `routes` is the FastAPI router (mounted from api/routers/ogc.py).
"""
