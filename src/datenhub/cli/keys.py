"""`datenhub keys create|list|revoke`: API keys with scopes; only hashes are stored."""

from __future__ import annotations

import typer
from rich.table import Table

from datenhub.auth import KeyError_, create_key
from datenhub.cli.common import DbOption, console, fail, store_at
from datenhub.clock import utc_now

app = typer.Typer(help="API keys for writing and for closed data.", no_args_is_help=True)


@app.command("create")
def create(name: str = typer.Option(..., "--name", help="Who holds the key, e.g. 'Stadt Bochum CMS'."),
           scope: list[str] = typer.Option(..., "--scope",
                                           help="source:<name>:write, closed:read or admin (repeatable)."),
           db: str | None = DbOption) -> None:
    """Create a key and print it once; store it safely, it cannot be shown again."""
    with store_at(db, create=True) as store:  # a hub a CMS fills through the API starts with its key
        try:
            key = create_key(store, name, scope)
        except KeyError_ as exc:
            raise fail(str(exc)) from None
    console.print(key, soft_wrap=True, highlight=False)


@app.command("list")
def list_keys(db: str | None = DbOption) -> None:
    """List keys (ids, names, scopes, state); secrets are never shown."""
    with store_at(db) as store:
        keys = store.list_keys()
    table = Table(title=f"{len(keys)} keys")
    for column in ("key id", "name", "scopes", "created", "revoked"):
        table.add_column(column)
    for k in keys:
        table.add_row(k.key_id, k.name, " ".join(k.scopes), k.created_at.isoformat(timespec="seconds"),
                      k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "")
    console.print(table)


@app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="The key id (the part after dh_)."),
           db: str | None = DbOption) -> None:
    """Revoke a key at once."""
    with store_at(db) as store, store.transaction():
        done = store.revoke_key(key_id, utc_now())
    if not done:
        raise fail(f"no active key {key_id!r}", 1)
    console.print(f"revoked {key_id}")
