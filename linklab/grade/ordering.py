"""Whether an answer's rows depend on the order the database happens to store things in.

Which rows a LIMIT keeps, and in which order rows that tie come back, are the storage order's choice unless
the query says otherwise; storage order changes with every load of a world (freed ids are reused), so such
an answer can pass on one load and fail on the next. `tie_breaks` writes the answer twice more with its
final RETURN ordered further by every column it returns, ascending and then descending: each of the two is
one order the database could have produced. An answer is right only if it is right in both (grade.engine
and grade.evaluate check them), whatever the world, and whatever load it runs on. Where the order may be the
query's own (no ORDER BY at the end, but one earlier, or an UNWIND of a list), there is nothing to probe.
"""

from __future__ import annotations

from functools import lru_cache

from ..cypherlang.parser import CypherSyntaxError, parse
from ..cypherlang.tree import Tree

DIRECTIONS = ("ASC", "DESC")


def final_return(tree: Tree) -> Tree | None:
    """The returnBody of the RETURN that ends a single (not UNION) query."""
    statement = tree.first("statement")
    query = statement.child("regularQuery") if statement is not None else None
    if query is None or query.has_token("UNION"):
        return None
    clauses = query.kids("singleQuery")[-1].kids("clause")
    last = clauses[-1].child("returnClause") if clauses else None
    return last.child("returnBody") if last is not None else None


def column_of(item: Tree) -> tuple[str, str]:
    """(how ORDER BY names the column of a RETURN item, the text to add after the item so that it can)."""
    alias = item.child("variable")
    if alias is not None:
        return alias.text, ""
    expression = item.child("expression")
    if expression is not None and expression.first("variable") is not None and \
            expression.first("variable").text == expression.text:
        return expression.text, ""  # a bare variable names its own column
    name = "`" + expression.text.replace("`", "``") + "`"  # the column's own name: its text as written
    return name, f" AS {name}"


def ordered_further(body: Tree, direction: str) -> list[tuple[int, str]] | None:
    """Edits that order a projection (RETURN or WITH) further by all its columns in `direction`; None when
    its shape is not one this can rewrite (RETURN * or WITH *)."""
    items = body.child("returnItems")
    if items is None or items.has_token("TIMES"):
        return None
    edits: list[tuple[int, str]] = []  # (offset, text to insert there)
    columns = []
    for item in items.kids("returnItem"):
        name, alias = column_of(item)
        columns.append(name)
        if alias:
            edits.append((item.stop, alias))
    extra = ", ".join(f"{c} {direction}" for c in columns)
    order = body.child("orderBy")
    edits.append((order.stop, ", " + extra) if order is not None else (items.stop, " ORDER BY " + extra))
    return edits


def cuts(body: Tree) -> bool:
    return body.child("skip") is not None or body.child("limit") is not None


@lru_cache(maxsize=4096)
def tie_breaks(query: str, ordered_output: bool) -> tuple[str, ...]:
    """The query ordered further by all its columns, ascending then descending; () when the order of its
    rows cannot matter (no LIMIT or SKIP at its end, and an exercise that compares rows as a set:
    `ordered_output` False) or when its shape is not one this can rewrite (RETURN *, UNION...). A WITH that
    keeps some rows (LIMIT or SKIP: the top contact among ties) is ordered further the same way, in both
    variants: which of the tied rows it keeps is otherwise the storage order's choice too."""
    try:
        tree = parse(query)
    except CypherSyntaxError:
        return ()
    body = final_return(tree)
    if body is None:
        return ()
    kept = [w.child("returnBody") for w in tree.all("withClause")]
    kept = [b for b in kept if b is not None and cuts(b)]
    probe_end = cuts(body) or ordered_output
    if probe_end and body.child("orderBy") is None and \
            (tree.first("orderBy") is not None or tree.first("unwindClause") is not None):
        probe_end = False  # the rows may come in an order the query made (UNWIND of a list it sorted or wrote out)
    if not probe_end and not kept:
        return ()
    variants = []
    for direction in DIRECTIONS:
        edits: list[tuple[int, str]] = []
        for projection in kept + ([body] if probe_end else []):
            found = ordered_further(projection, direction)
            if found is None:
                if projection is body:
                    return ()
                continue  # WITH *: left as written
            edits += found
        if not edits:
            return ()
        variants.append(spliced(query, edits))
    return tuple(variants)


def spliced(query: str, edits: list[tuple[int, str]]) -> str:
    out, last = [], 0
    for at, text in sorted(edits):
        out += [query[last:at], text]
        last = at
    return "".join(out) + query[last:]


def order_matters(exercise) -> bool:
    """Whether the exercise compares rows in order (a ranking, an ordered list)."""
    return exercise.compare.mode == "ordered" or bool(exercise.compare.ranked)
