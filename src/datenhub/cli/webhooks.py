"""`datenhub webhooks list|deliver`: inspect and send change notifications (deliver suits cron)."""

from __future__ import annotations

import typer

from datenhub.cli.common import DbOption, console, store_at

app = typer.Typer(help="Webhooks for change notifications.", no_args_is_help=True)


@app.command("list")
def list_hooks(db: str | None = DbOption) -> None:
    """Every active webhook."""
    with store_at(db) as store:
        for hook in store.list_webhooks():
            console.print(f"{hook.id}  {hook.url}  key {hook.key_id or '-'}")


@app.command("deliver")
def deliver(db: str | None = DbOption) -> None:
    """Send all due notifications once (a one-worker serve does this every 10 s by itself; with several
    workers, run this from a timer)."""
    from datenhub.notify.webhooks import deliver_due

    with store_at(db) as store:
        done = deliver_due(store)
    console.print(f"delivered {done['delivered']}, rescheduled {done['failed']}, gave up {done['gave_up']}")
