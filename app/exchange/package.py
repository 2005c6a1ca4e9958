"""Opening an untrusted `.qdpx` (a ZIP) safely: nothing is extracted to disk.

Every check happens before any member is used: the archive must be a ZIP with at most
`MAX_MEMBERS` members, each named by a plain relative path (no `..`, no absolute path, no
drive letter, no backslash, no NUL), none a symlink or encrypted; the sizes the headers
declare must stay under the limits (total and compression ratio). Headers can lie, so
members are then read streamed with a byte cap: reading stops, and the package is refused,
as soon as a member gives more bytes than it declared or than the limits allow.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from app.errors import Invalid, TooLarge

MAX_MEMBERS = 20_000
MAX_RATIO = 200          # uncompressed / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1 << 20
CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    """How much an archive may expand to, in total and per member."""

    total_bytes: int = 2 << 30
    member_bytes: int = 512 << 20
    max_members: int = MAX_MEMBERS
    max_ratio: int = MAX_RATIO


@dataclass
class Package:
    """An open, checked archive. `read(name)` returns a member's bytes, capped."""

    archive: zipfile.ZipFile
    qde_name: str
    limits: Limits
    names: dict[str, zipfile.ZipInfo] = field(default_factory=dict)  # lower-case -> info
    read_so_far: int = 0

    def qde(self) -> bytes:
        return self.read(self.qde_name)

    def find_source(self, path: str) -> str | None:
        """The member for a source path (`sources/x.txt`, `Sources/x.txt` or just `x.txt`),
        matched case-insensitively; None if the archive has no such file."""
        path = path.replace("\\", "/").lstrip("/")
        for candidate in (path, f"sources/{path}", f"sources/{PurePosixPath(path).name}"):
            info = self.names.get(candidate.lower())
            if info is not None:
                return info.filename
        return None

    def read(self, name: str) -> bytes:
        """The member's bytes, refused if it gives more than it declared or the limits allow."""
        info = self.names[name.lower()]
        cap = min(info.file_size, self.limits.member_bytes,
                  self.limits.total_bytes - self.read_so_far)
        out = bytearray()
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(min(CHUNK, cap + 1 - len(out))):
                    out += chunk
                    if len(out) > cap:
                        raise TooLarge(f"{name}: refused: the member expands beyond what its "
                                       "header declares or the size limit allows")
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
            raise Invalid(f"{name}: the archive member is damaged ({err})") from None
        self.read_so_far += len(out)
        return bytes(out)


def open_package(source: bytes | BinaryIO, *, limits: Limits = Limits(),
                 filename: str = "project.qdpx") -> Package:
    """Open and check an archive; raise Invalid or TooLarge naming what is wrong."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Invalid(f"{filename}: not a REFI-QDA project: a .qdpx file is a ZIP archive, "
                      "and this is not one") from None
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise TooLarge(f"{filename}: refused: the archive has {len(infos)} members, more "
                       f"than the {limits.max_members} allowed")
    names: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_member(info, filename, limits)
        key = info.filename.lower()
        if key in names:
            raise Invalid(f"{filename}: refused: two members are named '{info.filename}' "
                          "(names are compared without case)")
        names[key] = info
    total = sum(info.file_size for info in infos)
    if total > limits.total_bytes:
        raise TooLarge(f"{filename}: refused: the archive would expand to "
                       f"{total / 1048576:.0f} MB, over the {limits.total_bytes / 1048576:.0f}"
                       " MB limit")
    return Package(archive=archive, qde_name=_find_qde(infos, filename), limits=limits,
                   names=names)


def _check_member(info: zipfile.ZipInfo, filename: str, limits: Limits) -> None:
    name = info.filename
    where = f"{filename}: refused: member '{name}'"
    parts = name.split("/")
    if ("\\" in name or "\x00" in name or name.startswith("/") or ".." in parts
            or (len(name) > 1 and name[1] == ":")):
        raise Invalid(f"{where} has a path that leaves the archive's folder")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise Invalid(f"{where} is a symbolic link")
    if info.flag_bits & 0x1:
        raise Invalid(f"{where} is encrypted")
    if info.file_size > limits.member_bytes:
        raise TooLarge(f"{where} would expand to {info.file_size / 1048576:.0f} MB, over "
                       f"the {limits.member_bytes / 1048576:.0f} MB limit")
    if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1):
        raise TooLarge(f"{where} is compressed {info.file_size // max(info.compress_size, 1)}"
                       " to 1: refused as a likely zip bomb")


def _find_qde(infos: list[zipfile.ZipInfo], filename: str) -> str:
    """The one `*.qde` at the archive's root (ATLAS.ti names it after the project)."""
    found = [i.filename for i in infos
             if "/" not in i.filename.rstrip("/") and i.filename.lower().endswith(".qde")]
    if not found:
        raise Invalid(f"{filename}: not a REFI-QDA project: no .qde file at the top of the "
                      "archive")
    if len(found) > 1:
        raise Invalid(f"{filename}: the archive holds several .qde files "
                      f"({', '.join(sorted(found))}); a project has exactly one")
    return found[0]
