"""Shared CLI plumbing: the --db option, opening the store, and turning errors into clear exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from datenhub.store import Store, StoreError, open_store

console = Console()
err = Console(stderr=True)

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
