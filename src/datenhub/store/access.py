"""Who may read and who is told, as stores keep them: API keys and webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class ApiKey:
    """An API key as stored: only a hash of the secret is kept."""

    key_id: str
    secret_hash: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(slots=True)
class Webhook:
    id: str
    url: str
    secret: str  # the consumer verifies our HMAC signature with it, so it is kept (not hashed)
    key_id: str | None
    created_at: datetime
    active: bool = True


@dataclass(slots=True)
class Delivery:
    id: int
    webhook: Webhook
    payload: str
    attempts: int
