"""Reading a published network (GraphML, GEXF or a CSV edge list) into a CaseNetwork. Pure: no database.

Everything is checked before anything is loaded, so a bad file never touches the database: a file that
is not what its name says, missing columns, non-UTF-8 text, bad weights, no contacts, a network too large
for exact answer keys. What can be repaired is repaired and reported: self-loops are dropped, duplicate
contacts (also A-B next to B-A) merged with their weights added, repeated names made unique.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LinklabError
from .network import CaseNetwork, Contact, Person, check_name, check_rel_type

FORMATS = ("graphml", "gexf", "csv")
EXTENSIONS = {".graphml": "graphml", ".gexf": "gexf", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}
MAX_BYTES = 100 << 20
MAX_PEOPLE = 1_000  # exact betweenness keys (networkx): `python -m bench import` times them at the limit
MAX_CONTACTS = 10_000
NAME_KEYS = ("label", "name")
SOURCE_COLUMNS, TARGET_COLUMNS, WEIGHT_COLUMNS = ("source", "from"), ("target", "to"), ("weight",)


@dataclass
class Raw:
    """The file's content before cleaning."""
    attributes: dict[str, dict] = field(default_factory=dict)  # person id -> attributes, file order
    edges: list[tuple[str, str, float | None, str]] = field(default_factory=list)  # source, target, weight, where


def fail(path: Path, message: str) -> LinklabError:
    return LinklabError(f"{path.name}: {message}")


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise LinklabError(f"unknown format {fmt!r}: choose {', '.join(FORMATS)}")
        return fmt
    found = EXTENSIONS.get(path.suffix.lower())
    if not found:
        raise fail(path, f"cannot tell the format from the extension {path.suffix or '(none)'!r}: "
                         "name it .graphml, .gexf or .csv, or give --format")
    return found


def read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise LinklabError(f"no such file: {path}")
    if not path.is_file():
        raise LinklabError(f"{path} is not a file")
    if path.stat().st_size > MAX_BYTES:
        raise fail(path, f"{path.stat().st_size >> 20} MiB is too large for a case network (limit {MAX_BYTES >> 20} MiB)")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise fail(path, "not a text file (it holds binary data)")
    return data


def utf8_text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise fail(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8, "
                         "e.g. `iconv -f latin1 -t utf-8 OLD > NEW`") from None


