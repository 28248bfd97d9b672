"""Data steward commands: import, validate, reprocess, export, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from datenhub import hub
from datenhub.cli.common import EXIT_DATA_ERRORS, DbOption, OutputOption, console, fail, store_at
from datenhub.ingest.mapping import MappingError
from datenhub.ingest.registry import UnknownAdapterError
from datenhub.model.licence import LicenceId, parse_licence
from datenhub.notices import Report, Severity
from datenhub.pipeline.importer import ImportError_, ImportResult
from datenhub.pipeline.workers import WorkerLost


def _check_path(path: Path, as_json: bool = False) -> None:
    if not path.exists():
        raise fail(f"{path} does not exist", as_json=as_json, error="file_not_found")
    if path.is_dir():
        raise fail(f"{path} is a folder; give a file", as_json=as_json, error="not_a_file")


def _check_licence(licence: str | None, as_json: bool = False) -> None:
    if licence and parse_licence(licence) is None:
        raise fail(f"unknown licence {licence!r}; use one of {', '.join(lid.value for lid in LicenceId)}",
                   as_json=as_json, error="unknown_licence")


# what a usage error of the Python API is, for `--format json`'s error object
_ERROR_CODES: tuple[tuple[type[Exception], str], ...] = (
    (UnknownAdapterError, "unknown_adapter"), (MappingError, "invalid_mapping"), (ValueError, "invalid_option"))


def notice_table(report: Report, limit: int = 30) -> Table:
    table = Table(title=f"{len(report)} notices", show_lines=False)
    for column in ("severity", "code", "where", "message"):
        table.add_column(column, overflow="fold")
    colours = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    for notice in report.notices[:limit]:
        table.add_row(f"[{colours[notice.severity]}]{notice.severity.value}[/]", notice.code,
                      escape(notice.location.describe()), escape(notice.message))
    if len(report) > limit:
        table.caption = (f"the first {limit} of {len(report)}; --format json gives the counts by code and up to "
                         f"{report.samples_per_code} of each")
    return table


def summary_table(result: ImportResult) -> Table:
    table = Table(title=f"import of {result.source!r} ({result.adapter})")
    columns = ["new", "changed", "unchanged", "withdrawn", "rejected", "merged"]
    columns += [name for name in ("restored", "outside") if getattr(result, name)]  # back; left out by --within
    for column in columns:
        table.add_column(column, justify="right")
    table.add_row(*(str(getattr(result, c)) for c in columns))
    return table


def import_command(
    path: Path = typer.Argument(..., help="File to import."),
    source: str = typer.Option(..., "--source", help="Source name, e.g. 'stadt-bochum'."),
    adapter: str | None = typer.Option(None, "--adapter", help="Adapter name; detected if omitted."),
    mapping: Path | None = typer.Option(None, "--mapping", help="TOML mapping file for tabular sources."),
    licence: str | None = typer.Option(None, "--licence", help="Licence for records that declare none."),
    attribution: str | None = typer.Option(None, "--attribution", help="Attribution text for the source."),
    priority: int | None = typer.Option(None, "--priority", help="Merge priority (lower wins), default 100."),
    partial: bool = typer.Option(False, "--partial", help="Do not withdraw records missing from this file."),
    allow_empty: bool = typer.Option(False, "--allow-empty",
                                     help="Let a file with no usable record withdraw every record of the source "
                                          "(otherwise they are kept, with a warning)."),
    within: str | None = typer.Option(None, "--within", help="Keep only records inside 'rvr' or 'nrw'."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when the data has errors (the valid records are "
                                "still imported; run validate first to check without writing)."),
    force: bool = typer.Option(False, "--force", help="Re-run every check even if this exact input was imported."),
    workers: int | None = typer.Option(None, "--workers", min=1,
                                       help="Processes that check and enrich in parallel (default: one per core "
                                            "for inputs over 2 MB; 1 = none). Also $DATENHUB_IMPORT_WORKERS."),
    output: str = OutputOption,
    db: str | None = DbOption,
) -> None:
    """Import a file: validate, enrich, merge and store it (transactional, idempotent)."""
    as_json = output == "json"
    _check_path(path, as_json)
    _check_licence(licence, as_json)
    with store_at(db, create=True, as_json=as_json) as store:
        try:
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=console, transient=True, disable=output == "json") as bar:
                task = bar.add_task(f"importing {path.name}", total=None)
                result = hub.import_file(
                    store, path, source, adapter=adapter, mapping=mapping, licence=licence, attribution=attribution,
                    priority=priority, full=not partial, within=within, force=force, workers=workers,
                    allow_empty=allow_empty,
                    progress=lambda n: bar.update(task, description=f"importing {path.name}: {n:,} records read"))
        except (UnknownAdapterError, MappingError, ImportError_, ValueError) as exc:
            error = next((code for kind, code in _ERROR_CODES if isinstance(exc, kind)), "import_refused")
            raise fail(str(exc), as_json=as_json, error=error) from None
        except WorkerLost as exc:
            raise fail(str(exc), EXIT_DATA_ERRORS, as_json=as_json, error="worker_lost") from None
    print_result(result, output, strict)


def print_result(result: ImportResult, output: str, strict: bool) -> None:
    """An import's summary and notices, as `import` and `reprocess` print them; exit 1 on errors with --strict."""
    if output == "json":
        console.print_json(json.dumps(result.summary(), ensure_ascii=False))
    else:
        console.print(summary_table(result))
        if len(result.report):
            by_code = ", ".join(f"{code}: {n}" for code, n in result.report.by_code().items())
            console.print(f"notices by code: {by_code}")
            console.print(notice_table(result.report, 15))
    if strict and result.report.has_errors:
        raise typer.Exit(EXIT_DATA_ERRORS)


