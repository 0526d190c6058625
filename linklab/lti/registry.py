"""What the class server knows about LMS platforms, kept in the store (`.linklab/linklab.db`) beside the
accounts, so the CLI, the console and the lab process agree:

- lti_platforms / lti_deployments: the platforms the instructor registered (issuer, client id, endpoints)
  and the deployments of each that may launch;
- lti_states / lti_nonces: a login's state and nonce, each used once (a replayed launch is refused);
- lti_users: which trainee an LMS user is, per course (issuer + the LMS's stable user id, `sub`);
- lti_contexts / lti_members: the LMS courses that launched into a course, with their grade and roster
  endpoints, and who launched from where (scores go back to those);
- lti_lineitems: the gradebook column made for each exercise (or the course), found again, never duplicated;
- lti_outbox: scores waiting to be sent, with their tries and last error (grades.py sends them);
- lti_deeplinks: an instructor's Deep Linking request, until they pick the exercises.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass

from ..errors import LinklabError
from ..recordstore import connect

def store() -> sqlite3.Connection:
    return connect()


@contextmanager
def writing(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


# ---------------------------------------------------------------- platforms


@dataclass(frozen=True)
class Platform:
    issuer: str
    client_id: str
    auth_url: str
    token_url: str
    jwks_url: str
    name: str = ""
    deployments: tuple[str, ...] = ()


def check_url(what: str, url: str) -> str:
    url = url.strip()
    if not url.startswith(("https://", "http://")):
        raise LinklabError(f"{what} {url!r} is not a web address (https://...)")
    return url


def register(issuer: str, client_id: str, deployments: list[str], auth_url: str, token_url: str, jwks_url: str,
             name: str = "") -> Platform:
    """Register a platform (or update it: its endpoints are replaced, deployments are added)."""
    issuer, client_id = issuer.strip(), client_id.strip()
    if not issuer or not client_id:
        raise LinklabError("a platform needs its issuer (platform ID) and the client ID it gave linklab")
    deployments = [d.strip() for d in deployments if d.strip()]
    if not deployments:
        raise LinklabError("name at least one deployment ID (the LMS shows it once the tool is added to a course "
                           "or site)")
    urls = [check_url(what, url) for what, url in (("--auth-url", auth_url), ("--token-url", token_url),
                                                   ("--jwks-url", jwks_url))]
    with closing(store()) as db, writing(db):
        db.execute("INSERT INTO lti_platforms VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (issuer, client_id) DO UPDATE "
                   "SET auth_url = excluded.auth_url, token_url = excluded.token_url, jwks_url = excluded.jwks_url, "
                   "name = excluded.name", (issuer, client_id, *urls, name.strip(), time.time()))
        db.executemany("INSERT OR IGNORE INTO lti_deployments VALUES (?, ?, ?)",
                       [(issuer, client_id, d) for d in deployments])
    return platform(issuer, client_id)


def remove(issuer: str, client_id: str) -> bool:
    with closing(store()) as db, writing(db):
        db.execute("DELETE FROM lti_deployments WHERE issuer = ? AND client_id = ?", (issuer, client_id))
        return db.execute("DELETE FROM lti_platforms WHERE issuer = ? AND client_id = ?",
                          (issuer, client_id)).rowcount > 0


def platforms() -> list[Platform]:
    with closing(store()) as db:
        rows = db.execute("SELECT issuer, client_id FROM lti_platforms ORDER BY issuer, client_id").fetchall()
    return [platform(*row) for row in rows]


def platform(issuer: str, client_id: str | None = None) -> Platform | None:
    """The registration of `issuer` (and `client_id`; without it, the only one of that issuer)."""
    with closing(store()) as db:
        if client_id:
            rows = db.execute("SELECT * FROM lti_platforms WHERE issuer = ? AND client_id = ?",
                              (issuer, client_id)).fetchall()
        else:
            rows = db.execute("SELECT * FROM lti_platforms WHERE issuer = ?", (issuer,)).fetchall()
        if len(rows) != 1:
            return None
        issuer, client_id, auth, token, jwks, name, _ = rows[0]
        deployments = tuple(d for (d,) in db.execute("SELECT deployment_id FROM lti_deployments WHERE issuer = ? "
                                                     "AND client_id = ? ORDER BY deployment_id", (issuer, client_id)))
    return Platform(issuer, client_id, auth, token, jwks, name, deployments)


# ---------------------------------------------------------------- states and nonces: each used once


def save_state(state: str, nonce: str, issuer: str, client_id: str, lifetime_s: float = 600) -> None:
    now = time.time()
    with closing(store()) as db, writing(db):
        db.execute("DELETE FROM lti_states WHERE expires <= ?", (now,))
        db.execute("INSERT INTO lti_states VALUES (?, ?, ?, ?, ?)", (digest(state), nonce, issuer, client_id,
                                                                     now + lifetime_s))


def take_state(state: str) -> tuple[str, str, str] | None:
    """(nonce, issuer, client_id) of a login's state, once: it is deleted as it is read."""
    with closing(store()) as db, writing(db):
        row = db.execute("SELECT nonce, issuer, client_id, expires FROM lti_states WHERE state_sha256 = ?",
                         (digest(state),)).fetchone()
        db.execute("DELETE FROM lti_states WHERE state_sha256 = ?", (digest(state),))
    if row is None or row[3] <= time.time():
        return None
    return row[0], row[1], row[2]


