"""Projects and sites: pages and JSON API."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import service as accounts
from app.documents import service as documents
from app.errors import FieldbenchError
from app.projects import service
from app.projects.models import Project, Site
from app.projects.schemas import (MemberOut, MemberSet, ProjectCreate, ProjectOut, SiteCreate,
                                  SiteOut, SiteUpdate)
from app.schemas import errors
from app.web import CurrentUser, SessionDep, render

router = APIRouter()


def site_out(site: Site, count: int = 0) -> SiteOut:
    return SiteOut(id=site.id, slug=site.slug, name=site.name, strand=site.strand,
                   governance=site.governance, country=site.country,
                   attributes=site.attributes, document_count=count)


def project_out(project: Project, role: str) -> ProjectOut:
    return ProjectOut(id=project.id, slug=project.slug, name=project.name,
                      description=project.description, role=role)


# ---- pages ----

@router.get("/", name="projects_page", include_in_schema=False)
def projects_page(request: Request, session: SessionDep, user: CurrentUser):
    rows = service.list_for_user(session, user=user)
    return render(request, "projects/projects.html", user=user, projects=rows, error=None)


@router.post("/projects", name="project_create", include_in_schema=False)
def project_create(request: Request, session: SessionDep, user: CurrentUser,
                   slug: Annotated[str, Form()], name: Annotated[str, Form()],
                   description: Annotated[str, Form()] = ""):
    try:
        project = service.create(session, slug=slug.strip(), name=name, owner=user,
                                 description=description)
    except FieldbenchError as err:
        session.rollback()
        rows = service.list_for_user(session, user=user)
        return render(request, "projects/projects.html", status_code=err.status_code,
                      user=user, projects=rows, error=err.message)
    return RedirectResponse(request.url_for("project_page", project=project.slug),
                            status_code=303)


@router.get("/p/{project}", name="project_page", include_in_schema=False)
def project_page(request: Request, session: SessionDep, user: CurrentUser, project: str):
    proj, role = service.get_for_member(session, slug=project, user=user)
    return _project_page(request, session, user, proj, role)


def _project_page(request, session, user, proj, role, status_code=200, error=None):
    counts = documents.count_by_site(session, project=proj)
    sites = [(site, counts.get(site.id, 0)) for site in service.list_sites(session, project=proj)]
    return render(request, "projects/project.html", status_code=status_code, user=user,
                  project=proj, role=role, sites=sites, error=error,
                  members=service.list_members(session, project=proj))


@router.post("/p/{project}/sites", name="site_create", include_in_schema=False)
def site_create(request: Request, session: SessionDep, user: CurrentUser, project: str,
                slug: Annotated[str, Form()], name: Annotated[str, Form()],
                strand: Annotated[str, Form()] = "", governance: Annotated[str, Form()] = "",
                country: Annotated[str, Form()] = ""):
    proj, role = service.get_for_member(session, slug=project, user=user, need="manage")
    try:
        service.add_site(session, project=proj, slug=slug.strip(), name=name, by=user,
                         strand=strand, governance=governance or None, country=country)
    except FieldbenchError as err:
        session.rollback()
        return _project_page(request, session, user, proj, role, err.status_code, err.message)
    return RedirectResponse(request.url_for("project_page", project=proj.slug), status_code=303)


@router.get("/p/{project}/sites/{site}", name="site_page", include_in_schema=False)
def site_page(request: Request, session: SessionDep, user: CurrentUser, project: str, site: str):
    proj, role = service.get_for_member(session, slug=project, user=user)
    place = service.get_site(session, project=proj, slug=site)
    return render(request, "projects/site.html", user=user, project=proj, role=role,
                  site=place, documents=documents.list_for_site(session, site=place))


# ---- JSON API ----

@router.get("/api/projects", name="api_projects", response_model=list[ProjectOut],
            responses=errors(401), tags=["projects"])
def api_projects(session: SessionDep, user: CurrentUser):
    """The projects the user is a member of, with their role."""
    return [project_out(p, role) for p, role in service.list_for_user(session, user=user)]


@router.post("/api/projects", name="api_project_create", status_code=201,
             response_model=ProjectOut, responses=errors(401, 409, 422), tags=["projects"])
def api_project_create(session: SessionDep, user: CurrentUser, body: ProjectCreate):
    """Create a project; the caller becomes its owner."""
    project = service.create(session, slug=body.slug, name=body.name, owner=user,
                             description=body.description)
    return project_out(project, "owner")


@router.get("/api/projects/{project}", name="api_project", response_model=ProjectOut,
            responses=errors(401, 404), tags=["projects"])
def api_project(session: SessionDep, user: CurrentUser, project: str):
    """One project, if the caller is a member."""
    proj, role = service.get_for_member(session, slug=project, user=user)
    return project_out(proj, role)


@router.get("/api/projects/{project}/members", name="api_members",
            response_model=list[MemberOut], responses=errors(401, 404), tags=["projects"])
def api_members(session: SessionDep, user: CurrentUser, project: str):
    """The project's members and their roles."""
    proj, _ = service.get_for_member(session, slug=project, user=user)
    return [MemberOut(email=u.email, name=u.name, role=r)
            for u, r in service.list_members(session, project=proj)]


