"""Rewrite the golden files in tests/publish/golden/ from tests/publish/samples.py; then read the diff.

    .venv/bin/python tests/publish/regenerate.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"


def main() -> int:
    sys.path.insert(0, str(HERE.parents[1]))  # the repo root, so `tests.publish.samples` imports
    from tests.publish.samples import render_golden

    files = render_golden()
    for old in sorted(GOLDEN.rglob("*")):
        if old.is_file() and old.relative_to(GOLDEN).as_posix() not in files:
            old.unlink()
            print(f"removed {old.relative_to(HERE)}")
    for name, data in files.items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        changed = not path.exists() or path.read_bytes() != data
        path.write_bytes(data)
        print(f"{'wrote  ' if changed else 'same   '} {path.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
