"""Access lines (one per request), formatted directly and written in batches.

Through `logging` an access line cost a served request ~55 µs of CPU (a LogRecord, the formatter, a write and a
flush per line): a tenth of a list page. `datenhub serve` installs an `AccessLog` on the log stream instead; it
writes the very line the log formatter would (text or JSON), with the timestamp worked out once a second, and
hands lines to the stream when 256 are waiting or every half second, from a thread of its own. So lines may
reach the log up to half a second late, as with nginx's `access_log … buffer=`. Without it (the app embedded
elsewhere, tests) the middleware logs through `logging.getLogger("datenhub.api")` as before.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
from typing import TextIO

from datenhub.api.clientip import for_log
from datenhub.api.logsetup import rfc3339

LOGGER = "datenhub.api"
MAX_LINES = 256
INTERVAL_S = 0.5


class AccessLog:
    def __init__(self, stream: TextIO, *, json_lines: bool = False, max_lines: int = MAX_LINES,
                 interval: float = INTERVAL_S) -> None:
        self.stream, self.json_lines = stream, json_lines
        self.max_lines, self.interval = max_lines, interval
        self._second = -1
        self._stamp = ""
        self._reset()

    def _reset(self) -> None:
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def write(self, request_id: str, method: str, path: str, status: int, ms: float, client: str | None = None,
              user_agent: str | None = None) -> None:
        now = time.time()
        second = int(now)
        millis = int((now - second) * 1000)
        if second != self._second:
            # as logging.Formatter's default asctime, and as logsetup's JsonLogFormatter writes "ts"
            self._stamp = (rfc3339(second, 0) if self.json_lines
                           else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second)))
            self._second = second
        message = f"{request_id} {method} {path} {status} {ms:.1f}ms"
        if self.json_lines:
            line = json.dumps({"ts": f"{self._stamp[:20]}{millis:03d}{self._stamp[23:]}", "level": "INFO",
                               "logger": LOGGER, "message": message,
                               **fields(request_id, method, path, status, ms, client, user_agent)},
                              ensure_ascii=False)
        else:
            line = f"{self._stamp},{millis:03d} INFO {LOGGER} {message}"
        with self._lock:  # the flusher swaps the list: a line appended to a list it already took would be lost
            self._lines.append(line)
            full = len(self._lines) >= self.max_lines
        if full:
            self.flush()
        elif self._thread is None:
            self._thread = threading.Thread(target=self._flush_every, name="datenhub-access-log", daemon=True)
            self._thread.start()

    def flush(self) -> None:
        with self._lock:
            lines, self._lines = self._lines, []
        if not lines:
            return
        try:
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # the stream is gone (closed, full disk): as logging does, serving goes on
            pass

    def _flush_every(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()


def fields(request_id: str, method: str, path: str, status: int, ms: float, client: str | None,
           user_agent: str | None) -> dict[str, object]:
    """An access line's fields of their own in JSON lines, for log shippers to index and query (Loki, ELK); the
    message stays the readable line of the text format. `client`: the address after FORWARDED_ALLOW_IPS, kept
    shortened to its network (api.clientip) unless the operator asks for whole addresses."""
    return {"request_id": request_id, "method": method, "path": path, "status": status,
            "duration_ms": round(ms, 1), "client": for_log(client), "user_agent": user_agent}


SINK: AccessLog | None = None  # set by install(); the hygiene middleware writes here when set


def install(sink: AccessLog | None) -> None:
    global SINK
    SINK = sink


def flush() -> None:
    """Write out what the installed log holds (at shutdown and exit)."""
    if SINK is not None:
        SINK.flush()


def _after_fork() -> None:
    if SINK is not None:
        SINK._reset()  # granian forks its workers: each starts with no lines, lock or flusher of its parent's


atexit.register(flush)
os.register_at_fork(after_in_child=_after_fork)