@router.put("/api/projects/{project}/members", name="api_member_set",
            response_model=MemberOut, responses=errors(401, 403, 404, 422), tags=["projects"])
def api_member_set(session: SessionDep, user: CurrentUser, project: str, body: MemberSet):
    """Add a member by e-mail, or change a member's role (owners only)."""
    proj, _ = service.get_for_member(session, slug=project, user=user, need="manage")
    member = accounts.get_by_email_or_raise(session, email=body.email)
    service.add_member(session, project=proj, user=member, role=body.role, by=user)
    return MemberOut(email=member.email, name=member.name, role=body.role)


@router.get("/api/projects/{project}/sites", name="api_sites", response_model=list[SiteOut],
            responses=errors(401, 404), tags=["sites"])
def api_sites(session: SessionDep, user: CurrentUser, project: str):
    """The project's case-study sites with their document counts."""
    proj, _ = service.get_for_member(session, slug=project, user=user)
    counts = documents.count_by_site(session, project=proj)
    return [site_out(s, counts.get(s.id, 0)) for s in service.list_sites(session, project=proj)]


@router.post("/api/projects/{project}/sites", name="api_site_create", status_code=201,
             response_model=SiteOut, responses=errors(401, 403, 404, 409, 422), tags=["sites"])
def api_site_create(session: SessionDep, user: CurrentUser, project: str, body: SiteCreate):
    """Add a case-study site (owners only)."""
    proj, _ = service.get_for_member(session, slug=project, user=user, need="manage")
    site = service.add_site(session, project=proj, by=user, **body.model_dump())
    return site_out(site)


@router.get("/api/projects/{project}/sites/{site}", name="api_site", response_model=SiteOut,
            responses=errors(401, 404), tags=["sites"])
def api_site(session: SessionDep, user: CurrentUser, project: str, site: str):
    """One site."""
    proj, _ = service.get_for_member(session, slug=project, user=user)
    place = service.get_site(session, project=proj, slug=site)
    return site_out(place, documents.count_by_site(session, project=proj).get(place.id, 0))


@router.patch("/api/projects/{project}/sites/{site}", name="api_site_update",
              response_model=SiteOut, responses=errors(401, 403, 404, 422), tags=["sites"])
def api_site_update(session: SessionDep, user: CurrentUser, project: str, site: str,
                    body: SiteUpdate):
    """Change a site's name, strand, governance, country or attributes (owners only)."""
    proj, _ = service.get_for_member(session, slug=project, user=user, need="manage")
    place = service.get_site(session, project=proj, slug=site)
    return site_out(service.update_site(session, site=place, by=user,
                                        **body.model_dump(exclude_unset=True)))
