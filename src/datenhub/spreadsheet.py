"""The formula guard of CSV files: the hub's CSV exports put an apostrophe before text a spreadsheet would take for
a formula (OWASP's CSV injection advice), and its CSV import takes it off again, so a round trip keeps the text."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets take for the start of a formula


def guard(value: Any) -> Any:
    """A value as a spreadsheet reads it literally: text that looks like a formula gets a leading apostrophe
    (a name "=HYPERLINK(…)" from a source would run when the file is opened). Numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unguard(text: str) -> str:
    """A cell as its text was before `guard`: an apostrophe before a formula start is the guard's, not the
    data's (a real name does not start with "'=")."""
    if text[1:2] and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
