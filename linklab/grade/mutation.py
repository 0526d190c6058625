"""Mistakes nobody wrote by hand: mutants made by editing the parsed reference solution.

Each operator finds the places in the reference's parse tree (linklab.cypherlang) where a trainee could go
wrong the same way and makes one edit of the source text there: a relationship's direction flipped or
dropped, DISTINCT dropped or added, an aggregation or comparison swapped, a number shifted by one, one
condition of a WHERE left out or turned round, a label or relationship type swapped for another of the
schema or left out, variable-length bounds changed, OPTIONAL dropped, the ranking or its direction dropped,
another GDS algorithm or orientation, text matched with its case, a column order swapped where it is
fixed, another kind of node counted. The result is parsed again and must pass the guard's allowlists; the
same query twice (or the reference itself) is kept once.

Every mutant carries a diagnosis in plain words, addressed to the trainee and true of that edit whatever
the exercise ("follows MESSAGED the other way round"), never code to copy or a number. Pure: no database.
"""

from __future__ import annotations


from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator

from ..cypherlang.names import name_of, qualified_name, unquote
from ..cypherlang.parser import CypherSyntaxError, parse, parse_tokens, tokens_of
from ..cypherlang.tree import Leaf, Tree
from .allow import NotAllowed, unwrap, vet

Edit = tuple[int, int, str]  # replace source[start:stop] by the text


@dataclass(frozen=True)
class Change:
    operator: str  # which kind of mistake (the operator's name)
    diagnosis: str  # said to the trainee when an answer provably makes it
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class AutoMutant:
    name: str  # operator and place: "direction@3:41"
    operator: str
    diagnosis: str
    query: str


@dataclass(frozen=True)
class Schema:
    """What operators may swap in: the node labels and relationship types of the world, with each type's
    start and end labels, and the values of properties that take one of a few (a Location's type...)."""
    labels: tuple[str, ...]
    types: tuple[tuple[str, str, str], ...]  # (type, start label, end label)
    values: tuple[tuple[str, ...], ...] = ()  # each: the values one property takes

    def type_names(self) -> list[str]:
        return sorted({t for t, _, _ in self.types})

    def neighbours_of_type(self, rel_type: str) -> list[str]:
        """Types that share a start or an end label with `rel_type`: the ones a trainee could mistake it for."""
        ends = {(s, e) for t, s, e in self.types if t == rel_type}
        near = {t for t, s, e in self.types if t != rel_type and any(s == a or e == b for a, b in ends)}
        return sorted(near)


# ---------------------------------------------------------------- helpers


def leaf_text(node: Tree) -> str:
    return "".join(leaf.text for leaf in node.leaves())


def where(node: Tree | Leaf) -> str:
    leaves = node.leaves() if isinstance(node, Tree) else [node]
    return f"{leaves[0].line}:{leaves[0].column}" if leaves else "0:0"


def child_leaf(node: Tree, *types: str) -> Leaf | None:
    return next((c for c in node.children if isinstance(c, Leaf) and c.type in types), None)


def variable_labels(tree: Tree) -> dict[str, str]:
    """Node variables and the first label their patterns give them (`(q:Person)` -> q: Person)."""
    found: dict[str, str] = {}
    for node in tree.all("nodePattern"):
        variable, labels = node.child("variable"), node.child("labelExpression")
        if variable is not None and labels is not None:
            names = [unquote(leaf.text) for leaf in labels.leaves() if leaf.type not in ("COLON", "BAR", "AMPERSAND")]
            if names:
                found.setdefault(name_of(variable), names[0])
    return found


def rel_types(node: Tree) -> list[str]:
    labels = node.child("labelExpression")
    return [unquote(leaf.text) for leaf in labels.leaves() if leaf.type not in ("COLON", "BAR")] if labels else []


# ---------------------------------------------------------------- operators


