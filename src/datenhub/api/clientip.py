"""A client's address as the logs keep it: shortened, as German data protection practice asks of web servers.

An IP address is personal data (GDPR). An access log needs to tell networks apart (abuse, a broken app in one
place), not people, so by default it keeps an IPv4 address's first three bytes and an IPv6 address's first 48 bits
(`203.0.113.0`, `2001:db8:1::`), as the BSI and the German data protection authorities recommend for web server
logs. An operator who must keep whole addresses (a contract, a court order) sets DATENHUB_LOG_FULL_IP=1.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache

FULL_IP_ENV = "DATENHUB_LOG_FULL_IP"
IPV4_PREFIX = 24
IPV6_PREFIX = 48


def full_ip() -> bool:
    return os.environ.get(FULL_IP_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def shortened(address: str | None, keep_all: bool = False) -> str | None:
    """`address` as a log keeps it; a value that is no IP address (a Unix socket's name, "testclient") as given."""
    if address is None or keep_all:
        return address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # "::ffff:203.0.113.7", as a dual-stack socket reports an IPv4 client
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def for_log(address: str | None) -> str | None:
    """`address` as an access line keeps it: shortened unless DATENHUB_LOG_FULL_IP is set."""
    return address if full_ip() else _shortened(address)


@lru_cache(maxsize=4096)  # a server sees the same clients again and again: parse each once
def _shortened(address: str | None) -> str | None:
    return shortened(address)
