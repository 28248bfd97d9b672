"""Operator and steward commands: sources, notices, merges, schema."""

from __future__ import annotations

import json
import os
import sys

import typer
from rich.markup import escape
from rich.table import Table

from datenhub import hub
from datenhub.cli.common import (
    DbOption,
    OutputOption,
    console,
    database_lost,
    fail,
    first_line,
    missing_hub,
    store_at,
)
from datenhub.model.licence import licence_mix

sources_app = typer.Typer(help="Sources and their state.", invoke_without_command=True)
notices_app = typer.Typer(help="Stored data problems.", invoke_without_command=True)
merge_app = typer.Typer(help="Undo or force merges (reversible, never loses records).", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@sources_app.callback()
def sources(db: str | None = DbOption) -> None:
    """List sources with licence, priority, record counts and last import."""
    with store_at(db) as store:
        rows = store.sources_with_licences()
    licences = {s.name: licence_mix(s.licence, s.stats["licences"]) for s in rows}
    table = Table(title="sources")
    # names and licences are typed again (notices --source, reprocess): whole, on a narrow terminal too; the other
    # columns give way
    whole = {"name": max((len(s.name) for s in rows), default=4),
             "licence": min(60, max((len(text) for text in licences.values()), default=7))}
    for column in ("name", "licence", "priority", "active", "withdrawn", "last import", "status"):
        table.add_column(column, min_width=whole.get(column), overflow="fold")
    for s in rows:
        table.add_row(s.name, licences[s.name], str(s.priority), str(s.stats["active"]), str(s.stats["withdrawn"]),
                      s.stats["last_import"] or "", s.stats["last_status"] or "")
    console.print(table)


@notices_app.callback()
def notices(source: str | None = typer.Option(None, "--source"), code: str | None = typer.Option(None, "--code"),
            limit: int = typer.Option(50, "--limit", min=1),
            history: bool = typer.Option(False, "--all", help="Also those of earlier imports, whose data may have "
                                                              "been fixed since."),
            output: str = OutputOption,
            db: str | None = DbOption) -> None:
    """List stored notices, newest first: by default those of each source's latest import, which say what is
    wrong with the data now."""
    with store_at(db) as store:
        if source is not None and store.get_source(source) is None:
            raise fail(f"no source {source!r} (datenhub sources lists them)", 1)
        rows = store.list_notices(source=source, code=code, current=not history, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    if output == "json":
        sys.stdout.write(json.dumps({"notices": [n.to_dict() for n in rows], "more": more}, ensure_ascii=False,
                                    indent=2) + "\n")
        return
    table = Table(title=f"{len(rows)} notices" + ("" if history else " of the latest imports"))
    for column in ("severity", "code", "source", "where", "message"):
        table.add_column(column, overflow="fold")
    for n in rows:
        table.add_row(n.severity.value, n.code, n.location.source or "", escape(n.location.describe()),
                      escape(n.message))
    if more:
        table.caption = f"more than {limit}: --limit N shows more, --code C narrows them"
    console.print(table)


@merge_app.command("split")
def split(record_id: str = typer.Argument(..., help="Source record id, e.g. db-stations:8000098"),
          db: str | None = DbOption) -> None:
    """Take a record out of its merged entity; it stays separate on later imports."""
    with store_at(db) as store:
        try:
            new_hub = hub.split_record(store, record_id)
        except LookupError as exc:
            raise fail(str(exc), 1) from None  # an unknown id (docs/cli.md: exit codes)
    console.print(f"{record_id} is now its own entity {new_hub}")


@merge_app.command("join")
def join(record_id: str = typer.Argument(...), hub_id: str = typer.Argument(..., help="Target entity id"),
         db: str | None = DbOption) -> None:
    """Merge a record into an entity the matcher did not pair it with."""
    with store_at(db) as store:
        try:
            hub.join_record(store, record_id, hub_id)
        except LookupError as exc:
            raise fail(str(exc), 1) from None
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


# What a copy changes on purpose, said on every run: delta-feed readers of the old database start again.
REBUILT = ("active hub entities are rebuilt from their records: their content and ids are the same, their change "
           "times and the delta feed's cursors start afresh")


@db_app.command("copy")
def copy(source_url: str = typer.Option(..., "--from", help="Database URL to copy from."),
         target_url: str = typer.Option(..., "--to", help="Database URL to copy into (must be empty)."),
         ) -> None:
    """Move a whole hub to another database (e.g. SQLite → PostgreSQL), verified by counts and checksums."""
    from datenhub.store import StoreError, open_store
    from datenhub.store.copy import TargetNotEmpty, copy_store
    from datenhub.store.registry import redact_url

    missing_hub(source_url, "--from")  # opening it would create an empty hub, and copying that "verified" nothing
    try:
        if same_database(source_url, target_url):  # refused as "not empty", with how to empty it: the source
            raise fail(f"--from and --to name the same database ({redact_url(target_url)}); give --to the URL of "
                       "another, empty one")
        source = open_store(source_url, migrate=False)  # nor may a database without one get an empty hub
        if not source.holds_hub():
            source.close()
            raise fail(f"no hub in {redact_url(source_url)}: the database holds no DatenHub schema there. Give the "
                       "URL of your hub with --from (with ?schema=… if it lives in a schema of its own).")
        source.migrate()
        target = open_store(target_url)
    except StoreError as exc:
        raise fail(str(exc)) from None
    try:
        report = copy_store(source, target)
    except TargetNotEmpty as exc:
        raise fail(f"{exc}. {emptying_hint(target_url)}") from None
    except StoreError as exc:
        raise fail(f"{exc}. {UNTOUCHED}", 1) from None
    except Exception as exc:
        if not database_lost(exc):
            raise
        raise fail(f"the copy stopped: {first_line(exc)}. {UNTOUCHED}", 1) from None
    except KeyboardInterrupt:
        raise fail(f"interrupted. {UNTOUCHED}", 130) from None
    finally:
        source.close()
        target.close()
    table = Table(title="db copy")
    for column in ("", *report.counts_from):
        table.add_column(column)
    table.add_row("from", *(str(v) for v in report.counts_from.values()))
    table.add_row("to", *(str(report.counts_to.get(k)) for k in report.counts_from))
    console.print(table)
    kept = ", ".join(f"{rows} {name}" for name, rows in report.kept.items())
    console.print(f"checked {report.records_checked} record and {report.entities_checked} entity checksums, "
                  f"{report.readings_checked} occupancy readings and the rows of the kept tables ({kept})")
    if not report.ok:
        raise fail("copy verification failed: " + "; ".join(report.mismatches) + f". {UNTOUCHED}", 1)
    console.print("[green]verified: counts and checksums match[/]")
    for name, rows in report.left.items():
        console.print(f"not copied: {rows} {name} rows of deleted webhooks")
    console.print(REBUILT)


# The copy is one transaction of the target (store.copy.copy_store): whatever stops it, nothing of it stays.
UNTOUCHED = ("Nothing was copied: the copy is one transaction, and the target database is as it was before; "
             "run the same command again once the cause is fixed")


def same_database(a: str, b: str) -> bool:
    """Whether two database URLs name one hub: a SQLite file by its real path, a PostgreSQL hub by host, port,
    database and schema."""
    from datenhub.store.registry import resolve_url

    a, b = resolve_url(a), resolve_url(b)
    if a.startswith("sqlite:") and b.startswith("sqlite:"):
        from datenhub.store.sqlite.connection import path_from_url

        paths = path_from_url(a), path_from_url(b)
        return ":memory:" not in paths and os.path.realpath(paths[0]) == os.path.realpath(paths[1])
    if a.startswith("sqlite:") or b.startswith("sqlite:"):
        return False
    from psycopg.conninfo import conninfo_to_dict

    from datenhub.store.postgres.connection import parse_url

    def key(url: str) -> tuple[object, ...]:
        parsed = parse_url(url)
        info = conninfo_to_dict(parsed.conninfo)
        return (info.get("host") or "localhost", str(info.get("port") or 5432), info.get("dbname"),
                parsed.schema or "public")

    return key(a) == key(b)


def emptying_hint(url: str) -> str:
    """What to run to empty a target that holds a hub already, for the `db copy` refusal."""
    from datenhub.store.registry import redact_url

    if url.startswith("sqlite:"):
        from datenhub.store.sqlite.connection import path_from_url

        path = path_from_url(url)
        return (f"Give --to the URL of a new file, or, if the hub in {path} is not needed, delete it with "
                f"`rm {path} {path}-wal {path}-shm` and run the copy again.")
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    from psycopg.conninfo import conninfo_to_dict

    from datenhub.store.postgres.connection import parse_url

    parsed = parse_url(url)
    if parsed.schema:
        parts = urlsplit(url)  # psql refuses DatenHub's own URL options
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in ("schema", "pool_min", "pool_max")])
        plain = redact_url(urlunsplit(parts._replace(query=query)))
        return (f"Give --to another database or schema, or, if the hub in schema {parsed.schema} is not needed, "
                f"drop it with `psql \"{plain}\" -c 'DROP SCHEMA {parsed.schema} CASCADE'` and run the copy again.")
    database = conninfo_to_dict(parsed.conninfo).get("dbname", "")
    return (f"Give --to another, empty database, or, if the hub in database {database} is not needed, drop and "
            f"create it again (`dropdb {database}` and `createdb --owner OWNER {database}`, then `CREATE EXTENSION "
            "postgis` as in docs/operations.md) and run the copy again.")
