"""A read `.qdpx` (qde_read.Project + its Package) brought into a new, empty project.

Decisions (README "REFI-QDA exchange"):
- **Users.** A REFI user whose `id` is an e-mail address of an account here is that account
  (our export writes the e-mail there, so a round trip gives the same people); any other
  user becomes an inactive placeholder account that cannot sign in (no password), named as
  in the file, with the e-mail `refi-<GUID>@imported.invalid` (or the given one), so a
  second import of the same file finds it again. Everyone in the file joins the project
  as a coder; the importing user is its owner. Codings and memos without a known user are
  attributed to the importing user (counted in the report).
- **Cases → sites.** A named case is a site (its variables → slug, strand, governance,
  country, free attributes; its description → a site memo). A nameless case (MAXQDA,
  Quirkos: per-file variables) gives its variables to its sources. A source is filed under
  the first named case that lists it; sources in no case go to the site "Imported".
- **Codings and memos** keep their coder, author and dates, so they are written as rows
  (not through coding.create and memos.create, which stamp the current time and audit the
  author as the actor); one `project.import` audit event records the import, and the
  tallies are recounted once at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.audit import service as audit
from app.codebook import refi
from app.codebook import service as codebook
from app.codebook.spec import CodebookError
from app.coding.models import Coding
from app.coding.service import trim
from app.db import utcnow
from app.documents import service as documents
from app.documents.formats import decode_text
from app.documents.models import DOCUMENT_KINDS, Document
from app.documents.readers import IngestError
from app.errors import Conflict, Invalid, TooLarge
from app.exchange import codebook_in, names, positions, qde_read
from app.exchange.package import Package
from app.exchange.qde_write import MEMO_KIND, SITE_ATTRIBUTE
from app.exchange.report import ImportReport
from app.memos.models import MEMO_KINDS, Memo
from app.projects import service as projects
from app.projects.models import GOVERNANCE, Membership, Project, Site
from app.retrieval import tallies

PLACEHOLDER_DOMAIN = "imported.invalid"
IMPORTED_SITE = ("imported", "Imported")
MEDIA = {"picture": "picture", "audio": "audio", "video": "video"}


class Importer:
    def __init__(self, session: Session, *, package: Package, qde: qde_read.Project,
                 project: Project, by: User, max_bytes: int, report: ImportReport):
        self.session, self.package, self.qde = session, package, qde
        self.project, self.by, self.max_bytes, self.report = project, by, max_bytes, report
        self.people: dict[str, User] = {}
        self.codes: dict = {}
        self.version = None
        self.code_notes: dict[str, list[str]] = defaultdict(list)
        self.source_site: dict[str, Site] = {}
        self.source_values: dict[str, dict[str, object]] = defaultdict(dict)
        self.objects: dict[str, tuple[str, object]] = {}  # guid -> (memo target type, row)
        # a coding is kept in `objects` only when a memo will need it (it has notes or a
        # description, or a link names it): a large project's codings are not all held
        self.linked = {end for link in qde.links for end in (link.origin, link.target)}
        self.note_targets: dict[str, list[str]] = defaultdict(list)  # note -> object guids
        self.annotations: list[tuple[str, str, str, dt.datetime | None]] = []
        self.imported_site: Site | None = None

    def run(self) -> None:
        self._users()
        self._codebook()
        self._sites()
        for source in self.qde.sources:
            self._source(source)
        self.session.flush()
        self._memos()
        tallies.rebuild(self.session, project=self.project)
        audit.record(self.session, user_id=self.by.id, project_id=self.project.id,
                     action="project.import", obj=self.project,
                     counts=dict(self.report.counts))

    # ------------------------------------------------------------ users

    def _users(self) -> None:
        for guid, (name, ident) in self.qde.users.items():
            user = self._account(guid, name, ident)
            self.people[guid] = user
            if user.id != self.by.id and self.session.scalar(select(Membership.id).where(
                    Membership.project_id == self.project.id,
                    Membership.user_id == user.id)) is None:
                projects.add_member(self.session, project=self.project, user=user,
                                    role="coder", by=self.by)
            self.report.counts["users"] += 1

    def _account(self, guid: str, name: str, ident: str) -> User:
        email = ident.lower() if accounts.EMAIL.match(ident) else (
            f"refi-{re.sub(r'[^0-9a-z-]', '', guid) or 'unknown'}@{PLACEHOLDER_DOMAIN}")
        user = accounts.get_by_email(self.session, email=email)
        if user is not None:
            return user
        user = User(email=email, name=(name or "Imported user")[:200], password_hash="!",
                    is_active=False)
        self.session.add(user)
        self.session.flush()
        audit.record(self.session, user_id=self.by.id, project_id=self.project.id,
                     action="user.placeholder", obj=user, email=email)
        self.report.note(f"'{user.name}' has no account here: a placeholder account that "
                         f"cannot sign in was made ({email}).")
        return user

    def person(self, guid: str, what: str) -> User:
        if guid in self.people:
            return self.people[guid]
        self.report.note(f"Some {what} name no user of the file; they are attributed to "
                         f"you ({self.by.name}).")
        return self.by

    # ------------------------------------------------------------ codebook

    def _codebook(self) -> None:
        found = codebook_in.qdc_of(self.qde.codebook)
        if found is None:
            return
        data, self.code_notes = found
        try:
            spec, notes = refi.import_qdc(data, filename=f"{self.project.slug}.qdc")
        except CodebookError as err:
            self.report.drop(f"the codebook: {err.message}")
            return
        codebook_in.codable_if_coded(spec, self.qde, self.report)
        for note in notes:
            self.report.note(f"Codebook: {note}")
        codebook.load(self.session, project=self.project, spec=spec, by=self.by,
                      note="imported from a REFI-QDA project")
        self.version = codebook.current_version(self.session, project=self.project)
        for code in codebook.list_codes(self.session, project=self.project):
            self.codes[code.guid.lower()] = code
            self.objects[code.guid.lower()] = ("code", code)
            self._attach(self.code_notes.get(code.guid.lower(), []), code.guid.lower())
        self.report.counts["codes"] = sum(not c.is_category for c in self.codes.values())

    # ------------------------------------------------------------ sites

    def _values(self, values: dict[str, object]) -> dict[str, object]:
        """Variable GUIDs -> variable names."""
        return {self.qde.variables[g][0]: v for g, v in values.items()
                if g in self.qde.variables and self.qde.variables[g][0]}

    def _sites(self) -> None:
        taken: set[str] = set()
        for case in self.qde.cases:
            values = self._values(case.values)
            if not case.name:
                for source in case.sources:
                    self.source_values[source].update(values)
                continue
            site = self._site(case, values, taken)
            self.objects[case.guid] = ("site", site)
            for source in case.sources:
                if source in self.source_site and self.source_site[source] is not site:
                    self.report.drop("a source listed in several cases: Fieldbench files a "
                                     "document under one site, the first case's")
                self.source_site.setdefault(source, site)
            if case.description:
                self.annotations.append((case.guid, case.description, "", None))
            if case.selections:
                self.report.drop("selections listed in a case (a site holds whole documents)")

    def _site(self, case: qde_read.Case, values: dict, taken: set[str]) -> Site:
        fixed = {"site slug": "", "strand": "", "governance": "", "country": ""}
        attributes = {}
        for name, value in values.items():
            if name.lower() in fixed:
                fixed[name.lower()] = str(value).strip()
            else:
                attributes[name.removeprefix(SITE_ATTRIBUTE)] = value
        governance = fixed["governance"].lower() or None
        if governance not in (None, *GOVERNANCE):
            attributes["Governance"] = fixed["governance"]
            governance = None
        given = fixed["site slug"]
        slug = names.unique(given if projects.SLUG.match(given) else names.slug(case.name),
                            taken)
        self.report.counts["sites"] += 1
        return projects.add_site(self.session, project=self.project, slug=slug,
                                 name=case.name[:200], by=self.by, strand=fixed["strand"],
                                 governance=governance, country=fixed["country"],
                                 attributes=attributes)

    def _site_for(self, source: qde_read.Source) -> Site:
        if source.guid in self.source_site:
            return self.source_site[source.guid]
        if self.imported_site is None:
            slug, name = IMPORTED_SITE
            exists = self.session.scalar(select(Site).where(
                Site.project_id == self.project.id, Site.slug == slug))
            self.imported_site = exists or projects.add_site(
                self.session, project=self.project, slug=slug, name=name, by=self.by)
            if exists is None:
                self.report.counts["sites"] += 1
                self.report.note("Sources in no case were filed under the site 'Imported'.")
        return self.imported_site

    # ------------------------------------------------------------ documents

    def _source(self, source: qde_read.Source) -> None:
        label = f"{source.kind} source '{source.name or source.guid}'"
        if source.kind in MEDIA:
            self.report.drop(f"{MEDIA[source.kind]} sources (Fieldbench holds text only)")
            return
        if source.dropped_selections:
            self.report.drop("PDF area selections (only the text representation is read)")
        found = self._text(source, label)
        if found is None:
            return
        filename, data, raw = found
        values = self._values(source.values) | self.source_values.get(source.guid, {})
        meta = self._meta(source, values)
        try:
            with self.session.begin_nested():
                document, _ = documents.ingest(self.session, project=self.project,
                                               filename=filename, data=data, meta=meta,
                                               by=self.by, max_bytes=self.max_bytes)
        except (Invalid, Conflict, TooLarge) as err:
            codings = sum(len(s.codings) for s in source.selections) + len(source.codings)
            self.report.drop(f"{label}: {err.message}" + (
                f"; its {codings} codings with it" if codings else ""))
            return
        if source.user in self.people or source.created:
            document.created_by_id = self.people.get(source.user, self.by).id
            document.created_at = source.created or document.created_at
        self.report.counts["documents"] += 1
        self.objects[source.guid] = ("document", document)
        self._attach(source.notes, source.guid)
        if source.description:
            self.annotations.append((source.guid, source.description, source.user,
                                     source.created))
        self._codings(source, document, raw)

    def _text(self, source: qde_read.Source, label: str):
        """(file name for ingest, bytes, decoded text) or None (reported)."""
        title = names.title(source.name)
        filename = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", title)[:200] + ".txt"
        if source.content is not None and not source.plain_path:
            return filename, source.content.encode("utf-8"), source.content
        path = names.member_path(source.plain_path)
        member = self.package.find_source(path) if path else None
        if member is None:
            reason = ("it has no plain text" if not source.plain_path else
                      f"its text file '{source.plain_path}' is not in the package")
            self.report.drop(f"{label}: {reason}")
            return None
        data = self.package.read(member)
        try:
            raw, _ = decode_text(data)
        except IngestError as err:
            self.report.drop(f"{label}: {err}")
            return None
        return filename, data, raw

    def _meta(self, source: qde_read.Source, values: dict) -> documents.DocumentMeta:
        found = {name.lower(): value for name, value in values.items()}
        kind = str(found.get("document kind") or "").strip()
        labels = {label.lower(): key for key, label in DOCUMENT_KINDS.items()}
        kind = kind if kind in DOCUMENT_KINDS else labels.get(kind.lower(), "")
        if not kind:
            self.report.note("Documents without a Fieldbench document kind were filed as "
                             "Observations.")
        known = {"document kind", "document date", "researcher", "fieldwork period"}
        for name in sorted(values):
            if name.lower() not in known:
                self.report.drop(f"document variable '{name}' (Fieldbench documents have no "
                                 "free attributes)")
        return documents.DocumentMeta(
            site=self._site_for(source), kind=kind or "observation",
            title=names.title(source.name),
            date=names.as_date(found.get("document date")),
            researcher=str(found.get("researcher") or ""),
            fieldwork_period=str(found.get("fieldwork period") or ""))

    # ------------------------------------------------------------ codings

    def _codings(self, source: qde_read.Source, document: Document, raw: str) -> None:
        text, where = positions.normalise_with_map(raw)
        if text != document.text:
            self.report.drop(f"codings of '{document.title}': its text changed on ingest")
            return
        usable = [s for s in source.selections if 0 <= s.start < s.end]
        label, units = positions.choose_units(
            raw, [positions.Selection(s.start, s.end, s.name) for s in usable],
            self.qde.origin)
        if label != positions.VARIANTS[0][0]:
            self.report.note(f"'{document.title}': positions read as {label}.")
        for selection in source.selections:
            if not 0 <= selection.start < selection.end:
                self.report.drop("zero-length or reversed selections")
                continue
            start = where[units.index(selection.start)]
            end = where[units.index(selection.end)]
            made = [self._coding(document, coding, start, end, selection)
                    for coding in selection.codings]
            made = [m for m in made if m is not None]
            if selection.notes or selection.description or selection.guid in self.linked:
                self.objects[selection.guid] = ("coding", made[0]) if made else (
                    "document", document)
            self._attach(selection.notes, selection.guid)
            if selection.description:
                self.annotations.append((selection.guid, selection.description,
                                         selection.user, selection.created))
        for coding in source.codings:
            self._coding(document, coding, 0, len(document.text), None)

    def _coding(self, document: Document, item: qde_read.Coding, start: int, end: int,
                selection: qde_read.Selection | None) -> Coding | None:
        code = self.codes.get(item.code)
        if code is None or code.is_category:
            self.report.drop("codings whose code is not in the codebook")
            return None
        start, end = trim(document.text, start, end)
        if start >= end:
            self.report.drop("selections that cover only white space once mapped to the "
                             "text")
            return None
        when = item.created or (selection.created if selection else None) or utcnow()
        coder = self.person(item.user or (selection.user if selection else ""), "codings")
        coding = Coding(project_id=self.project.id, document_id=document.id, code_id=code.id,
                        codebook_version_id=self.version.id, start=start, end=end,
                        quote=document.text[start:end], coder_id=coder.id, origin="imported",
                        created_at=when, updated_at=when)
        self.session.add(coding)
        if item.notes or item.guid in self.linked:
            self.objects[item.guid] = ("coding", coding)
        self._attach(item.notes, item.guid)
        self.report.counts["codings"] += 1
        return coding

    # ------------------------------------------------------------ memos

    def _attach(self, notes: list[str], target: str) -> None:
        """Notes referenced (NoteRef) from the object with GUID `target`."""
        for note in notes:
            self.note_targets[note].append(target)

    def _memos(self) -> None:
        for link in self.qde.links:
            ends = [link.origin, link.target]
            for note, other in (ends, ends[::-1]):
                if note in self.qde.notes and other in self.objects:
                    self.note_targets[note].append(other)
            for note in link.notes:
                if link.origin in self.objects:
                    self.note_targets[note].append(link.origin)
        for guid, note in self.qde.notes.items():
            self._note(guid, note)
        for guid, text, user, created in self.annotations:
            self._memo(text, guid, kind="analytic", title="",
                       author=self.person(user, "memos"), created=created, modified=None)

    def _note(self, guid: str, note: qde_read.Source) -> None:
        body = note.content
        if body is None and note.plain_path:
            member = self.package.find_source(names.member_path(note.plain_path))
            body = decode_text(self.package.read(member))[0] if member else None
        if not body or not body.strip():
            self.report.drop("empty notes (a memo needs some text)")
            return
        targets = [t for t in self.note_targets.get(guid, []) if t in self.objects]
        if len(set(targets)) > 1:
            self.report.drop("extra targets of a note attached to several things (a memo is "
                             "attached to one: the first was kept)")
        kind = str(self._values(note.values).get(MEMO_KIND, "")).strip()
        labels = {label.lower(): key for key, label in MEMO_KINDS.items()}
        kind = kind if kind in MEMO_KINDS else labels.get(kind.lower(), "analytic")
        self._memo(body, targets[0] if targets else None, kind=kind, title=note.name,
                   author=self.person(note.user, "memos"), created=note.created,
                   modified=note.modified)

    def _memo(self, body: str, target: str | None, *, kind: str, title: str, author: User,
              created: dt.datetime | None, modified: dt.datetime | None) -> None:
        body = body.replace("\r\n", "\n").strip("\n")
        if not body.strip():
            return
        kind_of, row = self.objects.get(target, ("project", None)) if target else (
            "project", None)
        when = created or utcnow()
        memo = Memo(project_id=self.project.id, kind=kind, title=(title or "")[:200].strip(),
                    body=body, author_id=author.id, created_at=when,
                    updated_at=modified or when,
                    **({f"{kind_of}_id": row.id} if row is not None else {}))
        self.session.add(memo)
        self.report.counts["memos"] += 1

