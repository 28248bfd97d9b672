"""Every output format against its reviewed golden file; regenerate with `python tests/publish/regenerate.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.publish.samples import render_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
RENDERED = render_golden()


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_golden_output_matches_file(name: str) -> None:
    expected = (GOLDEN / name).read_bytes()
    assert RENDERED[name] == expected, f"{name} changed: run tests/publish/regenerate.py and review the diff"


def test_golden_folder_has_no_stale_files() -> None:
    on_disk = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert on_disk == set(RENDERED)
