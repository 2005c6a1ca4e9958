"""The memo service on its own: checks, permissions, one object's memos, views."""

import pytest

from app.errors import Forbidden, Invalid, NotFound
from tests.memos.test_api import memo_study  # noqa: F401  (a fixture)


@pytest.fixture
def ctx(memo_study, session):
    """The session with study, other, the users (re-read in it) and the targets."""
    from app.accounts.models import User
    from app.coding.models import Coding
    from app.documents.models import Document
    from app.projects import service as projects

    users = {name: session.get(User, u.id) for name, u in memo_study["users"].items()}
    return dict(session=session, users=users,
                study=projects.get_project_or_raise(session, slug="study"),
                other=projects.get_project_or_raise(session, slug="other"),
                north_doc=session.get(Document, memo_study["north_doc"]),
                other_doc=session.get(Document, memo_study["other_doc"]),
                north_coding=session.get(Coding, memo_study["north_coding"]),
                other_coding=session.get(Coding, memo_study["other_coding"]))


def write(ctx, who="coder", **kw):
    from app.memos import service

    kw.setdefault("kind", "analytic")
    kw.setdefault("body", "A note.")
    return service.create(ctx["session"], project=ctx["study"], by=ctx["users"][who], **kw)


def test_a_target_from_another_project_is_refused(ctx):
    from app.codebook.service import get_code
    from app.projects.service import get_site

    s = ctx["session"]
    foreign = {"site": get_site(s, project=ctx["other"], slug="east"),
               "document": ctx["other_doc"], "coding": ctx["other_coding"],
               "code": get_code(s, project=ctx["other"], key="PA-PERF")}
    for name, target in foreign.items():
        with pytest.raises(Invalid, match="not in project 'study'"):
            write(ctx, **{name: target})


def test_at_most_one_target(ctx):
    with pytest.raises(Invalid, match="at most one"):
        write(ctx, document=ctx["north_doc"], coding=ctx["north_coding"])


def test_body_is_kept_as_written_but_not_blank(ctx):
    memo = write(ctx, body="\n  - indented list\n\n")
    assert memo.body == "  - indented list"
    with pytest.raises(Invalid):
        write(ctx, body=" \n ")


def test_a_demoted_author_cannot_edit(ctx):
    from app.memos import service
    from app.projects import service as projects

    memo = write(ctx)
    projects.add_member(ctx["session"], project=ctx["study"], user=ctx["users"]["coder"],
                        role="viewer", by=ctx["users"]["owner"])
    with pytest.raises(Forbidden):
        service.update(ctx["session"], memo=memo, by=ctx["users"]["coder"], body="x")
    with pytest.raises(NotFound):
        service.delete(ctx["session"], memo=memo, by=ctx["users"]["outsider"])


def test_update_refuses_other_fields_and_skips_no_change(ctx):
    from app.audit.service import list_for_project
    from app.memos import service

    memo = write(ctx)
    with pytest.raises(Invalid, match="site"):
        service.update(ctx["session"], memo=memo, by=ctx["users"]["coder"], site_id=1)
    before = len(list_for_project(ctx["session"], project_id=ctx["study"].id))
    service.update(ctx["session"], memo=memo, by=ctx["users"]["coder"], body="A note.")
    assert len(list_for_project(ctx["session"], project_id=ctx["study"].id)) == before


def test_list_for_target_is_exact(ctx):
    from app.memos import service
    from app.projects.service import get_site

    north = get_site(ctx["session"], project=ctx["study"], slug="north")
    on_site = write(ctx, site=north)
    write(ctx, document=ctx["north_doc"])
    on_project = write(ctx)
    s, study = ctx["session"], ctx["study"]
    assert service.list_for_target(s, project=study, target_type="site",
                                   target_id=north.id) == [on_site]
    assert service.list_for_target(s, project=study, target_type="project",
                                   target_id=None) == [on_project]
    with pytest.raises(NotFound):
        service.list_for_target(s, project=study, target_type="document",
                                target_id=ctx["other_doc"].id)
    with pytest.raises(Invalid):
        service.list_for_target(s, project=study, target_type="speaker", target_id=1)


def test_memos_for_gives_rendered_views(ctx):
    from app.memos import service

    write(ctx, coding=ctx["north_coding"], title="Row seven", body="**scored**")
    write(ctx, coding=ctx["north_coding"], body="<script>x</script>")
    views = service.memos_for(ctx["session"], project=ctx["study"], target_type="coding",
                              target_id=ctx["north_coding"].id)
    assert [v.html for v in views] == ["<p>&lt;script&gt;x&lt;/script&gt;</p>\n",
                                       "<p><strong>scored</strong></p>\n"]
    newest, oldest = views
    assert oldest.title == "Row seven" and oldest.kind_name == "Analytic"
    assert oldest.author.email == "coder@example.org" and not oldest.edited
    assert oldest.target_type == "coding" and oldest.target_ref == ctx["north_doc"].id


def test_deleted_memos_leave_every_list(ctx):
    from app.memos import service

    memo = write(ctx)
    service.delete(ctx["session"], memo=memo, by=ctx["users"]["owner"])
    assert memo.deleted_at is not None
    assert service.list_for_project(ctx["session"], project=ctx["study"]) == []
    with pytest.raises(NotFound):
        service.get_in_project(ctx["session"], project=ctx["study"], memo_id=memo.id)
