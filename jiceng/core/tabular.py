"""The file layer of imports: read CSV / Excel into normalized rows plus problems, and write
tables, problem reports and fill-in templates. No models, no database: the importer builds on this.

Reading never raises on a bad file: what cannot be read at all becomes a fatal file-level Problem,
everything else a Problem at (row, column) as the user sees it in Excel.
"""
from __future__ import annotations

import codecs
import copy
import csv
import difflib
import html
import io
import math
import os
import re
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Sequence

from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
from django.utils.translation import gettext


def _(msgid: str) -> str:
    # Scripts and benchmarks may run without Django settings; the Chinese msgid is the fallback.
    try:
        return gettext(msgid)
    except (ImproperlyConfigured, AppRegistryNotReady):
        return msgid


@dataclass(frozen=True)
class Column:
    key: str                 # import-format key, e.g. "id_number"
    header: str              # Chinese header, e.g. "身份证号"
    required: bool = False
    type: str = "text"       # "text" | "date" | "choice": how a cell is read
    choices: tuple[str, ...] = ()
    help: str = ""
    aliases: tuple[str, ...] = ()
    max_length: int | None = None   # characters the field behind the column holds (text columns)


@dataclass(frozen=True)
class Problem:
    row: int | None          # spreadsheet row number (header = 1); None for file-level
    column: str              # header as written in the file ("" for file-level / whole row)
    value: str
    reason: str
    blocking: bool = True    # False for what the format says is "reported and ignored" (unknown columns)


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, object]   # key -> str | date | None, only for the columns present in the file
    bad: tuple[str, ...] = ()   # keys whose cell had a problem; their value is None


# ---------------------------------------------------------------- budget

@dataclass(frozen=True)
class Budget:
    """How much an import file may hold, checked before and while it is read: an .xlsx is a zip, and a
    few MB of it can unpack to gigabytes. The cells of a sheet are counted as its area (rows × columns),
    which is what the readers allocate: two cells at A1 and XFD1048576 are seventeen billion to them."""
    max_uncompressed: int = 2 << 30   # bytes of all the parts of a workbook together, unpacked
    max_ratio: int = 100              # unpacked / packed, for a part over 1 MB (real sheets: 5–30)
    max_cells: int = 30_000_000       # cells of the sheet (a million rows of 30 columns)
    max_cell_chars: int = 32_767      # characters in one cell (Excel's own limit)

    SETTINGS = {"max_uncompressed": "JICENG_IMPORT_MAX_UNCOMPRESSED", "max_ratio": "JICENG_IMPORT_MAX_RATIO",
                "max_cells": "JICENG_IMPORT_MAX_CELLS", "max_cell_chars": "JICENG_IMPORT_MAX_CELL_CHARS"}

    @classmethod
    def from_settings(cls) -> Budget:
        """The JICENG_IMPORT_MAX_* settings; the defaults above when Django is not configured."""
        try:
            from django.conf import settings
            return cls(**{k: int(getattr(settings, name, getattr(cls, k))) for k, name in cls.SETTINGS.items()})
        except (ImproperlyConfigured, AppRegistryNotReady):
            return cls()


class OverBudget(Exception):
    """The file holds more than the budget allows: refused as a whole, with the reason for the user."""

    def __init__(self, reason: str, value: str = ""):
        super().__init__(reason)
        self.reason, self.value = reason, value


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n} B"


def _too_many_cells(budget: Budget) -> OverBudget:
    return OverBudget(_("文件的单元格超过导入上限 %(limit)s 个，请拆分为几个文件分别导入") % {"limit": budget.max_cells})


def _cell_too_long(chars: int, budget: Budget, cell: str = "") -> OverBudget:
    if not cell:   # a shared string: used by some cell
        return OverBudget(_("有 %(n)s 个字符，超过一个单元格的导入上限 %(limit)s 个") % {
            "n": chars, "limit": budget.max_cell_chars})
    return OverBudget(_("单元格 %(cell)s 有 %(n)s 个字符，超过导入上限 %(limit)s 个") % {
        "cell": cell, "n": chars, "limit": budget.max_cell_chars}, cell)


# ---------------------------------------------------------------- cells

# Full-width ASCII (！..～) and the ideographic space become half-width; zero-width characters that
# come with copy-pasted ID numbers disappear.
_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x200B: None, 0x200C: None,
                                                          0x200D: None, 0xFEFF: None}
_WIDE = re.compile("[\uff01-\uff5e\u3000\u200b-\u200d\ufeff]")
_EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                           "#GETTING_DATA", "#SPILL!", "#CALC!"})
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[Ee]\+\d+")
TOO_LONG = 1e15   # from here on a double no longer holds every integer a person typed


def normalize(value) -> str:
    """Cell value -> clean text: half-width, stripped, inner whitespace collapsed, '' for blank."""
    if value is None:
        return ""
    if value.__class__ is str:
        if not value.isascii() and _WIDE.search(value):   # translate() is slow on CJK text: only if needed
            value = value.translate(_HALF)
        value = " ".join(value.split())
        if value[:1] == "'" and value[1:2] in _FORMULA_START:   # written by our CSV export: drop the guard
            value = value[1:]
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return f"{value:.0f}"   # Excel numbers are floats: 13800138000.0 is the number 13800138000
        return f"{value:.15g}" if math.isfinite(value) else str(value)   # Excel shows 15 digits
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return normalize(str(value))


# ---------------------------------------------------------------- dates

_DATE = re.compile(r"(\d{4}) ?(?:([-/.]) ?(\d{1,2}) ?\2 ?(\d{1,2})|年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?)"
                   r"(?:[ T]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")   # 10000..99999: 1927-05-18 onwards; shorter is more likely a typo
_EXCEL_EPOCH = date(1899, 12, 31)


def _unrecognized(text: str) -> ValueError:
    return ValueError(_("无法识别的日期“%(value)s”，请写成 2018-01-05 这样的格式") % {"value": text[:40]})


