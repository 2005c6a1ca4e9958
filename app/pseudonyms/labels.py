"""Pseudonym labels: "Person 3", "Young person 3", "Social worker B", "Place 1".

People in families and young people are numbered; professionals get letters, so a reader
tells "Social worker B" from "Young person 2" at a glance. New labels take the next free
number or letter after the highest one in use, so a deleted entry's label is not reused
by accident while documents still carry it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.documents.turns import HEADER_WORDS
from app.errors import Invalid

# role hint -> (label, "number" | "letter"); "" is the default for people
ROLES: dict[str, tuple[str, str]] = {
    "": ("Person", "number"),
    "young person": ("Young person", "number"),
    "parent": ("Parent", "number"),
    "carer": ("Carer", "number"),
    "sibling": ("Sibling", "number"),
    "family member": ("Family member", "number"),
    "social worker": ("Social worker", "letter"),
    "youth worker": ("Youth worker", "letter"),
    "police officer": ("Police officer", "letter"),
    "teacher": ("Teacher", "letter"),
    "health worker": ("Health worker", "letter"),
    "practitioner": ("Practitioner", "letter"),
    "manager": ("Manager", "letter"),
}
CATEGORY_LABELS = {"place": ("Place", "number"), "organisation": ("Organisation", "number")}
CATEGORIES = ("person", "place", "organisation")
_ALL_LABELS = sorted({label for label, _ in [*ROLES.values(), *CATEGORY_LABELS.values()]},
                     key=len, reverse=True)
_LOOKS = re.compile(rf"^(?:{'|'.join(map(re.escape, _ALL_LABELS))}) (?:\d+|[A-Z]{{1,3}})$",
                    re.IGNORECASE)
# A pseudonym must also read as a speaker label (app.documents.turns) in a transcript.
_PSEUDONYM = re.compile(r"^[^\W\d_][\w.'\u2019\- ]{0,39}$")


def looks_like_pseudonym(text: str) -> bool:
    return bool(_LOOKS.match(text))


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise Invalid(f"the category must be one of {', '.join(CATEGORIES)}, not '{category}'")
    return category


def check_role(role: str | None) -> str:
    role = (role or "").strip().lower()
    if role not in ROLES:
        raise Invalid(f"unknown role '{role}'; use one of: "
                      f"{', '.join(r for r in ROLES if r)} (or none)")
    return role


def check_pseudonym(value: str) -> str:
    """A label that reads as a name and as a speaker label: starts with a letter, at most
    40 characters of letters, digits, spaces, . ' -, at most five words."""
    value = " ".join((value or "").split())
    if (not _PSEUDONYM.match(value) or len(value.split()) > 5 or not value[0].isupper()
            or value.split()[0].rstrip(".").casefold() in HEADER_WORDS):
        raise Invalid(f"'{value}' cannot be a pseudonym: start with a capital letter and use "
                      "at most 40 letters, digits, spaces, . ' or - (five words at most), "
                      "not opening with a header word such as Date or Note")
    return value


def _letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (bijective base 26)."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _number_of(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def label_base(category: str, role: str = "") -> tuple[str, str]:
    if category == "person":
        return ROLES[check_role(role)]
    return CATEGORY_LABELS[check_category(category)]


class Labeller:
    """Hands out the next free label per kind, given the pseudonyms already in use."""

    def __init__(self, used: Iterable[str] = ()) -> None:
        self.used: set[str] = set(used)

    def next(self, category: str, role: str = "") -> str:
        base, style = label_base(category, role)
        if style == "number":
            pattern, index = re.compile(rf"^{re.escape(base)} (\d+)$"), int
        else:
            pattern, index = re.compile(rf"^{re.escape(base)} ([A-Z]+)$"), _number_of
        highest = max((index(m.group(1)) for u in self.used if (m := pattern.match(u))),
                      default=0)
        label = f"{base} {highest + 1 if style == 'number' else _letters(highest + 1)}"
        self.used.add(label)
        return label

    def claim(self, pseudonym: str) -> None:
        self.used.add(pseudonym)
