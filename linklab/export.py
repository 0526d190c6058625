"""Exporting the loaded scenario for the tools analysts use: GraphML and GEXF (Gephi, Cytoscape, yEd)
and CSV (i2-style importers, spreadsheets). Labels and properties are kept; temporal values become
ISO-8601 text and points become latitude/longitude."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import neo4j
import networkx as nx

from . import cypher
from .errors import LinklabError
from .grade.compare import STABLE_KEY

FORMATS = ("graphml", "gexf", "csv")


def plain(value):
    """A value every exporter can write."""
    if isinstance(value, neo4j.spatial.Point):
        return None  # latitude and longitude are exported as their own properties
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, (list, tuple)):
        return json.dumps([plain(v) for v in value])
    return value


def node_key(label: str, node_id: str) -> str:
    return f"{label}:{node_id}"


def read_graph(driver: neo4j.Driver, around: str | None = None, hops: int = 2) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    if around:
        records, _, _ = driver.execute_query(cypher.EXPORT_AROUND % int(hops), handle=around)
        if not records:
            raise LinklabError(f"no account with handle {around!r} and no person named so in the loaded data")
    else:
        records, _, _ = driver.execute_query(cypher.EXPORT_NODES)
    for record in records:
        props = {k: plain(v) for k, v in record["props"].items() if plain(v) is not None}
        label = record["label"]
        display = props.get(STABLE_KEY.get(label, "id"), props["id"])
        graph.add_node(node_key(label, props["id"]), **{**props, "label": label, "name": str(display)})
    records, _, _ = driver.execute_query(cypher.EXPORT_RELS)
    for record in records:
        start, end = node_key(record["sl"], record["s"]), node_key(record["el"], record["e"])
        if start in graph and end in graph:
            props = {k: plain(v) for k, v in record["props"].items() if plain(v) is not None}
            graph.add_edge(start, end, key=record["type"], **{**props, "type": record["type"]})
    if graph.number_of_nodes() == 0:
        raise LinklabError("the loaded scenario is empty: nothing to export")
    return graph


def gexf_labels(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Gephi shows a GEXF node's `label`: make it the name, and keep the Neo4j label as `neo4j_label`
    (networkx would otherwise write the Neo4j label as every node's label)."""
    copy = graph.copy()
    for _, data in copy.nodes(data=True):
        data["neo4j_label"], data["label"] = data["label"], data["name"]
    return copy


def write(graph: nx.MultiDiGraph, fmt: str, out: Path) -> list[Path]:
    if fmt == "graphml":
        nx.write_graphml(graph, out, named_key_ids=True)
        return [out]
    if fmt == "gexf":
        nx.write_gexf(gexf_labels(graph), out)
        return [out]
    if fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        node_fields = sorted({k for _, data in graph.nodes(data=True) for k in data} - {"label", "name"})
        with open(out / "nodes.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["key", "label", "name", *node_fields])
            for key, data in graph.nodes(data=True):
                writer.writerow([key, data["label"], data["name"], *(data.get(f, "") for f in node_fields)])
        edge_fields = sorted({k for *_, data in graph.edges(data=True) for k in data} - {"type"})
        with open(out / "edges.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source", "target", "type", *edge_fields])
            for a, b, data in graph.edges(data=True):
                writer.writerow([a, b, data["type"], *(data.get(f, "") for f in edge_fields)])
        return [out / "nodes.csv", out / "edges.csv"]
    raise LinklabError(f"unknown format {fmt!r}: choose {', '.join(FORMATS)}")
