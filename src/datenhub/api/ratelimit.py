"""Rate limits per API key and per anonymous client: in-process by default, shared through Redis.

Fixed one-minute windows: simple, predictable for clients (Retry-After says when the window ends) and the
same algorithm on both backends, so several server workers share one budget when Redis is configured.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from datenhub.api.problems import problem
from datenhub.auth.keys import opens, split_key
from datenhub.store.access import ApiKey

WINDOW_S = 60
REDIS_RETRY_S = 30  # after Redis failed, limit per process this long before asking it again
log = logging.getLogger("datenhub.ratelimit")


@dataclass(frozen=True, slots=True)
class Limits:
    anonymous: int = 600  # requests per minute per client address
    keyed: int = 6000  # per API key

    @classmethod
    def from_env(cls) -> Limits:
        return cls(int(os.environ.get("DATENHUB_RATE_LIMIT_ANON", "600")),
                   int(os.environ.get("DATENHUB_RATE_LIMIT_KEY", "6000")))


class MemoryCounter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, window: int) -> int:
        with self._lock:
            if len(self._counts) > 100_000:  # forget old windows; memory stays bounded over days
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            count = self._counts.get((bucket, window), 0) + 1
            self._counts[(bucket, window)] = count
            return count


class RedisCounter:
    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError:
            raise RuntimeError("DATENHUB_REDIS_URL is set, but the redis package is not installed: install "
                               "'datenhub[redis]' (or unset DATENHUB_REDIS_URL to limit per process)") from None
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def hit(self, bucket: str, window: int) -> int:
        key = f"datenhub:rl:{bucket}:{window}"
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW_S * 2)
        count, _ = pipe.execute()
        return int(count)


def make_counter() -> MemoryCounter | RedisCounter:
    url = os.environ.get("DATENHUB_REDIS_URL")
    return RedisCounter(url) if url else MemoryCounter()


class RateLimitMiddleware:
    """Plain ASGI: counts the request in its bucket and answers 429 itself when the bucket is full."""

    def __init__(self, app: ASGIApp, limits: Limits, counter: MemoryCounter | RedisCounter,
                 now: Callable[[], float]) -> None:
        self.app, self.limits, self.counter, self.now = app, limits, counter, now
        self.fallback = MemoryCounter()
        self.shared_down_until = 0.0  # Redis failed: per-process counts until then (no timeout on every request)
        self.known_keys: dict[str, tuple[ApiKey | None, float]] = {}  # key id → (its stored key, when looked up)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBES:
            # a load balancer's probe from a busy address must not take a healthy node out of rotation
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        presented = (headers.get(b"authorization") or headers.get(b"x-api-key") or b"").decode("latin-1")
        if presented[:7].lower() == "bearer ":
            presented = presented[7:]
        parts = split_key(presented) if presented else None
        # a key's budget for its holder only: a made-up id got a keyed budget of its own per request, and a real
        # id with a made-up secret spent the key's (and locked its holder out)
        key_id = parts[0] if parts is not None and opens(self._key(scope, parts[0]), parts[1]) else None
        client = scope.get("client")
        bucket = f"key:{key_id}" if key_id else f"ip:{client[0] if client else '-'}"
        allowed = self.limits.keyed if key_id else self.limits.anonymous
        t = self.now()
        window = int(t // WINDOW_S)
        count = self._count(bucket, window, t)
        if count > allowed:
            retry = max(1, math.ceil((window + 1) * WINDOW_S - t))
            response = problem(429, "Too Many Requests", f"limit is {allowed} requests per minute",
                               {"Retry-After": str(retry)})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _count(self, bucket: str, window: int, t: float) -> int:
        if isinstance(self.counter, MemoryCounter):
            return self.counter.hit(bucket, window)
        if t < self.shared_down_until:
            return self.fallback.hit(bucket, window)
        try:
            return self.counter.hit(bucket, window)
        except Exception as exc:  # Redis down: limit per process rather than fail (or wait on) every request
            self.shared_down_until = t + REDIS_RETRY_S
            log.warning("rate limits: Redis (DATENHUB_REDIS_URL) did not answer (%s); each server process limits "
                        "on its own for %d s, then asks Redis again", exc, REDIS_RETRY_S)
            return self.fallback.hit(bucket, window)

    def _key(self, scope: Scope, key_id: str) -> ApiKey | None:
        """The stored key of this id (its secret's hash, whether it is revoked), remembered for a minute."""
        now = self.now()
        known = self.known_keys.get(key_id)
        if known is not None and now - known[1] < WINDOW_S:
            return known[0]
        store = getattr(getattr(scope.get("app"), "state", None), "store", None)
        try:
            key = store.get_key(key_id) if store is not None else None
        except Exception:  # the database away: the auth layer answers for it
            return None
        if len(self.known_keys) > 10_000:
            self.known_keys.clear()
        self.known_keys[key_id] = (key, now)
        return key  # type: ignore[no-any-return]


PROBES = frozenset({"/health", "/ready"})


def install(app: FastAPI, limits: Limits | None = None, counter: MemoryCounter | RedisCounter | None = None,
            now: Callable[[], float] = time.time) -> None:
    app.add_middleware(RateLimitMiddleware, limits=limits or Limits.from_env(), counter=counter or make_counter(),
                       now=now)
