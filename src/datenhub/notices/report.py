"""A Report collects notices, counts them by code and keeps samples (capped, like gtfs-validator)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from datenhub.notices.notice import Notice, Severity

DEFAULT_SAMPLES_PER_CODE = 50


class Report:
    """Counts every notice; keeps at most `samples_per_code` of each code so huge inputs stay bounded."""

    def __init__(self, samples_per_code: int = DEFAULT_SAMPLES_PER_CODE) -> None:
        self.samples_per_code = samples_per_code
        self.counts: Counter[tuple[str, Severity]] = Counter()
        self._samples: list[Notice] = []

    def add(self, notice: Notice) -> None:
        key = (notice.code, notice.severity)
        self.counts[key] += 1
        if self.counts[key] <= self.samples_per_code:
            self._samples.append(notice)

    def extend(self, notices: Iterable[Notice]) -> None:
        for notice in notices:
            self.add(notice)

    def __iter__(self) -> Iterator[Notice]:
        return iter(self._samples)

    def __len__(self) -> int:
        return sum(self.counts.values())

    @property
    def notices(self) -> list[Notice]:
        return list(self._samples)

    def count(self, severity: Severity | None = None) -> int:
        return sum(n for (_, sev), n in self.counts.items() if severity is None or sev == severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def by_code(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (code, _), n in self.counts.items():
            out[code] += n
        return dict(sorted(out.items()))

    def codes(self) -> set[str]:
        return {code for code, _ in self.counts}

    def flatten(self, keys: list[str]) -> list[list[Any]]:
        """Rows of selected attributes, e.g. ["row", "code"], for one-line test assertions."""
        rows = []
        for notice in self._samples:
            row = []
            for key in keys:
                if hasattr(notice.location, key):
                    row.append(getattr(notice.location, key))
                else:
                    row.append(getattr(notice, key))
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": {
                "errors": self.count(Severity.ERROR),
                "warnings": self.count(Severity.WARNING),
                "infos": self.count(Severity.INFO),
                "by_code": self.by_code(),
            },
            "notices": [n.to_dict() for n in self._samples],
        }
