"""Writing a project as `project.qde` (QDA-XML project 1.0, valid against Project.xsd).

What goes where (and comes back the same way through qde_read/importer):
- members who own the project, coded or wrote memos → `User` (`name`; `id` = e-mail);
- the codebook → `CodeBook`, made by app.codebook.refi.export_qdc (categories are
  non-codable codes; our fields packed in `Description` with a `Key:` line; the codebook
  header in a `<?fieldbench ...?>` instruction) moved into the project namespace;
- sites → `Case` with `VariableValue`s (site slug, strand, governance, country, each free
  attribute) and a `SourceRef` per document;
- documents → `TextSource` with `plainTextPath="internal://<GUID>.txt"` and `VariableValue`s
  (kind, date, researcher, fieldwork period); each live coding → a `PlainTextSelection`
  (code-point positions, end exclusive: our offsets as they are) holding one `Coding`;
- memos → `Note` (`PlainTextContent`, kind as a variable), referenced by `NoteRef` from the
  project, the code, the document or the coding; a site memo (a `Case` has no `NoteRef`)
  by a `Link` from the case to the note; the project's description → `Description`.
GUIDs: codes keep their own; everything else gets uuid5(project slug, kind, id), so
exporting twice gives the same file. The XML is written with lxml's incremental writer,
one source element at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import BinaryIO

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.codebook import refi
from app.codebook.models import Code
from app.codebook.service import current_version, to_spec
from app.coding.models import Coding
from app.documents.models import Document
from app.exchange.qde_read import child, children
from app.memos.models import Memo
from app.projects.models import Membership, Project, Site

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
ORIGIN = "Fieldbench 0.1"
DOC_VARIABLES = (("kind", "Document kind", "Text"), ("date", "Document date", "Date"),
                 ("researcher", "Researcher", "Text"),
                 ("fieldwork_period", "Fieldwork period", "Text"))
SITE_VARIABLES = (("slug", "Site slug", "Text"), ("strand", "Strand", "Text"),
                  ("governance", "Governance", "Text"), ("country", "Country", "Text"))
MEMO_KIND = "Memo kind"
FIXED_NAMES = {name.lower() for _, name, _ in DOC_VARIABLES + SITE_VARIABLES} | {
    MEMO_KIND.lower()}
SITE_ATTRIBUTE = "Site attribute: "
QUOTE_NAME = 100


def utc(moment: dt.datetime | None) -> str | None:
    """`YYYY-MM-DDThh:mm:ssZ` (naive values are UTC already)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def user_guid(email: str) -> str:
    return str(uuid.uuid5(refi.GUID_NAMESPACE, f"user:{email.lower()}"))


def _el(parent, name: str, attrib: dict | None = None, text: str | None = None):
    """A child element; attributes that are None are left out."""
    attrs = {k: str(v) for k, v in (attrib or {}).items() if v is not None}
    element = (etree.SubElement(parent, Q + name, attrs) if parent is not None
               else etree.Element(Q + name, attrs, nsmap={None: NS}))
    if text is not None:
        element.text = refi._xml(text)
    return element


