"""What an answer may contain, decided on its parse tree (linklab.cypherlang), by allowlists.

An answer is one read query. Every grammar rule in its tree must be on READ_RULES (so no administration
command, schema change, SHOW, TERMINATE, USE, LOAD CSV, CALL { } IN TRANSACTIONS or write clause can get
through, whatever its spelling); every procedure and function, by its resolved name (quotes, spaces,
comments and case never matter), must be on PROCEDURES or FUNCTIONS; a GDS graph is named only by the
check's own `$graph` (or what a call on `$graph` yielded as its graphName); a computed key `x[expr]` is read
only where it provably indexes a list. Refuse what is dangerous, not what is unusual: any valid style of a
read query that uses these names runs.

Pure: no database here. `vet(tree, params)` returns what the grader needs to know of the answer (its
procedures, functions, whether it uses GDS, its final LIMIT) or raises NotAllowed(code, **details); the
codes are rendered into sentences by linklab.feedback.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from ..cypherlang.names import name_of, qualified_name, unescape_string, unquote, variable_name
from ..cypherlang.tree import Leaf, Tree

# Every rule of a read query in Cypher5Parser.g4. Anything else (commands, writes, USE, LOAD CSV, FOREACH,
# IN TRANSACTIONS, dynamic labels, PERIODIC COMMIT) is refused by name.
READ_RULES = frozenset("""
statements statement regularQuery singleQuery clause returnClause returnBody returnItem returnItems orderItem
ascToken descToken orderBy skip limit whereClause withClause matchClause matchMode hint unwindClause callClause
procedureName procedureArgument procedureResultItem subqueryClause subqueryScope orderBySkipLimitClause
finishClause patternList pattern quantifier anonymousPattern shortestPathPattern patternElement selector
groupToken pathToken pathPatternNonEmpty nodePattern parenthesizedPath nodeLabels nodeLabelsIs labelType relType
labelOrRelType properties relationshipPattern leftArrow arrowLine rightArrow pathLength labelExpression
labelExpression4 labelExpression4Is labelExpression3 labelExpression3Is labelExpression2 labelExpression2Is
labelExpression1 labelExpression1Is expression expression11 expression10 expression9 expression8 expression7
comparisonExpression6 normalForm expression6 expression5 expression4 expression3 expression2 postFix property
propertyExpression expression1 literal caseExpression caseAlternative extendedCaseExpression
extendedCaseAlternative extendedWhen listComprehension patternComprehension reduceExpression listItemsPredicate
normalizeFunction trimFunction patternExpression shortestPathExpression parenthesizedExpression mapProjection
mapProjectionElement countStar existsExpression countExpression collectExpression numberLiteral
signedIntegerLiteral listLiteral propertyKeyName parameter parameterName functionInvocation functionArgument
functionName namespace variable type typePart typeName typeNullability typeListSuffix stringLiteral map
symbolicVariableNameString escapedSymbolicVariableNameString unescapedSymbolicVariableNameString
symbolicNameString escapedSymbolicNameString unescapedSymbolicNameString symbolicLabelNameString
unescapedLabelSymbolicNameString unescapedLabelSymbolicNameString_ endOfFile
""".split())

# What the refused rules are called in a sentence (the rest are administration commands).
CLAUSE_WORDS = {
    "createClause": "CREATE", "insertClause": "INSERT", "mergeClause": "MERGE", "setClause": "SET",
    "removeClause": "REMOVE", "deleteClause": "DELETE", "foreachClause": "FOREACH", "loadCSVClause": "LOAD CSV",
    "useClause": "USE", "subqueryInTransactionsParameters": "CALL { } IN TRANSACTIONS",
    "periodicCommitQueryHintFailure": "USING PERIODIC COMMIT", "dynamicLabelType": "a label computed with $( )",
    "dynamicAnyAllExpression": "a label computed with $( )", "dynamicExpression": "a label computed with $( )",
    "dynamicProperty": "a property set by a computed name", "dynamicPropertyExpression": "a computed property",
}

# Procedures an answer may call (fnmatch patterns on lower-case names): Graph Data Science on the check's
# own graph, APOC's path and collection helpers, the schema's names.
PROCEDURES = (
    "gds.graph.project", "gds.graph.project.cypher", "gds.graph.project.estimate",
    "gds.graph.project.cypher.estimate", "gds.graph.drop", "gds.graph.exists",
    "gds.graph.nodeproperty.stream", "gds.graph.nodeproperties.stream", "gds.graph.relationshipproperty.stream",
    "gds.graph.relationshipproperties.stream", "gds.graph.relationships.stream",
    "gds.*.stream", "gds.*.stats", "gds.*.mutate", "gds.*.estimate", "gds.version",
    "apoc.path.*", "apoc.neighbors.*", "apoc.algo.*", "apoc.coll.*", "apoc.convert.totree", "apoc.math.*",
    "apoc.text.*",
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
)
# Never, whatever the patterns above say: other checks' graphs, writes to disk or to another database.
NEVER_PROCEDURES = ("gds.graph.list", "gds.*.write", "gds.graph.export*",
                    "gds.*.graph.export*", "gds.debug.*", "gds.license.*", "gds.userlog", "gds.listprogress",
                    "gds.backup", "gds.restore", "gds.*.model.*", "gds.*.pipeline.*")

# Neo4j 5.26's built-in functions (SHOW FUNCTIONS, isBuiltIn), minus LOAD CSV's file()/linenumber() and the
# composite-database graph.* functions; tests/test_guard_server.py compares this with the server.
BUILT_IN_FUNCTIONS = frozenset(name.lower() for name in """
abs acos all any asin atan atan2 avg btrim ceil char_length character_length coalesce collect cos cot count date
date.realtime date.statement date.transaction date.truncate datetime datetime.fromepoch datetime.fromepochmillis
datetime.realtime datetime.statement datetime.transaction datetime.truncate degrees duration duration.between
duration.inDays duration.inMonths duration.inSeconds e elementId endNode exists exp floor haversin head id
isEmpty isNaN keys labels last left length localdatetime localdatetime.realtime localdatetime.statement
localdatetime.transaction localdatetime.truncate localtime localtime.realtime localtime.statement
localtime.transaction localtime.truncate log log10 lower ltrim max min nodes none normalize nullIf percentileCont
percentileDisc pi point point.distance point.withinBBox properties radians rand randomUUID range reduce
relationships replace reverse right round rtrim sign sin single size split sqrt startNode stdev stdevp substring
sum tail tan time time.realtime time.statement time.transaction time.truncate timestamp toBoolean toBooleanList
toBooleanOrNull toFloat toFloatList toFloatOrNull toInteger toIntegerList toIntegerOrNull toLower toString
toStringList toStringOrNull toUpper trim type upper valueType vector.similarity.cosine
vector.similarity.euclidean
""".split())
# Library functions an answer may use (fnmatch patterns on lower-case names).
LIBRARY_FUNCTIONS = (
    "apoc.coll.*", "apoc.text.*", "apoc.map.*", "apoc.agg.*", "apoc.math.*", "apoc.number.*", "apoc.convert.fromjson*",
    "apoc.convert.getjson*", "apoc.convert.to*",
    "apoc.date.*", "apoc.temporal.*", "apoc.node.degree", "apoc.node.degree.*", "apoc.node.relationship.*",
    "apoc.nodes.connected", "apoc.path.*", "apoc.label.exists", "apoc.bitwise.op", "apoc.version",
    "gds.util.*", "gds.similarity.*", "gds.graph.project", "gds.graph.exists", "gds.version",
)
MARKER_LABEL = "Scenario"  # linklab's bookkeeping nodes (which scenario is loaded, who may write)
GRAPH_PARAMETER = "graph"


class NotAllowed(Exception):
    """The answer contains something answers may not; `code` names it for linklab.feedback."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code, self.details = code, details


