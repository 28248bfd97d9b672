"""Shared CLI plumbing: the --db option, opening the store, and turning errors into clear exits."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

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


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")  # messages quote files and data: "[csv]" is no markup
    return typer.Exit(code)


@contextmanager
def store_at(url: str | None) -> Iterator[Store]:
    try:
        store = open_store(url)
    except StoreError as exc:
        raise fail(str(exc)) from None
    try:
        yield store
    finally:
        store.close()