def number(text: str | None, what: str, path: Path) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise fail(path, f"{what}: weight {text.strip()!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise fail(path, f"{what}: weight {text.strip()!r} must be a finite number, 0 or more")
    return value


# ---------------------------------------------------------------- XML formats


def xml_root(path: Path, data: bytes, fmt: str) -> ET.Element:
    title = {"graphml": "GraphML", "gexf": "GEXF"}[fmt]
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        raise fail(path, f"not {title}: it does not start with XML (a CSV edge list? use --format csv)")
    declared = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", head)
    if not declared or declared.group(1).lower().replace(b"-", b"") in (b"utf8", b"utf-8"):
        utf8_text(path, data)  # a clear message for bad bytes; expat would only say "invalid token"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise fail(path, f"not {title}: the XML is not well-formed ({exc})") from None
    tag = root.tag.rsplit("}", 1)[-1]
    if tag != fmt:
        other = f" (a {tag.upper() if tag == 'gexf' else tag} file? give --format {tag})" if tag in FORMATS else ""
        raise fail(path, f"not {title}: its root element is <{tag}>{other}")
    return root


def typed(text: str | None, kind: str):
    text = (text or "").strip()
    try:
        if kind in ("int", "long", "integer"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "boolean":
            return text.lower() in ("true", "1", "yes")
    except ValueError:
        pass
    return text


def add_xml_edge(raw: Raw, path: Path, i: int, edge: ET.Element, weight: str | None) -> None:
    """The i-th <edge> of a GraphML or GEXF file (both name its ends `source` and `target`)."""
    source, target = edge.get("source"), edge.get("target")
    if not source or not target:
        raise fail(path, f"edge {i} has no source or no target")
    raw.edges.append((source, target, number(weight, f"edge {i} ({source}-{target})", path), f"edge {i}"))


def read_graphml(path: Path, data: bytes) -> Raw:
    root = xml_root(path, data, "graphml")
    keys = {k.get("id"): (k.get("attr.name") or k.get("id"), k.get("attr.type", "string"))
            for k in root.findall("{*}key")}
    graph = root.find("{*}graph")
    if graph is None:
        raise fail(path, "no <graph> element: the GraphML holds no network")
    raw = Raw()
    for node in graph.findall("{*}node"):
        if not node.get("id"):
            raise fail(path, "a <node> without an id")
        attrs = {}
        for d in node.findall("{*}data"):
            name, kind = keys.get(d.get("key"), (d.get("key"), "string"))  # an undeclared key names itself
            attrs[name] = typed(d.text, kind)
        raw.attributes[node.get("id")] = attrs
    weight_keys = {k for k, (name, _) in keys.items() if name.lower() in WEIGHT_COLUMNS}
    for i, edge in enumerate(graph.findall("{*}edge"), 1):
        weight = next((d.text for d in edge.findall("{*}data") if d.get("key") in weight_keys), None)
        add_xml_edge(raw, path, i, edge, weight)
    return raw


def read_gexf(path: Path, data: bytes) -> Raw:
    root = xml_root(path, data, "gexf")
    graph = root.find("{*}graph")
    if graph is None:
        raise fail(path, "no <graph> element: the GEXF holds no network")
    titles = {}
    for block in graph.findall("{*}attributes"):
        if block.get("class", "node") == "node":
            titles.update({a.get("id"): (a.get("title") or a.get("id"), a.get("type", "string"))
                           for a in block.findall("{*}attribute")})
    raw = Raw()
    for node in graph.iterfind("{*}nodes/{*}node"):
        if not node.get("id"):
            raise fail(path, "a <node> without an id")
        attrs = {"label": node.get("label")} if node.get("label") else {}
        for value in node.iterfind("{*}attvalues/{*}attvalue"):
            title, kind = titles.get(value.get("for") or value.get("id"), (value.get("for"), "string"))
            attrs[title] = typed(value.get("value"), kind)
        raw.attributes[node.get("id")] = attrs
    for i, edge in enumerate(graph.iterfind("{*}edges/{*}edge"), 1):
        add_xml_edge(raw, path, i, edge, edge.get("weight"))
    return raw


# ---------------------------------------------------------------- CSV edge lists


def split_lines(path: Path, data: bytes) -> tuple[list[list[str]], str]:
    """The file's rows (UTF-8, BOM dropped) and the delimiter: comma, semicolon or tab, whichever the
    first line holds most of, or runs of spaces when it holds none of them."""
    text = utf8_text(path, data)
    if not text.strip():
        raise fail(path, "the file is empty")
    if text.lstrip().startswith("<"):
        raise fail(path, "not a CSV edge list: it looks like XML (GraphML or GEXF? give --format)")
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    if not first.count(delimiter):
        if len(first.split()) < 2:
            raise fail(path, f"the first line holds one value ({first.strip()[:60]!r}): an edge list needs two "
                             "columns, source and target")
        return [line.split() for line in text.splitlines()], " "
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter


def read_csv(path: Path, data: bytes, no_header: bool = False) -> tuple[Raw, list[str]]:
    rows, _ = split_lines(path, data)
    numbered = [(i, row) for i, row in enumerate(rows, 1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise fail(path, "the file is empty")
    if no_header:
        source, target, weight = 0, 1, 2
        if len(numbered[0][1]) > 2 and numeric(numbered[0][1][2]) is None:
            weight = None  # a third column that is not a number is not a weight
        body, notes = numbered, []
    else:
        header = [h.strip().lower() for h in numbered[0][1]]

        def column(names: tuple[str, ...]) -> int | None:
            return next((header.index(n) for n in names if n in header), None)

        source, target, weight = column(SOURCE_COLUMNS), column(TARGET_COLUMNS), column(WEIGHT_COLUMNS)
        if source is None or target is None:
            raise fail(path, f"no 'source' and 'target' columns (found: {', '.join(header)[:80]}); "
                             + suggest_layout(numbered))
        ignored = [h for i, h in enumerate(header) if i not in (source, target, weight) and h]
        notes = [f"column(s) not imported: {', '.join(ignored)}"] if ignored else []
        body = numbered[1:]
    raw = Raw()
    for line, row in body:
        if len(row) <= max(source, target):
            raise fail(path, f"line {line}: {len(row)} field(s), fewer than the {max(source, target) + 1} needed")
        a, b = row[source].strip(), row[target].strip()
        if not a or not b:
            raise fail(path, f"line {line}: empty source or target")
        w = number(row[weight], f"line {line}", path) if weight is not None and weight < len(row) else None
        for person in (a, b):
            raw.attributes.setdefault(person, {})
        raw.edges.append((a, b, w, f"line {line}"))
    return raw, notes


def numeric(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def suggest_layout(numbered: list[tuple[int, list[str]]]) -> str:
    """Name the option that reads the file as it is: an adjacency matrix (its first row and first column
    hold the same names, the rest numbers) or an edge list without a header line."""
    first = [c.strip() for c in numbered[0][1]]
    labels = [row[0].strip() for _, row in numbered[1:] if row]
    if len(first) > 2 and set(first[1:]) == set(labels):
        return "it looks like an adjacency matrix: import it with --matrix"
    if 2 <= len(first) <= 3:
        return "if the first line is already a link, import it with --no-header"
    return "the first line must name them, e.g. source,target,weight"


def read_matrix(path: Path, data: bytes) -> tuple[Raw, list[str]]:
    """An adjacency matrix (UCINET's, CAVIAR's): names in the first row and column, weights in the cells,
    0 or empty for no link. A symmetric matrix gives each link once; otherwise both directions are
    merged (their weights added) like duplicate links."""
    rows, _ = split_lines(path, data)
    rows = [[c.strip() for c in row] for row in rows if any(c.strip() for c in row)]
    if len(rows) < 3:
        raise fail(path, "an adjacency matrix needs a first row of names and a row per person")
    names = rows[0][1:]
    if len(set(names)) != len(names) or any(not n for n in names):
        raise fail(path, "the first row of the matrix must hold each person's name once")
    cells: dict[tuple[str, str], float] = {}
    for line, row in enumerate(rows[1:], 2):
        if row[0] not in names:
            raise fail(path, f"row {line} is for {row[0]!r}, who is not in the first row: not a square matrix")
        if len(row) - 1 != len(names):
            raise fail(path, f"row {line} holds {len(row) - 1} values for {len(names)} names")
        for name, value in zip(names, row[1:]):
            weight = number(value, f"row {line}, column {name!r}", path) or 0.0
            if weight:
                cells[(row[0], name)] = weight
    raw, notes = Raw({n: {} for n in names}), []
    symmetric = all(cells.get((b, a)) == w for (a, b), w in cells.items())
    loops = sum(1 for a, b in cells if a == b)
    for (a, b), w in cells.items():
        if a == b or (symmetric and names.index(a) > names.index(b)):
            continue
        raw.edges.append((a, b, w, f"row {a!r}, column {b!r}"))
    if loops:
        notes.append(f"dropped {loops} value(s) on the diagonal (a person in contact with themselves)")
    if not symmetric:
        notes.append("the matrix is not symmetric: links in both directions are merged and their weights added")
    return raw, notes


# ---------------------------------------------------------------- cleaning


def scalar_props(attrs: dict) -> tuple[tuple[str, str | int | float | bool], ...]:
    return tuple(sorted((k, v) for k, v in attrs.items()
                        if k and k.lower() not in ("id", *NAME_KEYS) and isinstance(v, (str, int, float, bool))
                        and v != ""))


def display_name(person_id: str, attrs: dict) -> str:
    """A `name` attribute first; else a `label` that says more than the id (networkx writes GEXF labels
    that are only the ids); else the id."""
    found = {key.lower(): " ".join(str(value).split()) for key, value in attrs.items() if key}
    for key in ("name", "label"):
        if found.get(key) and found[key] != person_id:
            return found[key]
    return person_id


def clean(path: Path, raw: Raw, name: str, rel_type: str, fmt: str, data: bytes) -> tuple[CaseNetwork, list[str]]:
    notes = []
    undeclared = {p for s, t, *_ in raw.edges for p in (s, t)} - set(raw.attributes)
    for person in sorted(undeclared):
        raw.attributes[person] = {}
    raw = own_ids(raw)
    if not raw.attributes:
        raise fail(path, "the file holds no people")
    loops = [where for s, t, _, where in raw.edges if s == t]
    merged: dict[frozenset, list] = {}
    order: list[frozenset] = []
    for s, t, w, _ in raw.edges:
        if s == t:
            continue
        pair = frozenset((s, t))
        if pair not in merged:
            merged[pair] = [s, t, 0.0]
            order.append(pair)
        merged[pair][2] += 1.0 if w is None else w
    for pair in order:
        if not math.isfinite(merged[pair][2]):
            a, b = merged[pair][:2]
            raise fail(path, f"the weights of the contacts between {a} and {b} add up to more than a number "
                             "can hold: scale the weights down")
    duplicates = len(raw.edges) - len(loops) - len(order)
    if loops:
        notes.append(f"dropped {len(loops)} self-loop(s) (a person in contact with themselves), first at {loops[0]}")
    if duplicates:
        notes.append(f"merged {duplicates} duplicate contact(s) (the same pair again, either way round); "
                     "their weights are added")
    if undeclared:
        notes.append(f"{len(undeclared)} person id(s) appear only in edges: added with the id as name")
    if not order:
        raise fail(path, f"the file holds no contacts between two different people "
                         f"(people: {len(raw.attributes)}, edges: {len(raw.edges)}, self-loops: {len(loops)})")
    if len(raw.attributes) > MAX_PEOPLE or len(order) > MAX_CONTACTS:
        raise fail(path, f"{len(raw.attributes):,} people and {len(order):,} contacts: case networks are limited "
                         f"to {MAX_PEOPLE:,} people and {MAX_CONTACTS:,} contacts (answer keys are exact)")
    names = {pid: display_name(pid, attrs) for pid, attrs in raw.attributes.items()}
    counts: dict[str, int] = {}
    for value in names.values():
        counts[value] = counts.get(value, 0) + 1
    repeated = {pid for pid, value in names.items() if counts[value] > 1}
    for pid in repeated:
        names[pid] = f"{names[pid]} ({pid})"
    if repeated:
        notes.append(f"{len(repeated)} people share a name with someone else: their id is added to it, "
                     "since answers are checked by name")
    if len(set(names.values())) != len(names):
        raise fail(path, "names stay ambiguous even with ids added: give every person a distinct label")
    people = tuple(sorted((Person(pid, names[pid], scalar_props(attrs)) for pid, attrs in raw.attributes.items()),
                          key=lambda p: p.id))
    contacts = tuple(Contact(*merged[pair]) for pair in order)
    weighted = any(w is not None for *_, w, _ in raw.edges)
    source = {"file": path.name, "format": fmt, "file_sha256": hashlib.sha256(data).hexdigest(),
              "weighted": weighted, "self_loops_dropped": len(loops), "duplicates_merged": duplicates,
              "names_made_unique": len(repeated)}
    return CaseNetwork(name, rel_type, people, contacts, source), notes


def read_case(path: Path, name: str, rel_type: str = "KNOWS", fmt: str | None = None,
              no_header: bool = False, matrix: bool = False) -> tuple[CaseNetwork, list[str]]:
    """The case network in FILE, and notes on what was repaired. Raises LinklabError on bad input.
    `no_header`: a CSV edge list whose first line is already a link; `matrix`: an adjacency matrix."""
    check_name(name)
    rel_type, notes = canonical_type(rel_type)
    if no_header and matrix:
        raise LinklabError("--no-header and --matrix do not go together: a matrix has a row of names")
    if path.is_dir():
        path = exported_edges(path)
    fmt = "csv" if (no_header or matrix) and not fmt else detect_format(path, fmt)
    if (no_header or matrix) and fmt != "csv":
        raise LinklabError(f"--no-header and --matrix are for CSV files, not {fmt}")
    data = read_bytes(path)
    if fmt == "graphml":
        raw = read_graphml(path, data)
    elif fmt == "gexf":
        raw = read_gexf(path, data)
    elif matrix:
        raw, more = read_matrix(path, data)
        notes += more
    else:
        raw, more = read_csv(path, data, no_header)
        notes += more
        nodes = path.with_name("nodes.csv")
        if path.name == "edges.csv" and nodes.exists():  # `linklab export --format csv` wrote both
            notes += read_exported_nodes(nodes, raw)
    case, more = clean(path, raw, name, rel_type, fmt, data)
    return case, notes + more


def canonical_type(rel_type: str) -> tuple[str, list[str]]:
    """Relationship types in upper case, as Neo4j writes them (and never the same as a label)."""
    check_rel_type(rel_type)
    upper = rel_type.upper()
    return upper, ([f"relationship type {rel_type!r} is written {upper} (Neo4j's convention for types)"]
                   if upper != rel_type else [])


def exported_edges(folder: Path) -> Path:
    """A folder that `linklab export --format csv` wrote: its edges.csv (names come from nodes.csv)."""
    edges = folder / "edges.csv"
    if not edges.exists():
        raise LinklabError(f"{folder} is a folder without edges.csv: give the file to import")
    return edges


def read_exported_nodes(nodes: Path, raw: Raw) -> list[str]:
    """Names and attributes from the nodes.csv beside an exported edges.csv, so an export imports back
    as the same network."""
    rows = list(csv.DictReader(io.StringIO(utf8_text(nodes, read_bytes(nodes)), newline="")))
    named = 0
    for row in rows:
        key = (row.get("key") or "").strip()
        if key in raw.attributes:
            raw.attributes[key] = {k: v for k, v in row.items() if k and k not in ("key", "label") and v not in (None, "")}
            named += 1
    return [f"names and attributes of {named} people read from {nodes.name}"] if named else []


def own_ids(raw: Raw) -> Raw:
    """Where every person carries an `id` attribute, distinct from everyone else's, that is their id (an
    export writes file keys such as Person:N1 beside it); otherwise the file's own keys stay."""
    new_id = {key: str(attrs.get("id", "")).strip() for key, attrs in raw.attributes.items()}
    if not all(new_id.values()) or len(set(new_id.values())) != len(new_id) or \
            all(key == value for key, value in new_id.items()):
        return raw
    return Raw({new_id[k]: a for k, a in raw.attributes.items()},
               [(new_id[a], new_id[b], w, where) for a, b, w, where in raw.edges])
