"""The excerpt query language: codes combined with AND, OR, NOT, OVERLAPS, NEAR/n, SAMETURN.

    PA-RATION AND RR-TEXT            excerpts coded both (each side's codings on the shared passages)
    PA-RATION OVERLAPS RR-TEXT       rationing excerpts that overlap an institutional-text excerpt
    PA-RATION NEAR/200 RR-TEXT       rationing excerpts within 200 characters of a text excerpt
    PA-RATION SAMETURN RR-TEXT       rationing excerpts in a speaker turn that also holds one
    DA AND NOT PA                    a family key takes in every code below it
    =RR-TEXT AND PA-PERF             '=' before a key: that code alone, not the codes below it
    (DA-FRAG OR DA-RITUAL) OVERLAPS RR-TEXT-RISK

Operators are case-insensitive; NOT binds tightest, then the relations (left to right),
then AND, then OR. A parse error names the position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import Invalid

TOKEN = re.compile(r"\s*(?:(\()|(\))|(NEAR/\d+)|(=?[A-Za-z0-9][A-Za-z0-9_-]*))", re.I)
RELATIONS = ("OVERLAPS", "SAMETURN")
KEYWORDS = {"AND", "OR", "NOT", *RELATIONS}


@dataclass(frozen=True)
class Term:
    key: str


@dataclass(frozen=True)
class Not:
    inner: object


@dataclass(frozen=True)
class Bool:
    op: str          # "AND" | "OR"
    left: object
    right: object


@dataclass(frozen=True)
class Relation:
    op: str          # "OVERLAPS" | "SAMETURN" | "NEAR"
    left: object
    right: object
    distance: int = 0


def tokenize(text: str) -> list[tuple[str, int]]:
    tokens, at = [], 0
    while at < len(text.rstrip()):
        match = TOKEN.match(text, at)
        if not match:
            raise Invalid(f"cannot read the query at character {at + 1}: '{text[at:at + 12]}'")
        word = next(g for g in match.groups() if g)
        tokens.append((word, match.start(match.lastindex)))
        at = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][0].upper() if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, int]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def error(self, what: str) -> Invalid:
        where = (f"at character {self.tokens[self.at][1] + 1}" if self.at < len(self.tokens)
                 else "at the end")
        return Invalid(f"query: {what} {where}")

    def parse(self):
        node = self.or_()
        if self.peek() is not None:
            raise self.error(f"unexpected '{self.tokens[self.at][0]}'")
        return node

    def or_(self):
        node = self.and_()
        while self.peek() == "OR":
            self.take()
            node = Bool("OR", node, self.and_())
        return node

    def and_(self):
        node = self.relation()
        while self.peek() == "AND":
            self.take()
            node = Bool("AND", node, self.relation())
        return node

    def relation(self):
        node = self.unary()
        while (op := self.peek()) and (op in RELATIONS or op.startswith("NEAR/")):
            self.take()
            distance = int(op.split("/")[1]) if op.startswith("NEAR/") else 0
            node = Relation(op.split("/")[0], node, self.unary(), distance)
        return node

    def unary(self):
        if self.peek() == "NOT":
            self.take()
            return Not(self.unary())
        return self.atom()

    def atom(self):
        if self.peek() is None:
            raise self.error("a code key or '(' is missing")
        word, _ = self.take()
        if word == "(":
            node = self.or_()
            if self.peek() != ")":
                raise self.error("')' is missing")
            self.take()
            return node
        if word.upper() in KEYWORDS or word == ")" or word.upper().startswith("NEAR/"):
            self.at -= 1
            raise self.error(f"a code key is expected, not '{word}'")
        return Term(word.upper())


def parse(text: str):
    """The query's syntax tree; Invalid with the position of the first problem."""
    if not text or not text.strip():
        raise Invalid("query: the query is empty")
    return _Parser(text).parse()


def keys(node) -> set[str]:
    """Every code key the query names."""
    if isinstance(node, Term):
        return {node.key}
    if isinstance(node, Not):
        return keys(node.inner)
    return keys(node.left) | keys(node.right)