@dataclass
class AnswerShape:
    """What the grader learns from an answer's parse."""
    procedures: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    final_limit: Leaf | None = None  # the number token of the last clause's LIMIT, when it is a number
    limited: bool = False  # LIMIT anywhere
    ordered: bool = False  # ORDER BY anywhere

    @property
    def uses_gds(self) -> bool:
        return any(n.startswith("gds.") for n in self.procedures | self.functions)


def allowed(name: str, patterns, never=()) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns) and not any(fnmatch.fnmatchcase(name, p) for p in never)


def function_allowed(name: str) -> bool:
    return name in BUILT_IN_FUNCTIONS or allowed(name, LIBRARY_FUNCTIONS)


def procedure_allowed(name: str) -> bool:
    return allowed(name, PROCEDURES, NEVER_PROCEDURES)


def vet(tree: Tree, params: dict | None = None) -> AnswerShape:
    """Raise NotAllowed unless the answer is one read query within the allowlists; else what it uses."""
    statements = tree.kids("statement")
    if len(statements) != 1:
        raise NotAllowed("statements")
    for node in tree.walk():
        if node.rule not in READ_RULES:
            raise NotAllowed("clause", what=clause_words(node))
    shape = AnswerShape()
    types = Types(params or {})
    for node in tree.walk():
        if node.rule == "functionInvocation":
            name = qualified_name(node.child("functionName"))
            if not function_allowed(name):
                raise NotAllowed("function", name=name)
            shape.functions.add(name)
        elif node.rule == "callClause":
            name = qualified_name(node.child("procedureName"))
            if not procedure_allowed(name):
                raise NotAllowed("procedure", name=name)
            shape.procedures.add(name)
        elif node.rule in LABEL_RULES and label_names(node) == [MARKER_LABEL]:
            raise NotAllowed("marker")
        elif node.rule == "orderBy":
            shape.ordered = True
        elif node.rule == "limit":
            shape.limited = True
    types.infer(tree)
    nested_queries(tree, params or {})
    check_graph_names(tree, types)
    check_subscripts(tree, types)
    shape.final_limit = final_limit(statements[0])
    return shape


