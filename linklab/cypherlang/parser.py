"""Neo4j's own Cypher 5 grammar, run by the ANTLR Python runtime: a real parse, not a text filter.

The grammar is Neo4j 5.26's (`Cypher5Lexer.g4`/`Cypher5Parser.g4`, Apache-2.0), taken as ANTLR's
interpreter data (`grammar/*.interp`: rule and token names and the serialised ATN) from the sources jar of
`org.neo4j:cypher-v5-antlr-parser` on Maven Central (see `build.py`, which re-extracts it). The grammar has
no embedded actions or predicates, so an interpreter over its ATN parses exactly what Neo4j's generated parser
parses: two-stage, as ANTLR recommends, SLL first and full LL only when SLL fails.

`parse(text)` returns a `Tree` (tree.py) or raises `CypherSyntaxError` with line, column and a sentence.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from antlr4 import CommonTokenStream, InputStream, Lexer, Parser, Token
from antlr4.ListTokenSource import ListTokenSource
from antlr4.atn.ATNDeserializer import ATNDeserializer
from antlr4.atn.ATNState import ATNState, LoopEndState, StarLoopEntryState
from antlr4.atn.LexerATNSimulator import LexerATNSimulator
from antlr4.atn.ParserATNSimulator import ParserATNSimulator
from antlr4.atn.PredictionMode import PredictionMode
from antlr4.atn.Transition import Transition
from antlr4.dfa.DFA import DFA
from antlr4.error.ErrorListener import ErrorListener
from antlr4.error.ErrorStrategy import BailErrorStrategy
from antlr4.error.Errors import ParseCancellationException, RecognitionException
from antlr4.ParserRuleContext import InterpreterRuleContext
from antlr4.PredictionContext import PredictionContextCache

from .tree import Leaf, Tree, build_tree

GRAMMAR = Path(__file__).resolve().parent / "grammar"
START_RULE = "statements"


@dataclass(frozen=True)
class Grammar:
    """One of the two .interp files: names and the deserialised ATN."""
    literal_names: tuple[str | None, ...]
    symbolic_names: tuple[str | None, ...]
    rule_names: tuple[str, ...]
    atn: object

    @staticmethod
    def read(path: Path) -> "Grammar":
        sections: dict[str, list[str]] = {}
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.endswith(":") and line[:-1] in ("token literal names", "token symbolic names", "rule names",
                                                    "channel names", "mode names", "atn"):
                current = sections.setdefault(line[:-1], [])
            elif current is not None and line:
                current.append(line)
        names = lambda key: tuple(None if n == "null" else n for n in sections[key])  # noqa: E731
        serialised = [int(x) for x in sections["atn"][0].strip("[]").split(",")]
        return Grammar(names("token literal names"), names("token symbolic names"), tuple(sections["rule names"]),
                       ATNDeserializer().deserialize(serialised))


@cache
def lexer_grammar() -> Grammar:
    return Grammar.read(GRAMMAR / "Cypher5Lexer.interp")


@cache
def parser_grammar() -> Grammar:
    return Grammar.read(GRAMMAR / "Cypher5Parser.interp")


class CypherSyntaxError(Exception):
    """The text is not Cypher 5 as Neo4j 5.26 parses it: where (`line` and `column` from 1), the text found
    there ('' at the end), and what the grammar would have taken there when that is short to say ('' if not)."""

    def __init__(self, line: int, column: int, found: str, expected: str = ""):
        super().__init__(f"line {line}, column {column}: unexpected {found or 'end of the query'!r}"
                         + (f", expected {expected}" if expected else ""))
        self.line, self.column, self.found, self.expected = line, column, found, expected


class _Raise(ErrorListener):
    """The lexer's errors: a character no token starts with (an unclosed quote or backtick, say)."""

    def syntaxError(self, recognizer, offending, line, column, msg, e):  # noqa: N802 (ANTLR's name)
        text = recognizer._input.strdata if hasattr(recognizer._input, "strdata") else ""
        start = recognizer._tokenStartCharIndex
        raise CypherSyntaxError(line, column + 1, text[start:start + 20].split("\n")[0])


class CypherLexer(Lexer):
    """Cypher5Lexer, from its ATN (no custom code in the grammar: comments and spaces go to the hidden channel)."""

    def __init__(self, text: str):
        super().__init__(InputStream(text))
        grammar = lexer_grammar()
        self.literalNames, self.symbolicNames = list(grammar.literal_names), list(grammar.symbolic_names)
        self.ruleNames, self.grammarFileName = list(grammar.rule_names), "Cypher5Lexer.g4"
        self._interp = LexerATNSimulator(self, grammar.atn, _lexer_dfa(), _LEXER_CACHE)
        self.removeErrorListeners()
        self.addErrorListener(_Raise())


