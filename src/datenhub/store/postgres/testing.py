"""Test support: one fresh schema per test, so the shared contract suite needs no database reset."""

from __future__ import annotations

import uuid

import psycopg

from datenhub.store.postgres.connection import parse_url


def fresh_url(base_url: str) -> str:
    """`base_url` with `schema=<new unique name>` (created empty); pass the result to `drop_url` afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}schema={name}"
    with psycopg.connect(parse_url(base_url).conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    return url


def drop_url(url: str) -> None:
    """Drop the schema a `fresh_url` made, with everything in it."""
    parsed = parse_url(url)
    if parsed.schema is None:
        raise ValueError(f"{url!r} names no schema; refusing to drop anything")
    with psycopg.connect(parsed.conninfo, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{parsed.schema}" CASCADE')
