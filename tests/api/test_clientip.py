"""Client addresses in the logs: shortened unless the operator asks for whole ones."""

from __future__ import annotations

import pytest

from datenhub.api.clientip import for_log, full_ip, shortened


@pytest.mark.parametrize(("given", "kept"), [
    ("203.0.113.77", "203.0.113.0"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1::"),
    ("::ffff:203.0.113.77", "203.0.113.0"),  # an IPv4 client on a dual-stack socket
    ("127.0.0.1", "127.0.0.0"),
    ("testclient", "testclient"),  # not an address (a test client, a Unix socket): as given
    (None, None),
])
def test_a_logged_address_keeps_the_network_not_the_person(given: str | None, kept: str | None) -> None:
    assert shortened(given) == kept


def test_whole_addresses_only_when_the_operator_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATENHUB_LOG_FULL_IP", raising=False)
    assert not full_ip()
    monkeypatch.setenv("DATENHUB_LOG_FULL_IP", "1")
    assert full_ip() and shortened("203.0.113.77", keep_all=full_ip()) == "203.0.113.77"


def test_an_access_line_keeps_the_whole_address_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATENHUB_LOG_FULL_IP", raising=False)
    assert for_log("2001:db8:1:2::9") == "2001:db8:1::"
    monkeypatch.setenv("DATENHUB_LOG_FULL_IP", "1")
    assert for_log("2001:db8:1:2::9") == "2001:db8:1:2::9"
