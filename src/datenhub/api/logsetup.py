"""The server's log: a handler on the `datenhub` loggers (text or JSON lines) and the batched access log.

Set up in every process that serves: `datenhub serve` itself, and each worker process that uvicorn
(`--workers N`) or granian starts from the app factory (`api.app.app_from_environment`), since those start
afresh and inherit none of it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import TextIO


def rfc3339(second: int, millis: int) -> str:
    """Local time as RFC 3339 with milliseconds, 2026-06-04T14:03:07.042+02:00: what Loki's and Elasticsearch's
    parsers take as it is (the offset without its colon, +0200, is not RFC 3339, and without milliseconds the
    lines of one second could not be put back in order)."""
    local = time.localtime(second)
    offset = time.strftime("%z", local)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', local)}.{millis:03d}{offset[:3]}:{offset[3:]}"


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, for log shippers (DATENHUB_LOG_FORMAT=json). A record's `fields` (a dict given
    as `extra={"fields": …}`) become fields of their own beside the readable `message`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {"ts": rfc3339(int(record.created), int(record.msecs)),
                                    "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update((k, v) for k, v in fields.items() if k not in entry)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


OTHERS = "datenhub-others"


def _ours(record: logging.LogRecord) -> bool:
    return record.name == "datenhub" or record.name.startswith("datenhub.")


def _others_to(stream: TextIO, formatter: logging.Formatter | None) -> None:
    """The warnings and errors of the libraries the server runs on (psycopg's pool: "discarding closed connection"
    after the database dropped a session; uvicorn: "Invalid HTTP request received."; asyncio; redis), in the same
    format on the same stream. They went to logging's last resort, or uvicorn's own handler, as bare text: lines a
    log shipper reading DATENHUB_LOG_FORMAT=json cannot parse. Only where nothing else set up the root logger (an
    embedder's own set-up keeps it)."""
    top = logging.getLogger()
    top.handlers = [h for h in top.handlers if h.get_name() != OTHERS]
    if top.handlers:
        return
    others = logging.StreamHandler(stream)
    others.set_name(OTHERS)
    others.setFormatter(formatter)
    others.addFilter(lambda record: not _ours(record))  # ours have their handler above; they propagate too
    top.addHandler(others)


def configure_logging() -> None:
    from datenhub.api import accesslog

    handler = logging.StreamHandler()
    json_lines = os.environ.get("DATENHUB_LOG_FORMAT", "text") == "json"
    if json_lines:
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    # Neither format names a thread, process or source line; finding them cost every access line ~8 µs
    # (the logging HOWTO's "Optimization" switches).
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None
    root = logging.getLogger("datenhub")
    root.handlers = [handler]
    root.setLevel(os.environ.get("DATENHUB_LOG_LEVEL", "INFO"))
    _others_to(handler.stream, handler.formatter)
    # access lines, the bulk of the log, are formatted and written in batches (api.accesslog), to the same stream
    on = logging.getLogger(accesslog.LOGGER).isEnabledFor(logging.INFO)
    accesslog.install(accesslog.AccessLog(handler.stream, json_lines=json_lines) if on else None)