LABEL_RULES = ("labelExpression1", "labelExpression1Is", "labelType", "relType", "labelOrRelType")


def label_names(node: Tree) -> list[str]:
    """The label or type that a label rule names (`:Person`, `Person`, `IS Person`), unquoted."""
    return [unquote(leaf.text) for leaf in node.leaves() if leaf.type not in ("COLON", "IS", "BAR", "AMPERSAND")]


def clause_words(node: Tree) -> str:
    if node.rule in CLAUSE_WORDS:
        return CLAUSE_WORDS[node.rule]
    command = next((a for a in [node, *node.ancestors()] if a.rule == "command"), None)
    if command is not None:  # SHOW TRANSACTIONS, TERMINATE TRANSACTIONS, CREATE INDEX...: its first words
        words = [leaf.text.upper() for leaf in command.leaves()[:3] if leaf.text.isalpha()]
        return " ".join(words[:2]) or "an administration command"
    return node.rule


# ---------------------------------------------------------------- what kind of value an expression is


ATOMS = ("variable", "parameter", "propertyKeyName", "functionName", "procedureName")


def unwrap(node: Tree) -> Tree:
    """Down the chain of single-child rules (expression > expression11 > ... > literal), stopping at a name."""
    while node.rule not in ATOMS and len(node.children) == 1 and isinstance(node.children[0], Tree):
        node = node.children[0]
    return node


NUMBER_FUNCTIONS = {"count", "sum", "avg", "min", "max", "size", "length", "tointeger", "tofloat", "abs", "round",
                    "floor", "ceil", "sign", "rand", "e", "pi", "exp", "log", "log10", "sqrt", "stdev", "stdevp",
                    "percentilecont", "percentiledisc", "timestamp", "tointegerornull", "tofloatornull",
                    "char_length", "character_length", "id", "point.distance", "haversin", "radians", "degrees"}
LIST_FUNCTIONS = {"collect", "range", "nodes", "relationships", "keys", "labels", "split", "tail",
                  "tostringlist", "tointegerlist", "tofloatlist", "tobooleanlist", "gds.util.asnodes"}
ARITHMETIC = {"PLUS", "MINUS", "TIMES", "DIVIDE", "PERCENT", "POW"}


