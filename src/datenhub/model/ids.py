"""One id scheme: source records are `<source>:<local id>`; hub entities get a stable `dh-…` id."""

from __future__ import annotations

import base64
import hashlib
import re

SOURCE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
HUB_ID_RE = re.compile(r"^dh-[a-z2-7]{12}$")


def record_id(source: str, local_id: str) -> str:
    return f"{source}:{local_id}"


def split_record_id(rid: str) -> tuple[str, str]:
    source, _, local = rid.partition(":")
    return source, local


def hub_id_for(founding_record_id: str) -> str:
    """Deterministic: the hub id derives from the record that founded the hub entity.

    Re-importing into an empty hub gives the same ids again; later merges keep the founder's id,
    so URLs and downstream references survive merges.
    """
    digest = hashlib.sha256(founding_record_id.encode("utf-8")).digest()
    # base32 encodes each 5-byte group on its own: the first 10 bytes give the same 12 characters
    return "dh-" + base64.b32encode(digest[:10]).decode("ascii")[:12].lower()


def is_hub_id(value: str) -> bool:
    return bool(HUB_ID_RE.match(value))


def valid_source_name(name: str) -> bool:
    return bool(SOURCE_NAME_RE.match(name))