def use_nonce(issuer: str, nonce: str, lifetime_s: float = 86400) -> bool:
    """True the first time a platform's nonce is seen (it is kept for a day); False for a replay."""
    now = time.time()
    with closing(store()) as db, writing(db):
        db.execute("DELETE FROM lti_nonces WHERE expires <= ?", (now,))
        try:
            db.execute("INSERT INTO lti_nonces VALUES (?, ?, ?)", (issuer, nonce, now + lifetime_s))
        except sqlite3.IntegrityError:
            return False
    return True


# ---------------------------------------------------------------- users, contexts, members


def trainee_of(db: sqlite3.Connection, course: str, issuer: str, sub: str) -> str | None:
    row = db.execute("SELECT name FROM lti_users WHERE course = ? AND issuer = ? AND sub = ?",
                     (course, issuer, sub)).fetchone()
    return row[0] if row else None


def link_user(db: sqlite3.Connection, course: str, issuer: str, sub: str, name: str) -> None:
    db.execute("INSERT INTO lti_users VALUES (?, ?, ?, ?) ON CONFLICT (course, issuer, sub) DO UPDATE SET "
               "name = excluded.name", (course, issuer, sub, name))


def rename_user(db: sqlite3.Connection, course: str, old: str, new: str) -> None:
    """The instructor renamed a trainee (accounts.rename, in its transaction): their LMS identity follows."""
    if not _has_table(db):
        return
    db.execute("UPDATE lti_users SET name = ? WHERE course = ? AND name = ?", (new, course, old))
    db.execute("UPDATE lti_outbox SET trainee = ? WHERE course = ? AND trainee = ?", (new, course, old))


def forget_user(db: sqlite3.Connection, course: str, name: str) -> None:
    """The instructor removed a trainee (accounts.remove): their LMS identity and unsent scores go too."""
    if not _has_table(db):
        return
    db.execute("DELETE FROM lti_users WHERE course = ? AND name = ?", (course, name))
    db.execute("DELETE FROM lti_outbox WHERE course = ? AND trainee = ? AND sent_at IS NULL", (course, name))


