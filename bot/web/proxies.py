"""Who is asking: the client's address, believing ``X-Forwarded-For`` only from our own proxies.

The header is whatever the sender wrote, so taking it from anyone lets a guesser pick a new
address for every try and walk past the per-address sign-in limit. ``CAREVOICE_TRUSTED_PROXIES``
lists the proxies (addresses or CIDR ranges) whose word we take; by default nobody's. The
header is read from the right: each hop appends the address it saw, so the first address from
the right that is not one of our proxies is the client. ``carevoice serve`` turns off uvicorn's
own header handling, which believes any proxy on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BadProxySetting(ValueError):
    pass


def parse_trusted(setting: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 192.168.0.0/16"`` → networks; raises ``BadProxySetting`` on a bad entry."""
    networks = []
    for entry in (part.strip() for part in setting.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise BadProxySetting(
                f"CAREVOICE_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR range"
            ) from None
    return tuple(networks)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, trusted: tuple[Network, ...]) -> str:
    peer = request.client.host if request.client else "unknown"
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(hop, trusted):
            return hop[:64]  # stored only as a keyed hash, but never unbounded
    return peer
