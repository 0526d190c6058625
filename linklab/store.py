"""Replacing a local server's store with `neo4j-admin database import full` (the bulk route's last step,
and the fast wipe): stop the server, import, start it again.

The imported store always holds linklab's `:Scenario` marker with `complete = false`, so it says
"incomplete" until the loader finishes. While the old store is gone and the new one is not yet written,
a record file in the instance's run/ folder says so: a server started after a killed import finds it,
and replaces the half-written store by one that holds only the incomplete marker (`server.recover`, part of
starting a server), so every command reports the data as incomplete and the next reset recovers.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

from . import server as srv
from .errors import LinklabError
from .scenario.admin_csv import ImportFiles, write_marker_nodes

# How long the imported lease stays ours without renewal: the import and the server's start must fit in it.
# A holder that dies frees it at once anyway (lease.died_here: a local server is only reached from here).
LEASE_HOLD_S = 3600


def lease_node(owner: str) -> dict:
    """The lease node, held by `owner` (server time = this machine's time: the server is local)."""
    return {"id": "lease", "writer": owner, "writer_until": int(time.time() * 1000) + LEASE_HOLD_S * 1000}


def replace(inst: srv.Instance, props: dict, files: ImportFiles | None, owner: str | None,
            on_stage: Callable[[str], None] = lambda _: None) -> None:
    """Stop `inst`, import `files` (None: nothing) beside the marker (loading `props`, incomplete) and the
    lease (held by `owner`, when given), and start it again."""
    inst.replacing_file.write_text(json.dumps({"props": props, "loader": os.getpid(), "importer": None}))
    on_stage(f"stopping server {inst.name}")
    srv.stop(inst)
    with tempfile.TemporaryDirectory(dir=inst.home) as folder:
        markers = [srv.marker_node(props)] + ([lease_node(owner)] if owner else [])
        nodes = write_marker_nodes(Path(folder), markers)
        arguments = [f"--nodes={label}={path}" for label, path in nodes] + (files.arguments() if files else [])
        on_stage("neo4j-admin database import")
        try:
            srv.admin_import(inst, arguments)
        except LinklabError:
            srv.start(inst)  # recovers: an incomplete marker, no data
            raise
    inst.replacing_file.unlink()
    on_stage(f"starting server {inst.name}")
    srv.start(inst)


