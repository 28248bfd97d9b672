"""The HTTP protocol `datenhub serve` runs: uvicorn's httptools protocol with TCP_NODELAY on every connection.

With several workers uvicorn binds the listening socket itself (protocol number 0), and asyncio only disables
Nagle's algorithm on sockets that say IPPROTO_TCP: every keep-alive response then waited for the client's
delayed ACK, about 40 ms, which held each connection to ~23 requests/s. Setting the option here makes one and
several workers behave alike.

It also answers requests the HTTP parser refuses (a request line or headers beyond its buffers, bytes that are
not HTTP) with a problem+json body, as the app answers everything else, instead of uvicorn's plain text.
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

    def send_400_response(self, msg: str) -> None:
        """uvicorn calls this when httptools refuses the bytes; the URL read so far tells a target too long."""
        from datenhub.api.middleware import MAX_TARGET
        from datenhub.api.problems import PROBLEM, problem

        status, title, detail = 400, "Bad Request", "the request is not valid HTTP/1.1"
        if len(getattr(self, "url", b"")) > MAX_TARGET:
            status, title = 414, "URI Too Long"
            detail = f"the request target is longer than {MAX_TARGET} bytes; send fewer or shorter parameters"
        body = bytes(problem(status, title, detail).body)  # the one spelling of a problem body
        head = [f"HTTP/1.1 {status} {title}\r\n".encode("ascii")]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [f"content-type: {PROBLEM}\r\n".encode("ascii"), b"content-length: %d\r\n" % len(body),
                 b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
