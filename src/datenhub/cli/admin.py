"""Operator and steward commands: sources, notices, merges, schema."""

from __future__ import annotations

import typer
from rich.table import Table

from datenhub import hub
from datenhub.cli.common import DbOption, console, fail, store_at

sources_app = typer.Typer(help="Sources and their state.", invoke_without_command=True)
notices_app = typer.Typer(help="Stored data problems.", invoke_without_command=True)
merge_app = typer.Typer(help="Undo or force merges (reversible, never loses records).", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@sources_app.callback()
def sources(db: str | None = DbOption) -> None:
    """List sources with licence, priority, record counts and last import."""
    with store_at(db) as store:
        rows = store.list_sources()
    table = Table(title="sources")
    for column in ("name", "licence", "priority", "active", "withdrawn", "last import", "status"):
        table.add_column(column)
    for s in rows:
        table.add_row(s.name, s.licence or "", str(s.priority), str(s.stats["active"]), str(s.stats["withdrawn"]),
                      s.stats["last_import"] or "", s.stats["last_status"] or "")
    console.print(table)


@notices_app.callback()
def notices(source: str | None = typer.Option(None, "--source"), code: str | None = typer.Option(None, "--code"),
            limit: int = typer.Option(50, "--limit"), db: str | None = DbOption) -> None:
    """List stored notices, newest first."""
    with store_at(db) as store:
        rows = store.list_notices(source=source, code=code, limit=limit)
    table = Table(title=f"{len(rows)} notices")
    for column in ("severity", "code", "source", "where", "message"):
        table.add_column(column, overflow="fold")
    for n in rows:
        table.add_row(n.severity.value, n.code, n.location.source or "", n.location.describe(), n.message)
    console.print(table)


@merge_app.command("split")
def split(record_id: str = typer.Argument(..., help="Source record id, e.g. db-stations:8000098"),
          db: str | None = DbOption) -> None:
    """Take a record out of its merged entity; it stays separate on later imports."""
    with store_at(db) as store:
        try:
            new_hub = hub.split_record(store, record_id)
        except LookupError as exc:
            raise fail(str(exc)) from None
    console.print(f"{record_id} is now its own entity {new_hub}")


@merge_app.command("join")
def join(record_id: str = typer.Argument(...), hub_id: str = typer.Argument(..., help="Target entity id"),
         db: str | None = DbOption) -> None:
    """Merge a record into an entity the matcher did not pair it with."""
    with store_at(db) as store:
        try:
            hub.join_record(store, record_id, hub_id)
        except LookupError as exc:
            raise fail(str(exc)) from None
    console.print(f"{record_id} merged into {hub_id}")


@db_app.command("upgrade")
def upgrade(db: str | None = DbOption) -> None:
    """Apply pending schema migrations."""
    from datenhub.store import StoreError, open_store

    try:
        store = open_store(db, migrate=False)
    except StoreError as exc:
        raise fail(str(exc)) from None
    try:
        applied = store.migrate()
    finally:
        store.close()
    console.print(f"applied: {', '.join(applied)}" if applied else "schema is up to date")
