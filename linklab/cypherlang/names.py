"""Names as Neo4j resolves them: backticks, doubled backticks, spaces and comments between the parts of a
qualified name never matter (`` `apoc`.`cypher`.run ``, `` `apoc.cypher.run` `` and ``apoc . cypher . run``
are one name). Procedure and function names are compared in lower case: Neo4j's built-in functions
ignore case, and a lookup that is stricter than Neo4j's would let a differently cased name through."""

from __future__ import annotations

from .tree import Leaf, Tree


def unquote(text: str) -> str:
    """A name token's text as the name it stands for."""
    if len(text) >= 2 and text[0] == "`" and text[-1] == "`":
        return text[1:-1].replace("``", "`")
    return text


ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def unescape_string(text: str) -> str:
    """The value of a Cypher string literal ('...' or "..."): quotes removed, backslash escapes undone."""
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in ESCAPES:
                out.append(ESCAPES[nxt])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(nxt)
            digits = body[i + 2:i + 2 + width] if width else ""
            if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                out.append(chr(int(digits, 16)))
                i += 2 + width
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def name_of(node: Tree | Leaf | None) -> str:
    """The name under a name rule (symbolicNameString, variable, propertyKeyName, parameterName...)."""
    if node is None:
        return ""
    if isinstance(node, Leaf):
        return unquote(node.text)
    return "".join(unquote(leaf.text) for leaf in node.leaves())


def qualified_name(node: Tree) -> str:
    """functionName or procedureName: the namespace parts and the name, joined by dots, in lower case."""
    parts = []
    namespace = node.child("namespace")
    if namespace is not None:
        parts += [name_of(part) for part in namespace.kids("symbolicNameString")]
    parts += [name_of(part) for part in node.kids("symbolicNameString")]
    return ".".join(p.strip() for p in parts).lower()


def variable_name(node: Tree | None) -> str:
    return name_of(node) if node is not None else ""
