"""Every project-scoped route, walked as an outsider (404) and as a viewer (403 on changes)."""

import pytest

from tests.conftest import FIXTURES, api_routes, sign_in, token_for

SAFE = {"GET", "HEAD"}
TRANSCRIPT = (FIXTURES / "ingest" / "interview.txt").read_bytes()
IE_YAML = FIXTURES.parent.parent / "codebooks" / "institutional-ethnography.yaml"

# A valid request for each state-changing route, so the walk reaches the permission check.
BODIES = {
    "api_member_set": {"json": {"email": "coder@example.org", "role": "viewer"}},
    "api_site_create": {"json": {"slug": "east", "name": "East"}},
    "api_site_update": {"json": {"name": "North (renamed)"}},
    "api_document_create": {"data": {"site": "north", "kind": "interview"},
                            "files": {"file": ("new.txt", b"Chair: a new note.\nYP: ok.\n")}},
    "api_speaker_update": {"json": {"role": "Chair"}},
    "site_create": {"data": {"slug": "east", "name": "East"}},
    "upload": {"data": {"site": "north", "kind": "interview"},
               "files": {"files": ("new.txt", b"Chair: a new note.\nYP: ok.\n")}},
    "speaker_update": {"data": {"role": "Chair"}},
    "api_codebook_load": {"data": {"dry_run": "true"},
                          "files": {"file": ("cb.yaml", IE_YAML.read_bytes())}},
    "api_code_create": {"json": {"key": "NEW-CODE", "name": "New", "definition": "A new code.",
                                 "parent": "DA"}},
    "api_code_update": {"json": {"name": "Renamed"}},
    "api_code_merge": {"json": {"into": "PA-PERF"}},
    "api_code_split": {"json": {"parts": [{"key": "PA-RATION-AGE", "name": "Age cut-offs",
                                           "definition": "Services that end at an age."}]}},
    "api_code_retire": {},
    "api_code_delete": {},
    "api_coding_create": {"json": {"code": "PA-PERF", "start": 0, "end": 4}},
    "api_coding_recode": {"json": {"code": "PA-PERF"}},
    "api_coding_remove": {},
    "api_coding_restore": {},
    "api_turn_code": {"json": {"code": "PA-PERF"}},
    "api_speaker_code": {"json": {"code": "PA-PERF"}},
    "api_memo_create": {"json": {"kind": "analytic", "body": "A note.", "site": "north"}},
    "api_memo_update": {"json": {"body": "Changed."}},
    "api_memo_delete": {},
    "memo_create": {"data": {"kind": "analytic", "body": "A note."}},
    "memo_edit": {"data": {"body": "Changed."}},
    "memo_delete": {},
    "api_suggestion_accept": {},
    "api_suggestion_reject": {},
    "api_suggest": {"json": {"site": "north"}},
    "api_project_settings_set": {"json": {"auto_suggest": True}},
    "suggestion_accept": {},
    "suggestion_reject": {},
    "suggest_run": {"data": {"site": "north"}},
    "auto_suggest_set": {"data": {"auto_suggest": "1"}},
    "rank_suggestions_set": {"data": {"rank_suggestions": "0"}},
    "api_pseudonym_create": {"json": {"real_name": "Ann Example", "category": "person"}},
    "api_pseudonym_delete": {},
    "api_pseudonymise_preview": {"files": {"file": ("new.txt", b"Chair: a new note.\n")}},
    "api_pseudonymise_import": {"data": {"site": "north", "kind": "interview"},
                                "files": {"file": ("new.txt", b"Chair: a note.\nYP: ok.\n")}},
    "pseudonym_add": {"data": {"real_name": "Ann Example", "category": "person"}},
    "pseudonym_delete": {},
    "pseudonymise_preview": {"data": {"site": "north", "kind": "interview"},
                             "files": {"files": ("new.txt", b"Chair: a new note.\n")}},
    "pseudonymise_confirm": {},
    "api_query_create": {"json": {"name": "Rationing", "query": {"code": ["PA-RATION"]}}},
    "api_query_update": {"json": {"name": "Renamed"}},
    "api_query_delete": {},
    "excerpts_save": {"data": {"name": "Rationing", "code": "PA-RATION"}},
    "export_start": {"data": {"format": "csv", "code": "PA-RATION"}},
}
# The codebook page forms reach the permission check before they read their fields.
BODIES.update({name: {} for name in (
    "code_edit", "code_rename", "code_move", "code_merge", "code_split", "code_retire",
    "code_restore", "code_delete", "code_new", "codebook_load_preview", "codebook_load_apply")})
# Safe routes that need query parameters to reach the permission check.
QUERIES = {"api_codebook_diff": {"params": {"old": 1, "new": 1}}}
# Pages that only editors may open: a viewer gets 403 there too.
EDITOR_PAGES = {"upload_page", "code_new_page", "codebook_load_page"}
# The pseudonym register (real names) is for owners only: viewers (and coders) get 403.
EDITOR_PAGES |= {"pseudonyms_page", "api_pseudonyms", "api_pseudonyms_csv"}
# The whole-project download (.qdpx) is for owners only.
EDITOR_PAGES |= {"api_project_qdpx"}
# Changing routes that viewers may use too: an export only reads (it may start a job).
READER_ACTIONS = {"export_start"}
PROJECT_PARAMS = {"project", "document_id", "speaker_id", "site", "key", "coding_id", "turn_id",
                  "memo_id", "suggestion_id", "job_id", "entry_id", "query_id", "export_id"}