class Types:
    """A small type inference over variables: enough to tell a list index from a property read by a computed
    name, and a graph name the check gave from one the answer made up."""

    def __init__(self, params: dict):
        self.params = params
        self.vars: dict[str, str] = {}
        self.tainted: set[str] = set()  # bound to a graph name and to something else

    def bind(self, name: str, kind: str) -> None:
        """A variable is a graph name only if nothing else is ever bound to its name: the inference does not
        follow scopes, and `WITH 'other' AS g ... YIELD graphName AS g` must not make 'other' the check's graph."""
        if self.vars.get(name, kind) != kind and {kind, self.vars[name]} & {"graph", "projection"}:
            self.tainted.add(name)
        self.vars[name] = kind

    def param(self, node: Tree) -> str:
        name = name_of(node.child("parameterName"))
        if name == GRAPH_PARAMETER:
            return "graph"
        value = self.params.get(name)
        if isinstance(value, bool):
            return "unknown"
        return {int: "number", float: "number", str: "string", list: "list", dict: "map"}.get(type(value), "unknown")

    def of(self, node: Tree | None) -> str:
        if node is None:
            return "unknown"
        node = unwrap(node)
        rule = node.rule
        if rule in ("numberLiteral", "signedIntegerLiteral", "countStar", "countExpression"):
            return "number"
        if rule in ("stringLiteral",):
            return "string"
        if rule in ("listLiteral", "listComprehension", "patternComprehension", "collectExpression"):
            return "list"
        if rule in ("map", "mapProjection"):
            return "map"
        if rule == "parameter":
            return self.param(node)
        if rule == "variable":
            return "unknown" if name_of(node) in self.tainted else self.vars.get(name_of(node), "unknown")
        if rule == "parenthesizedExpression":
            return self.of(node.child("expression"))
        if rule == "functionInvocation":
            name = qualified_name(node.child("functionName"))
            if name in NUMBER_FUNCTIONS:
                return "number"
            if name in LIST_FUNCTIONS:
                return "list"
            if name == "gds.graph.project":
                return "projection"
            if name == "properties":
                return "map"
            return "unknown"
        if rule == "expression2":  # an atom followed by postfixes: .property, [index], [a..b], :Label
            kind = self.of(node.children[0])
            for fix in node.kids("postFix"):
                kind = self.after(kind, fix)
            return kind
        if any(isinstance(c, Leaf) and c.type in ARITHMETIC for c in node.children):
            operands = [self.of(c) for c in node.children if isinstance(c, Tree)]
            return "number" if operands and all(t == "number" for t in operands) else "unknown"
        if rule in ("caseExpression", "extendedCaseExpression", "reduceExpression"):
            return "unknown"
        return "unknown"

    def after(self, kind: str, fix: Tree) -> str:
        """The type of a value of type `kind` once a postfix is applied to it."""
        what, detail = postfix(fix)
        if what == "slice":
            return "list"
        if what == "property":
            return "graph" if kind == "projection" and detail == "graphName" else "unknown"
        return "unknown"

    def infer(self, tree: Tree) -> None:
        """Bind every variable that a pattern, UNWIND, WITH/RETURN ... AS, YIELD or comprehension introduces."""
        for node in tree.walk():
            if node.rule == "nodePattern" and node.child("variable"):
                self.bind(variable_name(node.child("variable")), "node")
            elif node.rule == "relationshipPattern" and node.child("variable"):
                self.bind(variable_name(node.child("variable")), "list" if node.child("pathLength") else "rel")
            elif node.rule == "patternList":
                pass
            elif node.rule == "pattern" and node.child("variable"):
                self.bind(variable_name(node.child("variable")), "path")
            elif node.rule == "unwindClause":
                kind = self.of(node.child("expression"))
                self.bind(variable_name(node.child("variable")), "unknown" if kind != "list" else
                          self.element_of(node.child("expression")))
            elif node.rule == "returnItem" and node.child("variable"):
                self.bind(variable_name(node.child("variable")), self.of(node.child("expression")))
            elif node.rule == "listComprehension" or node.rule == "listItemsPredicate":
                if node.child("variable"):
                    self.vars.setdefault(variable_name(node.child("variable")), self.element_of(node.child("expression")))
            elif node.rule == "callClause":
                self.bind_yield(node)

    def element_of(self, node: Tree | None) -> str:
        """The type of a list's elements, where the list says it (range() gives numbers)."""
        inner = unwrap(node) if node is not None else None
        if inner is not None and inner.rule == "functionInvocation" and \
                qualified_name(inner.child("functionName")) == "range":
            return "number"
        if inner is not None and inner.rule == "listLiteral":
            kinds = {self.of(e) for e in inner.kids("expression")}
            return kinds.pop() if len(kinds) == 1 else "unknown"
        return "unknown"

    def bind_yield(self, call: Tree) -> None:
        procedure = qualified_name(call.child("procedureName"))
        for item in call.kids("procedureResultItem"):
            field_name = name_of(item.child("symbolicNameString") or item.child("variable"))
            renamed = item.child("symbolicNameString") is not None and item.child("variable") is not None
            alias = variable_name(item.child("variable")) if renamed else field_name  # YIELD x AS y, or YIELD x
            if field_name == "graphName":  # the check's own graph only when the call was given it ($graph)
                argument = first_argument(call)
                own = procedure.startswith("gds.") and argument is not None and self.of(argument) == "graph"
                self.bind(alias, "graph" if own else "unknown")
            elif field_name in ("nodeId", "score", "nodeCount", "relationshipCount", "componentId", "communityId"):
                self.bind(alias, "number")
            else:
                self.bind(alias, "unknown")