_LEXER_CACHE = PredictionContextCache()


@cache
def _lexer_dfa() -> list[DFA]:
    atn = lexer_grammar().atn
    return [DFA(state, i) for i, state in enumerate(atn.decisionToState)]


class CypherInterpreter(Parser):
    """ANTLR's parser interpreter, written again: the Python runtime's ParserInterpreter mishandles atom
    transitions and precedence rules, and visits every epsilon state one call at a time. Its DFA cache is
    shared by every parse in this process (ANTLR's prediction cache makes the next similar query fast)."""

    def __init__(self):
        super().__init__(None)
        grammar = parser_grammar()
        self.atn = grammar.atn
        self.ruleNames = list(grammar.rule_names)
        self.literalNames = [n or "<INVALID>" for n in grammar.literal_names]
        self.symbolicNames = [n or "<INVALID>" for n in grammar.symbolic_names]
        self._parents: list[tuple] = []
        self._recursion_states = {s.stateNumber for s in self.atn.states
                                  if isinstance(s, StarLoopEntryState) and s.isPrecedenceDecision}
        self._skip = self._epsilon_chains()
        self._interp = ParserATNSimulator(self, self.atn, _parser_dfa(), _PARSER_CACHE)
        self.buildParseTrees = True

    def _epsilon_chains(self) -> list[int]:
        """For each state, the state reached by following single plain epsilon transitions (no decision, no
        rule stop, no left-recursion bookkeeping): nothing happens there, so the interpreter jumps over them."""
        states, skip = self.atn.states, []
        for state in states:
            target = state
            for _ in range(len(states)):
                if (target is None or target.stateType == ATNState.RULE_STOP or len(target.transitions) != 1
                        or target.transitions[0].serializationType != Transition.EPSILON
                        or target.stateNumber in self._recursion_states):
                    break
                target = target.transitions[0].target
            skip.append(state.stateNumber if target is None else target.stateNumber)
        return skip

    def run(self, tokens: CommonTokenStream, exact: bool) -> InterpreterRuleContext:
        """Parse `tokens` from the start rule, with SLL (exact=False) or full LL prediction; the first syntax
        error raises (RecognitionException or ParseCancellationException)."""
        self.setInputStream(tokens)
        self._parents = []
        self._interp.predictionMode = PredictionMode.LL if exact else PredictionMode.SLL
        self._errHandler = BailErrorStrategy()
        self.removeErrorListeners()
        start_index = self.ruleNames.index(START_RULE)
        start = self.atn.ruleToStartState[start_index]
        root = InterpreterRuleContext(None, ATNState.INVALID_STATE_NUMBER, start_index)
        self.enterRule(root, start.stateNumber, start_index)
        states, skip, recursion = self.atn.states, self._skip, self._recursion_states
        predict = self._interp.adaptivePredict
        epsilon, atom, rule, precedence = (Transition.EPSILON, Transition.ATOM, Transition.RULE,
                                           Transition.PRECEDENCE)
        rule_stop = ATNState.RULE_STOP
        while True:
            state = states[skip[self._stateNumber]]
            if state.stateType == rule_stop:
                if self._ctx.parentCtx is None:
                    self.exitRule()
                    return root
                self._return_from(state)
                continue
            self._stateNumber = state.stateNumber
            transitions = state.transitions
            transition = transitions[predict(self._input, state.decision, self._ctx) - 1] \
                if len(transitions) > 1 else transitions[0]
            kind = transition.serializationType
            if kind == epsilon:
                if state.stateNumber in recursion and not isinstance(transition.target, LoopEndState):
                    parent, invoking = self._parents[-1]
                    context = InterpreterRuleContext(parent, invoking, self._ctx.ruleIndex)
                    self.pushNewRecursionContext(context, self.atn.ruleToStartState[state.ruleIndex].stateNumber,
                                                 self._ctx.ruleIndex)
            elif kind == atom:
                self.match(transition.label_)
            elif kind == rule:
                target = transition.target
                context = InterpreterRuleContext(self._ctx, state.stateNumber, target.ruleIndex)
                if target.isPrecedenceRule:
                    self.enterRecursionRule(context, target.stateNumber, target.ruleIndex, transition.precedence)
                else:
                    self.enterRule(context, target.stateNumber, target.ruleIndex)
                continue  # enterRule moved to the rule's start state
            elif kind == precedence:
                if not self.precpred(self._ctx, transition.precedence):
                    raise RecognitionException("precedence", self, self._input, self._ctx)
            elif kind in (Transition.RANGE, Transition.SET, Transition.NOT_SET, Transition.WILDCARD):
                if kind != Transition.WILDCARD and not transition.matches(self._input.LA(1), Token.MIN_USER_TOKEN_TYPE,
                                                                          0x10FFFF):
                    self._errHandler.recoverInline(self)
                self.matchWildcard()
            else:  # the grammar has no predicates or actions (build.py checks it)
                raise RuntimeError(f"unexpected ATN transition {kind}")
            self._stateNumber = transition.target.stateNumber

    def enterRecursionRule(self, localctx, state, ruleIndex, precedence):  # noqa: N802, N803
        self._parents.append((self._ctx, localctx.invokingState))
        super().enterRecursionRule(localctx, state, ruleIndex, precedence)

    def _return_from(self, state) -> None:
        if self.atn.ruleToStartState[state.ruleIndex].isPrecedenceRule:
            parent, invoking = self._parents.pop()
            self.unrollRecursionContexts(parent)
            self._stateNumber = invoking
        else:
            self.exitRule()
        self._stateNumber = self.atn.states[self._stateNumber].transitions[0].followState.stateNumber