def validate_command(
    path: Path = typer.Argument(..., help="File to check."),
    adapter: str | None = typer.Option(None, "--adapter"),
    mapping: Path | None = typer.Option(None, "--mapping"),
    licence: str | None = typer.Option(None, "--licence", help="Licence to assume for records without one."),
    attribution: str | None = typer.Option(None, "--attribution", help="Attribution text for the source."),
    within: str | None = typer.Option(None, "--within", help="Check as import --within would: only records "
                                                               "inside 'rvr' or 'nrw'."),
    output: str = OutputOption,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when the data has errors."),
) -> None:
    """Check a file and report every problem, as an import with the same options would. Changes nothing."""
    as_json = output == "json"
    _check_path(path, as_json)
    _check_licence(licence, as_json)
    try:
        report = hub.validate_file(path, adapter=adapter, mapping=mapping, licence=licence, attribution=attribution,
                                   within=within)
    except (UnknownAdapterError, MappingError, ValueError) as exc:
        error = next(code for kind, code in _ERROR_CODES if isinstance(exc, kind))
        raise fail(str(exc), as_json=as_json, error=error) from None
    if output == "json":
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        console.print(notice_table(report, 200))
        summary = report.to_dict()["summary"]
        console.print(f"{summary['errors']} errors, {summary['warnings']} warnings, {summary['infos']} infos")
    if strict and report.has_errors:
        raise typer.Exit(EXIT_DATA_ERRORS)


def reprocess_command(source: str = typer.Argument(..., help="Source to re-process from its kept raw input."),
                      strict: bool = typer.Option(False, "--strict", help="Exit 1 when the data has errors."),
                      output: str = OutputOption,
                      db: str | None = DbOption) -> None:
    """Re-run a source's latest raw input through the current pipeline (no re-fetch)."""
    as_json = output == "json"
    with store_at(db, as_json=as_json) as store:
        try:
            result = hub.reprocess(store, source)
        except LookupError as exc:  # an unknown source, or one with no raw input kept
            raise fail(str(exc), 1, as_json=as_json, error="no_raw_input") from None
        except WorkerLost as exc:
            raise fail(str(exc), EXIT_DATA_ERRORS, as_json=as_json, error="worker_lost") from None
    print_result(result, output, strict)


def export_command(
    fmt: str = typer.Option("jsonl", "--format", help="jsonl, geojson, csv, jsonld or ical."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (default stdout)."),
    kind: str | None = typer.Option(None, "--kind", help="place or event (default both)."),
    include_closed: bool = typer.Option(False, "--include-closed",
                                        help="Include closed-licence data (never for open-data publication)."),
    base_url: str | None = typer.Option(None, "--base-url", envvar="DATENHUB_BASE_URL",
                                        help="Public URL of the hub, for JSON-LD's @id links "
                                             "(default https://datenhub.ruhr)."),
    db: str | None = DbOption,
) -> None:
    """Export every published entity (open licences only unless --include-closed)."""
    with store_at(db) as store:
        try:
            chunks = hub.export(store, fmt, kind=kind, include_closed=include_closed, base_url=base_url)
        except LookupError as exc:
            raise fail(str(exc)) from None
        except ValueError as exc:
            raise fail(f"--base-url (or DATENHUB_BASE_URL): {exc}") from None
        if output is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        # written beside the target and renamed at the end: a failed export never leaves half a file behind
        partial = output.with_name(output.name + ".partial")
        try:
            target = partial.open("wb")
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
        try:
            with target:
                for chunk in chunks:
                    target.write(chunk)
            partial.replace(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise


def demo_command(db: str | None = DbOption) -> None:
    """Import the shipped demo data: Ruhr attractions (CC0) and the DB stations in the RVR (CC BY 4.0)."""
    from datenhub.demo import import_demo

    with store_at(db, create=True) as store:
        for result in import_demo(store):
            console.print(summary_table(result))
        counts = store.counts()
    console.print(f"the hub now holds {counts['places']} places from {counts['sources']} sources")
