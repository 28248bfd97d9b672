"""One id scheme: source records are `<source>:<local id>`; hub entities get a stable `dh-…` id."""

from __future__ import annotations

import hashlib
import re

SOURCE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
HUB_ID_RE = re.compile(r"^dh-[a-z2-7]{12}$")


def record_id(source: str, local_id: str) -> str:
    return f"{source}:{local_id}"


def split_record_id(rid: str) -> tuple[str, str]:
    source, _, local = rid.partition(":")
    return source, local


def hub_id_for(founding_record_id: str, salt: str = "") -> str:
    """Deterministic: the hub id derives from the record that founded the hub entity.

    Re-importing into an empty hub gives the same ids again; later merges keep the founder's id,
    so URLs and downstream references survive merges. A record of closed data founds its hub under the store's
    secret `salt` (Store.hub_id_salt): once open data joins the place, its id must not confirm a guessed closed
    record id.
    """
    # The first 60 bits of SHA-256 in lower-case RFC 4648 base32 (12 symbols), two symbols per table lookup:
    # base64.b32encode gives the same text but is pure Python: twice the cost per record of an import.
    key = f"{salt}\x00{founding_record_id}" if salt else founding_record_id
    n = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") >> 4
    return (f"dh-{_PAIRS[n >> 50]}{_PAIRS[(n >> 40) & 1023]}{_PAIRS[(n >> 30) & 1023]}{_PAIRS[(n >> 20) & 1023]}"
            f"{_PAIRS[(n >> 10) & 1023]}{_PAIRS[n & 1023]}")


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_PAIRS = [_BASE32[i >> 5] + _BASE32[i & 31] for i in range(1024)]


def is_hub_id(value: str) -> bool:
    return bool(HUB_ID_RE.match(value))


def valid_source_name(name: str) -> bool:
    return bool(SOURCE_NAME_RE.match(name))