def one_way(schema: Schema, rel: Tree, known: dict[str, str]) -> bool:
    """Whether the schema lets this relationship run only one way between the labels at its ends (then
    ignoring its direction changes nothing, and that mutant is not made)."""
    types = rel_types(rel)
    before, after = (label_of(node, known) for node in sides(rel))
    if len(types) != 1 or before is None or after is None or before == after:
        return False
    pairs = {(s, e) for t, s, e in schema.types if t == types[0]}
    return not ((before, after) in pairs and (after, before) in pairs)


def directions(tree: Tree, schema: Schema) -> Iterator[Change]:
    known = variable_labels(tree)
    for rel in tree.all("relationshipPattern"):
        left, right = rel.child("leftArrow"), rel.child("rightArrow")
        lines = rel.kids("arrowLine")
        if not lines:
            continue
        kind = "/".join(rel_types(rel)) or "a relationship"
        first, last = lines[0], lines[-1]
        ignoring = not one_way(schema, rel, known)
        if right is not None and left is None:  # ->
            yield Change("direction", f"follows {kind} the other way round",
                         ((right.start, right.stop, ""), (first.start, first.start, "<")))
            if ignoring:
                yield Change("direction", f"ignores which way {kind} points", ((right.start, right.stop, ""),))
        elif left is not None and right is None:  # <-
            yield Change("direction", f"follows {kind} the other way round",
                         ((left.start, left.stop, ""), (last.stop, last.stop, ">")))
            if ignoring:
                yield Change("direction", f"ignores which way {kind} points", ((left.start, left.stop, ""),))
        elif left is None and right is None:  # either way
            yield Change("direction", f"follows {kind} in one direction only", ((last.stop, last.stop, ">"),))
            yield Change("direction", f"follows {kind} in one direction only", ((first.start, first.start, "<"),))


AGGREGATES = {"count", "collect", "sum", "avg", "min", "max", "stdev", "stdevp", "percentilecont",
              "percentiledisc"}


def distincts(tree: Tree, schema: Schema) -> Iterator[Change]:
    for call in tree.all("functionInvocation"):
        name = qualified_name(call.child("functionName"))
        if name not in AGGREGATES:
            continue
        distinct = child_leaf(call, "DISTINCT")
        if distinct is not None:
            yield Change("distinct", "counts the same thing more than once when it is reached in several ways",
                         ((distinct.start, distinct.stop, ""),))
        elif call.child("functionArgument") is not None:
            argument = call.child("functionArgument")
            yield Change("distinct", "merges repeats that the prompt counts one by one",
                         ((argument.start, argument.start, "DISTINCT "),))
    for body in tree.all("returnBody"):
        distinct = child_leaf(body, "DISTINCT")
        if distinct is not None:
            yield Change("distinct", "returns the same result more than once", ((distinct.start, distinct.stop, ""),))
    for clause in tree.all("returnClause", "withClause"):
        body = clause.child("returnBody")
        if body is not None and child_leaf(body, "DISTINCT") is None and clause.rule == "returnClause":
            yield Change("distinct", "merges repeated results that the prompt keeps",
                         ((body.start, body.start, "DISTINCT "),))


SWAPS = {"min": ["max"], "max": ["min"], "avg": ["sum"], "sum": ["avg", "count"], "count": ["sum"]}


def aggregations(tree: Tree, schema: Schema) -> Iterator[Change]:
    labels = variable_labels(tree)
    for call in tree.all("functionInvocation"):
        function = call.child("functionName")
        name = qualified_name(function)
        for other in SWAPS.get(name, []):
            yield Change("aggregation", f"takes the {word(other)} where the prompt asks for the {word(name)}",
                         ((function.start, function.stop, other),))
        argument = call.child("functionArgument")
        if name in ("count", "collect") and argument is not None:
            inner = unwrap(argument)
            if inner.rule == "variable" and name_of(inner) in labels:
                mine = labels[name_of(inner)]
                for variable, label in sorted(labels.items()):
                    if label != mine:
                        yield Change("counted", f"counts {label} nodes where the prompt counts {mine} nodes",
                                     ((inner.start, inner.stop, variable),))
    for star in tree.all("countStar"):
        pass  # count(*) counts rows: a different count only with OPTIONAL MATCH, made by `optional`


