"""`datenhub occupancy …`: sensors, readings history, the MQTT listener, CSV replay, compaction, dead letters."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import typer
from rich.table import Table

from datenhub.cli.common import DbOption, console, err, fail, store_at
from datenhub.clock import BERLIN, utc_now
from datenhub.live.model import SENSOR_ID_RE, Sensor, SensorKind, sensor_licence, valid_sensor_id
from datenhub.model.licence import is_open

app = typer.Typer(help="Live occupancy (Auslastung): sensors, readings, MQTT listener, replay.",
                  no_args_is_help=True)
sensor_app = typer.Typer(help="Register and list occupancy sensors.", no_args_is_help=True)
app.add_typer(sensor_app, name="sensor")


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"--{name}: expected a date or a date and time in ISO 8601, e.g. 2026-06-04, 2026-06-04T10:30 "
                   "or 2026-06-04T10:30+02:00") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=BERLIN)  # without an offset: the Ruhr's time, as the API


@sensor_app.command("add")
def sensor_add(sensor_id: str = typer.Argument(..., help="Sensor id (letters, digits, . _ : -)."),
               place: str = typer.Option(..., "--place", help="Place id: hub id or record id (ruhr-demo:…)."),
               kind: SensorKind = typer.Option(..., "--kind", help="people, parking, ticketing or manual."),
               capacity: int | None = typer.Option(None, "--capacity", min=0, help="Persons or spaces."),
               source: str = typer.Option("occupancy", "--source",
                                          help="Source name; HTTP writers need source:<name>:write."),
               licence: str | None = typer.Option(None, "--licence", help="The readings' licence, e.g. CC0-1.0; "
                                                  "without an open one they are shown only to API keys with "
                                                  "closed:read."),
               name: str | None = typer.Option(None, "--name", help="A label for pages and screens."),
               db: str | None = DbOption) -> None:
    """Register a sensor (or update it: same id)."""
    if not valid_sensor_id(sensor_id):
        raise fail(f"sensor id {sensor_id!r} must match {SENSOR_ID_RE.pattern}")
    try:
        licence = sensor_licence(licence)
    except ValueError as exc:
        raise fail(f"--licence: {exc}") from None
    with store_at(db, create=True) as store:  # a hub of sensors may start with them
        if store.get_entity(place) is None:
            console.print(f"[yellow]note:[/] no place {place!r} in this hub (yet); the sensor is registered anyway")
        with store.transaction():
            store.upsert_sensor(Sensor(sensor_id, place, kind, source, capacity, licence, name))
    console.print(f"sensor {sensor_id} → {place} ({kind.value}, capacity {capacity}, licence {licence or 'none'})")
    if licence is None or not is_open(licence):
        console.print("[yellow]note:[/] without an open --licence its readings are shown only to API keys with "
                      "closed:read, not on public pages, screens and the anonymous API")


@sensor_app.command("list")
def sensor_list(place: str | None = typer.Option(None, "--place"), db: str | None = DbOption) -> None:
    """List sensors with their latest reading."""
    with store_at(db) as store:
        sensors = store.list_sensors([place] if place else None)
        latest = {r.sensor_id: r for r in store.latest_readings([s.id for s in sensors])}
    table = Table(title=f"{len(sensors)} sensors")
    for column in ("sensor", "place", "kind", "capacity", "source", "latest", "fraction"):
        table.add_column(column)
    for s in sensors:
        r = latest.get(s.id)
        fraction = "" if not r or r.fraction is None else f"{r.fraction:.2f}"
        table.add_row(s.id, s.place_id, s.kind.value, str(s.capacity or ""), s.source,
                      r.observed_at.isoformat() if r else "", fraction)
    console.print(table)


HOURLY_DEFAULT_DAYS = 7  # `history --interval hour` without --from: the week before --to (or now)
_RAW_COLUMNS: tuple[str, ...] = ("sensor", "observed_at", "count", "free", "capacity", "fraction", "method",
                                 "window_seconds")
_HOUR_COLUMNS: tuple[str, ...] = ("sensor", "from", "n", "avg_count", "min_count", "max_count", "avg_fraction",
                                  "min_fraction", "max_fraction")


@app.command("history")
def history(sensor_id: str = typer.Argument(...),
            fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
            interval: str = typer.Option("raw", "--interval",
                                         help="raw: every stored reading; hour: hourly summaries, from compacted "
                                              "hours and raw readings alike (the only history older readings have "
                                              "after `occupancy compact`)"),
            from_: str | None = typer.Option(None, "--from", help="with --interval hour: the whole hour that holds "
                                             "it is shown (an hour's summary cannot be cut)"),
            to: str | None = typer.Option(None, "--to"), db: str | None = DbOption) -> None:
    """Print a sensor's readings, oldest first: every stored raw reading, or hourly summaries (--interval hour)."""
    if fmt not in ("jsonl", "csv"):
        raise fail("--format must be jsonl or csv")
    if interval not in ("raw", "hour"):
        raise fail("--interval must be raw or hour")
    start, end = _when(from_, "from"), _when(to, "to")
    with store_at(db) as store:
        if store.get_sensor(sensor_id) is None:
            raise fail(f"no sensor {sensor_id!r}", 1)
        if interval == "hour":
            end = end or utc_now()
            start = start or end - timedelta(days=HOURLY_DEFAULT_DAYS)
            rows = [b.to_dict() for b in store.hourly_readings([sensor_id], start, end)]
            columns = _HOUR_COLUMNS
        else:
            rows = [r.to_dict() for r in store.readings(sensor_id, start, end)]
            columns = _RAW_COLUMNS
            if not rows and store.hourly_readings([sensor_id], start or datetime(1970, 1, 1, tzinfo=UTC),
                                                  end or utc_now()):
                err.print(f"no raw readings of {sensor_id} here: they were compacted into hours "
                          "(`occupancy compact`); --interval hour shows them")
    out = sys.stdout
    if fmt == "csv":
        out.write(",".join(columns) + "\n")
    for d in rows:
        if fmt == "jsonl":
            out.write(orjson.dumps(d).decode() + "\n")
        else:
            out.write(",".join("" if d[k] is None else str(d[k]) for k in columns) + "\n")


