"""Untrusted packages are refused clearly, before anything is written: each test builds a
small malicious archive and checks the message and that no project (or user) appeared."""

from __future__ import annotations

import io
import stat
import struct
import zipfile

import pytest

from app.errors import FieldbenchError, Invalid, TooLarge
from app.exchange.package import Limits

QDE = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<Project xmlns="urn:QDA-XML:project:1.0" name="Evil"/>\n')


def qdpx(members: dict) -> bytes:
    """A ZIP of (name or ZipInfo) -> bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def importer(make_user):
    return make_user("importer@example.org", name="Importer")


def refused(data: bytes, error: type[FieldbenchError], match: str, **kwargs) -> str:
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.db import transaction
    from app.projects.models import Project
    from tests.exchange.conftest import import_bytes

    with transaction() as s:
        users = s.scalar(select(func.count()).select_from(User))
    with pytest.raises(error, match=match) as caught:
        import_bytes(data, kwargs.pop("slug", "evil"), by_email="importer@example.org",
                     **kwargs)
    with transaction() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 0
        assert s.scalar(select(func.count()).select_from(User)) == users
    return caught.value.message


@pytest.mark.parametrize("name", ["../evil.txt", "sources/../../evil.txt", "/etc/evil",
                                  "C:/evil.txt", "sources\\..\\evil.txt"])
def test_paths_leaving_the_folder_are_refused(importer, name):
    message = refused(qdpx({"project.qde": QDE, name: b"x"}), Invalid, "leaves the archive")
    assert name in message


def test_symlink_members_are_refused(importer):
    link = zipfile.ZipInfo("sources/link.txt")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    refused(qdpx({"project.qde": QDE, link: b"/etc/passwd"}), Invalid, "symbolic link")


def test_too_many_members_are_refused(importer):
    members = {"project.qde": QDE} | {f"sources/{n}.txt": b"x" for n in range(10)}
    refused(qdpx(members), TooLarge, "11 members", limits=Limits(max_members=10))


def test_archives_expanding_beyond_the_limit_are_refused(importer):
    members = {"project.qde": QDE, "sources/a.txt": b"a" * 5000, "sources/b.txt": b"b" * 5000}
    refused(qdpx(members), TooLarge, "expand", limits=Limits(total_bytes=8000))


def test_zip_bombs_are_refused_by_their_ratio(importer):
    members = {"project.qde": QDE, "sources/zeros.txt": b"\0" * (8 << 20)}
    refused(qdpx(members), TooLarge, "zip bomb")


def test_members_lying_about_their_size_are_refused(importer):
    data = bytearray(qdpx({"project.qde": QDE.replace(b"/>", b">" + b" " * 5000 + b"</Project>")}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at:at + 4] = struct.pack("<I", 10)  # declare 10 bytes
    refused(bytes(data), FieldbenchError, "project.qde")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&d;"/>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>"""


@pytest.mark.parametrize("qde", [BILLION_LAUGHS, EXTERNAL,
                                 BILLION_LAUGHS.decode().encode("utf-16")],
                         ids=["billion-laughs", "external-entity", "utf-16-doctype"])
def test_doctypes_and_entities_are_refused(importer, qde):
    refused(qdpx({"project.qde": qde}), Invalid, "DOCTYPE")


def test_malformed_xml_names_line_and_column(importer):
    qde = b'<?xml version="1.0"?>\n<Project name="x">\n  <Users>\n</Project>\n'
    message = refused(qdpx({"project.qde": qde}), Invalid, "not well-formed")
    assert message.startswith("project.qde:4:")


def test_not_a_zip(importer):
    refused(b"PK but not really a zip file", Invalid, "not a REFI-QDA project.*ZIP")


def test_no_qde_and_a_qde_only_in_a_folder(importer):
    refused(qdpx({"sources/a.txt": b"x"}), Invalid, "no .qde")
    refused(qdpx({"inner/project.qde": QDE}), Invalid, "no .qde")


def test_several_qde_files(importer):
    refused(qdpx({"a.qde": QDE, "b.qde": QDE}), Invalid, "several .qde")


def test_a_root_that_is_not_a_project(importer):
    qde = b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>'
    refused(qdpx({"project.qde": qde}), Invalid, "root element is <CodeBook>")


def test_an_invalid_slug_is_refused_first(importer):
    refused(qdpx({"project.qde": QDE}), Invalid, "slug", slug="Not A Slug!")


def test_a_minimal_project_imports(importer):
    from tests.exchange.conftest import import_bytes

    report = import_bytes(qdpx({"project.qde": QDE}), "minimal", by_email="importer@example.org")
    assert report.counts["documents"] == 0 and report.project == "minimal"
