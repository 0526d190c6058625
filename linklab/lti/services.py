"""The platform's LTI Advantage services, over HTTP (the standard library's urllib): an access token from the
token endpoint (OAuth 2 client credentials with a JWT client assertion signed by the tool's key), line items
and scores (Assignment and Grade Services), and the course's members (Names and Role Provisioning).

Every failure is a ServiceError with one line saying which endpoint and what it answered."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from . import keys

TIMEOUT_S = 10
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
MEMBERS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_BODY = 4 << 20  # a platform's answer larger than this is not read


class ServiceError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def request(method: str, url: str, body: dict | bytes | None = None, headers: dict | None = None,
            ) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one HTTP request; ServiceError for a network failure or a status >= 400."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as response:
            return response.status, dict(response.headers), response.read(MAX_BODY)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip().splitlines()
        raise ServiceError(f"{method} {url} answered {exc.code}" + (f": {detail[0][:200]}" if detail else ""),
                           exc.code) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ServiceError(f"{method} {url} failed: {reason}") from None


def get_json(url: str, token: str | None = None, accept: str = "application/json") -> dict:
    return decoded(url, request("GET", url, headers=auth({"Accept": accept}, token))[2])


def decoded(url: str, body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        raise ServiceError(f"{url} did not answer JSON") from None


def auth(headers: dict, token: str | None) -> dict:
    return {**headers, "Authorization": f"Bearer {token}"} if token else headers


# ---------------------------------------------------------------- access tokens

_tokens: dict[tuple, tuple[float, str]] = {}
_tokens_lock = threading.Lock()


def access_token(token_url: str, client_id: str, scopes: list[str]) -> str:
    """A bearer token for `scopes`, kept until a minute before it expires."""
    key = (token_url, client_id, tuple(sorted(scopes)))
    with _tokens_lock:
        cached = _tokens.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    now = int(time.time())
    assertion = keys.sign({"iss": client_id, "sub": client_id, "aud": token_url, "iat": now, "exp": now + 300,
                           "jti": secrets.token_urlsafe(16)})
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                                   "client_assertion": assertion, "scope": " ".join(scopes)}).encode()
    _, _, body = request("POST", token_url, form, {"Content-Type": "application/x-www-form-urlencoded",
                                                   "Accept": "application/json"})
    answer = decoded(token_url, body)
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str):
        raise ServiceError(f"{token_url} gave no access token")
    lifetime = answer.get("expires_in", 3600)
    with _tokens_lock:
        _tokens[key] = (time.monotonic() + max(0, float(lifetime) - 60), token)
    return token


def forget_tokens() -> None:
    with _tokens_lock:
        _tokens.clear()


# ---------------------------------------------------------------- line items and scores


def with_path(url: str, suffix: str) -> str:
    """`url` with `suffix` added to its path, its query kept (a line item URL may carry one)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def find_lineitem(lineitems_url: str, resource_id: str, token: str) -> str | None:
    """The line item of the container tagged with our resource id, if the platform has one."""
    items = get_json(with_query(lineitems_url, resource_id=resource_id), token, LINEITEMS)
    if not isinstance(items, list):
        raise ServiceError(f"{lineitems_url} did not answer a list of line items")
    for item in items:
        if isinstance(item, dict) and item.get("resourceId") == resource_id and isinstance(item.get("id"), str):
            return item["id"]
    return None


def create_lineitem(lineitems_url: str, resource_id: str, label: str, score_max: float, token: str) -> str:
    body = {"scoreMaximum": score_max, "label": label, "resourceId": resource_id, "tag": "linklab"}
    _, _, answer = request("POST", lineitems_url, body, auth({"Content-Type": LINEITEM, "Accept": LINEITEM}, token))
    item = decoded(lineitems_url, answer)
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise ServiceError(f"{lineitems_url} made a line item without an id")
    return item["id"]


def post_score(lineitem_url: str, user_id: str, score: float, score_max: float, token: str) -> None:
    body = {"userId": user_id, "scoreGiven": score, "scoreMaximum": score_max, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"}
    request("POST", with_path(lineitem_url, "/scores"), body, auth({"Content-Type": SCORE}, token))


# ---------------------------------------------------------------- the roster


def members(memberships_url: str, token: str, most_pages: int = 50) -> list[dict]:
    """Every member of the LMS course, following the `next` links of a paged answer."""
    found, url = [], memberships_url
    for _ in range(most_pages):
        _, headers, body = request("GET", url, headers=auth({"Accept": MEMBERS}, token))
        page = decoded(url, body)
        if not isinstance(page, dict) or not isinstance(page.get("members"), list):
            raise ServiceError(f"{url} did not answer a membership container")
        found += [m for m in page["members"] if isinstance(m, dict)]
        url = next_link(headers)
        if not url:
            break
    return found


def next_link(headers: dict) -> str | None:
    for name, value in headers.items():
        if name.lower() == "link":
            for part in value.split(","):
                if 'rel="next"' in part:
                    return part.split(";")[0].strip().strip("<>")
    return None