# ---------------------------------------------------------------- GDS graph names and computed keys

GRAPHLESS = ("gds.version", "gds.graph.project.estimate", "gds.graph.project.cypher.estimate")


def first_argument(node: Tree) -> Tree | None:
    argument = node.child("procedureArgument", "functionArgument")
    return argument.child("expression") if argument is not None else None


def check_graph_names(tree: Tree, types: Types) -> None:
    """A GDS procedure or projection names its graph with the check's $graph, or with what a call on $graph
    yielded as its graphName: never another name, which could be another check's graph."""
    for node in tree.all("callClause", "functionInvocation"):
        name = qualified_name(node.child("procedureName" if node.rule == "callClause" else "functionName"))
        if not name.startswith("gds.") or name in GRAPHLESS or name.startswith(("gds.util.", "gds.similarity.")):
            continue
        argument = first_argument(node)
        if name.endswith(".estimate") and argument is not None and types.of(argument) == "map":
            continue  # an estimate over a projection configuration, without a graph
        if argument is None or not is_graph_name(argument, types):
            raise NotAllowed("gds_name")


def is_graph_name(node: Tree, types: Types) -> bool:
    return types.of(node) == "graph"


def nested_queries(tree: Tree, params: dict) -> None:
    """A Cypher projection (gds.graph.project.cypher) runs the queries it is given as text: they are vetted
    as answers themselves, and must be written out (string literals), never computed."""
    from ..cypherlang.parser import CypherSyntaxError, parse

    for call in tree.all("callClause", "functionInvocation"):
        name = qualified_name(call.child("procedureName" if call.rule == "callClause" else "functionName"))
        if not name.startswith("gds.graph.project.cypher"):
            continue
        arguments = call.kids("procedureArgument", "functionArgument")[1:3]
        for argument in arguments:
            literal = unwrap(argument)
            if literal.rule != "stringLiteral":
                raise NotAllowed("nested_query")
            try:
                vet(parse(string_value(literal)), params)
            except CypherSyntaxError:
                raise NotAllowed("nested_query") from None


def string_value(literal: Tree) -> str:
    return unescape_string(literal.text)


def postfix(fix: Tree) -> tuple[str, object]:
    """What a postFix does: ("property", name), ("slice", None), ("index", expression) or ("label", None)."""
    read = fix.child("property")
    if read is not None:
        return "property", name_of(read.child("propertyKeyName"))
    if fix.has_token("DOTDOT"):
        return "slice", None
    if fix.has_token("LBRACKET"):
        return "index", fix.child("expression")
    return "label", None


def check_subscripts(tree: Tree, types: Types) -> None:
    """`x[i]` indexes a list (always allowed, and so are slices `x[a..b]`); `x['name']` reads the property
    `name`; any other computed key on a node, relationship or map is a property read by a computed name,
    which answers may not use."""
    for node in tree.all("expression2"):
        base = types.of(node.children[0])
        for fix in node.kids("postFix"):
            what, index = postfix(fix)
            if what == "index":
                literal = unwrap(index).rule == "stringLiteral"
                if not (base == "list" or types.of(index) == "number" or literal):
                    raise NotAllowed("dynamic_property")
            base = types.after(base, fix)


def final_limit(statement: Tree) -> Leaf | None:
    """The number token of the LIMIT that ends the query (`... RETURN ... LIMIT 3`), if it ends so."""
    query = statement.child("regularQuery")
    if query is None or query.has_token("UNION"):
        return None
    clauses = query.kids("singleQuery")[-1].kids("clause")
    last = clauses[-1].child("returnClause", "orderBySkipLimitClause") if clauses else None
    body = last.child("returnBody") if last is not None and last.rule == "returnClause" else last
    limit = body.child("limit") if body is not None else None
    if limit is None or limit is not body.kids()[-1]:
        return None
    literal = unwrap(limit.child("expression"))
    leaves = literal.leaves()
    return leaves[0] if literal.rule == "numberLiteral" and len(leaves) == 1 and leaves[0].text.isdigit() else None
