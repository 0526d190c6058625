"""The class server's walls that are not a page: the session cookie, who a request comes from (proxies
trusted only when named), and the limits on signing in and on a trainee's work. Sessions themselves are
held in the store (classroom.sessions): the cookie carries only a random id.

The limits are kept in memory: a class server is one process, and a restart forgetting them is harmless.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

COOKIE = "linklab_session"


def cookie_header(value: str, max_age: int) -> str:
    """HttpOnly: scripts cannot read it; SameSite=Strict: other sites' pages do not send it."""
    return f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"


def cookie_value(header: str) -> str | None:
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


# ---------------------------------------------------------------- who a request comes from

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(addresses: list[str]) -> list[Network]:
    """Trusted proxies from `--trusted-proxy` / LINKLAB_TRUSTED_PROXIES: addresses or networks (10.0.0.0/8).
    ValueError names the one that is neither."""
    found = []
    for text in addresses:
        text = text.strip()
        if text:
            try:
                found.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(f"{text!r} is not an IP address or network") from None
    return found


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_address(peer: str, forwarded_for: str | None, trusted: list[Network]) -> str:
    """The address a request comes from. X-Forwarded-For counts only when the peer is a trusted proxy, and
    then only up to the first hop that is not one, read from the right (the entries to its left were
    written by the client and prove nothing)."""
    address = ip(peer)

    def is_trusted(a) -> bool:
        return a is not None and any(a in network for network in trusted)

    if not is_trusted(address) or not forwarded_for:
        return str(address) if address else peer
    for hop in reversed(forwarded_for.split(",")):
        hop_address = ip(hop)
        if hop_address is None:  # not an address: the hops before it are not worth more
            break
        address = hop_address
        if not is_trusted(hop_address):
            break
    return str(address)


def is_this_machine(address: str) -> bool:
    found = ip(address)
    return bool(found and found.is_loopback)


# ---------------------------------------------------------------- limits


class Backoff:
    """Failed sign-ins per key (an address, or the instructor's account): the first `free` cost nothing;
    after them, every attempt waits a delay that doubles from `first_s` up to `most_s` after the latest
    failure. Failures older than `window_s` are forgotten. Nobody is locked out: the wait is bounded."""

    def __init__(self, free: int, first_s: float, most_s: float, window_s: float = 900.0):
        self.free, self.first_s, self.most_s, self.window_s = free, first_s, most_s, window_s
        self.failures: dict[str, deque] = {}
        self.lock = threading.Lock()
        # enough failures to reach the longest delay; older ones change nothing
        self.kept = free + 1 + max(0, math.ceil(math.log2(max(most_s / first_s, 1))))

    def wait(self, key: str) -> int:
        """Seconds until `key` may try again (0: now)."""
        with self.lock:
            recent = self._recent(key)
            if len(recent) < self.free:
                return 0
            delay = min(self.first_s * 2 ** (len(recent) - self.free), self.most_s)
            return max(0, math.ceil(recent[-1] + delay - time.monotonic()))

    def failed(self, key: str) -> None:
        with self.lock:
            now = time.monotonic()
            self._recent(key).append(now)
            if len(self.failures) > 10_000:  # many addresses: forget those with nothing recent
                for other in [k for k, d in self.failures.items() if not d or d[-1] < now - self.window_s]:
                    del self.failures[other]

    def cleared(self, key: str) -> None:
        with self.lock:
            self.failures.pop(key, None)

    def _recent(self, key: str) -> deque:
        recent = self.failures.setdefault(key, deque(maxlen=self.kept))
        while recent and recent[0] <= time.monotonic() - self.window_s:
            recent.popleft()
        return recent


class OneAtATime:
    """Requests of one key (the sign-ins of one address) taken one at a time, in the order they came: the
    limit is read and the failure counted before the next is looked at, so a burst of guesses sent at once
    meets the same limit as guesses sent one by one, and a room that joins at once is only queued."""

    def __init__(self):
        self.locks: dict[str, asyncio.Lock] = {}
        self.waiting: Counter = Counter()

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        lock = self.locks.setdefault(key, asyncio.Lock())
        self.waiting[key] += 1
        try:
            async with lock:
                yield
        finally:
            self.waiting[key] -= 1
            if not self.waiting[key]:  # nobody else queued: forget the key
                del self.waiting[key], self.locks[key]


class RateLimit:
    """At most `count` events per `window_s` seconds for each key (a sliding window)."""

    def __init__(self, count: int, window_s: float = 60.0):
        self.count, self.window_s = count, window_s
        self.events: dict[str, deque] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for `key`, unless the window is full already (then False)."""
        with self.lock:
            recent = self.events.setdefault(key, deque())
            while recent and recent[0] <= time.monotonic() - self.window_s:
                recent.popleft()
            if len(recent) >= self.count:
                return False
            recent.append(time.monotonic())
            return True


class InFlight:
    """At most `limit` requests of one key running at once (a trainee's runs and checks)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.running: Counter = Counter()
        self.lock = threading.Lock()

    def enter(self, key: str) -> bool:
        with self.lock:
            if self.running[key] >= self.limit:
                return False
            self.running[key] += 1
            return True

    def leave(self, key: str) -> None:
        with self.lock:
            self.running[key] -= 1
            if self.running[key] <= 0:
                del self.running[key]
