"""Bytes to text: UTF-8, UTF-8 with BOM and Windows-1252 are all common in German exports."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from datenhub.notices import Location, Notice, Severity

_MOJIBAKE = ("Ã¤", "Ã¶", "Ã¼", "ÃŸ", "Ã„", "Ã–", "Ãœ", "â€“", "â€ž", "â€œ")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    notices: tuple[Notice, ...] = ()


def decode_bytes(payload: bytes, location: Location, declared: str | None = None) -> Decoded:
    if declared:
        try:
            return Decoded(payload.decode(declared), declared)
        except (UnicodeDecodeError, LookupError) as exc:
            return Decoded(
                payload.decode("utf-8", errors="replace"), "utf-8",
                (Notice("encoding_mismatch", Severity.WARNING,
                        f"the file is not valid {declared}: {exc}; read as UTF-8 with replacements",
                        location),),
            )
    if payload.startswith(b"\xef\xbb\xbf"):
        return Decoded(payload[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    utf16 = utf16_encoding(payload)
    if utf16 == "utf-16":
        return Decoded(payload.decode("utf-16", errors="replace"), "utf-16")
    if utf16 is not None:
        return Decoded(payload.decode(utf16, errors="replace"), utf16,
                       (Notice("encoding_detected", Severity.INFO,
                               f"UTF-16 without a byte order mark: decoded as {utf16}", location),))
    try:
        return Decoded(payload.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: German exports without a declaration are almost always Windows-1252.
    from charset_normalizer import from_bytes

    best = from_bytes(payload[:200_000]).best()
    encoding = "cp1252"
    if best is not None and best.encoding not in ("ascii", "utf_8"):
        encoding = best.encoding if best.encoding in ("cp1252", "latin_1", "iso8859_15", "cp850") else "cp1252"
    text = payload.decode(encoding, errors="replace")
    return Decoded(
        text, encoding,
        (Notice("encoding_detected", Severity.INFO,
                f"no UTF-8: decoded as {encoding}; declare the encoding in the mapping to be sure",
                location),),
    )


def looks_mojibake(text: str) -> bool:
    """Text that went through a wrong encoding: replacement characters or UTF-8 read as Latin-1."""
    if "\ufffd" in text:
        return True
    # every marker starts with Ã or â: most texts are cleared by two scans instead of ten
    return ("Ã" in text or "â" in text) and any(marker in text for marker in _MOJIBAKE)


def utf16_encoding(payload: bytes) -> str | None:
    """"utf-16" for a byte order mark (Excel's "Unicode text" export), "utf-16-le"/"-be" for text whose every
    other byte is zero, as mostly-Latin UTF-16 without a mark is; otherwise None."""
    if payload.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = payload[:4096]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    # 90 % and 5 %, not all and none: characters beyond Latin-1 (€, „) have both bytes set, and an emoji's
    # surrogate pair (D83D DE00) has a zero byte on the other side
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def is_binary(payload: bytes) -> bool:
    head = payload[:4096]
    if not head:
        return False
    encoding = utf16_encoding(payload)
    if encoding is not None:  # judged by its characters: every other byte of UTF-16 text is zero
        head = head[:len(head) // 2 * 2].decode(encoding, errors="replace").encode()
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / len(head) > 0.1


# An HTML document's start: a web page saved in place of the data, or a server's error or login page that a
# download script stored under the data's name. XML declarations and comments may come first.
_HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


HTML_PAGE = ("a web page or a server's error or login page was saved in place of the data; download the data file "
             "itself")


def html_title(text: str) -> str | None:
    """The title of an HTML page ("" when it has none), or None when the text is no HTML page."""
    head = text[:65_536]
    if not _HTML_START.match(head):
        return None
    title = _HTML_TITLE.search(head)
    return html.unescape(" ".join(title.group(1).split()))[:120] if title else ""


def read_text(payload: bytes, where: Location, what: str,
              declared: str | None = None) -> tuple[str | None, list[Notice]]:
    """The text of an input, or None with the reason: every text adapter starts with these same checks."""
    if not payload.strip():
        return None, [Notice("empty_file", Severity.ERROR, "the file is empty", where)]
    # a declared encoding says it is text: UTF-16 or UTF-32 bytes would look binary to the guess
    if (is_binary(payload) if declared is None else "\x00" in decode_bytes(payload[:4096], where, declared).text):
        return None, [Notice("not_text", Severity.ERROR, f"the file is binary, not {what} text", where)]
    decoded = decode_bytes(payload, where, declared)
    title = html_title(decoded.text.lstrip("\ufeff"))
    if title is not None:
        named = f" ({title!r})" if title else ""
        return None, [*decoded.notices, Notice(
            "html_page", Severity.ERROR,
            f"the file is an HTML page{named}, not {what}: {HTML_PAGE}", where)]
    return decoded.text, list(decoded.notices)
