"""Sessions of a class server: who a request is, in a signed cookie; a CSRF token per session; a rate
limit per trainee.

The cookie holds {role, course, name, csrf, expires} and an HMAC-SHA256 of it under a key kept in the
store (accounts.session_key): nobody can make or change one without that key. It is HttpOnly (scripts
cannot read it) and SameSite=Strict (other sites' pages do not send it). Every request that changes
something must also carry the session's CSRF token in X-CSRF-Token, which only the lab's own pages learn
(from /api/me).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass

COOKIE = "linklab_session"
LIFETIME_S = 12 * 3600  # a class day


@dataclass(frozen=True)
class Session:
    role: str  # "trainee" or "instructor"
    course: str
    name: str
    csrf: str
    expires: float

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


def new_session(role: str, course: str, name: str) -> Session:
    return Session(role, course, name, secrets.token_urlsafe(24), time.time() + LIFETIME_S)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(session: Session, key: bytes) -> str:
    body = b64(json.dumps(asdict(session), separators=(",", ":")).encode())
    return body + "." + b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def read(cookie: str | None, key: bytes) -> Session | None:
    """The session in a cookie, or None when it is missing, forged, damaged or expired."""
    if not cookie or "." not in cookie:
        return None
    body, mac = cookie.rsplit(".", 1)
    expected = b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        session = Session(**json.loads(unb64(body)))
    except (ValueError, TypeError):
        return None
    return session if session.expires > time.time() else None


def cookie_header(value: str, max_age: int = LIFETIME_S) -> str:
    return f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"


class RateLimit:
    """At most `count` events per `window_s` seconds for each key (a sliding window, in memory: a class
    server is one process)."""

    def __init__(self, count: int, window_s: float = 60.0):
        self.count, self.window_s = count, window_s
        self.events: dict[str, deque] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for `key`, unless the window is full already (then False)."""
        with self.lock:
            if self._full(key):
                return False
            self.events[key].append(time.monotonic())
            return True

    def full(self, key: str) -> bool:
        with self.lock:
            return self._full(key)

    def note(self, key: str) -> None:
        with self.lock:
            self._full(key)
            self.events[key].append(time.monotonic())

    def _full(self, key: str) -> bool:
        recent = self.events.setdefault(key, deque())
        while recent and recent[0] <= time.monotonic() - self.window_s:
            recent.popleft()
        return len(recent) >= self.count
