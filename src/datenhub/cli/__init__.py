"""The `datenhub` command line: a thin shell over datenhub.hub (the Python API)."""

from __future__ import annotations

from importlib import import_module

import typer

from datenhub.cli import admin, data, places
from datenhub.cli.common import JsonUsageErrors

app = typer.Typer(name="datenhub", help="DatenHub Ruhr: bundle, enrich and publish Ruhr tourism and city data.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.command("import", cls=JsonUsageErrors)(data.import_command)
app.command("validate", cls=JsonUsageErrors)(data.validate_command)
app.command("reprocess", cls=JsonUsageErrors)(data.reprocess_command)
app.command("export")(data.export_command)
app.command("demo")(data.demo_command)
app.add_typer(places.app, name="places")
app.add_typer(admin.sources_app, name="sources")
app.add_typer(admin.notices_app, name="notices")
app.add_typer(admin.merge_app, name="merge")
app.add_typer(admin.db_app, name="db")

# Sub-applications of other subsystems register by module path, like plugins would.
SUBAPPS: dict[str, str] = {"hours": "datenhub.cli.hours", "planner": "datenhub.cli.planner",
                           "serve": "datenhub.cli.serve", "keys": "datenhub.cli.keys",
                           "webhooks": "datenhub.cli.webhooks", "plan": "datenhub.cli.plan",
                           "occupancy": "datenhub.cli.occupancy"}
for _name, _module in SUBAPPS.items():
    try:
        _mod = import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
        continue
    if hasattr(_mod, "app"):
        app.add_typer(_mod.app, name=_name)
    elif hasattr(_mod, "command"):
        app.command(_name)(_mod.command)


def main() -> None:
    try:
        app()
    except Exception as exc:
        from datenhub.cli.common import database_lost, fail, first_line

        if not database_lost(exc):
            raise
        # an import from a timer while PostgreSQL restarts ended in a psycopg traceback
        raise SystemExit(fail(f"lost the database while the command ran: {first_line(exc)}. What the command had "
                              "not committed yet was rolled back; run it again once the database answers.", 1)
                         .exit_code) from None
