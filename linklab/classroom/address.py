"""The address trainees type (or scan) to reach the class lab, shown on the console with a QR code made here
(segno, pure Python: no network, no CDN).

In order: the public address the instructor gave (--public-url, for a lab behind a TLS proxy); the address the
lab listens on, when it is one; the address the console itself was opened at, when that is not this machine's
loopback; else this machine's own network addresses. A lab that listens on loopback only can be reached from
this machine alone, and the console says so.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import segno

WILDCARDS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class Address:
    url: str
    room_can_reach: bool  # False: the lab listens on loopback only
    qr_svg: str  # a data: URI of the QR code of `url`


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def machine_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (from its own name: no packet is sent)."""
    try:
        found = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({info[4][0] for info in found if not is_loopback(info[4][0])})


def url_of(host: str, port: int) -> str:
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{host}:{port}/"


def trainees_address(listen_host: str, port: int, public_url: str | None, opened_at: str | None) -> Address:
    """`opened_at`: the Host header the console was opened with (host[:port])."""
    if public_url:
        url = public_url.rstrip("/") + "/"
        return Address(url, True, qr(url))
    if is_loopback(listen_host):
        url = url_of(listen_host, port)
        return Address(url, False, qr(url))
    if listen_host not in WILDCARDS:
        url = url_of(listen_host, port)
        return Address(url, True, qr(url))
    host = (opened_at or "").rsplit(":", 1)[0] if opened_at and not opened_at.endswith("]") else (opened_at or "")
    if host and not is_loopback(host):
        url = f"http://{opened_at}/"
        return Address(url, True, qr(url))
    addresses = machine_addresses()
    url = url_of(addresses[0], port) if addresses else url_of("127.0.0.1", port)
    return Address(url, bool(addresses), qr(url))


def qr(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)
