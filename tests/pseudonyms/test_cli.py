"""`fieldbench import --pseudonymise`."""

from click.testing import CliRunner

from app.cli import main
from tests.pseudonyms.conftest import PSEUDO, REAL_NAMES, audit_text, documents, register


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_import_pseudonymise_uses_and_grows_the_register(study):
    from app.db import transaction
    from app.projects import service as projects
    from app.pseudonyms import service

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        service.add(s, project=project, by=study["owner"], real_name="Siobhán Gallacher",
                    category="person", role_hint="social worker")
    code, out = run("import", "study", "--site", "north", "--kind", "interview",
                    "--pseudonymise", str(PSEUDO / "transcript.txt"),
                    str(PSEUDO / "fieldnote.txt"))
    assert code == 0, out
    assert "pseudonymised transcript.txt: 8 replacements, 4 new register entries" in out
    assert "pseudonymised fieldnote.txt: 14 replacements, 6 new register entries" in out
    assert "2 added, 0 refused" in out
    names = register()
    assert names["Siobhán Gallacher"] == "Social worker A" and len(names) == 11
    talk, note = documents()
    assert {n for n, _ in talk[1]} == {"Social worker A", names["Jordan Smith"], "Chair"}
    assert f"{names['Jordan Smith']} arrived late" in note[0].text   # same name, same pseudonym
    for doc, _ in (talk, note):
        assert not any(name in doc.text for name in REAL_NAMES)
    assert not any(name in audit_text() for name in REAL_NAMES)


def test_import_known_only_leaves_new_names(study):
    from app.db import transaction
    from app.projects import service as projects
    from app.pseudonyms import service

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        service.add(s, project=project, by=study["owner"], real_name="Zoë", category="person",
                    role_hint="young person")
    code, out = run("import", "study", "--site", "north", "--kind", "observation",
                    "--pseudonymise-known-only", str(PSEUDO / "fieldnote.txt"))
    assert code == 0, out
    assert "pseudonymised fieldnote.txt: 2 replacements, 0 new register entries" in out
    (doc, _), = documents()
    assert "Young person 1 agreed" in doc.text and "Jordan Smith" in doc.text
    assert list(register()) == ["Zoë"]
