"""Reader for the (T)OPTW benchmark format of the KU Leuven collection (Montemanni, Vansteenwegen).

Line 1: ``k v N t`` (v: tours that can visit every vertex, N: number of customers), line 2: ``D Q``
(ignored), then one line per vertex ``i x y d S f a list[a] O C``. Vertex 0 is start and end; its
closing time is the tour budget. Travel times are Euclidean distances truncated to one decimal
(Solomon instances) or two (Cordeau's ``pr*`` instances).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from datenhub.planner.problem import OrienteeringProblem


class OptwFormatError(ValueError):
    """The file does not follow the format; ``line`` is 1-based (0 when no line is to blame)."""

    def __init__(self, source: str, line: int, message: str) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}, line {line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class OptwInstance:
    name: str
    problem: OrienteeringProblem
    coordinates: np.ndarray
    tours_to_visit_all: int


def decimals_for(name: str) -> int:
    """Cordeau-based instances (``pr*``) keep two decimals, Solomon-based ones one."""
    return 2 if Path(name).stem.lower().startswith("pr") else 1


def truncated_distances(xy: np.ndarray, decimals: int) -> np.ndarray:
    scale = 10.0**decimals
    diff = xy[:, None, :] - xy[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    # the epsilon keeps exact values such as 5.0 from flooring to 4.9 after rounding noise
    return np.floor(dist * scale + 1e-7) / scale


def _numbers(source: str, lineno: int, text: str) -> list[float]:
    values = []
    for token in text.split():
        try:
            value = float(token)
        except ValueError:
            raise OptwFormatError(source, lineno, f"{token!r} is not a number") from None
        if not math.isfinite(value):
            raise OptwFormatError(source, lineno, f"{token!r} is not a finite number")
        values.append(value)
    return values


def parse_optw(text: str, source: str = "<string>", decimals: int | None = None) -> OptwInstance:
    """Parse an instance; ``decimals`` defaults to what the ``source`` name implies."""
    lines = [(no, line) for no, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(lines) < 3:
        raise OptwFormatError(source, len(text.splitlines()), "expected a header, a second line and vertices")
    head_no, head = lines[0]
    header = _numbers(source, head_no, head)
    if len(header) != 4:
        raise OptwFormatError(source, head_no, f"header needs 4 numbers 'k v N t', found {len(header)}")
    if not float(header[2]).is_integer() or header[2] < 1:
        raise OptwFormatError(source, head_no, f"number of vertices N must be a positive integer: {header[2]}")
    count = int(header[2]) + 1
    _numbers(source, *lines[1])
    rows = lines[2:]
    if len(rows) != count:
        last = rows[-1][0] if rows else lines[1][0]
        raise OptwFormatError(source, last, f"header announces {count} vertices (N+1), file has {len(rows)}")
    table = np.zeros((count, 6))  # x, y, d, S, O, C
    for expected, (no, line) in enumerate(rows):
        values = _numbers(source, no, line)
        if len(values) < 9:
            raise OptwFormatError(source, no, f"vertex line needs 'i x y d S f a list O C', got {len(values)}")
        if values[0] != expected:
            raise OptwFormatError(source, no, f"expected vertex {expected}, found {values[0]:g}")
        listed = values[6]
        if not listed.is_integer() or listed < 0 or len(values) != 9 + int(listed):
            raise OptwFormatError(source, no, f"a={listed:g} announces a list that leaves {len(values)} fields")
        x, y, d, s = values[1:5]
        o, c = values[-2:]
        if d < 0:
            raise OptwFormatError(source, no, f"negative service duration {d:g}")
        if c < o:
            raise OptwFormatError(source, no, f"time window closes ({c:g}) before it opens ({o:g})")
        table[expected] = (x, y, d, s, o, c)
    xy = table[:, :2]
    travel = truncated_distances(xy, decimals_for(source) if decimals is None else decimals)
    profit = table[:, 3].copy()
    profit[0] = 0.0
    problem = OrienteeringProblem(
        profit=profit,
        service=table[:, 2],
        open=table[:, 4],
        close=table[:, 5],
        travel=travel,
        start=0,
        end=0,
        max_time=float(table[0, 5] - table[0, 4]),
    )
    return OptwInstance(Path(source).stem, problem, xy, int(header[1]))


def read_optw(path: str | Path, decimals: int | None = None) -> OptwInstance:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OptwFormatError(str(path), 0, f"cannot read file: {exc}") from None
    return parse_optw(text, str(path), decimals)
