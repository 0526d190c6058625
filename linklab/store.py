"""Replacing a local server's store with `neo4j-admin database import full` (the bulk route's last step,
and the fast wipe): stop the server, import, start it again.

The imported store always holds linklab's `:Scenario` marker with `complete = false`, so it says
"incomplete" until the loader finishes. While the old store is gone and the new one is not yet written,
a record file in the instance's run/ folder says so: a server started after a killed import finds it,
and replaces the half-written store by one that holds only the incomplete marker (`recover`), so every
command reports the data as incomplete and the next reset recovers.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import server as srv
from .errors import LinklabError
from .scenario.admin_csv import ImportFiles, write_marker_nodes

IMPORT_HEAP = "1g"
IMPORT_OFF_HEAP = "2g"  # neo4j-admin takes 90% of the machine's memory unless told otherwise
# How long the imported lease stays ours without renewal: the import and the server's start must fit in it.
# A holder that dies frees it at once anyway (lease.died_here: a local server is only reached from here).
LEASE_HOLD_S = 3600


def marker_node(props: dict) -> dict:
    """The `:Scenario` marker as the UNWIND route's SET_SCENARIO leaves it: incomplete, loading `props`."""
    return {**props, "id": "current", "complete": False, "status": "resetting",
            "started_at": datetime.now(timezone.utc)}


def lease_node(owner: str) -> dict:
    """The lease node, held by `owner` (server time = this machine's time: the server is local)."""
    return {"id": "lease", "writer": owner, "writer_until": int(time.time() * 1000) + LEASE_HOLD_S * 1000}


def die_with_parent() -> None:
    """In the importer's process: be killed when the linklab process that started it dies, so a killed
    load never leaves an import running under a server that is being started."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def admin_import(inst: srv.Instance, arguments: list[str], database: str = "neo4j") -> None:
    """Run neo4j-admin's full import into `database` of the stopped server `inst`."""
    java = srv.java_executable()
    log = inst.home / "logs" / "import.log"
    command = [java, f"-Xmx{IMPORT_HEAP}", *srv.JVM_OPTIONS, "-cp", f"{srv.dist_dir() / 'lib'}/*",
               "org.neo4j.cli.AdminTool", "database", "import", "full", database, "--overwrite-destination",
               f"--max-off-heap-memory={IMPORT_OFF_HEAP}", f"--report-file={inst.home / 'logs' / 'import.report'}",
               *arguments]
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(inst.home / "conf")}
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, cwd=inst.home, preexec_fn=die_with_parent)
        note_importer(inst, process.pid)
        code = process.wait()
    if code != 0:
        tail = " | ".join(line for line in log.read_text(errors="replace").splitlines()[-5:] if line.strip())
        raise LinklabError(f"neo4j-admin import into server {inst.name} failed (exit {code}): {tail} (see {log})")


def note_importer(inst: srv.Instance, pid: int) -> None:
    record = json.loads(inst.replacing_file.read_text())
    inst.replacing_file.write_text(json.dumps({**record, "importer": pid}))


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return False


def replace(inst: srv.Instance, props: dict, files: ImportFiles | None, owner: str | None,
            on_stage: Callable[[str], None] = lambda _: None) -> None:
    """Stop `inst`, import `files` (None: nothing) beside the marker (loading `props`, incomplete) and the
    lease (held by `owner`, when given), and start it again."""
    inst.replacing_file.write_text(json.dumps({"props": props, "loader": os.getpid(), "importer": None}))
    on_stage(f"stopping server {inst.name}")
    srv.stop(inst)
    with tempfile.TemporaryDirectory(dir=inst.home) as folder:
        markers = [marker_node(props)] + ([lease_node(owner)] if owner else [])
        nodes = write_marker_nodes(Path(folder), markers)
        arguments = [f"--nodes={label}={path}" for label, path in nodes] + (files.arguments() if files else [])
        on_stage("neo4j-admin database import")
        try:
            admin_import(inst, arguments)
        except LinklabError:
            srv.start(inst)  # recovers: an incomplete marker, no data
            raise
    inst.replacing_file.unlink()
    on_stage(f"starting server {inst.name}")
    srv.start(inst)


def recover(inst: srv.Instance) -> bool:
    """Before a server starts: if a store replacement was cut short, replace the half-written store by one
    that holds only the incomplete marker. False when there was nothing to recover."""
    if not inst.replacing_file.exists():
        return False
    record = json.loads(inst.replacing_file.read_text())
    for role in ("loader", "importer"):
        if record.get(role) != os.getpid() and alive(record.get(role)):
            raise LinklabError(f"a bulk load is replacing the store of server {inst.name} (pid {record[role]}): "
                               "wait for it to finish")
    with tempfile.TemporaryDirectory(dir=inst.home) as folder:
        nodes = write_marker_nodes(Path(folder), [marker_node(record["props"])])
        admin_import(inst, [f"--nodes={label}={path}" for label, path in nodes])
    inst.replacing_file.unlink()
    return True
