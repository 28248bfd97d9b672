"""The webhook outbox: imports add one row per active webhook, a worker delivers and records the outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datenhub.store.access import Delivery, Webhook
from datenhub.store.postgres.connection import Connections
from datenhub.store.postgres.entities import clean

_HOOK_COLUMNS = ("id", "url", "secret", "key_id", "created_at", "active")


def _hook(row: tuple[Any, ...]) -> Webhook:
    return Webhook(row[0], row[1], row[2], row[3], row[4], bool(row[5]))


class WebhooksMixin:
    _conns: Connections

    def save_webhook(self, hook: Webhook) -> None:
        with self._conns.connection() as conn:
            conn.execute(f"INSERT INTO webhooks ({', '.join(_HOOK_COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s)",
                         (hook.id, hook.url, hook.secret, hook.key_id, hook.created_at, hook.active))

    def list_webhooks(self, key_id: str | None = None) -> list[Webhook]:
        with self._conns.connection() as conn:
            rows = conn.execute(f"SELECT {', '.join(_HOOK_COLUMNS)} FROM webhooks WHERE active "
                                "AND (%s::text IS NULL OR key_id = %s) ORDER BY created_at, id",
                                (key_id, key_id)).fetchall()
        return [_hook(r) for r in rows]

    def delete_webhook(self, hook_id: str, key_id: str | None = None) -> bool:
        with self._conns.connection() as conn:
            return conn.execute("UPDATE webhooks SET active = false WHERE id = %s AND active "
                                "AND (%s::text IS NULL OR key_id = %s)", (hook_id, key_id, key_id)).rowcount > 0

    def changed_kinds(self, since: datetime) -> dict[str, bool]:
        with self._conns.connection() as conn:
            return {kind: bool(has_open) for kind, has_open in conn.execute(
                "SELECT kind, bool_or((has_open OR data_open IS NOT NULL) AND (open_changed_at IS NULL OR "
                "open_changed_at >= %(since)s)) FROM entities WHERE changed_at >= %(since)s GROUP BY kind",
                {"since": since})}

    def enqueue_notification(self, payload: str, at: datetime, webhook_ids: list[str] | None = None) -> int:
        with self._conns.connection() as conn:
            return conn.execute("INSERT INTO webhook_outbox (webhook_id, payload, next_at) SELECT id, %s, %s "
                                "FROM webhooks WHERE active AND (%s::text[] IS NULL OR id = ANY(%s::text[]))",
                                (clean(payload), at, webhook_ids, webhook_ids)).rowcount

    def due_deliveries(self, at: datetime, limit: int = 50) -> list[Delivery]:
        # SKIP LOCKED: workers that claim deliveries inside a transaction never get the same row twice
        with self._conns.connection() as conn:
            rows = conn.execute(
                f"SELECT o.id, o.payload, o.attempts, {', '.join('w.' + c for c in _HOOK_COLUMNS)} "
                "FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id WHERE o.delivered_at IS NULL AND "
                "o.next_at IS NOT NULL AND o.next_at <= %s AND w.active ORDER BY o.next_at, o.id LIMIT %s "
                "FOR UPDATE OF o SKIP LOCKED", (at, limit)).fetchall()
        return [Delivery(r[0], _hook(r[3:]), r[1], r[2]) for r in rows]

    def finish_delivery(self, delivery_id: int, *, delivered_at: datetime | None, next_at: datetime | None,
                        error: str | None) -> None:
        with self._conns.connection() as conn:
            conn.execute("UPDATE webhook_outbox SET attempts = attempts + 1, delivered_at = %s, next_at = %s, "
                         "last_error = %s WHERE id = %s", (delivered_at, next_at, clean(error), delivery_id))