_PARSER_CACHE = PredictionContextCache()


@cache
def _parser_dfa() -> list[DFA]:
    atn = parser_grammar().atn
    return [DFA(state, i) for i, state in enumerate(atn.decisionToState)]


_lock = threading.Lock()  # one interpreter; the Python runtime's DFA cache is not thread-safe
_parser: CypherInterpreter | None = None


def tokens_of(text: str) -> list[Token]:
    """Every token of `text`, hidden ones (spaces, comments) included; CypherSyntaxError on a bad character."""
    with _lock:  # the lexer's DFA cache is shared too (a preparation makes mutants on two threads)
        return list(CypherLexer(text).getAllTokens())


# Parsing is the slow part of checking a query (ANTLR's Python runtime): the mutation engine parses every
# mutant it makes, and the guard, the ordering check and the tests parse the same texts again. Trees are only
# read, never changed, so one tree per text can be shared; a tree takes about 150 KiB, hence the bound.
PARSED_TEXTS_KEPT = 256


@lru_cache(maxsize=PARSED_TEXTS_KEPT)
def parse(text: str) -> Tree:
    """The parse tree of `text` (one or more statements), or CypherSyntaxError. The same text gives the same
    tree object (read it, never change it)."""
    return parsed(text, CypherLexer(text))  # lexed as the parse reads on: the first error met is the one told


def parse_tokens(text: str, tokens: list[Token]) -> Tree:
    """parse, for a text already lexed (tokens_of(text)): the mutation engine lexes each mutant once, to tell
    whether it is new (squeeze), and parses only the new ones. A new tree each call."""
    return parsed(text, ListTokenSource(tokens))


def parsed(text: str, source: Lexer | ListTokenSource) -> Tree:
    global _parser
    stream = CommonTokenStream(source)
    with _lock:
        if _parser is None:
            _parser = CypherInterpreter()
        parser = _parser
        try:
            try:
                context = parser.run(stream, exact=False)
            except (ParseCancellationException, RecognitionException):
                stream.seek(0)  # SLL may fail where LL succeeds: only LL's error is an error
                context = parser.run(stream, exact=True)
        except (ParseCancellationException, RecognitionException) as exc:
            raise syntax_error(exc, parser) from None
    return build_tree(context, parser.ruleNames, lexer_grammar().symbolic_names, text)


def syntax_error(exc: Exception, parser: CypherInterpreter) -> CypherSyntaxError:
    """Where the parse stopped, and what Neo4j's grammar would have taken there when that is short to say."""
    cause = exc.args[0] if isinstance(exc, ParseCancellationException) and exc.args else exc
    token = getattr(cause, "offendingToken", None) or parser.getCurrentToken()
    expected: list[str] = []
    try:
        found = cause.getExpectedTokens() if isinstance(cause, RecognitionException) else None
        for interval in (found.intervals if found else ()):
            for t in interval:
                name = parser.literalNames[t] if t < len(parser.literalNames) else "<INVALID>"
                expected.append(name if name != "<INVALID>" else parser.symbolicNames[t])
    except Exception:  # noqa: BLE001  (expected tokens are a courtesy; the position is what matters)
        expected = []
    text = "" if token is None or token.type == Token.EOF else token.text
    line, column = (token.line, token.column + 1) if token is not None else (1, 1)
    return CypherSyntaxError(line, column, text, ", ".join(expected) if 0 < len(expected) <= 4 else "")


__all__ = ["CypherSyntaxError", "Leaf", "Tree", "parse", "parse_tokens", "tokens_of"]
