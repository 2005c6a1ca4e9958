"""What an import brought over, and what it could not (with why)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    project: str = ""
    counts: Counter = field(default_factory=Counter)  # users, sites, documents, codes ...
    not_brought_over: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how things were read or matched
    _tallies: Counter = field(default_factory=Counter, repr=False)

    def drop(self, reason: str) -> None:
        """One thing left out, said once (repeats are counted, see `lines`)."""
        if reason not in self._tallies:
            self.not_brought_over.append(reason)
        self._tallies[reason] += 1

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def dropped(self) -> list[str]:
        """Each reason, with how many times it happened when more than once."""
        return [reason if self._tallies[reason] == 1 else f"{reason} (×{self._tallies[reason]})"
                for reason in self.not_brought_over]

    def lines(self) -> list[str]:
        """The report as text lines (the CLI prints these)."""
        order = ("users", "sites", "documents", "codes", "codings", "memos")
        brought = ", ".join(f"{self.counts[k]} {k}" for k in order)
        out = [f"Imported into project '{self.project}': {brought}."]
        out += [f"  note: {n}" for n in self.notes]
        dropped = self.dropped()
        if dropped:
            out.append("Not brought over:")
            out += [f"  - {d}" for d in dropped]
        else:
            out.append("Everything in the file was brought over.")
        return out
