"""`fieldbench` commands for users, tokens, projects, sites and import."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.accounts import service as accounts
from app.cli import Group, fail, main
from app.db import transaction
from app.documents import manifest
from app.projects import service as projects
from app.settings import get_settings


@main.group(cls=Group)
def user() -> None:
    """User accounts."""


@user.command("add")
@click.argument("email")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(email: str, name: str, password_stdin: bool) -> None:
    """Create a user account."""
    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")
    with transaction() as session:
        created = accounts.create(session, email=email, password=password, name=name)
    click.echo(f"user {created.email} created")


@main.group(cls=Group)
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--label", default="cli")
def token_create(email: str, label: str) -> None:
    """Create a bearer token for EMAIL and print it (it is shown once)."""
    with transaction() as session:
        owner = accounts.get_by_email_or_raise(session, email=email)
        raw = accounts.create_token(session, user=owner, label=label)
    click.echo(raw)


@main.group(cls=Group)
def project() -> None:
    """Projects and their members."""


@project.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--owner", "owner_email", required=True, help="E-mail of the owner.")
@click.option("--description", default="")
def project_create(slug: str, name: str, owner_email: str, description: str) -> None:
    """Create a project owned by an existing user."""
    with transaction() as session:
        owner = accounts.get_by_email_or_raise(session, email=owner_email)
        projects.create(session, slug=slug, name=name, owner=owner, description=description)
    click.echo(f"project {slug} created")


@project.command("member")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice(["owner", "coder", "viewer"]), default="coder")
def project_member(slug: str, email: str, role: str) -> None:
    """Add EMAIL to the project (or change their role)."""
    with transaction() as session:
        proj = projects.get_project_or_raise(session, slug=slug)
        member = accounts.get_by_email_or_raise(session, email=email)
        projects.add_member(session, project=proj, user=member, role=role,
                            by=projects.first_owner(session, project=proj))
    click.echo(f"{email} is now {role} of {slug}")


@main.group(cls=Group)
def site() -> None:
    """Case-study sites."""


@site.command("add")
@click.argument("project_slug")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--strand", default="", help="Framework strand, e.g. 'Contextual Safeguarding'.")
@click.option("--governance", type=click.Choice(["statutory", "voluntary"]))
@click.option("--country", default="")
@click.option("--attr", multiple=True, help="A free attribute as KEY=VALUE (repeatable).")
def site_add(project_slug, slug, name, strand, governance, country, attr) -> None:
    """Add a site to a project."""
    pairs = [a.partition("=") for a in attr]
    if any(not sep or not key for key, sep, _ in pairs):
        fail("--attr takes KEY=VALUE")
    with transaction() as session:
        proj = projects.get_project_or_raise(session, slug=project_slug)
        projects.add_site(session, project=proj, slug=slug, name=name, strand=strand,
                          governance=governance, country=country,
                          attributes={k: v for k, _, v in pairs},
                          by=projects.first_owner(session, project=proj))
    click.echo(f"site {slug} added to {project_slug}")


@main.command("import")
@click.argument("project_slug")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_slug", help="Site of every FILE.")
@click.option("--kind", help="Kind of every FILE, e.g. observation or interview.")
@click.option("--manifest", "manifest_path", type=click.Path(exists=True, path_type=Path),
              help="CSV with per-file metadata: file,site,kind,title,date,researcher,fieldwork_period")
@click.option("--as", "as_email", help="E-mail recorded as the importer (default: an owner).")
@click.option("--pseudonymise", is_flag=True, help="Replace names with pseudonyms from the "
              "register first; new names found get new pseudonyms and join the register.")
@click.option("--pseudonymise-known-only", "known_only", is_flag=True,
              help="Replace only the names already in the register.")
def import_files(project_slug, files, site_slug, kind, manifest_path, as_email,
                 pseudonymise, known_only) -> None:
    """Import fieldnotes and transcripts into a project."""
    with transaction() as session:
        proj = projects.get_project_or_raise(session, slug=project_slug)
        by = (accounts.get_by_email_or_raise(session, email=as_email) if as_email
              else projects.first_owner(session, project=proj))
        plan = manifest.plan(session, project=proj, files=list(files), site=site_slug,
                             kind=kind, manifest_path=manifest_path)
        if pseudonymise or known_only:
            from app.pseudonyms.batch import run_import

            report = run_import(session, project=proj, plan=plan, by=by, known_only=known_only,
                                max_bytes=get_settings().max_upload_bytes, echo=click.echo)
        else:
            report = manifest.run(session, project=proj, plan=plan, by=by,
                                  max_bytes=get_settings().max_upload_bytes)
    for doc, warnings in report.added:
        click.echo(f"added {doc.original_filename} as document {doc.id} ({doc.word_count} words)")
        for warning in warnings:
            click.echo(f"  warning: {warning}")
    for _name, reason in report.refused:
        click.echo(f"refused {reason}", err=True)
    click.echo(f"{len(report.added)} added, {len(report.refused)} refused")
    if report.refused:
        sys.exit(1)
