"""Projects, membership and access, and case-study sites."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.projects.models import GOVERNANCE, Membership, Project, Role, Site

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def check_slug(slug: str, what: str) -> str:
    if not SLUG.match(slug or ""):
        raise Invalid(f"the {what} slug '{slug}' must be lower-case letters, digits and "
                      "hyphens (at most 64), starting with a letter or digit")
    return slug


def role_of(session: Session, *, project: Project, user: User) -> Role | None:
    """The user's role in the project, or None for a non-member."""
    role = session.scalar(select(Membership.role).where(
        Membership.project_id == project.id, Membership.user_id == user.id))
    return Role(role) if role else None


def get_for_member(session: Session, *, slug: str, user: User,
                   need: str = "view") -> tuple[Project, Role]:
    """The project and the user's role; NotFound for non-members, Forbidden if the role falls short.

    `need` is "view", "edit" (coders and owners) or "manage" (owners).
    """
    project = session.scalar(select(Project).where(Project.slug == slug))
    role = role_of(session, project=project, user=user) if project else None
    if project is None or role is None:
        raise NotFound(f"no project '{slug}'")
    require(role, need)
    return project, role


def require(role: Role, need: str) -> None:
    """Raise Forbidden unless the role allows `need`."""
    if need == "edit" and not role.can_edit():
        raise Forbidden("viewers cannot change this project")
    if need == "manage" and not role.can_manage():
        raise Forbidden("only the project's owners can do this")


def get_by_id_for_member(session: Session, *, project_id: int, user: User,
                         need: str = "view") -> tuple[Project, Role]:
    """As `get_for_member`, by id (for objects that know only their project id)."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("no such project")
    return get_for_member(session, slug=project.slug, user=user, need=need)


def object_for_member(session: Session, obj, missing: str, *, user: User,
                      need: str = "view") -> tuple:
    """(obj, its project) if the user is a member of the project that `obj` belongs to.
    A missing object and a project the user is not in give the same NotFound(`missing`),
    so outsiders cannot learn what exists."""
    if obj is None:
        raise NotFound(missing)
    try:
        project, _ = get_by_id_for_member(session, project_id=obj.project_id, user=user,
                                          need=need)
    except NotFound:
        raise NotFound(missing) from None
    return obj, project


def list_for_user(session: Session, *, user: User) -> list[tuple[Project, str]]:
    """The user's projects with their role, by name."""
    rows = session.execute(
        select(Project, Membership.role).join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == user.id).order_by(Project.name))
    return [(project, role) for project, role in rows]


def create(session: Session, *, slug: str, name: str, owner: User,
           description: str = "") -> Project:
    """A new project with its creator as owner."""
    check_slug(slug, "project")
    if not name.strip():
        raise Invalid("the project needs a name")
    if session.scalar(select(Project.id).where(Project.slug == slug)):
        raise Conflict(f"a project '{slug}' already exists")
    project = Project(slug=slug, name=name.strip(), description=description.strip())
    session.add(project)
    session.flush()
    session.add(Membership(project_id=project.id, user_id=owner.id, role=Role.OWNER.value))
    audit.record(session, user_id=owner.id, project_id=project.id, action="project.create",
                 obj=project, slug=slug)
    return project


def add_member(session: Session, *, project: Project, user: User, role: str,
               by: User) -> Membership:
    """Add a member, or change an existing member's role."""
    if role not in {r.value for r in Role}:
        raise Invalid(f"the role must be owner, coder or viewer, not '{role}'")
    member = session.scalar(select(Membership).where(
        Membership.project_id == project.id, Membership.user_id == user.id))
    if member is None:
        member = Membership(project_id=project.id, user_id=user.id, role=role)
        session.add(member)
    else:
        member.role = role
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id, action="member.set",
                 obj=member, member=user.email, role=role)
    return member


def list_members(session: Session, *, project: Project) -> list[tuple[User, str]]:
    rows = session.execute(
        select(User, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id).order_by(User.email))
    return [(user, role) for user, role in rows]


def get_site(session: Session, *, project: Project, slug: str) -> Site:
    """The project's site with this slug, or NotFound."""
    site = session.scalar(select(Site).where(Site.project_id == project.id, Site.slug == slug))
    if site is None:
        raise NotFound(f"no site '{slug}' in project '{project.slug}'")
    return site


def list_sites(session: Session, *, project: Project) -> list[Site]:
    return list(session.scalars(select(Site).where(Site.project_id == project.id)
                                .order_by(Site.name)))


def _clean_site_fields(name: str, governance: str | None, attributes: dict | None) -> None:
    if not name or not name.strip():
        raise Invalid("the site needs a name")
    if governance not in (None, "", *GOVERNANCE):
        raise Invalid(f"governance must be statutory or voluntary, not '{governance}'")
    if attributes is not None and not all(isinstance(k, str) for k in attributes):
        raise Invalid("site attributes must be named by text")


def add_site(session: Session, *, project: Project, slug: str, name: str, by: User,
             strand: str = "", governance: str | None = None, country: str = "",
             attributes: dict | None = None) -> Site:
    """A new case-study site in the project."""
    check_slug(slug, "site")
    _clean_site_fields(name, governance, attributes)
    if session.scalar(select(Site.id).where(Site.project_id == project.id, Site.slug == slug)):
        raise Conflict(f"project '{project.slug}' already has a site '{slug}'")
    site = Site(project_id=project.id, slug=slug, name=name.strip(), strand=strand.strip(),
                governance=governance or None, country=country.strip(),
                attributes=dict(attributes or {}))
    session.add(site)
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id, action="site.create",
                 obj=site, slug=slug)
    return site


def update_site(session: Session, *, site: Site, by: User, **changes) -> Site:
    """Change a site's name, strand, governance, country or attributes."""
    allowed = {"name", "strand", "governance", "country", "attributes"}
    changes = {k: v for k, v in changes.items() if k in allowed and v is not None}
    merged = {"name": site.name, "governance": site.governance,
              "attributes": site.attributes} | changes
    _clean_site_fields(merged["name"], merged["governance"], merged["attributes"])
    for key, value in changes.items():
        setattr(site, key, value.strip() if isinstance(value, str) else value)
    if site.governance == "":
        site.governance = None
    session.flush()
    audit.record(session, user_id=by.id, project_id=site.project_id, action="site.update",
                 obj=site, fields=sorted(changes))
    return site



def get_project_or_raise(session: Session, *, slug: str) -> Project:
    """The project with this slug, for batch work that is not a member's request."""
    project = session.scalar(select(Project).where(Project.slug == slug))
    if project is None:
        raise NotFound(f"no project '{slug}'")
    return project


def first_owner(session: Session, *, project: Project) -> User:
    """The longest-standing owner: the actor recorded for command-line work."""
    owner = session.scalar(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id, Membership.role == Role.OWNER.value)
        .order_by(Membership.id))
    if owner is None:
        raise NotFound(f"project '{project.slug}' has no owner")
    return owner