@pytest.fixture
def document(study):
    from app.codebook import service as codebook
    from app.codebook.spec import parse_yaml
    from app.coding import service as coding
    from app.db import transaction
    from app.documents import service as documents
    from app.jobs import service as jobs
    from app.memos import service as memos
    from app.suggestions.models import Suggestion
    from app.projects import service as projects
    from app.pseudonyms import service as pseudonyms
    from app.exports import jobs as export_jobs
    from app.exports import service as exports
    from app.jobs.worker import claim_one, run_job
    from app.retrieval import saved
    from app.retrieval.filters import ExcerptFilter

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        codebook.load(s, project=project, spec=parse_yaml(IE_YAML.read_text()),
                      by=study["owner"])
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="north"),
                                      kind="interview")
        doc, _ = documents.ingest(s, project=project, filename="interview.txt",
                                  data=TRANSCRIPT, meta=meta, by=study["owner"],
                                  max_bytes=10**6)
        turn, speaker = documents.turns_of(s, document=doc)[0]
        coded = coding.create(s, project=project, document=doc, code_key="PA-RATION",
                              start=turn.start, end=turn.end, by=study["owner"])
        memo = memos.create(s, project=project, by=study["owner"], kind="analytic",
                            body="A memo on the coding.", coding=coded)
        suggestion = Suggestion(project_id=project.id, document_id=doc.id,
                                code_id=coded.code_id, start=turn.start, end=turn.end,
                                rule="PA-PERF/1", reason="a sample suggestion")
        s.add(suggestion)
        job = jobs.enqueue(s, project=project, kind="suggest", params={}, by=study["owner"])
        entry = pseudonyms.add(s, project=project, by=study["owner"], real_name="Ann Other",
                               category="person")
        query = saved.create(s, project=project, by=study["owner"], name="Rationing, north",
                             filter=ExcerptFilter(codes=["PA-RATION"], sites=["north"]))
        export = export_jobs.start(s, project=project, by=study["owner"],
                                   export=exports.prepare(s, project=project, format="csv"))
        s.flush()
        ids = {"project": "study", "site": "north", "document_id": doc.id,
               "speaker_id": speaker.id, "key": "PA-RATION", "coding_id": coded.id,
               "turn_id": turn.id, "memo_id": memo.id,
               "suggestion_id": suggestion.id, "job_id": job.id, "entry_id": entry.id,
               "query_id": query.id, "export_id": export.id}
    assert run_job(claim_one("test", ids["export_id"]), "test") == "done"   # a file to fetch
    return ids


def project_routes(app):
    for route in api_routes(app):
        if PROJECT_PARAMS & set(route.param_convertors):
            for method in route.methods:
                yield route, method


def call(client, route, method, params, headers):
    url = route.path.format(**{k: params[k] for k in route.param_convertors})
    extra = BODIES.get(route.name, {}) if method not in SAFE else QUERIES.get(route.name, {})
    return client.request(method, url, headers=headers, follow_redirects=False, **extra)


def test_the_walk_sees_every_route(app):
    names = {route.name for route, _ in project_routes(app)}
    assert {"api_document", "document_page", "api_site_create", "api_code_merge"} <= names


def test_every_changing_route_has_a_sample_request(app):
    changing = {r.name for r, m in project_routes(app) if m not in SAFE}
    assert changing <= set(BODIES), f"add sample requests for {changing - set(BODIES)}"


def test_outsider_gets_404_everywhere(client, app, document):
    headers = token_for(client, "outsider@example.org")
    for route, method in project_routes(app):
        response = call(client, route, method, document, headers)
        assert response.status_code == 404, (method, route.path, response.text)


def test_outsider_pages_through_cookie_get_404(client, app, document):
    sign_in(client, "outsider@example.org")
    for route, method in project_routes(app):
        if method in SAFE:
            assert call(client, route, method, document, {}).status_code == 404, route.path


def test_viewer_reads_but_cannot_change(client, app, document):
    headers = token_for(client, "viewer@example.org")
    for route, method in project_routes(app):
        response = call(client, route, method, document, headers)
        reads = method in SAFE and route.name not in EDITOR_PAGES
        expected = 200 if reads or route.name in READER_ACTIONS else 403
        assert response.status_code == expected, (method, route.path, response.text)


def test_coder_cannot_manage_but_can_edit(client, document):
    headers = token_for(client, "coder@example.org")
    site = client.post("/api/projects/study/sites", headers=headers, json={"slug": "e", "name": "E"})
    assert site.status_code == 403
    speaker = client.patch(f"/api/projects/study/speakers/{document['speaker_id']}",
                           headers=headers, json={"role": "Chair", "agency": "Police"})
    assert speaker.status_code == 200 and speaker.json()["role"] == "Chair"


def test_signed_out_pages_redirect_and_api_says_401(client, app, document):
    for route, method in project_routes(app):
        response = call(client, route, method, document, {})
        if route.path.startswith("/api/"):
            assert response.status_code == 401, route.path
        elif method in SAFE:
            assert response.status_code == 303 and "/login" in response.headers["location"]
