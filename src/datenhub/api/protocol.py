"""The HTTP protocol `datenhub serve` runs: uvicorn's httptools protocol with TCP_NODELAY on every connection.

With several workers uvicorn binds the listening socket itself (protocol number 0), and asyncio only disables
Nagle's algorithm on sockets that say IPPROTO_TCP: every keep-alive response then waited for the client's
delayed ACK, about 40 ms, which held each connection to ~23 requests/s. Setting the option here makes one and
several workers behave alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def no_delay(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # a Unix socket (behind a reverse proxy) has no Nagle to switch off
    with contextlib.suppress(OSError):  # the peer is already gone; the protocol notices on its own
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport)
        super().connection_made(transport)