def _has_table(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lti_users'").fetchone() is not None


@dataclass(frozen=True)
class Context:
    """An LMS course that launched into a linklab course, with its endpoints (empty when not offered)."""
    course: str
    issuer: str
    client_id: str
    deployment_id: str
    context_id: str
    title: str
    lineitems_url: str
    scopes: str
    memberships_url: str

    @property
    def can_post_scores(self) -> bool:
        return bool(self.lineitems_url) and SCORE_SCOPE in self.scopes.split()


SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
ROSTER_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def remember_context(context: Context, sub: str | None) -> None:
    """What a launch said about its LMS course (kept fresh: the latest launch wins), and that `sub` launched
    from it."""
    with closing(store()) as db, writing(db):
        db.execute("INSERT INTO lti_contexts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                   "title = excluded.title, lineitems_url = excluded.lineitems_url, scopes = excluded.scopes, "
                   "memberships_url = excluded.memberships_url, seen = excluded.seen",
                   (context.course, context.issuer, context.client_id, context.deployment_id, context.context_id,
                    context.title, context.lineitems_url, context.scopes, context.memberships_url, time.time()))
        if sub:
            db.execute("INSERT OR IGNORE INTO lti_members VALUES (?, ?, ?, ?, ?, ?)",
                       (context.course, context.issuer, context.client_id, context.deployment_id,
                        context.context_id, sub))


def contexts(course: str) -> list[Context]:
    with closing(store()) as db:
        rows = db.execute("SELECT course, issuer, client_id, deployment_id, context_id, title, lineitems_url, "
                          "scopes, memberships_url FROM lti_contexts WHERE course = ? ORDER BY seen", (course,))
        return [Context(*row) for row in rows.fetchall()]


def where_scores_go(course: str, trainee: str) -> list[tuple[Context, str]]:
    """(LMS course, the trainee's user id there) for every LMS course the trainee launched from, or was
    listed in, that takes scores."""
    with closing(store()) as db:
        rows = db.execute(
            "SELECT c.course, c.issuer, c.client_id, c.deployment_id, c.context_id, c.title, c.lineitems_url, "
            "c.scopes, c.memberships_url, u.sub FROM lti_users u JOIN lti_members m ON m.course = u.course AND "
            "m.issuer = u.issuer AND m.sub = u.sub JOIN lti_contexts c ON c.course = m.course AND c.issuer = m.issuer "
            "AND c.client_id = m.client_id AND c.deployment_id = m.deployment_id AND c.context_id = m.context_id "
            "WHERE u.course = ? AND u.name = ?", (course, trainee)).fetchall()
    found = [(Context(*row[:9]), row[9]) for row in rows]
    return [(context, sub) for context, sub in found if context.can_post_scores]


def add_member(context: Context, sub: str) -> None:
    with closing(store()) as db:
        db.execute("INSERT OR IGNORE INTO lti_members VALUES (?, ?, ?, ?, ?, ?)",
                   (context.course, context.issuer, context.client_id, context.deployment_id, context.context_id, sub))


# ---------------------------------------------------------------- line items


def known_lineitem(lineitems_url: str, resource_id: str) -> str | None:
    with closing(store()) as db:
        row = db.execute("SELECT lineitem_url FROM lti_lineitems WHERE lineitems_url = ? AND resource_id = ?",
                         (lineitems_url, resource_id)).fetchone()
    return row[0] if row else None


def remember_lineitem(lineitems_url: str, resource_id: str, lineitem_url: str) -> None:
    with closing(store()) as db:
        db.execute("INSERT INTO lti_lineitems VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET "
                   "lineitem_url = excluded.lineitem_url", (lineitems_url, resource_id, lineitem_url))


def forget_lineitem(lineitems_url: str, resource_id: str) -> None:
    with closing(store()) as db:
        db.execute("DELETE FROM lti_lineitems WHERE lineitems_url = ? AND resource_id = ?", (lineitems_url, resource_id))


# ---------------------------------------------------------------- deep linking requests


def save_deeplink(ticket: str, course: str, issuer: str, client_id: str, deployment_id: str, return_url: str,
                  data: str, lifetime_s: float = 3600) -> None:
    with closing(store()) as db:
        db.execute("INSERT INTO lti_deeplinks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (digest(ticket), course, issuer, client_id, deployment_id, return_url, data,
                    time.time() + lifetime_s))


def deeplink(ticket: str, course: str) -> dict | None:
    with closing(store()) as db:
        row = db.execute("SELECT issuer, client_id, deployment_id, return_url, data, expires FROM lti_deeplinks "
                         "WHERE ticket_sha256 = ? AND course = ?", (digest(ticket), course)).fetchone()
    if row is None or row[5] <= time.time():
        return None
    return dict(zip(("issuer", "client_id", "deployment_id", "return_url", "data"), row[:5]))


def drop_deeplink(ticket: str) -> None:
    with closing(store()) as db:
        db.execute("DELETE FROM lti_deeplinks WHERE ticket_sha256 = ?", (digest(ticket),))


def contexts_by_lineitems(issuer: str, client_id: str, lineitems_url: str) -> list[Context]:
    with closing(store()) as db:
        rows = db.execute("SELECT course, issuer, client_id, deployment_id, context_id, title, lineitems_url, scopes, "
                          "memberships_url FROM lti_contexts WHERE issuer = ? AND client_id = ? AND lineitems_url = ?",
                          (issuer, client_id, lineitems_url))
        return [Context(*row) for row in rows.fetchall()]
