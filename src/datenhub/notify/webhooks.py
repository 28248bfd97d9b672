"""Webhooks: register, queue a notification per import, deliver with HMAC signatures and backoff.

Imports only insert outbox rows inside their own transaction, so a slow or failing consumer can never
block or fail an import. The payload tells what changed and since when; consumers then page through
`/api/v1/places?changed_since=…` (the delta feed) for the records and tombstones.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from datenhub.clock import Clock, utc_now
from datenhub.store.access import Webhook
from datenhub.store.base import Store

MAX_ATTEMPTS = 10
BASE_DELAY_S = 30
TIMEOUT_S = 5.0
SIGNATURE_HEADER = "X-DatenHub-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """For consumers (and our tests): constant-time check of a delivery's signature."""
    return hmac.compare_digest(sign(secret, body), signature)


ALLOW_PRIVATE_ENV = "DATENHUB_WEBHOOKS_ALLOW_PRIVATE"


def public_url_problem(url: str) -> str | None:
    """Why a consumer URL given through the API points inside the network (the hub would POST there for any
    holder of a writer key), or None. Names and address literals only: a name that resolves to an inside address
    is caught at delivery (resolved_problem). Operators allow inside consumers with
    DATENHUB_WEBHOOKS_ALLOW_PRIVATE=1."""
    if os.environ.get(ALLOW_PRIVATE_ENV) == "1":
        return None
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return "the URL names no host"
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return f"{host} is a name inside the network"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:  # the old forms of an IPv4 address that clients still connect to: 127.1, 2130706433, 0x7f000001
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None  # a name: public as far as can be told without resolving it
    if not address.is_global:
        return f"{host} is not a public address"
    return None