class QdeWriter:
    """Collects what the project.qde needs (no document texts), then streams it out."""

    def __init__(self, session: Session, project: Project):
        self.session, self.project = session, project
        self.codes = {c.id: c for c in session.scalars(
            select(Code).where(Code.project_id == project.id))}
        self.memos = list(session.scalars(select(Memo).where(
            Memo.project_id == project.id, Memo.deleted_at.is_(None)).order_by(Memo.id)))
        self.sites = list(session.scalars(select(Site).where(Site.project_id == project.id)
                                          .order_by(Site.name, Site.id)))
        self.documents = session.execute(
            select(Document.id, Document.title, Document.kind, Document.date,
                   Document.researcher, Document.fieldwork_period, Document.site_id,
                   Document.created_by_id, Document.created_at)
            .where(Document.project_id == project.id).order_by(Document.id)).all()
        self.users = self._users()
        self.variables: dict[str, tuple[str, str]] = {}  # name -> (guid, type)
        self.memos_on: dict[tuple[str, int | None], list[Memo]] = defaultdict(list)
        for memo in self.memos:
            self.memos_on[_target(memo)].append(memo)

    def guid(self, kind: str, ident: object) -> str:
        return str(uuid.uuid5(refi.GUID_NAMESPACE, f"{self.project.slug}:{kind}:{ident}"))

    def _users(self) -> dict[int, tuple[str, User]]:
        """Owners, coders of live codings and memo authors: user id -> (GUID, user)."""
        p = self.project.id
        ids = set(self.session.scalars(select(Membership.user_id).where(
            Membership.project_id == p, Membership.role == "owner")))
        ids |= set(self.session.scalars(select(Coding.coder_id).distinct().where(
            Coding.project_id == p, Coding.deleted_at.is_(None))))
        ids |= {memo.author_id for memo in self.memos}
        users = self.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id))
        return {u.id: (user_guid(u.email), u) for u in users}

    def user(self, user_id: int | None) -> str | None:
        entry = self.users.get(user_id)
        return entry[0] if entry else None

    # ------------------------------------------------------------ writing

    def write(self, stream: BinaryIO) -> list[tuple[str, int]]:
        """Write the XML to `stream`; return (GUID, document id) of each source file."""
        owner = self.user(self.session.scalar(select(Membership.user_id).where(
            Membership.project_id == self.project.id, Membership.role == "owner")
            .order_by(Membership.id).limit(1)))
        attrib = {"name": refi._xml(self.project.name), "origin": ORIGIN,
                  "creatingUserGUID": owner, "creationDateTime": utc(self.project.created_at)}
        sections = [self._users_el(), self._codebook_el()]
        cases = self._cases_el()  # before Variables: it declares the site variables
        for field, name, kind in DOC_VARIABLES:   # and the documents' (each source is
            if any(_given(getattr(row, field)) for row in self.documents):   # made as it
                self.variable(name, kind)                                      # is written)
        notes, links = self._notes_el(), self._links_el()
        with etree.xmlfile(stream, encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element(Q + "Project", {k: v for k, v in attrib.items() if v},
                            nsmap={None: NS}):
                for element in [*sections, self._variables_el(), cases]:
                    if element is not None:
                        xf.write(element, pretty_print=True)
                if self.documents:
                    with xf.element(Q + "Sources"):
                        for row in self.documents:    # one document's codings at a time
                            xf.write(self._source_el(row), pretty_print=True)
                for element in (notes, links):
                    if element is not None:
                        xf.write(element, pretty_print=True)
                for element in self._project_tail():
                    xf.write(element, pretty_print=True)
        return [(self.guid("document", row.id), row.id) for row in self.documents]

    def _users_el(self):
        if not self.users:
            return None
        users = _el(None, "Users")
        for user_id, (guid, user) in sorted(self.users.items()):
            _el(users, "User", {"guid": guid, "name": refi._xml(user.name), "id": user.email})
        return users

    def _codebook_el(self):
        """The codebook from export_qdc, moved into the project namespace, with NoteRefs."""
        if current_version(self.session, project=self.project) is None:
            return None
        used = {c for (c,) in self.session.execute(select(Coding.code_id).distinct().where(
            Coding.project_id == self.project.id, Coding.deleted_at.is_(None)))}
        spec = to_spec(self.session, project=self.project, active_only=False)
        keep = {c.key for c in self.codes.values() if c.status == "active" or c.id in used}
        by_key = spec.by_key()
        for key in list(keep):  # a kept code needs its ancestors
            while by_key[key].parent and by_key[key].parent not in keep:
                key = by_key[key].parent
                keep.add(key)
        spec.codes = [c for c in spec.codes if c.key in keep]
        if not spec.codes:
            return None
        qdc = etree.fromstring(refi.export_qdc(spec, origin=ORIGIN))
        notes = {code.guid.lower(): [self.guid("memo", m.id)
                                     for m in self.memos_on[("code", code.id)]]
                 for code in self.codes.values()}
        codebook = _el(None, "CodeBook")
        header = qdc.getprevious()
        if header is not None:
            codebook.append(etree.ProcessingInstruction(header.target, header.text))
        codes = _el(codebook, "Codes")
        for code in children(child(qdc, "Codes"), "Code"):
            _project_code(code, codes, notes)
        return codebook

    def variable(self, name: str, kind: str) -> str:
        """The GUID of a variable, declared on first use."""
        if name not in self.variables:
            self.variables[name] = (self.guid("variable", name), kind)
        return self.variables[name][0]

    def _variables_el(self):
        if not self.variables:
            return None
        variables = _el(None, "Variables")
        for name, (guid, kind) in self.variables.items():
            _el(variables, "Variable", {"guid": guid, "name": name, "typeOfVariable": kind})
        return variables

    def value(self, parent, name: str, value: object, kind: str | None = None) -> None:
        """A VariableValue; the variable's type from the value (or `kind`)."""
        if not _given(value):
            return
        kind = kind or _kind_of(value)
        element = _el(parent, "VariableValue")
        _el(element, "VariableRef", {"targetGUID": self.variable(name, kind)})
        _el(element, f"{kind}Value", text=_value_text(value, kind))

    def _cases_el(self):
        if not self.sites:
            return None
        cases = _el(None, "Cases")
        documents = defaultdict(list)
        for row in self.documents:
            documents[row.site_id].append(row.id)
        types = _attribute_types(self.sites)
        for site in self.sites:
            case = _el(cases, "Case", {"guid": self.guid("site", site.id),
                                       "name": refi._xml(site.name)})
            for field, name, kind in SITE_VARIABLES:
                self.value(case, name, getattr(site, field) or "", kind)
            for key, value in sorted(site.attributes.items()):
                name = SITE_ATTRIBUTE + key if key.lower() in FIXED_NAMES or \
                    key.startswith(SITE_ATTRIBUTE) else key
                self.value(case, name, value, types[key])
            for document_id in documents[site.id]:
                _el(case, "SourceRef", {"targetGUID": self.guid("document", document_id)})
        return cases

    def _source_el(self, row):
        guid = self.guid("document", row.id)
        source = _el(None, "TextSource", {
            "guid": guid, "name": refi._xml(row.title), "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": self.user(row.created_by_id),
            "creationDateTime": utc(row.created_at)})
        codings = self.session.scalars(select(Coding).where(
            Coding.document_id == row.id, Coding.deleted_at.is_(None))
            .order_by(Coding.start, Coding.end, Coding.id))
        for coding in codings:
            self._selection(source, coding)
        for memo in self.memos_on[("document", row.id)]:
            _el(source, "NoteRef", {"targetGUID": self.guid("memo", memo.id)})
        for field, name, kind in DOC_VARIABLES:
            self.value(source, name, getattr(row, field), kind)
        return source

    def _selection(self, source, coding: Coding) -> None:
        user, when = self.user(coding.coder_id), utc(coding.created_at)
        selection = _el(source, "PlainTextSelection", {
            "guid": self.guid("selection", coding.id),
            "name": refi._xml(coding.quote[:QUOTE_NAME]), "startPosition": coding.start,
            "endPosition": coding.end, "creatingUser": user, "creationDateTime": when})
        element = _el(selection, "Coding", {"guid": self.guid("coding", coding.id),
                                            "creatingUser": user, "creationDateTime": when})
        _el(element, "CodeRef", {"targetGUID": self.codes[coding.code_id].guid})
        for memo in self.memos_on[("coding", coding.id)]:
            _el(element, "NoteRef", {"targetGUID": self.guid("memo", memo.id)})

    def _notes_el(self):
        if not self.memos:
            return None
        notes = _el(None, "Notes")
        for memo in self.memos:
            note = _el(notes, "Note", {
                "guid": self.guid("memo", memo.id), "name": refi._xml(memo.title) or None,
                "creatingUser": self.user(memo.author_id),
                "creationDateTime": utc(memo.created_at),
                "modifiedDateTime": utc(memo.updated_at)})
            _el(note, "PlainTextContent", text=memo.body)
            self.value(note, MEMO_KIND, memo.kind, "Text")
        return notes

    def _links_el(self):
        on_sites = [m for m in self.memos if _target(m)[0] == "site"]
        if not on_sites:
            return None
        links = _el(None, "Links")
        for memo in on_sites:
            _el(links, "Link", {"guid": self.guid("link", memo.id), "name": "Memo",
                                "direction": "OneWay",
                                "originGUID": self.guid("site", memo.site_id),
                                "targetGUID": self.guid("memo", memo.id)})
        return links

    def _project_tail(self) -> list:
        out = []
        if self.project.description:
            out.append(_el(None, "Description", text=self.project.description))
        out += [_el(None, "NoteRef", {"targetGUID": self.guid("memo", m.id)})
                for m in self.memos_on[("project", None)]]
        return out


def _given(value: object) -> bool:
    """Whether a value is written as a VariableValue (not missing, empty or NaN)."""
    return not (value is None or value == ""
                or (isinstance(value, float) and not math.isfinite(value)))


def _target(memo: Memo) -> tuple[str, int | None]:
    for name in ("site", "document", "code", "coding"):
        if getattr(memo, f"{name}_id") is not None:
            return name, getattr(memo, f"{name}_id")
    return "project", None


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    return "Text"


def _value_text(value: object, kind: str) -> str:
    """The value as the schema's type wants it (xsd:decimal has no exponent)."""
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Date":
        return value.isoformat()
    if kind == "Float":
        return format(Decimal(repr(value)), "f")
    if kind == "Integer":
        return str(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _attribute_types(sites: list[Site]) -> dict[str, str]:
    """One REFI type per attribute name: Text when sites disagree."""
    types: dict[str, str] = {}
    for site in sites:
        for key, value in site.attributes.items():
            kind = _kind_of(value)
            types[key] = kind if types.get(key, kind) == kind else "Text"
    return types


def _project_code(source, parent, notes: dict[str, list[str]]) -> None:
    """A codebook-namespace Code as a project Code: Description, NoteRef*, Code*."""
    code = etree.SubElement(parent, Q + "Code", dict(source.attrib))
    description = child(source, "Description")
    if description is not None:
        etree.SubElement(code, Q + "Description").text = description.text
    for note in notes.get((source.get("guid") or "").lower(), []):
        etree.SubElement(code, Q + "NoteRef", {"targetGUID": note})
    for inner in children(source, "Code"):
        _project_code(inner, code, notes)