@app.command("listen")
def listen(broker: str = typer.Option("mqtt://127.0.0.1:1883", "--broker", envvar="DATENHUB_MQTT_URL"),
           client_id: str = typer.Option("datenhub-occupancy-listener", "--client-id",
                                         help="Fixed, so the broker keeps our session while we are away."),
           db: str | None = DbOption) -> None:
    """Subscribe to datenhub/occupancy/<sensor-id> (QoS 1, persistent session) and store until Ctrl-C."""
    from datenhub.live.mqtt import Broker, OccupancyListener

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        target = Broker.parse(broker)
    except ValueError as exc:
        raise fail(str(exc)) from None
    with store_at(db) as store:
        listener = OccupancyListener(store, target, client_id=client_id)
        console.print(f"listening on {broker} (topic datenhub/occupancy/+, client id {client_id}); Ctrl-C stops")
        listener.run_forever()
        t = listener.stats.totals
        console.print(f"stored {t.accepted}, duplicates {t.duplicates}, dead letters {t.rejected}")


@app.command("replay")
def replay_command(file: Path = typer.Argument(..., exists=True, dir_okay=False),
                   speed: float = typer.Option(0.0, "--speed", min=0, help="Time compression; 0 = at once."),
                   broker: str | None = typer.Option(None, "--broker",
                                                     help="Publish to MQTT; without it, write to --db directly."),
                   db: str | None = DbOption) -> None:
    """Play a CSV (sensor, observed_at, count|free|fraction, capacity) as readings."""
    from datenhub.live.ingest import Message, OccupancyIngestor
    from datenhub.live.replay import read_rows, replay

    rows = read_rows(file)
    if broker:
        from datenhub.live.mqtt import Broker, OccupancyPublisher

        publisher = OccupancyPublisher(Broker.parse(broker))
        sent = replay(rows, publisher.publish, speed)
        ok = publisher.flush()
        publisher.close()
        console.print(f"published {sent} readings to {broker}" + ("" if ok else " (not all acknowledged!)"))
        return
    with store_at(db) as store:
        ingestor = OccupancyIngestor(store, utc_now)
        pending: list[Message] = []

        def flush() -> None:
            if pending:
                result = ingestor.ingest(pending)
                totals.add(result)
                pending.clear()

        from datenhub.live.ingest import IngestResult

        totals = IngestResult()
        sent = replay(rows, lambda _, raw: pending.append(Message(raw, f"replay:{file.name}")), speed, batch=flush)
    console.print(f"replayed {sent}: stored {totals.accepted}, duplicates {totals.duplicates}, "
                  f"dead letters {totals.rejected}")


@app.command("compact")
def compact(raw_days: int = typer.Option(..., "--raw-days", min=0, help="Keep raw readings this many days."),
            dead_letter_days: int | None = typer.Option(None, "--dead-letter-days", min=0,
                                                        help="Also delete dead letters older than this."),
            db: str | None = DbOption) -> None:
    """Fold older raw readings into hourly aggregates (avg/min/max/count) and delete them."""
    now = utc_now()
    with store_at(db) as store:
        deleted, hours = store.compact_readings(now - timedelta(days=raw_days))
        pruned = None
        if dead_letter_days is not None:
            with store.transaction():
                pruned = store.prune_dead_letters(now - timedelta(days=dead_letter_days))
    console.print(f"compacted {deleted} raw readings into {hours} sensor-hours"
                  + ("" if pruned is None else f"; deleted {pruned} dead letters"))


@app.command("dead-letters")
def dead_letters(code: str | None = typer.Option(None, "--code"), limit: int = typer.Option(20, "--limit"),
                 db: str | None = DbOption) -> None:
    """Show rejected payloads, newest first, as JSON lines."""
    with store_at(db) as store:
        for letter in store.list_dead_letters(code, limit):
            sys.stdout.write(orjson.dumps(letter.to_dict()).decode() + "\n")


@app.command("status")
def status(place: str = typer.Argument(...), db: str | None = DbOption) -> None:
    """Latest status and today's forecast of a place, as JSON."""
    from datenhub.live.place import place_occupancy

    with store_at(db) as store:
        body = place_occupancy(store, place, utc_now(), interval="hour")
    if body is None:
        raise fail(f"no place or sensors for {place!r}", 1)
    body.pop("history", None)
    sys.stdout.write(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode() + "\n")


@app.command("demo")
def demo(db: str | None = DbOption) -> None:
    """Load the SIMULATED demo sensors and their last fourteen days."""
    from datenhub.live.demo import import_demo_occupancy

    with store_at(db, create=True) as store:
        result = import_demo_occupancy(store)
    console.print(f"simulated demo occupancy: {result.accepted} readings stored ({result.duplicates} already there)")
