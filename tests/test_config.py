"""The generated local password: one that every tool it is handed to reads as a value."""

from __future__ import annotations

from linklab.config import local_password


def test_generated_passwords_never_read_as_an_option(tmp_path, monkeypatch):
    """neo4j-admin's set-initial-password took a password starting with '-' for an option, and a fresh
    clone's first server start failed: generated passwords are letters and digits, long enough."""
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    seen = set()
    for n in range(200):
        monkeypatch.setenv("LINKLAB_HOME", str(tmp_path / str(n)))
        password = local_password()
        assert password.isalnum() and len(password) >= 24
        assert local_password() == password  # kept, not made again
        assert (tmp_path / str(n) / "password").stat().st_mode & 0o077 == 0
        seen.add(password)
    assert len(seen) == 200
