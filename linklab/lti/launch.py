"""An LTI 1.3 launch, tool side: the OIDC third-party login initiation, then the platform's id_token, checked
as the IMS Security Framework asks before anything is believed:

1. the state was made by this server's login initiation, within 10 minutes, and is used once;
2. the token is signed (RS256) by a key of the platform's JWKS (fetched from the registered URL);
3. its issuer is the state's platform, its audience is our client id (with `azp` when there are several);
4. it has not expired (a minute of clock difference allowed) and was not issued in the future;
5. its nonce is the one sent with the state, seen for the first time (a replay is refused);
6. its deployment is registered, it is LTI 1.3.0, a message linklab handles, and it names the user.

A refusal is an LtiError with a Problem (an enum); decisions never read its words.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from enum import Enum

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from ..errors import LinklabError
from ..feedback import lti_message
from . import keys, registry, services

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
LEEWAY_S = 60  # clocks of the LMS and of this machine may differ by this much
# Roles that open the console (the LMS's teachers); everyone else is a trainee.
INSTRUCTOR_ROLES = ("membership#Instructor", "membership#Administrator", "membership#ContentDeveloper",
                    "membership/Instructor#TeachingAssistant", "institution/person#Administrator",
                    "system/person#Administrator")


class Problem(Enum):
    UNKNOWN_PLATFORM = "unknown_platform"
    UNKNOWN_DEPLOYMENT = "unknown_deployment"
    STATE = "state"
    BAD_TOKEN = "bad_token"
    BAD_SIGNATURE = "bad_signature"
    KEYS_UNREACHABLE = "keys_unreachable"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired"
    REPLAYED = "replayed"
    MESSAGE = "message"
    NO_USER = "no_user"
    NOT_INSTRUCTOR = "not_instructor"
    CLASS_FULL = "class_full"


class LtiError(LinklabError):
    def __init__(self, problem: Problem):
        super().__init__(lti_message(problem.value))
        self.problem = problem


# ---------------------------------------------------------------- 1. login initiation


def login_redirect(params: dict[str, str], redirect_uri: str) -> str:
    """Where to send the browser after the platform's login initiation: the platform's authorisation
    endpoint, with a fresh state and nonce remembered for the launch."""
    issuer = params.get("iss", "")
    found = registry.platform(issuer, params.get("client_id") or None)
    if found is None:
        raise LtiError(Problem.UNKNOWN_PLATFORM)
    if params.get("lti_deployment_id") and params["lti_deployment_id"] not in found.deployments:
        raise LtiError(Problem.UNKNOWN_DEPLOYMENT)
    if not params.get("login_hint"):
        raise LtiError(Problem.BAD_TOKEN)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    registry.save_state(state, nonce, found.issuer, found.client_id)
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
             "client_id": found.client_id, "redirect_uri": redirect_uri, "login_hint": params["login_hint"],
             "state": state, "nonce": nonce}
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in found.auth_url else "?"
    return found.auth_url + separator + urllib.parse.urlencode(query)


# ---------------------------------------------------------------- 2. the launch


@dataclass
class Launch:
    platform: registry.Platform
    claims: dict
    deployment_id: str
    message_type: str
    sub: str
    name: str
    roles: list[str] = field(default_factory=list)

    @property
    def is_instructor(self) -> bool:
        return any(role.endswith(INSTRUCTOR_ROLES) or role in ("Instructor", "Administrator")
                   for role in self.roles)

    @property
    def custom(self) -> dict:
        custom = self.claims.get(CLAIM + "custom")
        return custom if isinstance(custom, dict) else {}

    @property
    def context(self) -> dict:
        context = self.claims.get(CLAIM + "context")
        return context if isinstance(context, dict) else {}

    @property
    def ags(self) -> dict:
        ags = self.claims.get(AGS_CLAIM)
        return ags if isinstance(ags, dict) else {}

    @property
    def nrps(self) -> dict:
        nrps = self.claims.get(NRPS_CLAIM)
        return nrps if isinstance(nrps, dict) else {}

    @property
    def deep_linking(self) -> dict:
        settings = self.claims.get(DL_CLAIM + "deep_linking_settings")
        return settings if isinstance(settings, dict) else {}


def unverified_claims(token: str) -> dict:
    """The payload before its signature is checked: only to find whose keys check it."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        raise LtiError(Problem.BAD_TOKEN) from None
    if not isinstance(claims, dict):
        raise LtiError(Problem.BAD_TOKEN)
    return claims


