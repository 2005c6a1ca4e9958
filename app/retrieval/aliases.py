"""A pool of ORM aliases shared by every request, handed out once per statement part.

Building an ORM alias and first using its columns costs milliseconds, more than running
a page's queries, so retrieval takes its aliases from here instead of calling `aliased`.
"""

from __future__ import annotations

from sqlalchemy.orm import aliased


class Aliases:
    """Aliases for one part of a statement, each handed out once. An ORM alias costs
    milliseconds to build and first use, so they come from a pool shared by every request
    but kept apart per `part` (the outer query, the filter's conditions ...): one part
    never gets the same alias twice, so nested subqueries never share one."""

    _pool: dict[tuple[str, type], list] = {}

    def __init__(self, part: str):
        self.part, self.used = part, {}

    def __call__(self, model):
        n = self.used[model] = self.used.get(model, 0) + 1
        pool = self._pool.setdefault((self.part, model), [])
        while len(pool) < n:
            pool.append(aliased(model))
        return pool[n - 1]
