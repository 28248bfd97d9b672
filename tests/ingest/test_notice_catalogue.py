"""Every notice code the code can emit is explained where stewards look it up: a code that appears in a report
but not in the docs is a dead end (eleven were missing before this test)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "datenhub"
# Notice("code", …), self.notice("code", …), and the `codes` tables of checks and enrichers ("code": (Severity…
EMITTED = re.compile(r'(?:\bNotice\(|\bnotice\()\s*"([a-z_]+)"|^\s*"([a-z_]+)": \(Severity\.', re.MULTILINE)


def codes_in(folder: Path, *, exclude: Path | None = None) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        if exclude is None or exclude not in path.parents:
            found |= {a or b for a, b in EMITTED.findall(path.read_text(encoding="utf-8"))}
    return found


def documented(doc: str) -> set[str]:
    return set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]{4,}\b", (ROOT / "docs" / doc).read_text(encoding="utf-8")))


def test_every_import_notice_code_is_in_the_ingest_docs() -> None:
    emitted = codes_in(SRC, exclude=SRC / "live")
    assert len(emitted) > 50  # the pattern still finds them
    assert sorted(emitted - documented("ingest.md")) == []


def test_every_occupancy_notice_code_is_in_the_occupancy_docs() -> None:
    emitted = codes_in(SRC / "live")
    assert emitted
    assert sorted(emitted - documented("occupancy.md")) == []
