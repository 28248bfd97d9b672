"""CSV replay: a recorded (or simulated) series played back as payloads, to MQTT or straight into the store.

Columns: sensor, observed_at, and any of count, free, capacity, fraction; lines starting with '#' are comments.
`speed` compresses time: 60 plays an hour in a minute; 0 plays as fast as possible.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

NUMBERS = ("count", "free", "capacity")


def _number(text: str) -> Any:
    """Keep what the file says: a whole number stays an int, anything else is passed on for validation."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        payload: dict[str, Any] = {"sensor": row.get("sensor"), "observed_at": row.get("observed_at")}
        for name in NUMBERS:
            if row.get(name) not in (None, ""):
                payload[name] = _number(row[name])
        if row.get("fraction") not in (None, ""):
            payload["fraction"] = _number(row["fraction"])
        yield payload


def replay(rows: Iterator[dict[str, Any]], send: Callable[[str, bytes], None], speed: float,
           sleep: Callable[[float], None] = time.sleep, batch: Callable[[], None] | None = None) -> int:
    """Send each row as JSON in file order, pausing by the gap between observed_at values / speed."""
    sent, previous = 0, None
    for payload in rows:
        try:
            at = datetime.fromisoformat(payload["observed_at"])
        except (TypeError, ValueError):
            at = None
        if speed > 0 and previous is not None and at is not None and at > previous:
            if batch is not None:
                batch()
            sleep((at - previous).total_seconds() / speed)
        previous = at or previous
        send(str(payload.get("sensor") or ""), orjson.dumps(payload))
        sent += 1
    if batch is not None:
        batch()
    return sent
