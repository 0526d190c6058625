"""Pictures of the loaded network, for people who would rather look than read: a PNG and a self-contained
interactive HTML page drawn with sigma.js (the vendored graph-view bundle inlined: no CDN, no network). Organisations are coloured, node size follows degree, the most
connected people are labelled, and the layout (ForceAtlas2) is fixed by the scenario's seed.

The default view is the criminal core (known members and everyone in message contact with two or more of
them); `--around HANDLE --hops N` shows one account owner's neighbourhood instead. On an imported case
network the view is the whole network, coloured by community (Louvain, seeded), and `--around` takes a
person's name. Views above MAX_NODES keep the most connected people and say so on the picture.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import neo4j
import networkx as nx

from . import cypher
from .errors import LinklabError

MAX_NODES = 400
LABELLED = 12  # names shown for the most connected people...
LABEL_ALL = 30  # ...or for everyone in views this small
PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79"]
OUTSIDER = "#b0b0b0"


@dataclass
class View:
    graph: nx.Graph  # person ids, attributes: name, group
    title: str
    note: str  # what was left out, shown on the picture
    groups: list[str]  # legend order
    size_note: str = "node size: number of message contacts"
    focus: str | None = None  # the person of --around, marked on the page


def person_graph(driver: neo4j.Driver) -> tuple[nx.Graph, dict[str, str]]:
    graph = nx.Graph()
    records, _, _ = driver.execute_query(cypher.PERSON_CONTACTS)
    graph.add_edges_from(sorted((r["a"], r["b"]) for r in records))
    records, _, _ = driver.execute_query(cypher.MEMBERSHIPS)
    groups: dict[str, str] = {}
    for r in sorted(records, key=lambda r: (r["kind"] != "crew", r["id"])):
        groups.setdefault(r["id"], r["organisation"])  # a crew says more than the organisation
    return graph, groups


def case_graph(driver: neo4j.Driver, seed: int) -> tuple[nx.Graph, dict[str, str]]:
    """Every link between people, and communities (largest first) as the groups to colour."""
    graph = nx.Graph()
    records, _, _ = driver.execute_query(cypher.CASE_PEOPLE)
    graph.add_nodes_from(sorted(r["id"] for r in records))
    records, _, _ = driver.execute_query(cypher.CASE_LINKS)
    graph.add_edges_from(sorted((r["a"], r["b"]) for r in records))
    communities = sorted(nx.community.louvain_communities(graph, seed=seed), key=lambda c: (-len(c), min(c)))
    return graph, {p: f"community {i}" for i, members in enumerate(communities, 1) for p in members}


def build_case_view(driver: neo4j.Driver, seed: int, around: str | None, hops: int) -> View:
    contacts, groups = case_graph(driver, seed)
    if around:
        records, _, _ = driver.execute_query(cypher.PERSON_BY_NAME, name=around)
        if not records:
            raise LinklabError(f"no person named {around!r} in the loaded case network")
        keep = set(nx.single_source_shortest_path_length(contacts, records[0]["id"], cutoff=hops))
        title = f"{hops}-hop neighbourhood of {around}"
    else:
        keep = set(contacts)
        title = "The case network, coloured by community (Louvain)"
    view = finish_view(driver, contacts.subgraph(keep).copy(), groups, title, outsider=None)
    view.size_note = "node size: number of links"
    view.focus = records[0]["id"] if around and records[0]["id"] in view.graph else None
    return view


def build_view(driver: neo4j.Driver, seed: int, around: str | None = None, hops: int = 2,
               case: bool = False) -> View:
    if case:
        return build_case_view(driver, seed, around, hops)
    contacts, groups = person_graph(driver)
    if around:
        records, _, _ = driver.execute_query(cypher.OWNER_OF_HANDLE, handle=around)
        if not records:
            raise LinklabError(f"no attributed account with handle {around!r} in the loaded scenario")
        centre = records[0]["id"]
        keep = set(nx.single_source_shortest_path_length(contacts, centre, cutoff=hops)) if centre in contacts \
            else {centre}
        title = f"{hops}-hop message neighbourhood of @{around}"
    else:
        members = set(groups)
        keep = {p for p in members if p in contacts} | {
            p for p in contacts if p not in members and len(members.intersection(contacts[p])) >= 2}
        title = "The criminal core: known members and everyone in contact with two or more of them"
        if not keep:
            raise LinklabError("the loaded scenario has no known members: nothing to draw (use --around)")
    view = contacts.subgraph(keep).copy()
    view.add_nodes_from(keep)
    finished = finish_view(driver, view, groups, title, outsider="not a known member")
    finished.focus = centre if around and centre in finished.graph else None
    return finished


def finish_view(driver: neo4j.Driver, view: nx.Graph, groups: dict[str, str], title: str,
                outsider: str | None) -> View:
    """Keep the MAX_NODES most connected (saying so), and add names and groups."""
    note = ""
    if view.number_of_nodes() > MAX_NODES:
        ranked = sorted(view.degree(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NODES]
        note = f"showing the {MAX_NODES} most connected of {view.number_of_nodes():,} people"
        view = view.subgraph(p for p, _ in ranked).copy()
    records, _, _ = driver.execute_query(cypher.PERSON_NAMES, ids=sorted(view))
    names = {r["id"]: r["name"] for r in records}
    for person in view:
        view.nodes[person]["name"] = names.get(person, person)
        view.nodes[person]["group"] = groups.get(person, outsider)
    named = sorted({g for _, g in view.nodes(data="group")} - {outsider},
                   key=lambda g: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", g)])  # 2 before 10
    return View(view, title, note, named + ([outsider] if outsider else []))


def layout(view: View, seed: int) -> dict[str, tuple[float, float]]:
    """ForceAtlas2, seeded: dense crews spread out instead of collapsing into a blot, stars stay stars, and node
    size (degree) keeps discs apart. Scaled into [-1, 1]."""
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(view.graph))
    ordered.add_edges_from(sorted(tuple(sorted(e)) for e in view.graph.edges))
    if ordered.number_of_nodes() < 2:
        return {n: (0.0, 0.0) for n in ordered}
    sizes = {n: 1 + d ** 0.5 for n, d in ordered.degree()}
    positions = nx.forceatlas2_layout(ordered, seed=seed, max_iter=300, node_size=sizes, scaling_ratio=3)
    positions = nx.rescale_layout_dict(positions, scale=1)
    return {n: (round(float(x), 5), round(float(y), 5)) for n, (x, y) in positions.items()}


def colours(view: View) -> dict[str, str]:
    named = [g for g in view.groups if g != "not a known member"]
    table = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(named)}
    table["not a known member"] = OUTSIDER
    return table


def drawing_data(view: View, seed: int) -> dict:
    positions, colour = layout(view, seed), colours(view)
    degree = dict(view.graph.degree())
    shown = len(degree) if len(degree) <= LABEL_ALL else LABELLED
    labelled = {p for p, _ in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:shown]}
    nodes = [{"id": p, "name": view.graph.nodes[p]["name"], "group": view.graph.nodes[p]["group"],
              "x": positions[p][0], "y": positions[p][1], "degree": degree[p], "colour": colour[view.graph.nodes[p]["group"]],
              "label": p in labelled} for p in sorted(view.graph)]
    edges = [[a, b] for a, b in sorted(tuple(sorted(e)) for e in view.graph.edges)]
    return {"title": view.title, "note": view.note, "size_note": view.size_note, "legend": [[g, colour[g]] for g in view.groups],
            "focus": view.focus, "muted": OUTSIDER, "nodes": nodes, "edges": edges}


def write_png(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    fig, ax = plt.subplots(figsize=(11, 8.5), dpi=100)
    where = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    for a, b in data["edges"]:
        (x1, y1), (x2, y2) = where[a], where[b]
        ax.plot([x1, x2], [y1, y2], color="#999999", linewidth=0.5, alpha=0.6, zorder=1)
    top = max((n["degree"] for n in data["nodes"]), default=1) or 1
    ax.scatter([n["x"] for n in data["nodes"]], [n["y"] for n in data["nodes"]],
               s=[20 + 380 * n["degree"] / top for n in data["nodes"]], c=[n["colour"] for n in data["nodes"]],
               edgecolors="white", linewidths=0.6, zorder=2)
    for n in data["nodes"]:
        if n["label"]:
            ax.annotate(n["name"], (n["x"], n["y"]), fontsize=8, xytext=(4, 4), textcoords="offset points", zorder=3)
    handles = [Line2D([], [], marker="o", linestyle="", color=c, label=g) for g, c in data["legend"]]
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True)
    ax.set_title(data["title"] + (f"\n({data['note']})" if data["note"] else ""), fontsize=11)
    ax.text(0.99, 0.01, data["size_note"], transform=ax.transAxes, ha="right", fontsize=7)
    ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_html(data: dict, path: Path) -> None:
    """One self-contained page (linklab/web/picture.html) with the sigma.js bundle and the data inlined: it is
    handed around as a single file and opened offline."""
    import html

    from .web.assets import inline_script

    template = (Path(__file__).parent / "web" / "picture.html").read_text(encoding="utf-8")
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    parts = {"__TITLE__": html.escape(data["title"]), "__DATA__": payload, "__BUNDLE__": inline_script("graph-view")}
    page = re.sub("|".join(parts), lambda m: parts[m.group(0)], template)  # one pass: inserted text stays as is
    path.write_text(page, encoding="utf-8")


def draw(driver: neo4j.Driver, seed: int, out: Path, around: str | None = None, hops: int = 2,
         case: bool = False) -> tuple[dict, list[Path]]:
    view = build_view(driver, seed, around, hops, case)
    data = drawing_data(view, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    png, page = out.with_suffix(".png"), out.with_suffix(".html")
    write_png(data, png)
    write_html(data, page)
    return data, [png, page]
