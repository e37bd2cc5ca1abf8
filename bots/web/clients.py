"""Who the client is: its address, read from X-Forwarded-For only when the request came through a proxy
listed in CNHT_TRUSTED_PROXIES (anyone else could write any address there and dodge the rate limits)."""
from __future__ import annotations

from fastapi import Request


def client_address(request: Request) -> str:
    """The client's address: the peer, or — behind a trusted proxy — the last address in X-Forwarded-For
    that is not itself a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.context.settings.proxies()
    if peer not in trusted:
        return peer
    forwarded = [a.strip() for a in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address[:64]
    return peer
