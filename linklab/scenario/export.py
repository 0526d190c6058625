"""The canonical form of a scenario, its hash, and file exports (JSON lines, CSV).

Canonical form: chunk by chunk, nodes label by label (model.NODE_LABELS order), then relationships
(model.REL_KEYS order), one line per entity: compact JSON with sorted keys after a leading
`"node"` (or `"rel"`, `"from"`, `"to"`) key. `scenario.jsonl` is exactly that stream, so
`sha256sum scenario.jsonl` equals the hash recorded on the `:Scenario` node.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Iterator

from .model import NODE_LABELS, REL_KEYS, REL_SPECS, NODE_PROPERTIES, Chunk, Scenario

encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def chunk_lines(chunk: Chunk) -> Iterator[str]:
    for label in NODE_LABELS:
        prefix = f'{{"node":"{label}",'
        for row in chunk.nodes[label]:
            yield prefix + encode(row)[1:] + "\n"
    for key in REL_KEYS:
        rel_type, start, end = key
        prefix = f'{{"rel":"{rel_type}","from":"{start}","to":"{end}",'
        for row in chunk.rels[key]:
            yield prefix + encode(row)[1:] + "\n"


class Digest:
    """Hash and count a scenario while it streams past (so loading needs one pass)."""

    def __init__(self):
        self.sha = hashlib.sha256()
        self.counts: dict[str, int] = {}

    def add(self, chunk: Chunk) -> None:
        self.sha.update("".join(chunk_lines(chunk)).encode())
        for label, rows in chunk.nodes.items():
            if rows:
                self.counts[label] = self.counts.get(label, 0) + len(rows)
        for (rel_type, _, _), rows in chunk.rels.items():
            if rows:
                self.counts[rel_type] = self.counts.get(rel_type, 0) + len(rows)

    @property
    def hexdigest(self) -> str:
        return self.sha.hexdigest()


def digest(chunks: Iterable[Chunk]) -> Digest:
    result = Digest()
    for chunk in chunks:
        result.add(chunk)
    return result


def scenario_hash(scenario: Scenario) -> str:
    return digest(scenario.chunks()).hexdigest


def metadata(scenario: Scenario, result: Digest) -> dict:
    return {**asdict(scenario.info), "hash": result.hexdigest, "counts": result.counts}


def write_jsonl(scenario: Scenario, out: Path, progress=None) -> dict:
    """scenario.jsonl (the canonical stream) and scenario.json (metadata with its hash)."""
    out.mkdir(parents=True, exist_ok=True)
    result = Digest()
    with open(out / "scenario.jsonl", "w", encoding="utf-8", newline="\n") as handle:
        for chunk in scenario.chunks():
            handle.writelines(chunk_lines(chunk))
            result.add(chunk)
            if progress:
                progress(chunk.entity_count())
    meta = metadata(scenario, result)
    (out / "scenario.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return meta


def csv_name(key: tuple[str, str, str]) -> str:
    return "{}__{}__{}.csv".format(*key)


def write_csv(scenario: Scenario, out: Path, progress=None) -> dict:
    """One CSV per label and per (type, start, end), for LOAD CSV or neo4j-admin, plus scenario.json."""
    out.mkdir(parents=True, exist_ok=True)
    handles, writers = [], {}
    try:
        for label in NODE_LABELS:
            handle = open(out / f"{label}.csv", "w", encoding="utf-8", newline="")
            handles.append(handle)
            writers[label] = csv.DictWriter(handle, fieldnames=NODE_PROPERTIES[label])
            writers[label].writeheader()
        for key in REL_KEYS:
            handle = open(out / csv_name(key), "w", encoding="utf-8", newline="")
            handles.append(handle)
            writers[key] = csv.writer(handle)
            writers[key].writerow(["start", "end", *REL_SPECS[key]])
        result = Digest()
        for chunk in scenario.chunks():
            for label in NODE_LABELS:
                writers[label].writerows(chunk.nodes[label])
            for key in REL_KEYS:
                props = REL_SPECS[key]
                writers[key].writerows([r["s"], r["e"], *(r["p"].get(p, "") for p in props)]
                                       for r in chunk.rels[key])
            result.add(chunk)
            if progress:
                progress(chunk.entity_count())
    finally:
        for handle in handles:
            handle.close()
    meta = metadata(scenario, result)
    (out / "scenario.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return meta
