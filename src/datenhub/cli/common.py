"""Shared CLI plumbing: the --db option, opening the store, and turning errors into clear exits."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from datenhub.store import Store, StoreError, open_store

# Piped or redirected, Rich would fit tables into 80 columns and cut ids and names short; a script reading the
# output wants them whole (COLUMNS still decides where it is set).
PIPED_WIDTH = 200


def _width(stream: object) -> int | None:
    return None if os.environ.get("COLUMNS") or getattr(stream, "isatty", lambda: False)() else PIPED_WIDTH


console = Console(width=_width(sys.stdout))
err = Console(stderr=True, width=_width(sys.stderr))

DbOption = typer.Option(None, "--db", envvar="DATENHUB_DATABASE_URL",
                        help="Database URL (default sqlite:///./datenhub.db).")

EXIT_OK, EXIT_DATA_ERRORS, EXIT_USAGE = 0, 1, 2


def _table_or_json(value: str) -> str:
    if value not in ("table", "json"):
        raise fail(f"--format {value!r}: use table or json")  # a usage error, before any work is done
    return value


OutputOption = typer.Option("table", "--format", help="table or json.", callback=_table_or_json)


def fail(message: str, code: int = EXIT_USAGE, *, as_json: bool = False, error: str = "usage_error") -> typer.Exit:
    """The exit for an error the user must fix, said on stderr; `as_json` (the command was asked for --format
    json): as the JSON object `{"error": {"code": error, "message": …, "exit_code": code}}` on stdout instead,
    where a tool reads the command's JSON."""
    if as_json:
        body = {"error": {"code": error, "message": message, "exit_code": code}}
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        err.print(f"[bold red]error:[/] {escape(message)}")  # messages quote files and data: "[csv]" is no markup
    return typer.Exit(code)


def asks_json(args: list[str]) -> bool:
    """Whether the command line asks for --format json (the last --format given decides, as Click reads it)."""
    chosen = None
    for index, arg in enumerate(args):
        if arg == "--format" and index + 1 < len(args):
            chosen = args[index + 1]
        elif arg.startswith("--format="):
            chosen = arg.partition("=")[2]
    return chosen == "json"


class JsonUsageErrors(typer.core.TyperCommand):
    """A command whose usage errors that Click finds before it runs (a missing argument, an unknown option, an
    option without its value) are the JSON error object of `fail` when its arguments ask for --format json."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Any: Typer bundles Click's Context privately
        as_json = asks_json(list(args))
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:  # Click's UsageError (Typer bundles Click and exports only its base)
            if not as_json or getattr(exc, "exit_code", None) != EXIT_USAGE or not hasattr(exc, "format_message"):
                raise
            raise fail(exc.format_message(), as_json=True) from None


# What SQLite says when its file cannot be used right now; any other OperationalError (a syntax error) is a bug
_SQLITE_UNAVAILABLE = ("locked", "busy", "disk i/o", "unable to open", "readonly", "disk is full")


def database_lost(exc: BaseException) -> bool:
    """Whether `exc` says the database went away or could not be used while a command ran (a restart, a killed
    connection, a full disk): said in a line, not a traceback. Errors of statements stay tracebacks: bugs to
    report."""
    import sqlite3

    if isinstance(exc, sqlite3.OperationalError):
        return any(word in str(exc).lower() for word in _SQLITE_UNAVAILABLE)
    try:
        import psycopg
        import psycopg_pool
    except ImportError:
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg_pool.PoolTimeout)


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def missing_hub(url: str | None, given: str = "--db or DATENHUB_DATABASE_URL", *, as_json: bool = False) -> None:
    """Exit with a usage error when `url` names a SQLite file that does not exist; `given`: where the URL came
    from, for the message; `as_json`: as `fail` says it."""
    from datenhub.store.registry import resolve_url
    from datenhub.store.sqlite.connection import path_from_url

    url = resolve_url(url)
    if url.startswith("sqlite:"):
        path = path_from_url(url)
        if path != ":memory:" and not Path(path).exists():
            raise fail(f"no hub at {path}: the file does not exist. Give the path of your hub ({given}), "
                       "or start one with `datenhub import` or `datenhub demo`.", as_json=as_json, error="no_hub")


@contextmanager
def store_at(url: str | None, *, create: bool = False, as_json: bool = False) -> Iterator[Store]:
    """The hub at `url`. Only commands that fill or set up a hub (`create`: import, demo, keys create, occupancy
    sensor add) may start a SQLite file that is not there: for any other, a mistyped path would be an empty hub,
    and a scheduled export would publish nothing without a word. `as_json`: errors as `fail` says them."""
    if not create:
        missing_hub(url, as_json=as_json)
    try:
        store = open_store(url)
    except StoreError as exc:
        raise fail(str(exc), as_json=as_json, error="database_error") from None
    try:
        yield store
    finally:
        store.close()
