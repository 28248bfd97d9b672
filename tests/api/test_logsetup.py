"""The server's log set-up: every line in the chosen format, those of the libraries it runs on included."""

from __future__ import annotations

import json
import logging

import pytest

from datenhub.api import accesslog
from datenhub.api.logsetup import configure_logging


def bare_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """The root logger without handlers, as a server process starts (pytest adds its own for each test's call,
    after the fixtures)."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])


@pytest.fixture()
def fresh_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """Logging as a server process starts with it, restored afterwards."""
    monkeypatch.setattr(logging.getLogger("datenhub"), "handlers", [])
    monkeypatch.setattr(logging.getLogger("datenhub"), "level", logging.NOTSET)
    monkeypatch.setattr(accesslog, "SINK", None)
    for name in ("logThreads", "logProcesses", "logMultiprocessing", "_srcfile"):
        monkeypatch.setattr(logging, name, getattr(logging, name))
    monkeypatch.setenv("DATENHUB_LOG_LEVEL", "WARNING")  # no access log thread


def test_json_log_formats_the_warnings_of_psycopgs_pool(fresh_logging: None, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATENHUB_LOG_FORMAT", "json")
    bare_root(monkeypatch)
    configure_logging()
    # what psycopg_pool says when the database terminated a pooled session: it went out as bare text
    logging.getLogger("psycopg.pool").warning("discarding closed connection: %s", "<psycopg.Connection [BAD]>")
    logging.getLogger("datenhub.ratelimit").warning("Redis did not answer")
    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]  # every line one JSON object
    assert [(e["logger"], e["level"]) for e in entries] == [("psycopg.pool", "WARNING"),
                                                            ("datenhub.ratelimit", "WARNING")]  # ours once
    assert entries[0]["message"] == "discarding closed connection: <psycopg.Connection [BAD]>"


def test_an_embedders_root_handler_is_left_alone(fresh_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    bare_root(monkeypatch)
    theirs = logging.NullHandler()
    logging.getLogger().handlers = [theirs]
    configure_logging()
    configure_logging()
    assert logging.getLogger().handlers == [theirs]


def test_configured_twice_the_root_has_one_handler_of_ours(fresh_logging: None,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    bare_root(monkeypatch)
    configure_logging()
    configure_logging()
    assert len(logging.getLogger().handlers) == 1
