"""Preview and confirm through the pages; the register page is for owners only."""

import re

from tests.conftest import sign_in
from tests.pseudonyms.conftest import (FIELDNOTE, REAL_NAMES, TRANSCRIPT, audit_text,
                                       confirm_form, counts, documents, register)

META = {"site": "north", "kind": "observation", "date": "2021-05-03", "researcher": "Ana"}


def preview(client, csrf, *files):
    return client.post("/p/study/pseudonymise/preview", data=META | {"csrf_token": csrf},
                       files=[("files", f) for f in files])


def name_index(form, real_name, html):
    """The j of the names-table row for real_name (its inputs are pseudonym_j ...)."""
    row = re.search(rf'<tr data-name="{re.escape(real_name)}">.*?name="\w+_(\d+)"', html, re.S)
    return row.group(1)


def test_the_upload_page_offers_a_preview(client, study):
    sign_in(client, "coder@example.org")
    page = client.get("/p/study/upload").text
    assert 'formaction="http://testserver/p/study/pseudonymise/preview"' in page


def test_preview_lists_candidates_and_stores_nothing(client, study):
    csrf = sign_in(client, "coder@example.org")
    before = counts()
    response = preview(client, csrf, ("fieldnote.txt", FIELDNOTE), ("talk.txt", TRANSCRIPT))
    assert response.status_code == 200
    page = response.text
    for name in ("Jordan Smith", "Siobhán Gallacher", "Paisley", "Glasgow City Council"):
        assert f'<tr data-name="{name}">' in page
    assert "<mark>Jordan</mark>&#39;s placement" in page
    assert "speaker label" in page
    assert counts() == before


def test_confirm_unticks_edits_adds_and_stores_pseudonymised_text(client, study):
    csrf = sign_in(client, "coder@example.org")
    page = preview(client, csrf, ("fieldnote.txt", FIELDNOTE)).text
    form = confirm_form(page)
    # untick Dundee, rename Paisley, make Jordan Smith a young person, add a missed name
    dundee = re.search(r'<li data-name="Dundee"><label>\s*<input type="checkbox" name="keep" '
                       r'value="([\d,]+)"', page).group(1)
    form["keep"].remove(dundee)
    form[f"pseudonym_{name_index(form, 'Paisley', page)}"] = ["Town X"]
    form[f"role_{name_index(form, 'Jordan Smith', page)}"] = ["young person"]
    form["add_name"][0], form["add_role"][0] = "Kez", "youth worker"
    response = client.post("/p/study/pseudonymise/confirm", data=form)
    assert response.status_code == 200, response.text
    assert "new register entries" in response.text
    (doc, _), = documents()
    assert "Young person 1 arrived late" in doc.text and "Young person 1's placement" in doc.text
    assert "placement in Town X" in doc.text and "back to Dundee" in doc.text
    assert register()["Jordan Smith"] == "Young person 1" and "Dundee" not in register()
    assert register()["Kez"] == "Youth worker A" and "Youth worker A from the hostel" in doc.text
    assert doc.original_bytes == doc.text.encode()
    assert not any(name in audit_text() for name in (*REAL_NAMES, "Kez"))


def test_confirm_transcript_turns_use_pseudonyms(client, study):
    csrf = sign_in(client, "coder@example.org")
    form = confirm_form(preview(client, csrf, ("talk.txt", TRANSCRIPT)).text)
    assert client.post("/p/study/pseudonymise/confirm", data=form).status_code == 200
    (doc, turns), = documents()
    speakers = {name for name, _ in turns}
    assert "Chair" in speakers and not any(n in s for s in speakers for n in REAL_NAMES)
    page = client.get(f"/p/study/documents/{doc.id}").text
    assert "Siobhán" not in page and "Person 1" in page


def test_a_bad_pseudonym_shows_the_preview_again_and_stores_nothing(client, study):
    csrf = sign_in(client, "coder@example.org")
    page = preview(client, csrf, ("fieldnote.txt", FIELDNOTE)).text
    form = confirm_form(page)
    form[f"pseudonym_{name_index(form, 'Paisley', page)}"] = ["date: 1"]
    before = counts()
    response = client.post("/p/study/pseudonymise/confirm", data=form)
    assert response.status_code == 422 and "cannot be a pseudonym" in response.text
    assert 'value="date: 1"' in response.text and 'class="pseudonymise"' in response.text
    assert counts() == before


def test_same_file_twice_is_refused_as_a_duplicate(client, study):
    csrf = sign_in(client, "coder@example.org")
    for expected in (200, 422):
        form = confirm_form(preview(client, csrf, ("fieldnote.txt", FIELDNOTE)).text)
        response = client.post("/p/study/pseudonymise/confirm", data=form)
        assert response.status_code == expected
    assert "already in the project" in response.text and len(documents()) == 1


def test_viewers_cannot_preview(client, study):
    csrf = sign_in(client, "viewer@example.org")
    assert preview(client, csrf, ("fieldnote.txt", FIELDNOTE)).status_code == 403


def test_register_page_is_for_owners_only(client, study):
    csrf = sign_in(client, "owner@example.org")
    response = client.post("/p/study/pseudonyms", data={
        "real_name": "Zoë Ó Briain", "category": "person", "role_hint": "young person",
        "pseudonym": "", "csrf_token": csrf}, follow_redirects=True)
    assert response.status_code == 200
    assert "Zoë Ó Briain" in response.text and "Young person 1" in response.text
    again = client.post("/p/study/pseudonyms", data={
        "real_name": "Zoë Ó Briain", "category": "person", "csrf_token": csrf})
    assert again.status_code == 409 and "already in the register" in again.text
    entry = re.search(r'/p/study/pseudonyms/(\d+)/delete', response.text).group(1)
    for email, status in (("coder", 403), ("viewer", 403), ("outsider", 404)):
        client.cookies.clear()
        sign_in(client, f"{email}@example.org")
        assert client.get("/p/study/pseudonyms").status_code == status
    client.cookies.clear()
    csrf = sign_in(client, "owner@example.org")
    gone = client.post(f"/p/study/pseudonyms/{entry}/delete", data={"csrf_token": csrf},
                       follow_redirects=True)
    assert gone.status_code == 200 and "Zoë Ó Briain" not in gone.text
    assert "Zoë" not in audit_text() and "Briain" not in audit_text()


def noisy_docx(text: str) -> bytes:
    """A .docx of a few words and a 1.4 MB picture of noise: too big for one form field."""
    import io
    import random
    import struct
    import zlib

    import docx

    width, height = 800, 600
    noise = random.Random(3).randbytes(width * 3 * height)
    rows = b"".join(b"\x00" + noise[y * width * 3:(y + 1) * width * 3] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))
    document = docx.Document()
    document.add_paragraph(text)
    document.add_picture(io.BytesIO(png))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_large_file_travels_through_the_form_in_pieces(client, study):
    data = noisy_docx("Jordan Smith met the panel in Paisley.")
    assert len(data) > 1_400_000
    csrf = sign_in(client, "coder@example.org")
    page = preview(client, csrf, ("panel.docx", data)).text
    form = confirm_form(page)
    assert len(form["file_0"]) == 3
    response = client.post("/p/study/pseudonymise/confirm", data=form)
    assert response.status_code == 200, response.text
    assert "stored as pseudonymised plain text" in response.text
    (doc, _), = documents()
    assert doc.text == "Person 1 met the panel in Place 1."
    assert doc.original_filename == "panel.txt"
