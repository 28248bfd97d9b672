"""Creating, checking and revoking API keys. A key reads `dh_<key id>_<secret>`; we keep sha256(secret)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from datenhub.clock import Clock, utc_now
from datenhub.store.access import ApiKey
from datenhub.store.base import Store

_SCOPE = re.compile(r"^(admin|closed:read|source:[a-z0-9][a-z0-9_-]{0,62}:write)$")
_KEY = re.compile(r"^dh_([a-z0-9]{12})_([A-Za-z0-9_-]{20,100})$")


class KeyError_(ValueError):
    """A key or scope is malformed; the message says how it should look."""


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    name: str
    scopes: frozenset[str]

    def can_write(self, source: str) -> bool:
        return "admin" in self.scopes or f"source:{source}:write" in self.scopes

    @property
    def can_read_closed(self) -> bool:
        return "admin" in self.scopes or "closed:read" in self.scopes


def valid_scope(scope: str) -> bool:
    return bool(_SCOPE.match(scope))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(store: Store, name: str, scopes: list[str], clock: Clock = utc_now) -> str:
    """Store a new key and return it in full: this is the only time the secret is shown."""
    bad = [s for s in scopes if not valid_scope(s)]
    if bad or not scopes:
        raise KeyError_(f"invalid scope(s) {bad or scopes}: use admin, closed:read or source:<name>:write")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with store.transaction():
        store.save_key(ApiKey(key_id, _hash(secret), name, tuple(sorted(set(scopes))), clock()))
    return f"dh_{key_id}_{secret}"


def split_key(presented: str) -> tuple[str, str] | None:
    """(key id, secret) of a key as presented ("dh_<id>_<secret>"), None when it is not one."""
    match = _KEY.match(presented.strip())
    return (match.group(1), match.group(2)) if match else None


def opens(key: ApiKey | None, secret: str) -> bool:
    """Whether `secret` is the secret of `key`, a live one."""
    return key is not None and key.revoked_at is None and hmac.compare_digest(key.secret_hash, _hash(secret))


def authenticate(store: Store, presented: str) -> Principal | None:
    parts = split_key(presented)
    if parts is None:
        return None
    key = store.get_key(parts[0])
    if key is None or not opens(key, parts[1]):
        return None
    return Principal(key.key_id, key.name, frozenset(key.scopes))
