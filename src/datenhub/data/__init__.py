"""Data shipped with the package (boundaries, stations, demo), each folder with its attribution."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).parent


def data_path(*parts: str) -> Path:
    return DATA_DIR.joinpath(*parts)