def _ymd(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(_("日期“%(value)s”不存在") % {"value": text[:40]}) from None


def _from_number(number: float, text: str) -> date:
    """A number in a date cell: 20180105, or an Excel serial day (1900 date system)."""
    if not math.isfinite(number) or number < 1:
        raise _unrecognized(text)
    whole = int(number)
    if whole == number and 10000101 <= whole <= 99991231:
        return _ymd(whole // 10000, whole // 100 % 100, whole % 100, text)
    if whole == number and 1000 <= whole <= 2999:
        raise ValueError(_("“%(value)s”只有年份，请写完整的日期") % {"value": text[:40]})
    if whole > 2958465:   # 9999-12-31
        raise _unrecognized(text)
    if whole == 60:       # Excel's 1900-02-29, a day that never was
        raise ValueError(_("日期“%(value)s”不存在") % {"value": text[:40]})
    return _EXCEL_EPOCH + timedelta(days=whole - (whole > 60))   # serials after it are one day ahead


def parse_date(value) -> date:
    """Any spelling users write a date in -> date; ValueError with a reason in the active language."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and not -10**9 < value < 10**9:
            raise _unrecognized(normalize(value)[:40])   # float() of a huge int would overflow
        return _from_number(float(value), normalize(value))
    text = normalize(value)
    if not text:
        raise ValueError(_("日期为空"))
    if m := _DATE.fullmatch(text):
        y, _sep, mo, d, mo2, d2 = m.groups()
        return _ymd(int(y), int(mo or mo2), int(d or d2), text)
    if m := _COMPACT.fullmatch(text):
        return _ymd(int(m[1]), int(m[2]), int(m[3]), text)
    if _SERIAL.fullmatch(text):
        return _from_number(float(text), text)
    if len(text) == 4 and text.isdigit():
        raise ValueError(_("“%(value)s”只有年份，请写完整的日期") % {"value": text})
    raise _unrecognized(text)


# ---------------------------------------------------------------- headers

_MARKS = re.compile(r"^\*+|\*+$|\((?:必填|选填)\)$")


def _canon(text) -> str:
    """What two spellings of one header have in common: no case, spaces, _ or -, no required marks."""
    s = normalize(text).casefold().replace(" ", "")
    s = _MARKS.sub("", _MARKS.sub("", s))   # twice: "姓名*(必填)"
    return s.replace("_", "").replace("-", "")


def _loose(text) -> str:
    """How a choice word may vary: case, width, spaces ("ＣＣＰ" is "ccp")."""
    return normalize(text).casefold().replace(" ", "")


def _lookup(columns: Sequence[Column]) -> dict[str, Column]:
    names = {}
    for col in columns:
        for name in (col.header, col.key, *col.aliases):
            names.setdefault(_canon(name), col)
    return names


# ---------------------------------------------------------------- reading

HEADER_SCAN = 10                     # title rows above the header are common in Chinese registers
CSV_FIELD_LIMIT = 16 * 1024 * 1024   # a quote left open swallows the file; cap it rather than the memory
CALAMINE_MAX_XML_BYTES = 128 * 1024 * 1024
# calamine is ~15x faster than openpyxl but loads the whole sheet (~90 bytes a cell); past this
# uncompressed sheet size the streaming openpyxl reader keeps memory flat instead.
_CHUNK = 1 << 20
_MAGIC_BINARY = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf",
                 b"\x7fELF", b"MZ")


class Table:
    """An opened import file. Header problems are known at once, in `problems`; cell problems come
    into `row_problems` while rows() runs. Row.values holds only the columns present in the file
    (absent is not blank); a cell with a problem is None there and its key is in Row.bad.
    Problems with blocking=False (unknown or unnamed columns) are "reported and ignored"."""

    def __init__(self, filename: str, columns: Sequence[Column], budget: Budget | None = None):
        self.filename = filename
        self.budget = budget or Budget.from_settings()
        self.columns: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.row_problems: list[Problem] = []
        self.fatal = False
        self.size_hint: int | None = None
        self.format = ""                  # "csv" | "xlsx" | "xls" | "ods"
        self.encoding: str | None = None  # for CSV: "utf-8-sig" or "gb18030"
        self.header_row = 1
        self._spec = list(columns)
        self._plan: list[tuple[str, int, Column, str]] = []   # key, cell index, column, header in file
        self._unnamed: list[int] = []     # cell indexes under a blank header
        self._header_at: dict[int, str] = {}   # cell index -> header, for the columns read
        self._records = None              # (data: bool) -> iterator of (row number, cells, bad indexes)
        self._total: int | None = None    # rows in the file, header included, if cheaply known
        self._close = None                # what close() must release (the openpyxl fallback's file)

    def _fail(self, reason: str, value: str = "") -> Table:
        self.fatal = True
        self.problems.append(Problem(None, "", value, reason))
        return self

    def __iter__(self):
        return self.rows()

    def close(self) -> None:
        if self._close:
            self._close()
            self._close = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _find_header(self) -> None:
        """Header = the first of the top rows naming a known column, else the first non-blank row."""
        names, first = _lookup(self._spec), None
        for scanned, (number, cells, _bad) in enumerate(self._records(False)):
            if scanned >= HEADER_SCAN:
                break
            texts = [normalize(c) for c in cells]
            if not any(texts):
                continue
            if any(_canon(t) in names for t in texts if t):
                first = (number, texts)
                break
            first = first or (number, texts)
        if first is None:
            self._fail(_("文件里没有表头，也没有数据"))
            return
        number, headers = first
        self.header_row = number
        if self._total is not None:
            self.size_hint = max(self._total - number, 0)
        seen, unknown = {}, []
        for i, header in enumerate(headers):
            col = names.get(_canon(header)) if header else None
            if not header:
                self._unnamed.append(i)
            elif col is None:
                unknown.append(header)
            elif col.key in seen:
                self.problems.append(Problem(number, header, header, _("与第 %(n)s 列“%(first)s”重复") % {
                    "n": seen[col.key][0] + 1, "first": seen[col.key][1]}))
            else:
                seen[col.key] = (i, header)
                self._plan.append((col.key, i, col, header))
                self._header_at[i] = header
        self.columns = {key: header for key, (i, header) in seen.items()}
        missing = [c for c in self._spec if c.key not in seen]
        # An unknown header is most often a typo of a column that went missing: suggest that one.
        spellings = {_canon(n): c.header for c in missing for n in (c.header, c.key, *c.aliases)}
        for header in unknown:
            close = difflib.get_close_matches(_canon(header), list(spellings), n=1, cutoff=0.6)
            reason = (_("未知的列，已忽略；是不是“%(header)s”？") % {"header": spellings[close[0]]} if close
                      else _("未知的列，已忽略"))
            self.problems.append(Problem(number, header, header, reason, blocking=False))
        self.problems += [Problem(number, c.header, "", _("缺少必填的列“%(header)s”") % {"header": c.header})
                          for c in missing if c.required]

    def rows(self) -> Iterator[Row]:
        """Stream the data rows; may be called again (it starts over and refills row_problems)."""
        self.row_problems = problems = []
        if self.fatal:
            return
        plan = self._plan
        keys = tuple(p[0] for p in plan)
        key_at = {p[1]: p[0] for p in plan}
        get = itemgetter(*key_at) if len(plan) > 1 else (lambda cells: tuple(cells[i] for i in key_at))
        required = [(k, h) for k, _i, c, h in plan if c.required]
        dates = [(k, h) for k, _i, c, h in plan if c.type == "date"]
        lengths = [(k, h, c.max_length) for k, _i, c, h in plan if c.type == "text" and c.max_length]
        choices = [(k, h, {w: w for w in c.choices}, {_loose(w): w for w in c.choices}, c)
                   for k, _i, c, h in plan if c.type == "choice"]
        width = max([*key_at, *self._unnamed], default=-1) + 1
        unnamed, reported, blank, iso = self._unnamed, set(), {"": None}.get, date.fromisoformat
        # The loop below is the hot path of a million-row import: plain locals, no per-cell calls
        # for the usual cell (an ISO date, an exact choice word).
        for number, cells, bad in self._records(True):
            if len(cells) < width:
                cells = [*cells, *[""] * (width - len(cells))]
            vals = get(cells)
            values = dict(zip(keys, map(blank, vals, vals)))   # "" -> None
            spoilt = [key_at[i] for i in bad if i in key_at] if bad else []
            for key in spoilt:
                values[key] = None
            for key, header in required:
                if values[key] is None and key not in spoilt:
                    problems.append(Problem(number, header, "", _("必填项为空")))
                    spoilt.append(key)
            for key, header, most in lengths:   # the value stays: the rest of the row is checked with it
                v = values[key]
                if v.__class__ is str and len(v) > most:
                    problems.append(Problem(number, header, _shorten(v), _(
                        "最多 %(max)s 个字符，这里有 %(n)s 个") % {"max": most, "n": len(v)}))
            for key, header in dates:
                v = values[key]
                if v is None:
                    continue
                if v.__class__ is str and len(v) == 10 and v[4] == "-" == v[7]:
                    try:
                        values[key] = iso(v)
                        continue
                    except ValueError:
                        pass
                try:
                    values[key] = parse_date(v)
                except ValueError as e:
                    problems.append(Problem(number, header, normalize(v), str(e)))
                    values[key] = None
                    spoilt.append(key)
            for key, header, exact, loose, col in choices:
                v = values[key]
                if v is None or v in exact:
                    continue
                values[key] = word = loose.get(_loose(v))
                if word is None:
                    allowed = "、".join(col.choices[:12]) + ("…" if len(col.choices) > 12 else "")
                    problems.append(Problem(number, header, v, _("“%(value)s”不在可选范围内（%(choices)s）")
                                            % {"value": v[:40], "choices": allowed}))
                    spoilt.append(key)
            for i in unnamed:
                if i not in reported and normalize(cells[i]):
                    reported.add(i)
                    problems.append(Problem(number, "", normalize(cells[i])[:40], _(
                        "第 %(n)s 列没有表头，这一列的内容已忽略") % {"n": i + 1}, blocking=False))
            yield Row(number, values, tuple(spoilt))


def _shorten(text: str, most: int = 60) -> str:
    """A value as a problem shows it: a long one cut, so a list of problems stays readable."""
    return text if len(text) <= most else text[:most] + "…"


def read_table(upload: BinaryIO | str | Path, filename: str, columns: Sequence[Column],
               budget: Budget | None = None) -> Table:
    """Open a CSV or Excel file (told apart by content, not only by name) and read its header.
    A file over the budget (Budget.from_settings() unless given) is refused before its sheet is parsed."""
    table = Table(filename, columns, budget)
    try:
        opener = _opener(upload)
        with opener() as f:
            head = f.read(8192)
    except OSError as e:
        return table._fail(_("文件无法打开：%(error)s") % {"error": e.strerror or e})
    suffix = Path(filename or "").suffix.lower()
    if not head:
        return table._fail(_("文件是空的"))
    try:
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):   # zip (xlsx, ods) or OLE2 (xls)
            _open_workbook(table, opener)
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            table._fail(_("文件扩展名是 %(suffix)s，但内容不是 Excel 工作簿（可能已损坏或改过扩展名）")
                        % {"suffix": suffix})
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            table._fail(_("文件是 UTF-16 编码的文本，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"))
        elif head.startswith(_MAGIC_BINARY) or b"\x00" in head:
            table._fail(_("这不是 CSV 或 Excel 文件"))
        else:
            _open_csv(table, opener)
        if not table.fatal:
            table._find_header()
    except Exception as e:   # a reader surprised by the file: report it, never crash the import
        table._plan, table.problems, table.columns, table.fatal = [], [], {}, False
        table._fail(_("文件无法读取：%(error)s") % {"error": str(e)[:200]})
    return table


def _opener(upload):
    """A way to (re)open the bytes for each pass; a non-seekable stream is spooled once."""
    if isinstance(upload, (str, os.PathLike)):
        path = os.fspath(upload)
        return lambda: open(path, "rb")
    if not (hasattr(upload, "seekable") and upload.seekable()):
        spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
        shutil.copyfileobj(upload, spool)
        upload = spool

    @contextmanager
    def rewound():
        upload.seek(0)
        yield upload
    return rewound


# -- CSV

# Characters normalize() changes (other than "\r\n", and the delimiter): odd spaces, zero-width, full-width.
_ODD = "\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u3000\ufeff\uff01-\uff5e"
MAX_DIRTY = 100_000   # past this many lines to clean, checking each row is cheaper than remembering them


def _scan(opener, codec: str, delimiter: str):
    """Decode the whole file once, so that a bad byte on line 90,000 is a fatal problem on open and
    not a crash after 89,999 rows were handed out; the same pass notes which lines need cleaning
    (stray spaces, full-width characters, 1.1E+17), so rows() can take the others as they are.
    The fields are counted too (delimiters and line ends: quoted ones included, so at most a few too many).
    -> (offset of the first undecodable byte or None, lines, dirty line numbers or None = check all, fields)."""
    d = re.escape(delimiter)
    checks = [(None, re.compile(f"[{_ODD}{'' if delimiter == chr(9) else chr(9)}]")),
              # gated by a one-character search, which is ~30x faster than any regex over CJK text
              (" ", re.compile(f" (?:[ {d}\r\n\"]|(?<=[{d}\n\"] ))")),
              ("+", re.compile(r"[0-9][Ee]\+[0-9]"))]
    decoder, pos, lines, dirty, tail, fields = codecs.getincrementaldecoder(codec)(), 0, 0, set(), "\n", 0
    with opener() as f:
        while True:
            chunk = f.read(_CHUNK)
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, not chunk)
            except UnicodeDecodeError as e:
                return pos - pending + e.start, lines, None, fields
            pos += len(chunk)
            window = tail + text   # a pattern may straddle two chunks; tail is one char of the one before
            if dirty is not None:
                found = sorted(m.start() for gate, check in checks if gate is None or gate in window
                               for m in check.finditer(window))
                line, last = lines + 1 - tail.count("\n"), 0
                for i in found:
                    line += window.count("\n", last, i)
                    last = i
                    dirty.add(line)
                if len(dirty) > MAX_DIRTY:
                    dirty = None
            lines += text.count("\n")
            fields += text.count(delimiter)
            tail = text[-1:] or tail
            if not chunk:
                return None, lines + (tail != "\n"), dirty, fields + lines + (tail != "\n")


def _open_csv(table: Table, opener) -> None:
    table.format = "csv"
    with opener() as f:
        sample = f.read(_CHUNK)
    first = sample.split(b"\n", 1)[0]
    delimiter = max(",\t;", key=lambda d: first.count(d.encode()))   # ties go to the comma
    bad_utf8, lines, dirty, fields = _scan(opener, "utf-8", delimiter)
    if bad_utf8 is None:
        table.encoding = "utf-8-sig"
    else:
        bad_gb, lines, dirty, fields = _scan(opener, "gb18030", delimiter)
        if bad_gb is not None:
            with opener() as f:
                before = f.read(bad_utf8)
            # UTF-8 Chinese often decodes as GB18030 gibberish for a while, so the one that got further
            # proves nothing; several real multi-byte characters before the bad byte do prove UTF-8.
            offset = bad_utf8 if len(before) - len(before.decode("utf-8")) >= 8 else bad_gb
            with opener() as f:
                before, bad = f.read(offset), f.read(4)
            table._fail(_("文件编码无法识别（不是 UTF-8，也不是 GBK/GB18030）：第 %(line)s 行、第 %(offset)s 字节处"
                          "有无法解码的内容，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”") % {
                              "line": before.count(b"\n") + 1, "offset": offset}, bad.hex(" "))
            return
        table.encoding = "gb18030"
    if fields > table.budget.max_cells:
        table._fail(_too_many_cells(table.budget).reason)
        return
    if b"\r" in sample and b"\n" not in sample:
        dirty = None   # old Mac line ends: line numbers above counted "\n" only
    table._total = lines
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))

    def records(data: bool):
        with opener() as f:
            text = io.TextIOWrapper(f, encoding=table.encoding, newline="")
            try:
                yield from _csv_records(table, text, delimiter, data, dirty)
            finally:
                text.detach()   # the caller's file stays open
    table._records = records


def _needs_cleaning(joined: str) -> bool:
    """Whether cells joined by NUL hold anything normalize() would change (or a 1.1E+17)."""
    return bool(_ODD_ROW.search(joined)) or any(p in joined for p in _ROW_PAIRS) or joined[:1] == " " \
        or joined[-1:] == " "


_ODD_ROW = re.compile(f"[{_ODD}\t\r\n]")
_ROW_PAIRS = ("  ", " \x00", "\x00 ", "E+", "e+")


def _csv_records(table: Table, text, delimiter: str, data: bool, dirty: set[int] | None):
    reader = csv.reader(text, delimiter=delimiter, strict=False)
    number, line, width, problems, headers = 0, 0, 0, table.row_problems, table._header_at
    most = table.budget.max_cell_chars
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:   # past the field limit: a quote left open ate the rest of the file
            problems.append(Problem(number + 1, "", "", _("文件第 %(line)s 行起引号不成对，之后的内容无法读取（%(error)s）")
                                    % {"line": line + 1, "error": e}))
            return
        number += 1
        first_line, line = line + 1, reader.line_num
        if not data or number < table.header_row:
            if not data:
                yield number, cells, ()
            continue
        if number == table.header_row:   # the header fixes the field count (trailing blank headers aside)
            width = max((i + 1 for i, c in enumerate(cells) if c.strip()), default=0)
            continue
        bad = ()
        if line > first_line or (first_line in dirty if dirty is not None else _needs_cleaning("\x00".join(cells))):
            cells = [normalize(c) for c in cells]
            # Excel saved a long number as 1.10105E+17 before it became CSV: the digits are gone.
            bad = [i for i, c in enumerate(cells) if i in headers and _SCIENTIFIC.fullmatch(c)]
            problems += [Problem(number, headers[i], cells[i], _("数字过长已被 Excel 截断，请将该列设为文本格式"))
                         for i in bad]
        elif "\x00'" in "\x00" + "\x00".join(cells):   # a formula our CSV export defused: read it back as written
            cells = [normalize(c) for c in cells]
        if cells and max(map(len, cells)) > most:   # over the budget: reported, and dropped at once
            long = [i for i, c in enumerate(cells) if len(c) > most]
            problems += [Problem(number, headers[i], _shorten(cells[i]), _("有 %(n)s 个字符，超过一个单元格的导入上限"
                                 " %(limit)s 个") % {"n": len(cells[i]), "limit": most}) for i in long if i in headers]
            cells = ["" if i in long else c for i, c in enumerate(cells)]
            bad = [*bad, *(i for i in long if i in headers)]
        if not any(cells):
            continue   # blank rows are spacing, not data
        if len(cells) != width:
            if len(cells) > width and not "".join(cells[width:]).strip():
                cells = cells[:width]   # trailing commas
            else:
                where = (_("文件第 %(a)s–%(b)s 行") % {"a": first_line, "b": line} if line > first_line
                         else _("文件第 %(a)s 行") % {"a": first_line})
                problems.append(Problem(number, "", ",".join(cells)[:100], _(
                    "这一行有 %(got)s 个字段，表头有 %(want)s 个（%(where)s），可能是引号不成对或多了逗号")
                    % {"got": len(cells), "want": width, "where": where}))
                continue
        yield number, cells, bad


# -- Excel

def _open_workbook(table: Table, opener) -> None:
    import python_calamine

    sheet_xml, xml_size, scan = None, 0, _SheetScan(table.budget)
    with opener() as f:
        is_zip = f.read(2) == b"PK"
    if is_zip:
        # Everything the readers will unpack is measured first: the sizes the zip declares (cheap: its
        # directory), then, streaming through each part once, what it really holds; the readers run after.
        try:
            with opener() as f, zipfile.ZipFile(f) as z:
                _check_zip(z, table.budget)
                names = set(z.namelist())
                if "xl/workbook.xml" in names:
                    sheet_xml, strings = _workbook_parts(z)
                    xml_size = z.getinfo(sheet_xml).file_size
                    with _part(z, sheet_xml) as xml:
                        scan.run(xml)
                    if strings in names:
                        with _part(z, strings) as xml:
                            scan.strings(xml)
                elif "content.xml" in names:
                    with _part(z, "content.xml") as xml:
                        scan.ods(xml)
                else:   # not an OpenDocument sheet either: a .docx, a .zip…
                    table._fail(_("这不是 CSV 或 Excel 文件"))
                    return
        except OverBudget as e:
            table._fail(e.reason, e.value)
            return
        except Exception as e:   # not a zip after all, a missing part, a truncated member, bad XML…
            table._fail(_("Excel 文件已损坏，无法打开"), str(e)[:200])
            return
    table.format = "xlsx" if sheet_xml else "ods" if is_zip else "xls"
    if xml_size > CALAMINE_MAX_XML_BYTES:
        _use_openpyxl(table, opener, scan)
        return
    try:
        with opener() as f:
            book = python_calamine.CalamineWorkbook.from_filelike(f)
        visible = [i for i, m in enumerate(book.sheets_metadata)
                   if m.visible == python_calamine.SheetVisibleEnum.Visible
                   and m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        sheet = book.get_sheet_by_index(visible[0] if visible else 0)
        start, end, merged = sheet.start, sheet.end, sheet.merged_cell_ranges or []
    except Exception as e:
        encrypted = "password" in str(e).lower() or "encrypt" in str(e).lower()
        table._fail(_("Excel 文件设置了密码，请取消密码后再导入") if encrypted else _("Excel 文件已损坏，无法打开"),
                    str(e)[:200])
        return
    except BaseException as e:   # a panic in the Rust reader arrives as a BaseException
        if type(e).__name__ != "PanicException":
            raise
        table._fail(_("Excel 文件已损坏，无法打开"), str(e)[:200])
        return
    if start is None:
        table._fail(_("文件里没有表头，也没有数据"))
        return
    col0 = start[1]   # calamine rows begin at sheet row 1 but at the first used column
    table._total = end[0] + 1
    merges = [(r0 + 1, max(c0 - col0, 0), r1 + 1, c1 - col0) for (r0, c0), (r1, c1) in merged if c1 >= col0]
    table._records = lambda data: _excel_records(table, enumerate(sheet.iter_rows(), 1), merges, scan, col0, data)


def _use_openpyxl(table: Table, opener, scan: _SheetScan) -> None:
    """Streaming reader for sheets too big to hold in memory (slow, flat memory)."""
    import openpyxl

    opened = opener()   # held until table.close(): the read-only book reads the file lazily
    book = openpyxl.load_workbook(opened.__enter__(), read_only=True, data_only=True)
    table._close = lambda: (book.close(), opened.__exit__(None, None, None))
    sheet = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), book.worksheets[0])
    table._total = sheet.max_row or scan.last_row
    sheet.reset_dimensions()   # some writers record a wrong dimension; read what is there

    def rows():
        for number, raw in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, ["" if v is None else v for v in raw]
    table._records = lambda data: _excel_records(table, rows(), scan.merges, scan, 0, data)


def _excel_records(table: Table, rows, merges, scan: _SheetScan, col0: int, data: bool):
    """Excel rows -> cells for Table.rows(): merged areas filled, numbers turned to text where text
    is wanted, and what the reader can tell is wrong (cut-off numbers, formula errors) reported."""
    if not data:
        for number, raw in rows:
            yield number, ["" if v is None else v for v in raw], ()
        return
    kinds = {i: col.type for _k, i, col, _h in table._plan}
    headers = table._header_at
    text_at = [i for i, kind in kinds.items() if kind != "date"]
    date_at = [i for i, kind in kinds.items() if kind == "date"]
    texts = itemgetter(*text_at) if len(text_at) > 1 else None
    width = max(kinds, default=-1) + 1
    merges = sorted(m for m in merges if m[0] > table.header_row)   # title and header merges stay as they are
    problems, active, top = table.row_problems, [], {}
    for number, cells in rows:
        if number <= table.header_row:
            continue
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        if merges or active:   # a merged area shows its top-left value in every cell: so do we
            while merges and merges[0][0] <= number:
                active.append(merges.pop(0))
            active = [m for m in active if m[2] >= number]
            for r0, c0, _r1, c1 in active:
                if r0 == number:
                    top[r0, c0] = cells[c0] if c0 < len(cells) else ""
                if len(cells) <= c1:
                    cells += [""] * (c1 + 1 - len(cells))
                cells[c0:c1 + 1] = [top.get((r0, c0), "")] * (c1 + 1 - c0)
        # Text cells that are all clean strings (the usual row) need no per-cell work.
        try:
            joined = "\x00".join(texts(cells)) if texts else None
            todo = date_at if joined is not None and not _needs_cleaning(joined) and "#" not in joined else kinds
        except TypeError:   # a number or a date among the text cells
            todo = kinds
        bad = []
        for i in todo:
            v, reason = _excel_cell(cells[i], kinds[i])
            if reason:
                problems.append(Problem(number, headers[i], v, reason))
                bad.append(i)
            cells[i] = v
        found = [(c - col0, why) for c, why in scan.cells.get(number, ()) if c - col0 in kinds]
        if not found and not any(cells) and all(v == "" for v in cells):
            continue   # blank rows are spacing, not data
        for i, (reason, shown) in found:
            if i not in bad:
                problems.append(Problem(number, headers[i], shown, reason))
                bad.append(i)
        yield number, cells, bad


def _excel_cell(v, kind: str):
    """One Excel cell for a column of `kind` -> (str, or date / number for date columns; reason or None)."""
    if v.__class__ is str:
        v = normalize(v)
        return v, _("公式出错：%(value)s") % {"value": v} if v in _EXCEL_ERRORS else None
    if kind == "date" and isinstance(v, (date, int, float)) and not isinstance(v, bool):
        return v, None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and not abs(v) < TOO_LONG:
        return normalize(v), _("数字过长已被 Excel 截断，请将该列设为文本格式")
    return normalize(v), None


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _workbook_parts(z: zipfile.ZipFile) -> tuple[str, str]:
    """Paths of the first visible worksheet and of the shared strings, through workbook.xml and its
    relationships."""
    from xml.etree import ElementTree

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1]

    def path(target: str) -> str:
        return target.lstrip("/") if target.startswith("/") else "xl/" + target
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    sheets = [s for s in book.iter() if local(s.tag) == "sheet"]
    first = next((s for s in sheets if s.get("state", "visible") == "visible"), sheets[0])
    rid = next(v for k, v in first.attrib.items() if local(k) == "id")
    rels = list(ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter())
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    strings = next((r.get("Target") for r in rels if (r.get("Type") or "").endswith("/sharedStrings")),
                   "sharedStrings.xml")
    return path(target), path(strings)


MAX_PARTS = 10_000          # parts of a zip: a workbook has a few dozen
WHOLE_PART_BYTES = 32 << 20  # parts the readers parse whole (workbook, relationships, styles): more is no spreadsheet
RATIO_FROM = 1 << 20        # smaller parts may compress as they like: they cannot hold much
ROW_BYTES = 64 << 20        # one row (or one shared string) of the XML, unpacked: what the scan holds at most


def _check_zip(z: zipfile.ZipFile, budget: Budget) -> None:
    """The sizes the zip's directory declares, before anything is unpacked (the parts are then held to
    them by _part)."""
    infos = z.infolist()
    if len(infos) > MAX_PARTS:
        raise OverBudget(_("Excel 文件已损坏，无法打开"), f"{len(infos)} parts")
    total = sum(i.file_size for i in infos)
    if total > budget.max_uncompressed:
        raise OverBudget(_("文件解压后有 %(size)s，超过导入上限 %(limit)s，请拆分为几个文件分别导入") % {
            "size": _size(total), "limit": _size(budget.max_uncompressed)}, _size(total))
    for i in infos:
        if i.file_size > RATIO_FROM and i.file_size > budget.max_ratio * max(i.compress_size, 1):
            raise OverBudget(_("文件中的“%(part)s”解压后是压缩时的 %(ratio)s 倍（上限 %(limit)s 倍），不像正常的表格文件，"
                               "已拒绝") % {"part": i.filename, "ratio": i.file_size // max(i.compress_size, 1),
                                           "limit": budget.max_ratio}, i.filename)
        streamed = i.filename.startswith("xl/worksheets/") or i.filename.endswith(("sharedStrings.xml", "content.xml"))
        if i.file_size > WHOLE_PART_BYTES and not streamed and i.filename.endswith((".xml", ".rels")):
            raise OverBudget(_("文件中的“%(part)s”解压后有 %(size)s，不像正常的表格文件，已拒绝") % {
                "part": i.filename, "size": _size(i.file_size)}, i.filename)


class _Held:
    """A part of the zip read in chunks, refused if it holds more than its declared size (zipfile would
    silently stop there, while another reader of the same file would not)."""

    def __init__(self, z: zipfile.ZipFile, name: str):
        info = copy.copy(z.getinfo(name))
        self.declared, self.read_so_far = info.file_size, 0
        info.file_size += 1   # one byte more may be asked for, so that a longer part shows
        self._file = z.open(info)

    def read(self, n: int) -> bytes:
        data = self._file.read(n)
        self.read_so_far += len(data)
        if self.read_so_far > self.declared:
            raise OverBudget(_("Excel 文件已损坏，无法打开"), "size")
        return data

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._file.close()


_part = _Held


def _greater(n: int) -> bytes:
    """A regular expression for the whole numbers greater than n (no leading zeros assumed: a number
    written with them only matches too, which errs on the side of looking)."""
    digits = str(n).encode()
    options = [rb"[0-9]{%d,}" % (len(digits) + 1)]
    for i, d in enumerate(digits):
        if d < ord("9"):
            options.append(digits[:i] + rb"[%c-9]" % (d + 1) + rb"[0-9]" * (len(digits) - i - 1))
    return b"|".join(options)


def _long_run(data: bytes, most: int) -> bool:
    """Whether some text between two tags may be longer than `most` bytes: every run that long holds a
    whole window of most/2 bytes (stepped through) without a "<". A few dozen finds a MB."""
    step = max(most // 2, 1)
    for i in range(0, len(data) - step + 1, step):
        if data.find(b"<", i, i + step) < 0:
            return True
    return False


class _SheetScan:
    """One streaming pass over the sheet XML for what calamine hides, since both come back as blank
    cells: formulas without a cached value, and error results. Also collects the merged areas for
    the openpyxl fallback, which does not report them in read-only mode, and measures the sheet
    against the budget (cells, the area they span, each cell's characters) before any reader runs."""
    _FORMULA = re.compile(rb'<(?:\w+:)?c\s([^>/]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)(.*?)'
                          rb'</(?:\w+:)?c>', re.S)
    _ERROR = re.compile(rb'<(?:\w+:)?c\s([^>/]*\bt="e"[^>/]*)>(.*?)</(?:\w+:)?c>', re.S)
    _VALUE = re.compile(rb'<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>|<(?:\w+:)?is>')
    _REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
    _MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')
    _CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')   # a row's r="12" has no letters
    _PREFIXED_CELL = re.compile(rb"<\w+:c[\s>/]")
    _PREFIXED_ROW = re.compile(rb"<\w+:row[\s>/]")
    _TAG = re.compile(rb"<[^>]*>")
    _TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)")

    def __init__(self, budget: Budget | None = None):
        self.cells: dict[int, list[tuple[int, tuple[str, str]]]] = {}   # row -> [(col, (reason, shown))]
        self.merges: list[tuple[int, int, int, int]] = []
        self.last_row: int | None = None
        self.budget = budget or Budget()
        self.cell_count = self.rows = self.cols = 0   # cells; the area they span: rows × columns
        self.prefixed: bool | None = None             # whether the XML's elements carry a namespace prefix

    def _whole(self, xml, end: bytes):
        """The XML in pieces that end with `end` (whole rows, whole strings), without holding more than
        ROW_BYTES (a row that long is no spreadsheet's; its long cells are named if there are any)."""
        buf = bytearray()
        while True:
            chunk = xml.read(_CHUNK)
            buf += chunk
            cut = buf.rfind(end) + len(end) if chunk else len(buf)
            if chunk and cut < len(end):
                if len(buf) > ROW_BYTES:
                    self._long_texts(bytes(buf), None)
                    raise OverBudget(_("文件中有一行的内容超过 %(size)s，不像正常的表格文件，已拒绝") % {
                        "size": _size(ROW_BYTES)})
                continue
            part = bytes(buf[:cut])
            del buf[:cut]
            yield part
            if not chunk:
                return

    def _long_texts(self, part: bytes, pieces) -> None:
        """Refuse a cell over the budget's characters; `pieces`: the texts to look at (None: every run
        between tags). Only runs longer in bytes than the limit can be: they are decoded and counted."""
        most = self.budget.max_cell_chars
        if len(part) <= most:
            return
        for piece in (part.split(b"<") if pieces is None else pieces):
            if len(piece) > most:
                text = self._TAG.sub(b"", b"<" + piece) if pieces is None else b"".join(self._TEXT.findall(piece))
                if len(text) > most and (chars := len(html.unescape(text.decode("utf-8", "replace")))) > most:
                    at = part.find(piece)
                    ref = max(((m.end(), m[1] + m[2]) for m in self._CELL_REF.finditer(part, 0, at)), default=(0, b""))[1]
                    raise _cell_too_long(chars, self.budget, ref.decode())

    def _measure(self, part: bytes) -> None:
        """Count the cells of whole rows and the area they span (what the readers allocate: a cell is
        placed where its reference says); refuse what is over the budget. A few byte counts and
        literal-led searches a MB: references are read only where they could widen the area."""
        budget = self.budget
        if self.prefixed is None:   # <x:c> with a namespace prefix: rare, so counted the slow way only then
            self.prefixed = re.search(rb"<\w+:(?:worksheet|sheetData)\b", part) is not None
        if self.prefixed:
            cells = len(self._PREFIXED_CELL.findall(part))
        else:
            cells = part.count(b"<c ") + part.count(b"<c>")
        self.cell_count += cells
        if self.cell_count > budget.max_cells:
            raise _too_many_cells(budget)
        if wide := set(re.findall(rb'r="([A-Z]{2,3})[0-9]', part)):
            self.cols = max(self.cols, max(map(_column_index, wide)) + 1)
        if self.cols < 26 and re.search(rb'r="[%c-Z][0-9]' % (65 + self.cols), part):
            self.cols = max(self.cols, max(map(_column_index, set(re.findall(rb'r="([A-Z])[0-9]', part)))) + 1)
        # Rows: the last cell's, unless some cell names a later row (only a crafted file does so).
        if (at := part.rfind(b' r="')) >= 0 and (m := self._CELL_REF.match(part, at)):
            self.rows = max(self.rows, int(m[2]))
        if re.search(rb'r="[A-Z]{1,3}(?:%s)"' % _greater(self.rows), part):
            self.rows = max(self.rows, max(int(r) for _c, r in self._CELL_REF.findall(part)))
        if cells > part.count(b'<c r="') and cells > part.count(b' r="') - part.count(b'<row r="'):
            # cells without a reference stand one after another, in rows that may have none either
            self.cols = max(self.cols, max(p.count(b"<c") for p in part.split(b"row>")))
            self.rows += part.count(b"<row ") + part.count(b"<row>") + len(self._PREFIXED_ROW.findall(part))
        if self.rows * self.cols > budget.max_cells:
            raise OverBudget(_("工作表的范围有 %(rows)s 行 × %(cols)s 列，超过导入上限 %(limit)s 个单元格；请删除多余的行和列，"
                               "或拆分为几个文件") % {"rows": self.rows, "cols": self.cols, "limit": budget.max_cells})
        if _long_run(part, budget.max_cell_chars):
            self._long_texts(part, None)

    def strings(self, xml) -> None:
        """The shared strings (where most cells' text is): each string's characters, against the budget."""
        for part in self._whole(xml, b"si>"):   # "</si>", or "</x:si>" with a namespace prefix
            pieces = part.split(b"si>")
            if len(part) > self.budget.max_cell_chars and max(map(len, pieces)) > self.budget.max_cell_chars:
                self._long_texts(part, pieces)

    def ods(self, xml) -> None:
        """An OpenDocument sheet: its area, with the repeated rows and cells the reader spells out."""
        budget, cell = self.budget, re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>")
        repeat = re.compile(rb'number-(?:rows|columns)-repeated="(\d+)"')
        rows = 0
        for part in self._whole(xml, b"</table:table-row>"):
            for piece in part.split(b"</table:table-row>"):
                if b"<table:table " in piece:
                    rows = 0   # the next sheet
                at = piece.rfind(b"<table:table-row")
                if at < 0:
                    continue
                head = piece[at:piece.find(b">", at) + 1]
                times = int(m[1]) if (m := repeat.search(head)) else 1
                width = filled = 0
                for m in cell.finditer(piece, at):
                    width += int(r[1]) if (r := repeat.search(m[1])) else 1
                    if not m[2] or b"value-type" in m[1]:   # a cell with something in it
                        filled = width
                rows += times
                if filled:
                    self.rows, self.cols = rows, max(self.cols, filled)
                    self.cell_count += filled * times
                if self.rows * self.cols > budget.max_cells or self.cell_count > budget.max_cells:
                    raise _too_many_cells(budget)
            if len(part) > budget.max_cell_chars and max(map(len, part.split(b"<"))) > budget.max_cell_chars:
                self._long_texts(part, None)

    def run(self, xml) -> None:
        for part in self._whole(xml, b"row>"):   # whole rows only
            self._measure(part)
            if (at := part.rfind(b'row r="')) >= 0 and (end := part.find(b'"', at + 7)) > 0:
                self.last_row = int(part[at + 7:end]) if part[at + 7:end].isdigit() else self.last_row
            if re.search(rb"<(?:\w+:)?f[\s>/]", part):
                for m in self._FORMULA.finditer(part):
                    if not self._VALUE.search(m[3]) and b't="str"' not in m[1]:   # "" is a fine text result
                        formula = "=" + html.unescape(m[2].decode("utf-8", "replace")) if m[2] else ""
                        self._add(m[1], _("公式没有计算结果，请在 Excel 中打开、保存后再导入"), formula)
            if b't="e"' in part:
                for m in self._ERROR.finditer(part):
                    value = self._VALUE.search(m[2])
                    shown = value[1].decode("utf-8", "replace") if value and value[1] else "#ERROR"
                    self._add(m[1], _("公式出错：%(value)s") % {"value": shown}, shown)
            if b"mergeCell" in part:
                self.merges += [(int(m[2]), _column_index(m[1]), int(m[4]), _column_index(m[3]))
                                for m in self._MERGE.finditer(part)]

    def _add(self, attrs: bytes, reason: str, shown: str) -> None:
        if ref := self._REF.search(attrs):
            self.cells.setdefault(int(ref[2]), []).append((_column_index(ref[1]), (reason, shown)))


# ---------------------------------------------------------------- writing

_RED = "FFFFC7CE"


def _cell(ws, value, **style):
    """A write-only cell whose text stays text: a name starting with '=' is not a formula, and
    control characters from a CSV (illegal in XML) or text past Excel's cell limit can't spoil the file."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:32767]
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if isinstance(value, (date, datetime)):
        cell.number_format = "yyyy-mm-dd"
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def write_table(out: BinaryIO, columns: Sequence[Column], rows: Iterable[dict], fmt: str) -> None:
    """Rows (key -> value) as a file in the import format, streamed: "xlsx" or "csv" (UTF-8 with BOM)."""
    columns = list(columns)
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        try:
            writer = csv.writer(text)
            writer.writerow([c.header for c in columns])
            for row in rows:
                writer.writerow([_defused(_text(row.get(c.key))) for c in columns])
        finally:
            text.flush()
            text.detach()
        return
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("数据")
    ws.append([c.header for c in columns])
    for row in rows:
        ws.append([_cell(ws, _value(row.get(c.key))) for c in columns])
    book.save(out)


_FORMULA_START = ("=", "+", "-", "@")


def _defused(text: str) -> str:
    """A CSV cell Excel would run as a formula gets a leading apostrophe (read back without it)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _text(value) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


def _value(value):
    return value if value is None or isinstance(value, (str, int, float, date)) else str(value)


def problem_report(out: BinaryIO, columns: Sequence[Column], rows_with_numbers: Iterable[tuple[int, dict]],
                   problems: Sequence[Problem]) -> None:
    """An .xlsx for the user to fix: the rows that have problems (pass all rows, the rest are skipped)
    with their cells marked red and the reason as a comment, and a "问题清单" sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    columns = list(columns)
    names = _lookup(columns)
    index = {c.key: i for i, c in enumerate(columns)}
    by_row: dict[int, dict[int, list[Problem]]] = {}
    for p in problems:
        if p.row is not None:
            col = names.get(_canon(p.column)) if p.column else None
            by_row.setdefault(p.row, {}).setdefault(index[col.key] + 1 if col else 0, []).append(p)
    fill, bold = PatternFill("solid", start_color=_RED, end_color=_RED), Font(bold=True)
    book = Workbook(write_only=True)
    ws = book.create_sheet("有问题的行")
    ws.append([_cell(ws, h, font=bold) for h in ["原行号", *[c.header for c in columns]]])
    for number, row in rows_with_numbers:
        marks = by_row.get(number)
        if not marks:
            continue
        values = [number] + [_value(row.get(c.key)) for c in columns]
        for i, found in marks.items():   # a bad cell reads back as None: show what the file had
            if i and values[i] in (None, "") and found[0].value:
                values[i] = found[0].value
        cells = [_cell(ws, v) for v in values]
        for i, found in marks.items():
            cells[i].fill = fill
            cells[i].comment = Comment("\n".join(p.reason for p in found), "jiceng",
                                       width=300, height=30 + 20 * len(found))
        ws.append(cells)
    sheet = book.create_sheet("问题清单")
    sheet.append([_cell(sheet, h, font=bold) for h in ("行", "列", "值", "原因")])
    for p in problems:
        sheet.append([_cell(sheet, v) for v in (p.row, p.column, p.value, p.reason)])
    book.save(out)


TEMPLATE_ROWS = 2000  # rows of a template whose text columns are formatted cell by cell


def template(out: BinaryIO, columns: Sequence[Column], example: dict, title: str) -> None:
    """An .xlsx to fill in: "数据" with the headers, drop-downs and cell formats, and "填写说明"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = list(columns)
    book = Workbook()
    data = book.active
    data.title = "数据"
    data.freeze_panes = "A2"
    guide = book.create_sheet("填写说明")
    lists, lists_col = None, 0
    for n, col in enumerate(columns, 1):
        letter = get_column_letter(n)
        cell = data.cell(1, n, col.header)
        cell.font = Font(bold=True, color="FFC00000") if col.required else Font(bold=True)
        dim = data.column_dimensions[letter]
        sample = example.get(col.key)
        dim.width = max(12, 2.2 * len(col.header) + 2, 1.2 * len(str(sample or "")) + 2)
        # Column formats apply to what the user types: text keeps ID numbers from turning into 1.1E+17 (and
        # 001 from losing its zeros). Excel takes a new cell's format from its column; WPS and LibreOffice
        # may not, and a pasted value brings its own: so the first rows' cells are text cells themselves.
        dim.number_format = "yyyy-mm-dd" if col.type == "date" else "@" if col.type == "text" else "General"
        if col.type == "text":
            for r in range(2, TEMPLATE_ROWS + 2):
                data.cell(r, n).number_format = "@"
        if col.type == "choice" and col.choices:
            inline = ",".join(col.choices)
            if len(inline) <= 255 and not any("," in c or '"' in c for c in col.choices):
                formula = f'"{inline}"'
            else:   # Excel caps an inline list at 255 characters: long lists live on a hidden sheet
                if lists is None:
                    lists = book.create_sheet("选项")
                    lists.sheet_state = "hidden"
                lists_col += 1
                for r, choice in enumerate(col.choices, 1):
                    lists.cell(r, lists_col, choice)
                lc = get_column_letter(lists_col)
                formula = f"{quote_sheetname(lists.title)}!${lc}$1:${lc}${len(col.choices)}"
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                error=_("请从下拉列表中选择"), errorTitle=col.header)
            dv.add(f"{letter}2:{letter}1048576")
            data.add_data_validation(dv)
    guide.append([title])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append([_("第一行是表头，列的顺序可以调整；红色表头为必填列。日期可写成 2018-01-05、2018/1/5、2018年1月5日。")])
    guide.append([])
    guide.append(["表头", "英文键", "必填", "填写规则", "示例"])
    for cell in guide[4]:
        cell.font = Font(bold=True)
    for col in columns:
        rule = col.help or {"date": _("日期，如 2018-01-05")}.get(col.type, "")
        if col.type == "choice" and col.choices:
            rule = (rule + "；" if rule else "") + _("可选：") + "、".join(col.choices)
        sample = example.get(col.key)
        guide.append([col.header, col.key, "是" if col.required else "否", rule,
                      sample.isoformat() if isinstance(sample, date) else sample])
    for letter, width in zip("ABCDE", (18, 16, 6, 60, 24)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=5, min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    book.save(out)
