"""The tool's signing key: an RSA key made on first use and kept in the state folder with mode 600 (never in
the repository), published as a JWKS at /lti/jwks.json so that platforms can check what the tool signs (the
client assertion for a token, a Deep Linking response)."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from ..config import state_dir
from ..errors import LinklabError

ALGORITHM = "RS256"  # what LTI 1.3 requires platforms and tools to support


def key_path() -> Path:
    return state_dir() / "lti" / "tool-key.json"


def tool_key() -> RSAKey:
    """The tool's private key, made the first time. Two processes starting at once agree: the key file is
    linked into place only if none is there (os.link fails otherwise), and the loser reads the winner's."""
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        kid = time.strftime("linklab-%Y%m%d-") + secrets.token_hex(4)
        key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(key.as_dict(private=True), handle)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    try:
        return RSAKey.import_key(json.loads(path.read_text()))
    except (OSError, ValueError) as exc:
        raise LinklabError(f"the tool's LTI key in {path} cannot be read ({exc}): move it away and a new one is "
                           "made (platforms read the new one from the JWKS URL)") from None


def jwks() -> dict:
    """The public half, as platforms fetch it."""
    return KeySet([tool_key()]).as_dict(private=False)


def sign(claims: dict) -> str:
    key = tool_key()
    return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}, claims, key)
