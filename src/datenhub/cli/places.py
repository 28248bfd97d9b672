"""`datenhub places search|show`: the same filter language as the API."""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table

from datenhub.cli.common import DbOption, OutputOption, console, fail, store_at
from datenhub.enrich.municipality import resolve_municipality
from datenhub.store import QueryError, from_params

app = typer.Typer(help="Find and show places.", no_args_is_help=True)


@app.command("search")
def search(
    text: str | None = typer.Argument(None, help="Full-text query (German stemming)."),
    near: str | None = typer.Option(None, "--near", help="LAT,LON"),
    radius: float | None = typer.Option(None, "--radius", help="Metres around --near."),
    municipality: str | None = typer.Option(None, "--municipality", help="Name or AGS."),
    category: str | None = typer.Option(None, "--category"),
    bbox: str | None = typer.Option(None, "--bbox", help="minLon,minLat,maxLon,maxLat"),
    wheelchair: str | None = typer.Option(None, "--wheelchair", help="yes, limited or no"),
    source: str | None = typer.Option(None, "--source"),
    limit: int = typer.Option(20, "--limit"),
    cursor: str | None = typer.Option(None, "--cursor", help="Continue from a previous page."),
    include_closed: bool = typer.Option(False, "--include-closed", help="Include closed-licence data."),
    output: str = OutputOption,
    db: str | None = DbOption,
) -> None:
    """Search places by text, position, municipality and category."""
    params = {"q": text, "near": near, "radius": radius, "municipality": municipality, "category": category,
              "bbox": bbox, "wheelchair": wheelchair, "source": source, "limit": limit, "cursor": cursor}
    try:
        query = from_params({k: v for k, v in params.items() if v is not None}, kind="place",
                            resolve_municipality=resolve_municipality)
    except QueryError as exc:
        raise fail(f"--{exc.param}: {exc.detail}") from None
    if include_closed:
        from dataclasses import replace

        query = replace(query, include_closed=True)
    with store_at(db) as store:
        try:
            store.check_sources(query.sources)
            page = store.search_spelled(query)
        except QueryError as exc:
            raise fail(f"--{exc.param}: {exc.detail}") from None
    if output == "json":
        body = {"items": page.items, "next_cursor": page.next_cursor}
        if page.corrected_q is not None:
            body["corrected_q"] = page.corrected_q
        console.print_json(json.dumps(body, ensure_ascii=False))
        return
    if page.corrected_q is not None:
        console.print(f"nothing found for {text!r}; results for {page.corrected_q!r}")
    table = Table(title=f"{len(page.items)} place{'' if len(page.items) == 1 else 's'}")
    # the id whole, whatever the terminal's width: it is what `places show` takes; the others fold
    table.add_column("id", no_wrap=True, min_width=max((len(i["id"]) for i in page.items), default=2))
    around = bool(page.distances)  # a distance column only for searches around a point
    for column in ("name", "category", "municipality", *(("distance",) if around else ()), "licence"):
        table.add_column(column, overflow="fold")
    for item in page.items:
        distance = page.distances.get(item["id"])
        shown = f"{distance:,.0f} m" if distance is not None else ""
        table.add_row(item["id"], escape((item.get("name") or {}).get("de", "")), ", ".join(item.get("categories", [])),
                      (item.get("municipality") or {}).get("name", ""), *((shown,) if around else ()),
                      item.get("licence", ""))
    console.print(table)
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}")


@app.command("show")
def show(entity_id: str = typer.Argument(..., help="Hub id (dh-…) or source record id (source:local)."),
         include_closed: bool = typer.Option(False, "--include-closed"),
         db: str | None = DbOption) -> None:
    """Show one place or event with every field, its sources and provenance."""
    with store_at(db) as store:
        entity = store.get_entity(entity_id, include_closed=include_closed)
        if entity is None:
            if not include_closed and store.get_entity(entity_id, include_closed=True) is not None:
                raise fail(f"{entity_id!r} is published under a closed licence: show it with --include-closed", 1)
            raise fail(f"no published entity {entity_id!r}", 1)
        notices = [n.to_dict() for rid in entity.get("sources", []) for n in store.list_notices(entity_id=
                   rid.split(":", 1)[1], source=rid.split(":", 1)[0], current=True, limit=20)]
    console.print_json(json.dumps({**entity, "notices": notices}, ensure_ascii=False))