def word(function: str) -> str:
    return {"min": "smallest", "max": "largest", "avg": "average", "sum": "total", "count": "number"}[function]


COMPARISONS = {"LT": ["LE", "GT"], "LE": ["LT", "GE"], "GT": ["GE", "LT"], "GE": ["GT", "LE"], "EQ": ["NEQ"],
               "NEQ": ["EQ"]}
SYMBOL = {"LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "EQ": "=", "NEQ": "<>"}


def comparisons(tree: Tree, schema: Schema) -> Iterator[Change]:
    for node in tree.all("expression8"):
        for leaf in node.children:
            if isinstance(leaf, Leaf) and leaf.type in COMPARISONS:
                for other in COMPARISONS[leaf.type]:
                    boundary = {leaf.type, other} in ({"LT", "LE"}, {"GT", "GE"})
                    diagnosis = "puts a boundary value on the wrong side of a comparison" if boundary else \
                        "compares the other way round"
                    yield Change("comparison", diagnosis, ((leaf.start, leaf.stop, SYMBOL[other]),))
    for node in tree.all("comparisonExpression6"):
        tokens = node.tokens()
        if tokens[:2] == ["IS", "NOT"] and "NULL" in tokens:
            not_leaf = child_leaf(node, "NOT")
            yield Change("null", "keeps what has no value where the prompt needs one",
                         ((not_leaf.start, not_leaf.stop, ""),))
        elif tokens[:1] == ["IS"] and "NULL" in tokens and "NOT" not in tokens:
            is_leaf = child_leaf(node, "IS")
            yield Change("null", "keeps what has a value where the prompt needs none", ((is_leaf.stop, is_leaf.stop, " NOT"),))
        elif "CONTAINS" in tokens:
            contains = child_leaf(node, "CONTAINS")
            yield Change("text", "matches text only at its start", ((contains.start, contains.stop, "STARTS WITH"),))
            yield Change("text", "matches the whole text where the prompt looks for a part of it",
                         ((contains.start, contains.stop, "="),))


def numbers(tree: Tree, schema: Schema) -> Iterator[Change]:
    for literal in tree.all("numberLiteral"):
        leaves = literal.leaves()
        number = leaves[-1]
        if number.type not in ("UNSIGNED_DECIMAL_INTEGER", "DECIMAL_DOUBLE"):
            continue
        value = float(number.text) if number.type == "DECIMAL_DOUBLE" else int(number.text)
        context = "a limit" if literal.inside("limit", "skip") else "a path length" if literal.inside("pathLength") \
            else "a threshold"
        shifts = {value - 1, value + 1}
        if abs(value) >= 10:
            shifts |= {round(value * 0.9, 6), round(value * 1.1, 6)}
        for shifted in sorted(shifts):
            if shifted < 0 or (context == "a limit" and shifted < 1):
                continue
            text = str(int(shifted)) if isinstance(value, int) or float(shifted).is_integer() and \
                number.type != "DECIMAL_DOUBLE" else repr(float(shifted))
            yield Change("number", f"uses {context} that is off from the one the prompt gives",
                         ((number.start, number.stop, text),))


def conditions(tree: Tree, schema: Schema) -> Iterator[Change]:
    for clause in tree.all("whereClause"):
        yield Change("condition", "leaves out the prompt's conditions", ((clause.start, clause.stop, ""),))
    for node in tree.all("expression10", "expression"):
        joiner = "AND" if node.rule == "expression10" else "OR"
        terms = [c for c in node.children if isinstance(c, Tree)]
        ands = [c for c in node.children if isinstance(c, Leaf) and c.type == joiner]
        if len(terms) < 2:
            continue
        for k, term in enumerate(terms):
            # remove the term and the AND before it (or after it, for the first term)
            if k == 0:
                edit = (term.start, ands[0].stop, "")
            else:
                edit = (ands[k - 1].start, term.stop, "")
            what = "one of the prompt's conditions" if joiner == "AND" else "one of the prompt's alternatives"
            yield Change("condition", f"leaves out {what}", (edit,))
    for node in tree.all("expression9"):
        negation = child_leaf(node, "NOT")
        if negation is not None:
            yield Change("negation", "keeps what the prompt leaves out, and leaves out what it keeps",
                         ((negation.start, negation.stop, ""),))


def label_of(node: Tree | None, known: dict[str, str]) -> str | None:
    """The one label a node pattern gives (or its variable has elsewhere), else None."""
    if node is None:
        return None
    expression = node.child("labelExpression")
    if expression is not None:
        names = [unquote(leaf.text) for leaf in expression.leaves() if leaf.type not in ("COLON", "BAR", "AMPERSAND")]
        return names[0] if len(names) == 1 else None
    variable = node.child("variable")
    return known.get(name_of(variable)) if variable is not None else None


def sides(rel: Tree) -> tuple[Tree | None, Tree | None]:
    """The node patterns before and after a relationship pattern in its path."""
    siblings = rel.parent.children if rel.parent is not None else []
    index = siblings.index(rel)
    before = next((c for c in reversed(siblings[:index]) if isinstance(c, Tree) and c.rule == "nodePattern"), None)
    after = next((c for c in siblings[index + 1:] if isinstance(c, Tree) and c.rule == "nodePattern"), None)
    return before, after


def ends(rel: Tree) -> tuple[str, str]:
    """Which end of the relationship type the nodes before and after it are: start, end or either."""
    if rel.child("rightArrow") is not None and rel.child("leftArrow") is None:
        return "start", "end"
    if rel.child("leftArrow") is not None and rel.child("rightArrow") is None:
        return "end", "start"
    return "either", "either"


def labels_allowed(schema: Schema, rel_type: str, end: str) -> set[str]:
    """Labels a node may have at `end` (start, end or either) of a relationship of `rel_type`."""
    found = set()
    for t, start, stop in schema.types:
        if t == rel_type:
            found |= {start} if end == "start" else {stop} if end == "end" else {start, stop}
    return found


def labels_and_types(tree: Tree, schema: Schema) -> Iterator[Change]:
    """Labels and types swapped for others that the schema allows in that place (others would only find
    nothing), or left out where the relationships around do not already imply them."""
    known = variable_labels(tree)
    allowed_at: dict[int, list[set[str]]] = {}  # id(node pattern) -> label sets its relationships allow
    for rel in tree.all("relationshipPattern"):
        types = rel_types(rel)
        if len(types) != 1:
            continue
        for node, end in zip(sides(rel), ends(rel)):
            if node is not None:
                allowed_at.setdefault(id(node), []).append(labels_allowed(schema, types[0], end))
    for node in tree.all("nodePattern"):
        expression = node.child("labelExpression")
        label = label_of(node, {})
        if expression is None or label is None:
            continue
        constraints = allowed_at.get(id(node), [])
        fitting = set(schema.labels).intersection(*constraints) if constraints else set(schema.labels)
        if fitting != {label}:
            yield Change("label", f"does not check that a node is a {label}", ((expression.start, expression.stop, ""),))
        for other in sorted(fitting - {label}):
            yield Change("label", f"looks at {other} nodes where the prompt means {label} nodes",
                         ((expression.start, expression.stop, f":{other}"),))
    for rel in tree.all("relationshipPattern"):
        expression = rel.child("labelExpression")
        names = rel_types(rel)
        if expression is None or len(names) != 1:
            continue
        rel_type = names[0]
        (before, after), (end_before, end_after) = sides(rel), ends(rel)
        left, right = label_of(before, known), label_of(after, known)
        yield Change("type", f"follows any relationship where the prompt means {rel_type}",
                     ((expression.start, expression.stop, ""),))
        for other in schema.neighbours_of_type(rel_type):
            if (left is None or left in labels_allowed(schema, other, end_before)) and \
                    (right is None or right in labels_allowed(schema, other, end_after)):
                yield Change("type", f"follows {other} where the prompt means {rel_type}",
                             ((expression.start, expression.stop, f":{other}"),))
    for node in tree.all("nodePattern"):
        properties = node.child("properties")
        if properties is not None:
            yield Change("filter", "leaves out a property the prompt filters on",
                         ((properties.start, properties.stop, ""),))


def values(tree: Tree, schema: Schema) -> Iterator[Change]:
    """A property compared with one of its few values (`kind: 'crew'`, `type = 'prison'`): another value."""
    for literal in tree.all("stringLiteral"):
        text = literal.text[1:-1]
        for domain in schema.values:
            if text in domain:
                for other in domain:
                    if other != text:
                        yield Change("value", f"looks for '{other}' where the prompt means '{text}'",
                                     ((literal.start, literal.stop, f"'{other}'"),))


def lengths(tree: Tree, schema: Schema) -> Iterator[Change]:
    for rel in tree.all("relationshipPattern"):
        length = rel.child("pathLength")
        close = child_leaf(rel, "RBRACKET")
        if length is None:
            if close is not None:
                yield Change("length", "also follows longer chains where the prompt means one step",
                             ((close.start, close.start, "*1..2"),))
            continue
        bounds = [leaf for leaf in length.leaves() if leaf.type == "UNSIGNED_DECIMAL_INTEGER"]
        ranged = child_leaf(length, "DOTDOT") is not None
        yield Change("length", "takes one step where the prompt means a chain of any length",
                     ((length.start, length.stop, ""),))
        if not bounds:
            yield Change("length", "stops chains early where the prompt sets no limit",
                         ((length.stop, length.stop, "1..2"),))
        elif not ranged:  # *2: exactly two
            yield Change("length", "takes chains up to that length where the prompt means exactly that length",
                         ((bounds[0].start, bounds[0].start, "1.."),))


def optionals(tree: Tree, schema: Schema) -> Iterator[Change]:
    for clause in tree.all("matchClause"):
        optional = child_leaf(clause, "OPTIONAL")
        if optional is not None:
            yield Change("optional", "drops what has nothing to match where the prompt keeps it",
                         ((optional.start, optional.stop, ""),))
        elif clause is not tree.first("matchClause"):
            match = child_leaf(clause, "MATCH")
            yield Change("optional", "keeps rows that have nothing to match where the prompt drops them",
                         ((match.start, match.start, "OPTIONAL "),))


def rankings(tree: Tree, schema: Schema) -> Iterator[Change]:
    for body in tree.all("returnBody"):
        order, limit = body.child("orderBy"), body.child("limit")
        if order is not None:
            yield Change("ranking", "keeps results without ranking them first" if limit is not None
                         else "does not sort the results", ((order.start, order.stop, ""),))
            for item in order.kids("orderItem"):
                desc, asc = item.child("descToken"), item.child("ascToken")
                if desc is not None:
                    yield Change("ranking", "ranks from the wrong end", ((desc.start, desc.stop, ""),))
                elif asc is not None:
                    yield Change("ranking", "ranks from the wrong end", ((asc.start, asc.stop, "DESC"),))
                else:
                    yield Change("ranking", "ranks from the wrong end", ((item.stop, item.stop, " DESC"),))
        if limit is not None:
            yield Change("ranking", "returns more than the prompt asks for", ((limit.start, limit.stop, ""),))


ALGORITHMS = ("pageRank", "articleRank", "betweenness", "degree", "closeness", "eigenvector")


def algorithms(tree: Tree, schema: Schema) -> Iterator[Change]:
    for call in tree.all("callClause"):
        procedure = call.child("procedureName")
        name = qualified_name(procedure)
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "gds" and parts[2] in ("stream", "stats"):
            mine = next((a for a in ALGORITHMS if a.lower() == parts[1]), None)
            if mine is None:
                continue
            for other in ALGORITHMS:
                if other != mine:
                    yield Change("algorithm", f"measures {words(other)} where the prompt asks for {words(mine)}",
                                 ((procedure.start, procedure.stop, f"gds.{other}.{parts[2]}"),))
    for pair in tree.all("map"):
        text = pair.text
        if "undirectedRelationshipTypes" in text:
            yield Change("orientation", "treats the contacts as one-way where the prompt means both ways",
                         ((pair.start, pair.stop, "{}"),))
    for call in tree.all("functionInvocation"):
        if qualified_name(call.child("functionName")) == "gds.graph.project":
            arguments = call.kids("functionArgument")
            if len(arguments) == 3:  # no configuration: directed; make it undirected
                yield Change("orientation", "treats one-way relationships as going both ways",
                             ((arguments[-1].stop, arguments[-1].stop, ", {}, {undirectedRelationshipTypes: ['*']}"),))


def words(algorithm: str) -> str:
    return {"pageRank": "PageRank", "articleRank": "ArticleRank", "betweenness": "betweenness",
            "degree": "degree", "closeness": "closeness", "eigenvector": "eigenvector centrality"}[algorithm]


def texts(tree: Tree, schema: Schema) -> Iterator[Change]:
    for call in tree.all("functionInvocation"):
        name = qualified_name(call.child("functionName"))
        argument = call.child("functionArgument")
        if name in ("tolower", "toupper", "lower", "upper") and argument is not None:
            yield Change("case", "matches text with its capitals where the prompt ignores case",
                         ((call.start, call.stop, argument.text),))


def columns(tree: Tree, schema: Schema) -> Iterator[Change]:
    for clause in tree.all("returnClause"):
        items = clause.first("returnItems")
        entries = items.kids("returnItem") if items is not None else []
        if len(entries) >= 2:
            a, b = entries[0], entries[1]
            yield Change("columns", "returns the columns in another order than the prompt fixes",
                         ((a.start, a.stop, b.text), (b.start, b.stop, a.text)))


# The property that names a node of each label in answers: a trainee who keeps the value instead of the node
# takes two people (accounts...) with one name (handle...) for one.
SHOWN = {"Person": "name", "Account": "handle", "Organization": "name", "Market": "name", "Wallet": "address",
         "Phone": "number", "Email": "address", "Location": "name"}
BY_VALUE = "takes different things that share a name or handle for one and the same"


def by_value(tree: Tree, schema: Schema) -> Iterator[Change]:
    """Keep a node's shown value where the reference keeps the node: `count(DISTINCT f)` counting
    `f.handle`s, and `WITH p, count(...)` grouping by `p.name` (when p is used after that only as `p.name`)."""
    known = variable_labels(tree)
    source = tree.source
    for call in tree.all("functionInvocation"):
        if qualified_name(call.child("functionName")) != "count":
            continue
        argument = call.child("functionArgument")
        inner = unwrap(argument) if argument is not None else None
        if inner is not None and inner.rule == "variable" and known.get(name_of(inner)) in SHOWN:
            shown = SHOWN[known[name_of(inner)]]
            yield Change("by-value", BY_VALUE, ((inner.stop, inner.stop, f".{shown}"),))
    identifiers = [leaf for leaf in tree.leaves()]
    for clause in tree.all("withClause"):
        items = clause.first("returnItems")
        for item in items.kids("returnItem") if items is not None else []:
            inner = unwrap(item)
            if inner.rule != "variable" or item.child("variable") is not None or name_of(inner) not in known:
                continue
            variable = name_of(inner)
            later = [leaf for k, leaf in enumerate(identifiers) if leaf.start >= item.stop
                     and leaf.text == variable and not (k and identifiers[k - 1].type == "DOT")]
            properties = set()
            for leaf in later:
                rest = source[leaf.stop:]
                name = rest[1:].split(None, 1)[0] if rest.startswith(".") else ""
                name = "".join(ch for ch in name if ch.isalnum() or ch == "_") if name else ""
                properties.add(name if name and rest[1:1 + len(name)] == name else None)
            if not later or len(properties) != 1 or None in properties:
                continue
            shown = properties.pop()
            edits = [(item.start, item.stop, f"{variable}.{shown} AS {variable}")]
            edits += [(leaf.start, leaf.stop + 1 + len(shown), variable) for leaf in later]
            yield Change("by-value", BY_VALUE, tuple(edits))


OPERATORS: tuple[Callable[[Tree, Schema], Iterator[Change]], ...] = (
    directions, distincts, aggregations, comparisons, numbers, conditions, labels_and_types, values, lengths,
    optionals, rankings, algorithms, texts, columns, by_value)


# ---------------------------------------------------------------- making and keeping mutants


def apply(source: str, edits: tuple[Edit, ...]) -> str:
    for start, stop, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        source = source[:start] + text + source[stop:]
    return source


@lru_cache(maxsize=4096)
def squeeze(query: str) -> str:
    """The query's tokens without comments and spacing: two texts that squeeze alike are one query (kept per
    text: the engine squeezes every mutant it makes, and its callers squeeze them again)."""
    try:
        return squeezed(tokens_of(query))
    except CypherSyntaxError:
        return query


def squeezed(tokens: list) -> str:
    return " ".join(t.text for t in tokens if t.channel == 0).rstrip(" ;")


def mutants_of(reference: str, schema: Schema, params: dict | None = None,
               known: tuple[str, ...] = ()) -> tuple[AutoMutant, ...]:
    """Every automatic mutant of `reference` that parses and passes the guard's allowlists, once each; not
    the reference and not one of the `known` queries (the hand-written mutants, which keep their names)."""
    return _mutants_of(reference, schema, param_types(params or {}), known)


def mutants_of_types(reference: str, schema: Schema, types: tuple[tuple[str, str], ...],
                     known: tuple[str, ...] = ()) -> tuple[AutoMutant, ...]:
    """mutants_of, for parameters given as the guard sees them (param_types)."""
    return _mutants_of(reference, schema, types, known)


# One value of each type a parameter can have: the guard reads a parameter's type, never its value
# (allow.Types.param), so mutants vetted with these are those vetted with the world's own values.
TYPICAL = {"bool": False, "int": 0, "float": 0.0, "str": "", "list": [], "dict": {}, "NoneType": None}


def param_types(params: dict) -> tuple[tuple[str, str], ...]:
    """The parameters as the guard sees them (name, type): every course's world of one exercise makes the same
    mutants, so they are made once per process, not once per course."""
    return tuple(sorted((name, type(value).__name__ if type(value).__name__ in TYPICAL else "object")
                        for name, value in params.items()))


@lru_cache(maxsize=256)
def _mutants_of(reference: str, schema: Schema, types: tuple, known: tuple[str, ...]) -> tuple[AutoMutant, ...]:
    params = {name: TYPICAL.get(kind) for name, kind in types}
    tree = parse(reference)
    seen = {squeeze(reference)} | {squeeze(q) for q in known}
    found: list[AutoMutant] = []
    for operator in OPERATORS:
        for change in operator(tree, schema):
            text = apply(reference, change.edits)
            try:  # lexed once: to tell a new mutant (squeezed), then to parse it
                tokens = tokens_of(text)
            except CypherSyntaxError:
                continue
            key = squeezed(tokens)
            if key in seen:
                continue
            seen.add(key)
            try:
                vet(parse_tokens(text, tokens), params)
            except (CypherSyntaxError, NotAllowed):
                continue
            place = min(start for start, _, _ in change.edits)
            line = reference.count("\n", 0, place) + 1
            column = place - (reference.rfind("\n", 0, place) + 1) + 1
            found.append(AutoMutant(f"{change.operator}@{line}:{column}#{len(found) + 1}", change.operator,
                                    change.diagnosis, text))
    return tuple(found)


CATEGORIES = (("organisation", "crew"), ("city", "address", "venue", "prison"), ("seized", "active"))


def schema_of_model() -> Schema:
    """The generated scenarios' schema (scenario.model), with the few-valued properties' values."""
    from ..scenario.builder import PLATFORMS
    from ..scenario.model import NODE_LABELS, REL_SPECS

    return Schema(tuple(NODE_LABELS), tuple(REL_SPECS), CATEGORIES + (tuple(PLATFORMS),))


def case_schema(rel_type: str) -> Schema:
    """A case network: people and one relationship type."""
    return Schema(("Person",), ((rel_type, "Person", "Person"),))


__all__ = ["AutoMutant", "Schema", "mutants_of", "mutants_of_types", "param_types", "schema_of_model", "case_schema", "squeeze"]

