"""The codebook through the JSON API and the command line."""

from click.testing import CliRunner

from app.cli import main
from tests.codebook.conftest import IE_YAML
from tests.conftest import token_for


def test_read_codebook_with_counts(client, coded_study):
    headers = token_for(client, "viewer@example.org")
    body = client.get("/api/projects/study/codebook", headers=headers).json()
    assert body["version"] == 1 and body["key"] == "institutional-ethnography"
    frag = next(c for c in body["codes"] if c["key"] == "DA-FRAG")
    assert frag["family"] == "DA" and frag["when_not_to_use"] and frag["codings"] == 0


def test_dry_run_load_writes_nothing_then_load(client, coded_study):
    headers = token_for(client, "owner@example.org")
    changed = IE_YAML.read_text().replace("name: Rationing anxieties\n", "name: Rationing\n", 1)
    files = {"file": ("ie.yaml", changed.encode())}
    dry = client.post("/api/projects/study/codebook/load", headers=headers, files=files,
                      data={"dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["diff"]["changed"] == {"PA-RATION": ["name"]}
    assert len(client.get("/api/projects/study/codebook/versions", headers=headers).json()) == 1
    done = client.post("/api/projects/study/codebook/load", headers=headers, files=files)
    assert done.json()["version"] == 2
    diff = client.get("/api/projects/study/codebook/diff?old=1&new=2", headers=headers).json()
    assert diff["changed"] == {"PA-RATION": ["name"]}


def test_bad_file_lists_problems_and_loads_nothing(client, coded_study):
    headers = token_for(client, "owner@example.org")
    bad = IE_YAML.read_text().replace("parent: RR-TEXT\n", "parent: RR-NOPE\n", 1)
    response = client.post("/api/projects/study/codebook/load", headers=headers,
                           files={"file": ("ie.yaml", bad.encode())})
    assert response.status_code == 422 and "RR-NOPE" in response.json()["detail"]
    assert ":" in response.json()["detail"].split("RR-NOPE")[0]
    wrong_type = client.post("/api/projects/study/codebook/load", headers=headers,
                             files={"file": ("ie.txt", b"codes: []")})
    assert wrong_type.status_code == 422
    assert len(client.get("/api/projects/study/codebook/versions", headers=headers).json()) == 1


def test_evolve_through_api(client, coded_study):
    headers = token_for(client, "owner@example.org")
    base = "/api/projects/study/codes"
    created = client.post(base, headers=headers, json={
        "key": "DA-NEW", "name": "New", "definition": "A new one.", "parent": "DA"})
    assert created.status_code == 201 and created.json()["family"] == "DA"
    renamed = client.patch(f"{base}/DA-NEW", headers=headers,
                           json={"key": "DA-NEWER", "parent": "PA", "example": "Chair: ..."})
    assert renamed.json()["key"] == "DA-NEWER" and renamed.json()["family"] == "PA"
    merged = client.post(f"{base}/DA-NEWER/merge", headers=headers, json={"into": "PA-PERF"})
    assert merged.json()["key"] == "PA-PERF"
    assert client.get(f"{base}/DA-NEWER", headers=headers).json()["status"] == "retired"
    cycle = client.patch(f"{base}/RR-TEXT", headers=headers, json={"parent": "RR-TEXT-RISK"})
    assert cycle.status_code == 422
    coder = token_for(client, "coder@example.org")
    assert client.post(f"{base}/PA-PERF/retire", headers=coder).status_code == 403


def test_export_yaml_and_qdc(client, coded_study):
    headers = token_for(client, "viewer@example.org")
    yaml_file = client.get("/api/projects/study/codebook/export?format=yaml", headers=headers)
    assert yaml_file.status_code == 200 and b"DA-FRAG" in yaml_file.content
    qdc = client.get("/api/projects/study/codebook/export?format=qdc", headers=headers)
    assert qdc.status_code == 200 and qdc.content.startswith(b"<?xml")


def test_cli_load_dry_run_export_and_import(coded_study, tmp_path):
    runner = CliRunner()
    changed = tmp_path / "ie.yaml"
    changed.write_text(IE_YAML.read_text().replace("name: Rationing anxieties\n",
                                                   "name: Rationing\n", 1))
    dry = runner.invoke(main, ["codebook", "load", "study", str(changed), "--dry-run"])
    assert dry.exit_code == 0 and "~ PA-RATION: name" in dry.output
    refused = runner.invoke(main, ["codebook", "load", "study", str(changed)], input="n\n")
    assert "nothing loaded" in refused.output
    applied = runner.invoke(main, ["codebook", "load", "study", str(changed), "--yes"])
    assert applied.exit_code == 0 and "codebook version 2" in applied.output
    qdc = tmp_path / "cb.qdc"
    assert runner.invoke(main, ["codebook", "export", "study", "-o", str(qdc)]).exit_code == 0
    runner.invoke(main, ["project", "create", "copy", "--name", "Copy", "--owner",
                         "owner@example.org"])
    imported = runner.invoke(main, ["codebook", "import", "copy", str(qdc), "--yes"])
    assert imported.exit_code == 0, imported.output
    again = tmp_path / "again.qdc"
    runner.invoke(main, ["codebook", "export", "copy", "-o", str(again)])
    assert again.read_bytes() == qdc.read_bytes()  # codes, hierarchy, texts, colours, GUIDs


def test_cli_reports_line_numbers(coded_study, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(IE_YAML.read_text().replace("key: PA-PERF\n", "key: PA-RATION\n", 1))
    result = CliRunner().invoke(main, ["codebook", "load", "study", str(bad), "--yes"])
    assert result.exit_code == 1 and "bad.yaml:" in result.output and "duplicate key" in result.output
