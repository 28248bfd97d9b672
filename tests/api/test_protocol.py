"""TCP_NODELAY on every served connection: without it, several workers answered ~23 requests/s per connection."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from datenhub.api.protocol import NoDelayHttpToolsProtocol, no_delay
from datenhub.cli import app


class _Transport(asyncio.Transport):
    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.sock if name == "socket" else default


def test_no_delay_on_a_socket_uvicorn_binds_for_several_workers() -> None:
    # uvicorn's own listening socket says protocol 0, so asyncio leaves Nagle on for what it accepts
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.proto == 0 and client is not None
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
                no_delay(_Transport(accepted))
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_no_delay_leaves_unix_sockets_alone() -> None:
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        no_delay(_Transport(left))  # no error: there is nothing to switch off


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_runs_the_no_delay_protocol(workers: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.api import accesslog
    from datenhub.cli import serve

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(serve, "start_delivery_thread", lambda store: None)
    monkeypatch.setenv("DATENHUB_DATABASE_URL", "sqlite:///unused.db")  # serve sets it for its workers: restored
    # serve points the datenhub logger at the runner's stream, which closes with the invocation
    monkeypatch.setattr(logging.getLogger("datenhub"), "handlers", [])
    monkeypatch.setattr(accesslog, "SINK", None)  # and its access log there too
    from datenhub.store import open_store

    open_store(f"sqlite:///{tmp_path / 'hub.db'}").close()  # serve serves a hub that is there
    result = CliRunner().invoke(app, ["serve", "--db", f"sqlite:///{tmp_path / 'hub.db'}", "--workers", workers])
    assert result.exit_code == 0, result.output
    assert seen["http"] is NoDelayHttpToolsProtocol
