"""Local settings, files and connections: the generated password, the SQLite stores, closing a driver."""

from __future__ import annotations

import pytest

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


def test_processes_opening_one_new_database_at_once_all_get_it(tmp_path):
    """Switching a new SQLite file to WAL needs it to itself: openers racing on a fresh file (a preparer and
    a page asking how far it is) wait for each other instead of failing with "database is locked"."""
    import threading

    from linklab.config import open_sqlite

    for attempt in range(20):  # the plain way fails about one time in twenty
        path = tmp_path / f"fresh-{attempt}.db"
        modes, errors = [], []
        start = threading.Barrier(8)

        def opener():
            start.wait()
            try:
                db = open_sqlite(path, timeout=10)
                db.execute("CREATE TABLE IF NOT EXISTS t (x)")
                modes.append(db.execute("PRAGMA journal_mode").fetchone()[0])
                db.close()
            except Exception as exc:  # noqa: BLE001  (the assertion below names it)
                errors.append(exc)
        threads = [threading.Thread(target=opener) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors and modes == ["wal"] * 8, errors


def test_every_sqlite_store_is_readable_by_its_owner_alone(tmp_path, monkeypatch):
    """The record store (answers, accounts), the hidden-world choices and the varied hidden worlds are made
    mode 600, as course-secret is: on a shared machine another user reads none of them; so are SQLite's
    -wal and -shm files beside them. A file made before keeps the mode it has."""
    import os
    from contextlib import closing

    from linklab import recordstore
    from linklab.config import open_sqlite
    from linklab.grade import worlds
    from linklab.variation import kept

    home = tmp_path / "home"
    monkeypatch.setenv("LINKLAB_HOME", str(home))
    usual = os.umask(0o022)  # the usual umask: files readable by everyone, unless made otherwise
    try:
        with closing(recordstore.connect()) as db:
            db.execute("SELECT 1")
        with worlds.connect():
            pass
        with kept.connect() as db:
            db.execute("INSERT INTO worlds VALUES ('t', 0, x'00')")
            made = sorted(p.name for p in home.iterdir() if ".db" in p.name)
            assert {"linklab.db", "worlds.db", "varied-worlds.db", "varied-worlds.db-wal"} <= set(made), made
            assert all(home.joinpath(name).stat().st_mode & 0o077 == 0 for name in made), made
        shared = tmp_path / "made-before.db"
        shared.touch(mode=0o644)
        open_sqlite(shared).close()
        assert shared.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(usual)


def test_a_driver_closed_under_a_worker_still_running_is_dropped_without_a_traceback(monkeypatch):
    """A run stopped at its time limit leaves its worker on a connection (db.left_running); closing the driver
    waits for it up to db.SETTLE_S. A worker still there after that (a busy server slow to end the
    transaction) made the driver's close raise BufferError out of `with Databases()`: a traceback. The driver is
    dropped as it is then; the same error with no worker left running is still raised."""
    import threading

    from linklab import db

    class Driver:  # a key for the registry of stopped workers (a weak dictionary)
        pass

    def busy_close():
        raise BufferError("Existing exports of data: object cannot be re-sized")

    monkeypatch.setattr(db, "SETTLE_S", 0.2)
    release = threading.Event()
    worker = threading.Thread(target=release.wait, daemon=True)
    worker.start()
    driver = Driver()
    db.left_running(driver, worker)
    try:
        db.close_after_workers(driver, busy_close)  # no traceback: the worker still holds its connection
    finally:
        release.set()
    worker.join()
    other = Driver()
    db.left_running(other, worker)  # (ended by now)
    with pytest.raises(BufferError):
        db.close_after_workers(other, busy_close)
