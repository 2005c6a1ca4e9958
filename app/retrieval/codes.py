"""The project's codes, read once per request and shared by paging and hydration.

One query gives every code's key, name, colour and parent, in codebook order (so query keys
become code ids, each excerpt gets its code and family, and exports their codebook order)
and, when asked, each code's live excerpts as the site tallies count them (paging's choice
between walking the documents and sorting every coding at once).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.codebook.models import Code
from app.errors import Invalid
from app.projects.models import Project, Site
from app.retrieval.models import SiteCodeTally


class ProjectCodes:
    def __init__(self, rows, tallied: dict[int, int] | None = None):
        self.by_id = {row[0]: row for row in rows}    # id -> (id, key, name, colour, parent)
        self.tallied = tallied                        # id -> live excerpts (None: not read)
        self._families: dict[int, tuple] = {}   # id -> its root's row

    @classmethod
    def load(cls, session: Session, project: Project, *, tallies: bool = False):
        """The project's codes (with `tallies`: each code's excerpts in the site tallies),
        in one query."""
        columns = [Code.id, Code.key, Code.name, Code.colour, Code.parent_id]
        order = (Code.position, Code.id)          # by_id keeps codebook order
        if not tallies:
            return cls(session.execute(select(*columns).where(Code.project_id == project.id)
                                       .order_by(*order)).all())
        counted = (select(SiteCodeTally.code_id, func.sum(SiteCodeTally.excerpts).label("n"))
                   .join(Site, Site.id == SiteCodeTally.site_id)
                   .where(Site.project_id == project.id)
                   .group_by(SiteCodeTally.code_id).subquery("counted"))
        rows = session.execute(select(*columns, counted.c.n)
                               .outerjoin(counted, counted.c.code_id == Code.id)
                               .where(Code.project_id == project.id).order_by(*order)).all()
        return cls([row[:5] for row in rows], {row[0]: row[5] or 0 for row in rows})

    def ids(self, key_list) -> dict[str, set[int]]:
        """Each key with the ids of its code and every code below it ('=KEY': the code
        alone); Invalid for unknown keys."""
        children: dict[int | None, list[int]] = {}
        by_key = {}
        for ident, key, _, _, parent in self.by_id.values():
            children.setdefault(parent, []).append(ident)
            by_key[key] = ident
        out = {}
        for key in key_list:
            name = key.upper().removeprefix("=")
            if name not in by_key:
                raise Invalid(f"no code '{name}' in this project's codebook")
            if key.startswith("="):          # '=KEY': the code alone, not the codes below it
                out[key.upper()] = {by_key[name]}
                continue
            todo, found = [by_key[name]], set()
            while todo:
                found.add(current := todo.pop())
                todo += children.get(current, [])
            out[key.upper()] = found
        return out

    def excerpts(self, ids) -> int:
        """The live excerpts of these codes all told, as the site tallies count them."""
        assert self.tallied is not None, "ProjectCodes.load(..., tallies=True)"
        return sum(self.tallied.get(ident, 0) for ident in ids)

    def family(self, ident: int) -> str:
        """The key of the code's root category."""
        return self.root(ident)[1]

    def root(self, ident: int) -> tuple:
        """The row of the code's root category (the code itself at the root)."""
        if ident not in self._families:
            code = self.by_id[ident]
            while code[4] in self.by_id:
                code = self.by_id[code[4]]
            self._families[ident] = code
        return self._families[ident]
