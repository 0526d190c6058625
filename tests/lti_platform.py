"""An LTI 1.3 platform for the tests, on loopback: the IMS reference flow built on the same JOSE library as the
tool (joserfc), the way Moodle and Canvas behave, so that linklab's tool side meets a platform that checks
what it is sent:

- /start?user=U&link=L: the LMS page a user clicks, which posts the OIDC login initiation to the tool;
- /auth: the OIDC authorisation endpoint; checks the client id and redirect URI, then posts a signed id_token
  (RS256, key served at /jwks) back to the tool (response_mode=form_post);
- /token: client credentials with a JWT client assertion, checked against the tool's JWKS URL;
- /lineitems, /lineitems/N, /lineitems/N/scores: Assignment and Grade Services (filter by resource_id);
- /memberships: Names and Role Provisioning, in two pages (a Link: rel="next" header);
- /deep_link_return: takes the tool's signed LtiDeepLinkingResponse and makes a resource link and a line item
  for each content item, as an LMS does.

`tamper` changes the next id_token (another signing key, another audience, an old nonce, an expiry in the past,
another deployment) for the refusal tests; `failing` makes the token endpoint answer 500 (an LMS outage).
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
          "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
          "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
ROSTER_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


@dataclass
class User:
    sub: str
    name: str
    role: str


@dataclass
class Link:
    """A resource link in the LMS course: its custom parameters and, when made by Deep Linking, its line item."""
    id: str
    title: str
    custom: dict = field(default_factory=dict)
    lineitem: str | None = None
    deep_linking: bool = False


class Platform:
    def __init__(self, issuer_port: int = 0, host: str = "127.0.0.1"):
        """`host`: the name the platform is reached by ("localhost" makes it another site than a tool on
        127.0.0.1, as an LMS is for a browser)."""
        self.key = RSAKey.generate_key(2048, parameters={"kid": "platform-1", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "platform-1", "use": "sig", "alg": "RS256"})
        self.client_id, self.deployment_id, self.context_id = "linklab-client-7", "deployment-1", "course-101"
        self.users = {"learner": User("lms-user-1", "Dana Scully", LEARNER),
                      "learner2": User("lms-user-2", "Fox Mulder", LEARNER),
                      "teacher": User("lms-teacher-1", "Walter Skinner", INSTRUCTOR)}
        self.links = {"course": Link("link-course", "linklab"), "picker": Link("link-dl", "Add linklab", deep_linking=True)}
        self.lineitems: dict[str, dict] = {}
        self.scores: list[dict] = []
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.tamper: dict = {}
        self.failing = False
        self.used_nonces: list[str] = []
        self.tool_url = ""
        self.server = ThreadingHTTPServer(("127.0.0.1", issuer_port), handler(self))
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.issuer = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.lock = threading.Lock()

    def start(self, tool_url: str) -> "Platform":
        self.tool_url = tool_url.rstrip("/")
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def registration(self) -> dict:
        """What the instructor registers in linklab (`linklab lti register`)."""
        return {"issuer": self.issuer, "client_id": self.client_id, "deployments": [self.deployment_id],
                "auth_url": self.url + "/auth", "token_url": self.url + "/token", "jwks_url": self.url + "/jwks"}

    # ------------------------------------------------------------ the launch

    def login_form(self, user: str, link: str) -> dict:
        """The OIDC login initiation the LMS posts to the tool when `user` opens `link`."""
        return {"iss": self.issuer, "login_hint": user, "target_link_uri": self.tool_url + "/lti/launch",
                "lti_message_hint": link, "client_id": self.client_id, "lti_deployment_id": self.deployment_id}

    def id_token(self, params: dict) -> str:
        user, link = self.users[params["login_hint"]], self.links[params["lti_message_hint"]]
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "sub": user.sub, "name": user.name,
                  "iat": now, "exp": now + 300, "nonce": params["nonce"],
                  CLAIM + "deployment_id": self.deployment_id, CLAIM + "version": "1.3.0",
                  CLAIM + "roles": [user.role], CLAIM + "target_link_uri": self.tool_url + "/lti/launch",
                  CLAIM + "context": {"id": self.context_id, "title": "Link analysis 101"},
                  "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                      "context_memberships_url": self.url + "/memberships", "service_versions": ["2.0"]}}
        if link.deep_linking:
            claims[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep_link_return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["window"], "data": "dl-opaque-7"}
        else:
            claims[CLAIM + "message_type"] = "LtiResourceLinkRequest"
            claims[CLAIM + "resource_link"] = {"id": link.id, "title": link.title}
            claims[CLAIM + "custom"] = link.custom
            ags = {"scope": SCOPES, "lineitems": self.url + "/lineitems"}
            if link.lineitem:
                ags["lineitem"] = link.lineitem
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = ags
        tamper, self.tamper = self.tamper, {}
        claims.update(tamper.get("claims", {}))
        self.used_nonces.append(claims["nonce"])
        key = self.other_key if tamper.get("wrong_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def authorize(self, query: dict) -> tuple[int, str]:
        if query.get("client_id") != self.client_id:
            return 400, "unknown client"
        if query.get("redirect_uri") != self.tool_url + "/lti/launch":
            return 400, "redirect_uri is not registered"
        if query.get("response_mode") != "form_post" or query.get("scope") != "openid":
            return 400, "not an LTI authentication request"
        fields = {"id_token": self.id_token(query), "state": query["state"]}
        return 200, auto_post(query["redirect_uri"], fields)

    # ------------------------------------------------------------ services

    def tool_keys(self) -> KeySet:
        with urllib.request.urlopen(self.tool_url + "/lti/jwks.json", timeout=5) as response:
            return KeySet.import_key_set(json.loads(response.read()))

    def grant(self, form: dict) -> tuple[int, dict]:
        self.token_requests += 1
        if self.failing:
            return 500, {"error": "the LMS is down"}
        if form.get("grant_type") != "client_credentials" or \
                form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}
        claims = jwt.decode(form["client_assertion"], self.tool_keys(), algorithms=["RS256"]).claims
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id or claims["aud"] != self.url + "/token" \
                or claims["exp"] < time.time():
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": form.get("scope", "")}

    def deep_link_return(self, form: dict) -> tuple[int, str]:
        claims = jwt.decode(form["JWT"], self.tool_keys(), algorithms=["RS256"]).claims
        assert claims["iss"] == self.client_id and claims["aud"] == self.issuer, claims
        assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
        assert claims[CLAIM + "deployment_id"] == self.deployment_id
        assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "dl-opaque-7"
        made = []
        for item in claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]:
            link_id = f"dl-{len(self.links)}"
            lineitem = None
            if "lineItem" in item:
                lineitem = self.new_lineitem({**item["lineItem"], "resourceLinkId": link_id})
            self.links[link_id] = Link(link_id, item["title"], item.get("custom", {}), lineitem)
            made.append(link_id)
        return 200, f"<p id='made'>{' '.join(made)}</p>"

    def new_lineitem(self, body: dict) -> str:
        with self.lock:
            url = f"{self.url}/lineitems/{len(self.lineitems) + 1}"
            self.lineitems[url] = {**body, "id": url}
        return url


def auto_post(action: str, fields: dict) -> str:
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items())
    return (f'<!doctype html><html><body><form id="f" method="POST" action="{html.escape(action)}">{inputs}'
            '<button>Continue</button></form><script>document.getElementById("f").submit()</script></body></html>')


def form_fields(page: str) -> tuple[str, dict]:
    """(action, fields) of an auto-posting page, as a browser would send it."""
    import re

    action = html.unescape(re.search(r'action="([^"]*)"', page).group(1))
    fields = {html.unescape(k): html.unescape(v) for k, v in re.findall(r'name="([^"]*)" value="([^"]*)"', page)}
    return action, fields


def handler(platform: Platform):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status: int, body, kind: str = "application/json", headers: dict | None = None):
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def authorised(self) -> bool:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in platform.tokens:
                self.answer(401, {"error": "no valid access token"})
                return False
            return True

        def body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/jwks":
                return self.answer(200, KeySet([platform.key]).as_dict(private=False))
            if url.path == "/start":
                form = platform.login_form(query["user"], query["link"])
                return self.answer(200, auto_post(platform.tool_url + "/lti/login", form), "text/html")
            if url.path == "/auth":
                status, page = platform.authorize(query)
                return self.answer(status, page, "text/html")
            if url.path == "/lineitems" and self.authorised():
                items = [i for i in platform.lineitems.values()
                         if "resource_id" not in query or i.get("resourceId") == query["resource_id"]]
                return self.answer(200, items, "application/vnd.ims.lis.v2.lineitemcontainer+json")
            if url.path == "/memberships" and self.authorised():
                people = [{"user_id": u.sub, "name": u.name, "roles": [u.role], "status": "Active"}
                          for u in platform.users.values()]
                page = int(query.get("page", "1"))
                if page == 1:
                    return self.answer(200, {"id": platform.url + "/memberships", "members": people[:1]},
                                       "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                                       {"Link": f'<{platform.url}/memberships?page=2>; rel="next"'})
                return self.answer(200, {"id": platform.url + "/memberships", "members": people[1:]},
                                   "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
            if not self.headers.get("Authorization"):
                self.answer(404, {"error": "not found"})

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            raw = self.body()
            if url.path == "/token":
                status, answer = platform.grant(dict(urllib.parse.parse_qsl(raw.decode())))
                return self.answer(status, answer)
            if url.path == "/deep_link_return":
                status, page = platform.deep_link_return(dict(urllib.parse.parse_qsl(raw.decode())))
                return self.answer(status, page, "text/html")
            if url.path == "/lineitems" and self.authorised():
                return self.answer(201, platform.lineitems[platform.new_lineitem(json.loads(raw))],
                                   "application/vnd.ims.lis.v2.lineitem+json")
            if url.path.endswith("/scores") and self.authorised():
                lineitem = platform.url + url.path.removesuffix("/scores")
                if lineitem not in platform.lineitems:
                    return self.answer(404, {"error": "no such line item"})
                platform.scores.append({**json.loads(raw), "lineitem": lineitem})
                return self.answer(200, {})

    return Handler
