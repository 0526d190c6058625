"""A scenario as `neo4j-admin database import` CSV files: one per label and one per (type, start, end),
written chunk by chunk (never the whole scenario in memory), hashed while they are written.

Headers carry Neo4j types, so that the imported values are the very ones the `UNWIND` loader stores:
integers as `long`, coordinates as `double`, times as `datetime` (no offset in the text: both routes take
the server's default time zone), and a `location` point beside every latitude and longitude. Each label
has its own ID space, as ids are unique per label only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from .export import Digest, csv_name
from .model import DATETIME_FIELDS, NODE_LABELS, NODE_PROPERTIES, REL_KEYS, REL_SPECS, Scenario

# Properties that are not strings (tests/test_bulk.py checks every generated value against this).
TYPES = {"born": "long", "count": "long", "latitude": "double", "longitude": "double", "amount": "double",
         **{name: "datetime" for name in DATETIME_FIELDS}}
POINT = "location:point{crs:WGS-84}"


def typed(prop: str) -> str:
    kind = TYPES.get(prop)
    return f"{prop}:{kind}" if kind else prop


def node_header(label: str) -> list[str]:
    props = NODE_PROPERTIES[label]
    header = [f"id:ID({label})", *(typed(p) for p in props if p != "id")]
    return header + [POINT] if "latitude" in props else header


def rel_header(key: tuple[str, str, str]) -> list[str]:
    _, start, end = key
    return [f":START_ID({start})", f":END_ID({end})", *(typed(p) for p in REL_SPECS[key])]


def point(row: dict) -> str:
    if row.get("latitude") is None:
        return ""  # an empty field is no property, as `point(null)` sets none
    return f"{{latitude:{row['latitude']!r},longitude:{row['longitude']!r}}}"


@dataclass
class ImportFiles:
    """What neo4j-admin is given: (label or type, file) pairs, in load order; empty files are left out."""
    folder: Path
    nodes: list[tuple[str, Path]] = field(default_factory=list)
    relationships: list[tuple[str, Path]] = field(default_factory=list)

    def arguments(self) -> list[str]:
        return ([f"--nodes={label}={path}" for label, path in self.nodes] +
                [f"--relationships={rel_type}={path}" for rel_type, path in self.relationships])


def write_import_csv(scenario: Scenario, folder: Path, progress: Callable[[int], None] | None = None,
                     ) -> tuple[ImportFiles, Digest]:
    """Write the scenario's files into `folder`; returns them and the scenario's hash and counts."""
    folder.mkdir(parents=True, exist_ok=True)
    node_paths = {label: folder / f"{label}.csv" for label in NODE_LABELS}
    rel_paths = {key: folder / csv_name(key) for key in REL_KEYS}
    handles = []
    try:
        writers = {}
        for label, path in node_paths.items():
            handles.append(open(path, "w", encoding="utf-8", newline=""))
            writers[label] = csv.writer(handles[-1], lineterminator="\n")
            writers[label].writerow(node_header(label))
        for key, path in rel_paths.items():
            handles.append(open(path, "w", encoding="utf-8", newline=""))
            writers[key] = csv.writer(handles[-1], lineterminator="\n")
            writers[key].writerow(rel_header(key))
        digest, per_key = Digest(), dict.fromkeys(REL_KEYS, 0)
        for chunk in scenario.chunks():
            for label in NODE_LABELS:
                props = NODE_PROPERTIES[label]
                rows = ([row.get(p) for p in props] for row in chunk.nodes[label])
                if "latitude" in props:
                    rows = ([*values, point(row)] for values, row in zip(rows, chunk.nodes[label]))
                writers[label].writerows(rows)
            for key in REL_KEYS:
                props = REL_SPECS[key]
                writers[key].writerows([r["s"], r["e"], *(r["p"].get(p) for p in props)] for r in chunk.rels[key])
                per_key[key] += len(chunk.rels[key])
            digest.add(chunk)
            if progress:
                progress(chunk.entity_count())
    finally:
        for handle in handles:
            handle.close()
    files = ImportFiles(folder)
    files.nodes = [(label, path) for label, path in node_paths.items() if digest.counts.get(label)]
    files.relationships = [(key[0], path) for key, path in rel_paths.items() if per_key[key]]
    return files, digest


def write_marker_nodes(folder: Path, nodes: list[dict]) -> list[tuple[str, Path]]:
    """Small `:Scenario` nodes (linklab's marker and lease), one file each: their properties differ."""
    written = []
    for index, props in enumerate(nodes):
        path = folder / f"Scenario-{index}.csv"
        header = ["id:ID(Scenario)"] + [f"{k}:{value_type(v)}" for k, v in props.items() if k != "id"]
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerow([props["id"], *(v.isoformat() if isinstance(v, datetime) else v
                                            for k, v in props.items() if k != "id")])
        written.append(("Scenario", path))
    return written


def value_type(value) -> str:
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, bool):  # before int: a bool is an int in Python
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"
