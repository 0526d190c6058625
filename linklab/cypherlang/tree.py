"""A parse tree that is easy to walk and to edit: rule nodes and token leaves with character offsets.

ANTLR's own contexts are converted once, so the rest of linklab never touches the runtime: the guard walks
`Tree` nodes by rule name, and the mutation engine replaces character ranges of the source and parses the
result again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from antlr4 import Token
from antlr4.tree.Tree import TerminalNode


@dataclass(eq=False, slots=True)
class Leaf:
    """A token: its symbolic type (`MATCH`, `IDENTIFIER`, `LPAREN`...), text and place in the source."""
    type: str
    text: str
    start: int  # character offset of its first character
    stop: int  # one past its last character
    line: int
    column: int  # from 1
    parent: "Tree | None" = None

    def __repr__(self) -> str:
        return f"{self.type}:{self.text!r}"


@dataclass(eq=False, slots=True)
class Tree:
    """A grammar rule's node: `rule` is the rule name of Cypher5Parser.g4 (matchClause, functionName...)."""
    rule: str
    start: int
    stop: int
    children: list["Tree | Leaf"] = field(default_factory=list)
    parent: "Tree | None" = None
    source: str = ""  # the whole query (the same string on every node)

    def __repr__(self) -> str:
        return f"<{self.rule} {self.text!r}>"

    @property
    def text(self) -> str:
        return self.source[self.start:self.stop]

    def walk(self) -> Iterator["Tree"]:
        """This node and every rule node below it, in source order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed([c for c in node.children if isinstance(c, Tree)]))

    def all(self, *rules: str) -> list["Tree"]:
        return [n for n in self.walk() if n.rule in rules]

    def first(self, *rules: str) -> "Tree | None":
        return next((n for n in self.walk() if n.rule in rules), None)

    def child(self, *rules: str) -> "Tree | None":
        """The first direct child of one of these rules."""
        return next((c for c in self.children if isinstance(c, Tree) and c.rule in rules), None)

    def kids(self, *rules: str) -> list["Tree"]:
        return [c for c in self.children if isinstance(c, Tree) and (not rules or c.rule in rules)]

    def leaves(self) -> list[Leaf]:
        out: list[Leaf] = []
        stack: list[Tree | Leaf] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, Leaf):
                out.append(node)
            else:
                stack.extend(reversed(node.children))
        return out

    def tokens(self) -> list[str]:
        """The types of the leaves directly under this node (keywords and punctuation of the rule)."""
        return [c.type for c in self.children if isinstance(c, Leaf)]

    def has_token(self, *types: str) -> bool:
        return any(isinstance(c, Leaf) and c.type in types for c in self.children)

    def ancestors(self) -> Iterator["Tree"]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def inside(self, *rules: str) -> bool:
        return any(a.rule in rules for a in self.ancestors())


def build_tree(context, rule_names, symbolic_names, source: str) -> Tree:
    """Convert an ANTLR context tree (iteratively: expressions nest deeply)."""
    def span(ctx) -> tuple[int, int]:
        start = ctx.start.start if ctx.start is not None and ctx.start.type != Token.EOF else len(source)
        stop_token = ctx.stop
        stop = stop_token.stop + 1 if stop_token is not None and stop_token.type != Token.EOF else start
        return start, max(start, stop)

    root = Tree(rule_names[context.ruleIndex], *span(context), source=source)
    stack = [(context, root)]
    while stack:
        ctx, node = stack.pop()
        for child in ctx.children or ():
            if isinstance(child, TerminalNode):
                token = child.symbol
                if token.type == Token.EOF:
                    continue
                name = symbolic_names[token.type] if 0 <= token.type < len(symbolic_names) else str(token.type)
                node.children.append(Leaf(name or str(token.type), token.text, token.start, token.stop + 1,
                                          token.line, token.column + 1, node))
            else:
                sub = Tree(rule_names[child.ruleIndex], *span(child), parent=node, source=source)
                node.children.append(sub)
                stack.append((child, sub))
    return root