def resolved_problem(url: str) -> str | None:
    """Why a consumer's host cannot be posted to at delivery time, or None: a name (that looked public when it was
    registered) resolving inside the network, as public_url_problem says of addresses, or no address at all. The
    host is the one the POST connects to (httpx's IDNA form)."""
    if os.environ.get(ALLOW_PRIVATE_ENV) == "1":
        return None
    target = httpx.URL(url)
    host = target.raw_host.decode("ascii")
    try:
        found = socket.getaddrinfo(host, target.port or (443 if target.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        return f"{host} does not resolve ({exc})"  # refused rather than trusted: the POST would resolve it again
    inside = sorted({str(info[4][0]) for info in found if not ipaddress.ip_address(info[4][0]).is_global})
    return f"{host} resolves to {', '.join(inside)}, inside the network" if inside else None


def register(store: Store, url: str, key_id: str | None, clock: Clock = utc_now,
             secret: str | None = None) -> Webhook:
    if not url.startswith(("http://", "https://")):
        raise ValueError("a webhook URL must start with http:// or https://")
    try:
        urlsplit(url).port  # noqa: B018  (raises on a port out of range, which httpx takes as it is)
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise ValueError(f"not a usable URL: {exc}") from None
    hook = Webhook(id="wh_" + secrets.token_hex(6), url=url, secret=secret or secrets.token_urlsafe(24),
                   key_id=key_id, created_at=clock())
    with store.transaction():
        store.save_webhook(hook)
    return hook


def notify_import(store: Store, summary: dict[str, Any], since: datetime, at: datetime,
                  open_change: bool | None = None) -> int:
    """Queue one notification per active webhook (call inside the import's transaction). A change of closed
    records alone (`open_change` False: no open-licence record was written or withdrawn) goes only to the webhooks
    of keys that may read closed data: the source's name and counts would tell the others of it, even where the
    records merged into open places. `feed` is the delta feed of the kind that changed (places when both)."""
    if not (summary.get("new") or summary.get("changed") or summary.get("withdrawn")):
        return 0
    hooks = store.list_webhooks()
    if not hooks:
        return 0  # most hubs: no searches below
    kinds = store.changed_kinds(since)
    in_open = any(kinds.values()) if open_change is None else open_change
    readers = [hook.id for hook in hooks if _reads_closed(store, hook)]
    queued = store.enqueue_notification(_payload(summary, since, at, kinds), at, readers) if readers else 0
    others = [hook.id for hook in hooks if hook.id not in readers]
    if in_open and others:  # the kinds whose open view changed only: another kind's feed would tell of closed data
        opened = {kind: True for kind, changed in kinds.items() if changed}
        # without the import's counts: they count its closed records too (the feed says what changed openly)
        queued += store.enqueue_notification(_payload(summary, since, at, opened or kinds, counts=False), at,
                                             others)
    return queued


def _payload(summary: dict[str, Any], since: datetime, at: datetime, kinds: dict[str, bool],
             counts: bool = True) -> str:
    feeds = {f"{kind}s": f"/api/v1/{kind}s?changed_since={since.isoformat()}"
             for kind in ("place", "event") if kind in kinds or not kinds}
    shown = {name: summary.get(name) if counts else None for name in ("new", "changed", "withdrawn")}
    return orjson.dumps({
        "type": "entities.changed", "source": summary.get("source"), "import_id": summary.get("import_id"),
        **shown,
        "changed_since": since.isoformat(), "at": at.isoformat(), "feed": feeds.get("places") or feeds["events"],
        "feeds": feeds}).decode()


def _reads_closed(store: Store, hook: Webhook) -> bool:
    """Registered by the operator (no key), or by a key that may read closed data."""
    if hook.key_id is None:
        return True
    key = store.get_key(hook.key_id)
    return key is not None and key.revoked_at is None and ("admin" in key.scopes or "closed:read" in key.scopes)


class _Refused(Exception):
    pass


def deliver_due(store: Store, clock: Clock = utc_now, client: httpx.Client | None = None) -> dict[str, int]:
    """Send every due delivery once; failures are rescheduled with exponential backoff."""
    done = {"delivered": 0, "failed": 0, "gave_up": 0}
    due = store.due_deliveries(clock())
    if not due:
        return done  # the usual round: no client (its TLS set-up costs milliseconds of a serving process)
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_S, follow_redirects=False)
    try:
        checked: dict[str, str | None] = {}  # URL → resolved_problem, once per round (a dead DNS server is slow)
        for delivery in due:
            body = delivery.payload.encode()
            url = delivery.webhook.url
            try:
                # a name that looked public at registration may resolve inside the network: not posted to
                if url not in checked:
                    checked[url] = resolved_problem(url)
                if checked[url] is not None:
                    raise _Refused(checked[url])
                response = http.post(url, content=body, headers={
                    "Content-Type": "application/json", SIGNATURE_HEADER: sign(delivery.webhook.secret, body),
                    "X-DatenHub-Delivery": str(delivery.id)})
                error = f"HTTP {response.status_code}" if response.status_code >= 300 else None
            except _Refused as exc:
                error = f"refused: {exc} (DATENHUB_WEBHOOKS_ALLOW_PRIVATE=1 allows inside consumers)"
            except Exception as exc:  # an unusable URL, a transport error: this consumer's failure, no one else's
                error = f"{type(exc).__name__}: {exc}"
            now = clock()
            with store.transaction():
                if error is None:
                    store.finish_delivery(delivery.id, delivered_at=now, next_at=None, error=None)
                    done["delivered"] += 1
                elif delivery.attempts + 1 >= MAX_ATTEMPTS:
                    store.finish_delivery(delivery.id, delivered_at=None, next_at=None, error=error)
                    done["gave_up"] += 1
                else:
                    delay = timedelta(seconds=BASE_DELAY_S * 2 ** delivery.attempts)
                    store.finish_delivery(delivery.id, delivered_at=None, next_at=now + delay, error=error)
                    done["failed"] += 1
    finally:
        if own:
            http.close()
    return done
