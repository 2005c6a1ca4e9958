"""The register and pseudonymisation through the JSON API."""

import csv
import io

from tests.conftest import token_for
from tests.pseudonyms.conftest import (FIELDNOTE, REAL_NAMES, TRANSCRIPT, audit_text, counts,
                                       documents, register)

BASE = "/api/projects/study"


def test_register_api_is_for_owners(client, study, owner_headers):
    made = client.post(f"{BASE}/pseudonyms", headers=owner_headers,
                       json={"name": "Siobhán Gallacher", "role_hint": "social worker"})
    assert made.status_code == 201 and made.json()["pseudonym"] == "Social worker A"
    place = client.post(f"{BASE}/pseudonyms", headers=owner_headers,
                        json={"real_name": "Paisley", "category": "place", "pseudonym": "Town X"})
    assert place.json() | {"created_at": None} == {
        "id": place.json()["id"], "real_name": "Paisley", "pseudonym": "Town X",
        "category": "place", "role_hint": "", "created_at": None}
    clash = client.post(f"{BASE}/pseudonyms", headers=owner_headers,
                        json={"real_name": "Dundee", "pseudonym": "Town X"})
    assert clash.status_code == 409
    listed = client.get(f"{BASE}/pseudonyms", headers=owner_headers).json()
    assert [e["real_name"] for e in listed] == ["Siobhán Gallacher", "Paisley"]
    for who, status in (("coder", 403), ("viewer", 403), ("outsider", 404)):
        headers = token_for(client, f"{who}@example.org")
        assert client.get(f"{BASE}/pseudonyms", headers=headers).status_code == status
        assert client.get(f"{BASE}/pseudonyms.csv", headers=headers).status_code == status
        assert client.post(f"{BASE}/pseudonyms", headers=headers,
                           json={"real_name": "X Y"}).status_code == status
        assert client.delete(f"{BASE}/pseudonyms/{made.json()['id']}",
                             headers=headers).status_code == status
    gone = client.delete(f"{BASE}/pseudonyms/{made.json()['id']}", headers=owner_headers)
    assert gone.status_code == 204 and list(register()) == ["Paisley"]
    assert client.delete(f"{BASE}/pseudonyms/{made.json()['id']}",
                         headers=owner_headers).status_code == 404
    assert "Siobhán" not in audit_text() and "Paisley" not in audit_text()


def test_csv_export_for_the_data_controller(client, study, owner_headers):
    client.post(f"{BASE}/pseudonyms", headers=owner_headers,
                json={"real_name": "Zoë Ó Briain", "role_hint": "young person"})
    response = client.get(f"{BASE}/pseudonyms.csv", headers=owner_headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "study-pseudonyms.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [(r["real_name"], r["pseudonym"], r["category"], r["role_hint"]) for r in rows] == [
        ("Zoë Ó Briain", "Young person 1", "person", "young person")]


def test_preview_api_lists_candidates_and_stores_nothing(client, study):
    headers = token_for(client, "coder@example.org")
    before = counts()
    response = client.post(f"{BASE}/pseudonymise/preview", headers=headers,
                           files={"file": ("fieldnote.txt", FIELDNOTE)})
    assert response.status_code == 200, response.text
    body = response.json()
    found = {(c["text"], c["category"], c["pseudonym"]) for c in body["candidates"]}
    assert ("Jordan Smith", "person", "Person 1") in found and ("Jordan", "person",
                                                                "Person 1") in found
    text = FIELDNOTE.decode()
    assert all(text[c["start"]:c["end"]] == c["text"] for c in body["candidates"])
    assert counts() == before


def test_import_api_pseudonymises_with_the_register(client, study, owner_headers):
    client.post(f"{BASE}/pseudonyms", headers=owner_headers,
                json={"real_name": "Siobhán Gallacher", "role_hint": "social worker"})
    headers = token_for(client, "coder@example.org")
    response = client.post(f"{BASE}/pseudonymise/import", headers=headers,
                           data={"site": "south", "kind": "interview"},
                           files={"file": ("talk.txt", TRANSCRIPT)})
    assert response.status_code == 201, response.text
    added, = response.json()["added"]
    assert added["replacements"] == 8 and added["new_entries"] == 4
    assert "Social worker A" in added["pseudonyms"]
    (doc, turns), = documents()
    assert {name for name, _ in turns} == {"Social worker A", "Person 1", "Chair"}
    assert not any(name in doc.text for name in REAL_NAMES)
    again = client.post(f"{BASE}/pseudonymise/import", headers=headers,
                        data={"site": "south", "kind": "interview"},
                        files={"file": ("talk.txt", TRANSCRIPT)})
    assert again.status_code == 409 and len(register()) == 5
