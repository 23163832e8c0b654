"""Bytes to text: what kind of file an upload is (CSV text, an .xlsx workbook, or something
else: PDF, image, old .xls, binary), and its text encoding (UTF-8 with or without BOM,
UTF-16/32 with BOM, or Windows-1252 with a warning). Problems are `Issue`s for the file as
a whole (row 0)."""
from __future__ import annotations

import codecs

from models.issues import ERROR, WARNING, Issue

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
SAMPLE_SIZE = 65536
CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
CONTROL_CHARS = {c: None for c in CONTROL_BYTES}
SAVE_AS = "save it as CSV (UTF-8) or .xlsx"


def is_workbook(data: bytes) -> bool:
    """Whether the bytes are a zip archive (an .xlsx workbook, or another zip-based file)."""
    return data[:4] in ZIP_MAGIC


def file_issue(file: str, check: str, value: str, message: str, severity: str = ERROR) -> Issue:
    """A problem with the file as a whole (row 0)."""
    return Issue(0, "", check, value, message, severity, file)


def not_csv(file: str, what: str, advice: str = SAVE_AS) -> Issue:
    return file_issue(file, "not-csv", file, f"{file} looks like {what}, not a CSV file or an .xlsx workbook; {advice}")


def binary_signature(data: bytes, check_bytes: bool = True) -> str | None:
    """What a non-text file looks like, or None when it may be text.

    `check_bytes`: also look for NUL and control bytes (not when an encoding is given,
    since UTF-16 text holds NUL bytes; the decoded text is checked instead).
    """
    head = data[:16]
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return ("an old-style Excel .xls workbook (or a password-protected or other Office 97-2003 file);"
                " open it in Excel and")
    signatures = [
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "an image (PNG)"),
        (b"\xff\xd8\xff", "an image (JPEG)"),
        (b"GIF8", "an image (GIF)"),
        (b"BM", None),  # too short to trust on its own
        (b"\x1f\x8b", "a compressed (gzip) file"),
        (b"7z\xbc\xaf", "a compressed (7-Zip) archive"),
        (b"Rar!", "a compressed (RAR) archive"),
        (b"{\\rtf", "a rich-text (RTF) document"),
    ]
    for magic, what in signatures:
        if what and head.startswith(magic):
            return what
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "an image (WebP)"
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # UTF-32 / UTF-16 text: checked after decoding
    if not check_bytes:
        return None
    if b"\x00" in data:
        return "a binary file (it holds NUL bytes; if it is UTF-16 text without a BOM, use --encoding utf-16)"
    sample = data[:SAMPLE_SIZE]
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    if controls >= 3 and controls * 100 > len(sample):
        return "a binary file (it holds many control characters)"
    return None


def _binary_text(text: str) -> str | None:
    if "\x00" in text:
        return "a binary file (it holds NUL characters)"
    sample = text[:SAMPLE_SIZE]
    controls = len(sample) - len(sample.translate(CONTROL_CHARS))
    if controls >= 3 and controls * 100 > len(sample):
        return "a binary file (it holds many control characters)"
    return None


def decode(data: bytes, file: str, encoding: str | None, issues: list[Issue]) -> tuple[str | None, str | None]:
    """(text, encoding it was read with) of a text file's bytes: `encoding` when given, else by
    its byte-order mark, UTF-8, or Windows-1252 with a warning. The text is None when the
    bytes are not readable text (the problem goes to `issues`); the encoding is None when
    they could not be decoded at all."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            issues.append(file_issue(file, "encoding", encoding,
                                     f"unknown encoding '{encoding}' (--encoding); try utf-8, utf-16 or cp1252"))
            return None, None
        try:
            text = data.decode(encoding)
        except UnicodeError as exc:
            issues.append(file_issue(
                file, "encoding", encoding,
                f"{file} could not be read as {encoding} (--encoding {encoding}): {_where(exc)};"
                " check the encoding the file was saved in, or save it as CSV (UTF-8)"))
            return None, None
    else:
        text, encoding = _decode_auto(data, file, issues)
        if text is None:
            return None, None
    what = _binary_text(text)
    if what:
        issues.append(not_csv(file, what))
        return None, encoding
    return text, encoding


def _decode_auto(data: bytes, file: str, issues: list[Issue]) -> tuple[str | None, str | None]:
    boms = [
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ]
    for bom, name in boms:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeError as exc:
                issues.append(file_issue(
                    file, "encoding", name,
                    f"{file} starts with a {name.upper()} byte-order mark but is not valid {name.upper()}:"
                    f" {_where(exc)}; save it as CSV (UTF-8) or give its encoding with --encoding ENCODING"))
                return None, None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        issues.append(file_issue(
            file, "encoding", _excerpt(data, exc.start, "latin-1"),
            f"{file} is not UTF-8, UTF-16 or Windows-1252 text ({_where(exc)}); save it as CSV (UTF-8),"
            " or give its encoding with --encoding ENCODING"))
        return None, None
    issues.append(file_issue(
        file, "encoding", _excerpt(data, first_bad, "cp1252"),
        f"{file} is not UTF-8, so it was read as Windows-1252 (cp1252); check accented letters"
        " in the value shown. If they look wrong, give the file's encoding with --encoding ENCODING"
        ", or save the file as CSV (UTF-8)", WARNING))
    return text, "cp1252"


def _where(exc: UnicodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start:exc.end]
        return f"byte {' '.join(f'0x{b:02x}' for b in bad[:4])} at position {exc.start}"
    return str(exc)


def _excerpt(data: bytes, position: int, codec: str) -> str:
    """The line holding byte `position`, decoded with `codec`, cut to 80 characters."""
    start = data.rfind(b"\n", 0, position) + 1
    end = data.find(b"\n", position)
    line = data[start:] if end < 0 else data[start:end]
    return line.decode(codec, errors="replace").strip()[:80]