def audiences(claims: dict) -> list[str]:
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []


def verify(form: dict[str, str], now: float | None = None) -> Launch:
    """The launch the platform posted (`id_token` and `state`), checked; LtiError says what failed."""
    now = time.time() if now is None else now
    taken = registry.take_state(form.get("state", ""))
    if taken is None:
        raise LtiError(Problem.STATE)
    nonce, issuer, client_id = taken
    token = form.get("id_token", "")
    claims = unverified_claims(token)
    if claims.get("iss") != issuer:
        raise LtiError(Problem.UNKNOWN_PLATFORM)
    found = registry.platform(issuer, client_id)
    if found is None:
        raise LtiError(Problem.UNKNOWN_PLATFORM)
    claims = verified_claims(token, found)
    aud = audiences(claims)
    if client_id not in aud or (len(aud) > 1 and claims.get("azp") != client_id):
        raise LtiError(Problem.WRONG_AUDIENCE)
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)):
        raise LtiError(Problem.BAD_TOKEN)
    if exp < now - LEEWAY_S or iat > now + LEEWAY_S:
        raise LtiError(Problem.EXPIRED)
    if claims.get("nonce") != nonce or not registry.use_nonce(issuer, str(claims.get("nonce"))):
        raise LtiError(Problem.REPLAYED)
    deployment = claims.get(CLAIM + "deployment_id")
    if deployment not in found.deployments:
        raise LtiError(Problem.UNKNOWN_DEPLOYMENT)
    message_type = claims.get(CLAIM + "message_type")
    if claims.get(CLAIM + "version") != "1.3.0" or message_type not in (RESOURCE_LINK, DEEP_LINKING):
        raise LtiError(Problem.MESSAGE)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise LtiError(Problem.NO_USER)
    roles = claims.get(CLAIM + "roles")
    name = claims.get("name") or " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
    return Launch(found, claims, deployment, message_type, sub, str(name or ""),
                  [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else [])


# The platforms' public keys, fetched when a launch needs them and again when a token names a key not seen.
_keysets: dict[str, tuple[float, KeySet]] = {}
_keysets_lock = threading.Lock()
KEYSET_TTL_S = 300


def platform_keys(jwks_url: str, refresh: bool = False) -> KeySet:
    with _keysets_lock:
        cached = _keysets.get(jwks_url)
        if cached and not refresh and cached[0] > time.monotonic():
            return cached[1]
    try:
        keyset = KeySet.import_key_set(services.get_json(jwks_url))
    except (services.ServiceError, JoseError, ValueError, TypeError, KeyError):
        raise LtiError(Problem.KEYS_UNREACHABLE) from None
    with _keysets_lock:
        _keysets[jwks_url] = (time.monotonic() + KEYSET_TTL_S, keyset)
    return keyset


def verified_claims(token: str, found: registry.Platform) -> dict:
    for refresh in (False, True):
        keyset = platform_keys(found.jwks_url, refresh)
        try:
            return dict(jwt.decode(token, keyset, algorithms=[keys.ALGORITHM]).claims)
        except InvalidKeyIdError:  # a key the platform made since we read its keys: read them again, once
            if refresh:
                raise LtiError(Problem.BAD_SIGNATURE) from None
        except JoseError:
            raise LtiError(Problem.BAD_SIGNATURE) from None
        except ValueError:
            raise LtiError(Problem.BAD_TOKEN) from None
    raise LtiError(Problem.BAD_SIGNATURE)


# ---------------------------------------------------------------- deep linking: the tool's answer


def deep_linking_response(platform: registry.Platform, deployment_id: str, data: str, items: list[dict]) -> str:
    """The signed LtiDeepLinkingResponse that the instructor's browser posts back to the platform."""
    now = int(time.time())
    claims = {"iss": platform.client_id, "aud": platform.issuer, "iat": now, "exp": now + 600,
              "nonce": secrets.token_urlsafe(16), CLAIM + "deployment_id": deployment_id,
              CLAIM + "message_type": "LtiDeepLinkingResponse", CLAIM + "version": "1.3.0",
              DL_CLAIM + "content_items": items}
    if data:
        claims[DL_CLAIM + "data"] = data
    return keys.sign(claims)
