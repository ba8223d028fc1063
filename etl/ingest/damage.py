"""Files that are not the text tables they are sent as: binary content, bytes that no encoding reads, encodings mixed
in one file, and rows the CSV parser cannot split, each told by the line it is on."""

import codecs
import hashlib
import re
import zipfile
from pathlib import Path

BLOCK = 1 << 20
HEAD = 1 << 16  # the bytes a binary file is known by: its signature, and a NUL byte in its first line
# The first bytes of the files that are sent instead of a table most often (a picture, a document, a workbook renamed).
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"%PDF-": "PDF",
    b"PK\x03\x04": "ZIP",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "XLS",
    b"\x1f\x8b": "GZIP",
    b"Rar!\x1a\x07": "RAR",
    b"7z\xbc\xaf\x27\x1c": "7Z",
}
EXPECTED = "a CSV file (UTF-8, UTF-16 or cp1251) or an .xlsx workbook is expected"
SAVE = "save the file as CSV UTF-8"
QUOTE = 'a quote (") opened here is never closed: a quote inside a value is doubled'
PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
PANDAS_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


class Unreadable(Exception):
    """Why a file cannot be read as a table, at its `line` (the message names neither the file nor the line)."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(what)
        self.line = line


def scan(path: Path) -> tuple[str, str]:
    """The file's sha256 and encoding (UTF-8 with or without BOM, UTF-16 with BOM, else cp1251); Unreadable when it is
    binary, or when the encoding does not read it whole."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    bad: int | None = None  # the offset of the first byte that is not UTF-8
    done = 0
    with path.open("rb") as f:
        head = f.read(HEAD)
        f.seek(0)
        while block := f.read(BLOCK):
            digest.update(block)
            if bad is None:
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    bad = done - pending + exc.start
            done += len(block)
    if bad is None:
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad = done - pending
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16:
        _binary(path, head)
    if head.startswith(codecs.BOM_UTF8):
        if bad is not None:
            raise _mixed(path, bad, "utf-8", "UTF-8")
        return digest.hexdigest(), "utf-8-sig"
    if utf16:
        _check(path, "utf-16", "UTF-16")
        return digest.hexdigest(), "utf-16"
    if bad is None:
        return digest.hexdigest(), "utf-8"
    _cp1251(path, bad)
    return digest.hexdigest(), "cp1251"


def _binary(path: Path, head: bytes) -> None:
    """Unreadable when the first bytes are a known binary file's, or the first line holds a NUL byte."""
    for signature, name in SIGNATURES.items():
        if head.startswith(signature):
            if name == "ZIP" and _workbook(path):
                name = "XLSX"
            raise Unreadable(1, f"not text but binary data ({name}): {EXPECTED}")
    first = re.split(rb"[\r\n]", head, maxsplit=1)[0]
    if b"\x00" in first:
        raise Unreadable(1, f"not text but binary data: {EXPECTED}")


def _workbook(path: Path) -> bool:
    """Whether a ZIP archive is an Excel workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _check(path: Path, encoding: str, name: str) -> None:
    """Unreadable at the first byte `encoding` does not read."""
    decoder = codecs.getincrementaldecoder(encoding)()
    done = 0
    with path.open("rb") as f:
        while True:
            block = f.read(BLOCK)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise _mixed(path, done - pending + exc.start, encoding, name) from None
            if not block:
                return
            done += len(block)


def _cp1251(path: Path, bad: int) -> None:
    """A file that is not UTF-8 read as cp1251: Unreadable when it is mostly UTF-8 (the encodings mixed, which cp1251
    would turn into nonsense) or holds a byte cp1251 has no character for."""
    utf8 = codecs.getincrementaldecoder("utf-8")("replace")
    high = bytes(range(0x80, 0x100))
    outside = replaced = done = 0
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            outside += len(block) - len(block.translate(None, high))
            replaced += utf8.decode(block).count("\ufffd")
            try:
                block.decode("cp1251")
            except UnicodeDecodeError as exc:
                byte = block[exc.start]
                raise Unreadable(_line_at(path, done + exc.start, "cp1251"), _not_text(byte)) from None
            done += len(block)
    # Each character of UTF-8 beyond ASCII is two bytes or more; cp1251 Cyrillic read as UTF-8 is one error a byte.
    if outside - replaced > replaced:
        raise _mixed(path, bad, "utf-8", "UTF-8")


def _not_text(byte: int) -> str:
    """What is wrong with a byte no encoding reads."""
    return f"byte 0x{byte:02X} is not text in UTF-8, UTF-16 or cp1251: {SAVE}"


def _mixed(path: Path, offset: int, encoding: str, name: str) -> Unreadable:
    """The byte at `offset` breaks a file that is `encoding` elsewhere."""
    with path.open("rb") as f:
        f.seek(offset)
        byte = f.read(1)
    shown = byte[0] if byte else 0
    line = _line_at(path, offset, encoding)
    return Unreadable(line, f"byte 0x{shown:02X} is not {name}, as the rest of the file is (mixed encodings): {SAVE}")


def _line_at(path: Path, offset: int, encoding: str) -> int:
    """The line (1-based; CR LF, LF or CR end one) the byte at `offset` stands on."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    line, after_cr = 1, False
    with path.open("rb") as f:
        while offset > 0 and (block := f.read(min(BLOCK, offset))):
            offset -= len(block)
            text = decoder.decode(block)
            line += text.count("\n") + text.count("\r") - text.count("\r\n") - (after_cr and text.startswith("\n"))
            after_cr = text.endswith("\r") if text else after_cr
    return line


def parser_error(message: str) -> Unreadable | None:
    """A pandas parser error as the line it is on and what is wrong there; None when it is not one of those known."""
    if found := PANDAS_FIELDS.search(message):
        expected, line, saw = (int(g) for g in found.groups())
        return too_many_fields(line, saw, expected)
    if found := PANDAS_QUOTE.search(message):
        # pandas counts rows from 0 here, lines from 1 in its other messages.
        return Unreadable(int(found.group(1)) + 1, QUOTE)
    return None


def too_many_fields(line: int, saw: int, expected: int) -> Unreadable:
    """A row with more fields than the header: its values cannot be told to their columns."""
    what = "a delimiter too many, or a value holding the delimiter without quotes"
    return Unreadable(line, f"{saw} fields where the header has {expected}: {what}")
