"""The import file layer (jiceng.core.tabular) against real generated CSV and Excel files."""
import csv
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import tabular
from jiceng.core.tabular import Column, Problem, normalize, parse_date, problem_report, read_table, template, write_table

SEXES = ("男", "女")
TITLES = ("正高级", "副高级", "中级", "初级", "无")
COLUMNS = [
    Column("name", "姓名", required=True),
    Column("sex", "性别", type="choice", choices=SEXES),
    Column("birth_date", "出生日期", type="date", aliases=("生日",)),
    Column("id_number", "身份证号"),
    Column("phone", "手机号"),
    Column("title_level", "职称", type="choice", choices=TITLES),
    Column("org_code", "所在组织编码", required=True),
    Column("joined_on", "入党(会/社)日期", type="date"),
]
HEADERS = [c.header for c in COLUMNS]
ID = "110105194912310021"


# ---------------------------------------------------------------- helpers

def csv_bytes(rows, encoding="utf-8", bom=False) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding)


def read(data: bytes, name="members.csv", columns=COLUMNS):
    table = read_table(io.BytesIO(data), name, columns)
    return table, list(table.rows())


def xlsx(path, rows, setup=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if setup:
        setup(sheet)
    book.save(path)
    return path


EMPTY_V = r"(?:<v\s*/>|<v>\s*</v>)"  # openpyxl writes <v/> with its own writer, <v></v> when lxml is installed


def with_cached_values(path, values: dict[str, str], errors=()):
    """openpyxl writes formulas without results; put in the cached values Excel would have saved."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for ref, value in values.items():
                    data, n = re.subn(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>){EMPTY_V}'.encode(),
                                      rf"\1\2<v>{value}</v>".encode(), data)
                    assert n == 1, ref
                for ref in errors:
                    data, n = re.subn(rf'<c r="{ref}"([^>]*)>(<f>[^<]*</f>){EMPTY_V}'.encode(),
                                      rf'<c r="{ref}" t="e"\1>\2<v>#DIV/0!</v>'.encode(), data)
                    assert n == 1, ref
            target.writestr(item, data)
    path.write_bytes(out.getvalue())
    return path


def problems_at(problems, row):
    return {p.column: p for p in problems if p.row == row}


def member_row(i: int) -> list[str]:
    return [f"张三{i}", "男", "1985-05-01", ID, "13800138000", "中级", f"ORG{i % 50}", "2009-01-01"]


# ---------------------------------------------------------------- cells and dates

def test_normalize():
    assert normalize("  张　三 \t ") == "张 三"
    assert normalize("ＯＲＧ０１（筹），Ａ") == "ORG01(筹),A"
    assert normalize("11010519\u200b4912310021") == "110105194912310021"
    assert normalize(13800138000.0) == "13800138000"
    assert normalize(1.5) == "1.5" and normalize(0.1 + 0.2) == "0.3"
    assert normalize(7) == "7" and normalize(True) == "TRUE" and normalize(None) == ""
    assert normalize(datetime(2018, 1, 5)) == "2018-01-05" and normalize(date(2018, 1, 5)) == "2018-01-05"
    assert normalize("无") == "无" and normalize("-") == "-"   # words, not blanks


@pytest.mark.parametrize("spelling", ["2018-01-05", "2018/1/5", "2018.1.5", "2018年1月5日", "2018 年 1 月 5 日",
                                      "20180105", "43105", "43105.0", "２０１８－０１－０５", "2018-01-05 00:00:00",
                                      "2018/01/05 13:45", 43105, 43105.5, 20180105, datetime(2018, 1, 5, 10)])
def test_date_spellings(spelling):
    assert parse_date(spelling) == date(2018, 1, 5)


@pytest.mark.parametrize("bad, says", [("2018-02-30", "2018-02-30"), ("2018年13月1日", "不存在"), ("1990", "只有年份"),
                                       (1990, "只有年份"), ("2018-01", "无法识别"), ("明天", "无法识别"), ("", "为空"),
                                       (60, "不存在"), (float("nan"), "无法识别"), (float("inf"), "无法识别"),
                                       ("2018-1/5", "无法识别"), (True, "无法识别"), (-3, "无法识别"),
                                       (10**400, "无法识别"), ("2018-W01-1", "无法识别")])
def test_impossible_and_unreadable_dates(bad, says):
    with pytest.raises(ValueError, match=says):
        parse_date(bad)


def test_excel_serials_follow_the_1900_system():
    assert parse_date(1) == date(1900, 1, 1)
    assert parse_date(59) == date(1900, 2, 28)
    assert parse_date(61) == date(1900, 3, 1)


SPELLINGS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month:02}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year:04}{d.month:02}{d.day:02}",
    lambda d: d.isoformat().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}),   # full-width
    lambda d: datetime(d.year, d.month, d.day, 8, 30),
    lambda d: d,
]


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)), st.sampled_from(SPELLINGS))
def test_any_accepted_spelling_parses_back(day, spell):
    assert parse_date(spell(day)) == day


@given(st.dates(min_value=date(1927, 5, 18), max_value=date(2099, 12, 31)))
def test_excel_serials_parse_back(day):
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(serial) == parse_date(float(serial)) == parse_date(str(serial)) == day


@given(st.one_of(st.text(), st.text(alphabet="0123456789-/.年月日 ：:T０１２"), st.integers(), st.floats(),
                 st.booleans(), st.none()))
def test_random_values_only_ever_raise_value_error(value):
    try:
        assert isinstance(parse_date(value), date)
    except ValueError as e:
        assert str(e)


# ---------------------------------------------------------------- CSV

@pytest.mark.parametrize("encoding, bom, expected", [("utf-8", False, "utf-8-sig"), ("utf-8", True, "utf-8-sig"),
                                                     ("gb18030", False, "gb18030"), ("gbk", False, "gb18030")])
def test_csv_encodings(encoding, bom, expected):
    table, rows = read(csv_bytes([HEADERS, member_row(1), ["李四", "女", "1990/3/4", "", "", "无", "ORG2", ""]],
                                 encoding, bom))
    assert not table.fatal and table.problems == [] and table.encoding == expected
    assert table.columns == {c.key: c.header for c in COLUMNS}
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].values == {"name": "张三1", "sex": "男", "birth_date": date(1985, 5, 1), "id_number": ID,
                              "phone": "13800138000", "title_level": "中级", "org_code": "ORG1",
                              "joined_on": date(2009, 1, 1)}
    assert rows[1].values["birth_date"] == date(1990, 3, 4) and rows[1].values["title_level"] == "无"
    assert rows[1].values["id_number"] is None and rows[1].bad == ()
    assert table.row_problems == []


def test_undecodable_csv_is_fatal_with_the_place_of_the_first_bad_byte():
    data = csv_bytes([HEADERS, member_row(1)])
    bad = data + "王五,男".encode() + b"\xff\xfe" + b",x\n"
    table, rows = read(bad)
    assert table.fatal and rows == []
    [problem] = table.problems
    assert problem.row is None and "第 3 行" in problem.reason and f"第 {len(data) + 10} 字节" in problem.reason
    assert problem.value.startswith("ff fe")


def test_headers_with_typos_english_keys_aliases_and_marks():
    header = ["姓名*", "身分证号", "出生日其", "ORG code", "Phone", "职 称（必填）", "生日", "备注", "Sex "]
    table, rows = read(csv_bytes([header, ["张三", ID, "1985-05-01", "O1", "138", "中级", "1985-05-01", "x", "男"]]))
    assert table.columns == {"name": "姓名*", "org_code": "ORG code", "phone": "Phone", "title_level": "职 称(必填)",
                             "birth_date": "生日", "sex": "Sex"}
    found = problems_at(table.problems, 1)
    assert found["身分证号"].reason == "未知的列，已忽略；是不是“身份证号”？" and not found["身分证号"].blocking
    # 出生日期 is there under its alias 生日, so the typo is suggested the nearest column still missing
    assert "已忽略" in found["出生日其"].reason and "出生日期" not in found["出生日其"].reason
    assert found["备注"].reason == "未知的列，已忽略"
    assert rows[0].values == {"name": "张三", "birth_date": date(1985, 5, 1), "org_code": "O1", "phone": "138",
                              "title_level": "中级", "sex": "男"}


def test_missing_required_and_duplicate_columns():
    table, rows = read(csv_bytes([["姓名", "出生日期", "birth_date"], ["张三", "1985-05-01", "1999-01-01"]]))
    found = problems_at(table.problems, 1)
    assert found["所在组织编码"].reason == "缺少必填的列“所在组织编码”" and found["所在组织编码"].blocking
    assert found["birth_date"].reason == "与第 2 列“出生日期”重复" and found["birth_date"].blocking
    assert rows[0].values == {"name": "张三", "birth_date": date(1985, 5, 1)}   # the first of the two counts


def test_typos_are_suggested():
    table, _rows = read(csv_bytes([["姓名", "所在组织编码", "出生日其", "入党日期"], ["a", "b", "", ""]]))
    reasons = {p.column: p.reason for p in table.problems}
    assert reasons["出生日其"].endswith("是不是“出生日期”？")
    assert reasons["入党日期"].endswith("是不是“入党(会/社)日期”？")


def test_cells_are_normalized_and_checked():
    table, rows = read(csv_bytes([
        HEADERS,
        ["  张　三 ", "男", "２０１８年１月５日", "１１０１０５１９４９１２３１００２１", " 138 0013 8000", "中级", "ＯＲＧ１", ""],
        ["李四", "M", "2018-02-30", "1.10105E+17", "", "教授", "", "明天"],
    ]))
    first, second = rows
    assert first.values == {"name": "张 三", "sex": "男", "birth_date": date(2018, 1, 5), "id_number": ID,
                            "phone": "138 0013 8000", "title_level": "中级", "org_code": "ORG1", "joined_on": None}
    found = problems_at(table.row_problems, 3)
    assert set(found) == {"性别", "出生日期", "身份证号", "职称", "所在组织编码", "入党(会/社)日期"}
    assert found["出生日期"].reason == "日期“2018-02-30”不存在" and found["出生日期"].value == "2018-02-30"
    assert found["性别"].reason == "“M”不在可选范围内（男、女）"
    assert found["身份证号"].reason == "数字过长已被 Excel 截断，请将该列设为文本格式"
    assert found["所在组织编码"].reason == "必填项为空"
    assert set(second.bad) == {"sex", "birth_date", "id_number", "title_level", "org_code", "joined_on"}
    assert all(second.values[k] is None for k in second.bad) and second.values["name"] == "李四"


def test_reasons_are_in_the_active_language(monkeypatch):
    monkeypatch.setattr(tabular, "gettext", lambda msgid: {"必填项为空": "required cell is blank",
                                                           "日期“%(value)s”不存在": "no such date: %(value)s"}.get(msgid, msgid))
    table, _rows = read(csv_bytes([["姓名", "出生日期", "所在组织编码"], ["", "2018-02-30", "O1"]]))
    assert [p.reason for p in table.row_problems] == ["required cell is blank", "no such date: 2018-02-30"]
    with pytest.raises(ValueError, match="no such date: 2018-02-30"):
        parse_date("2018-02-30")


def test_choices_ignore_case_and_width():
    cols = [Column("profile", "所属体系", type="choice", choices=("ccp", "mjin"))]
    _table, rows = read(csv_bytes([["所属体系"], ["CCP"], ["ｍｊｉｎ"]]), columns=cols)
    assert [r.values["profile"] for r in rows] == ["ccp", "mjin"]


def test_blank_rows_are_skipped_and_numbers_kept():
    data = csv_bytes([HEADERS, member_row(1), [], [""] * 8, ["  ", "　"] + [""] * 6, member_row(5)])
    table, rows = read(data + b"\r\n\r\n")
    assert [r.number for r in rows] == [2, 6] and table.row_problems == []


def test_title_rows_above_the_header():
    table, rows = read(csv_bytes([["2023年党员名册", "", ""], [], HEADERS, member_row(1)]))
    assert table.header_row == 3 and table.problems == [] and [r.number for r in rows] == [4]


def test_a_stray_quote_is_a_row_problem_with_the_line_number():
    lines = [",".join(HEADERS), ",".join(member_row(1)), '王五,男,"1985-05-01,' + ID + ",,中级,O1,",
             ",".join(member_row(3)), ",".join(member_row(4)), '赵六",男,,,,,O5,', ",".join(member_row(6))]
    table, rows = read(("\n".join(lines) + "\n").encode())
    assert not table.fatal
    # the quote opened on line 3 closes on line 6: one bad record, as Excel would read it too
    [problem] = table.row_problems
    assert problem.row == 3 and "文件第 3–6 行" in problem.reason and "引号不成对" in problem.reason
    assert [(r.number, r.values["name"]) for r in rows] == [(2, "张三1"), (4, "张三6")]


def test_a_quote_never_closed_and_quotes_inside_fields():
    lines = [",".join(HEADERS), 'x"y,男,,,,,O1,', '"王五,男,,,,,O2,', ",".join(member_row(3)), ",".join(member_row(4))]
    table, rows = read(("\n".join(lines) + "\n").encode())
    assert [(r.number, r.values["name"]) for r in rows] == [(2, 'x"y')]   # a quote inside a field is a character
    [problem] = table.row_problems
    assert problem.row == 3 and "文件第 3–5 行" in problem.reason


def test_field_count_mismatch_and_trailing_commas():
    data = "\n".join([",".join(HEADERS), ",".join(member_row(1)) + ",,", "张三,男", ",".join(member_row(4) + ["x"])])
    table, rows = read(data.encode())
    assert [r.number for r in rows] == [2]
    found = {p.row: p.reason for p in table.row_problems}
    assert set(found) == {3, 4} and "有 2 个字段，表头有 8 个（文件第 3 行）" in found[3]


def test_very_long_fields_and_multiline_cells(settings):
    settings.JICENG_IMPORT_MAX_CELL_CHARS = 400_000  # past csv's own field limit, within the import budget
    long = "长" * 300_000
    table, rows = read(csv_bytes([HEADERS, [long, "男", "", "", "", "", "O1", ""],
                                  ["张\n三", "女", "", "", "", "", "O2", ""], member_row(4)]))
    assert [r.values["name"] for r in rows] == [long, "张 三", "张三4"] and [r.number for r in rows] == [2, 3, 4]
    assert table.row_problems == []


def test_unnamed_columns_with_data_are_reported_once():
    table, rows = read(csv_bytes([["姓名", "", "所在组织编码"], ["a", "x", "O1"], ["b", "y", "O2"]]))
    [problem] = table.row_problems
    assert problem.row == 2 and not problem.blocking and "第 2 列没有表头" in problem.reason
    assert len(rows) == 2


def test_tab_separated_text():
    table, rows = read("\n".join(["\t".join(HEADERS), "\t".join(member_row(1))]).encode(), "members.txt")
    assert table.problems == [] and rows[0].values["org_code"] == "ORG1"


@pytest.mark.parametrize("name, data, says", [
    ("a.csv", b"", "文件是空的"),
    ("a.csv", b"\xef\xbb\xbf", "没有表头"),
    ("a.csv", b"\n\n,,\n", "没有表头"),
    ("a.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "不是 CSV 或 Excel"),
    ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是 CSV 或 Excel"),
    ("a.csv", "姓名,x\n".encode("utf-16"), "UTF-16"),
    ("a.csv", b"abc\x00def\n", "不是 CSV 或 Excel"),
    ("a.xlsx", "姓名,所在组织编码\n".encode(), "不是 Excel 工作簿"),
    ("a.xlsx", b"PK\x03\x04garbage" * 10, "已损坏"),
    ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "无法打开"),
])
def test_unreadable_files_are_fatal_not_exceptions(name, data, says):
    table, rows = read(data, name)
    assert table.fatal and rows == []
    [problem] = table.problems
    assert problem.row is None and problem.column == "" and says in problem.reason


def test_a_word_document_renamed_xlsx(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    table = read_table(path, "a.xlsx", COLUMNS)
    assert table.fatal and "不是 CSV 或 Excel" in table.problems[0].reason


def test_truncated_xlsx(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [HEADERS, member_row(1)])
    data = path.read_bytes()
    table, rows = read(data[: len(data) // 2], "a.xlsx")
    assert table.fatal and rows == [] and "已损坏" in table.problems[0].reason


@pytest.mark.parametrize("sheet", [b"", b"<a", b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><f>1+"])
def test_xlsx_with_a_broken_sheet(tmp_path, sheet):
    source = xlsx(tmp_path / "a.xlsx", [HEADERS, member_row(1)])
    broken = tmp_path / "b.xlsx"
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(broken, "w") as out:
        for item in z.infolist():
            out.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else z.read(item))
    table = read_table(broken, "b.xlsx", COLUMNS)
    assert table.fatal and list(table.rows()) == [] and table.problems[0].row is None


def test_sources_paths_streams_and_uploads(tmp_path):
    data = csv_bytes([HEADERS, member_row(1)], "gb18030")
    path = tmp_path / "m.csv"
    path.write_bytes(data)

    class Pipe(io.RawIOBase):   # a stream that cannot seek, like a socket
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buf):
            chunk = self.inner.read(len(buf))
            buf[:len(chunk)] = chunk
            return len(chunk)

    upload = SimpleUploadedFile("m.csv", data)
    for source in (path, str(path), io.BytesIO(data), Pipe(), upload):
        table = read_table(source, "m.csv", COLUMNS)
        assert [r.values["name"] for r in table.rows()] == ["张三1"], source
        assert [r.number for r in table.rows()] == [2]   # rows() starts over
    assert not upload.closed


def test_big_csv_streams(tmp_path):
    """~30 MB: read fully, every row counted and every date parsed."""
    path = tmp_path / "big.csv"
    line = ("张三{0},男,1985-05-{1:02},{2},1380013{0:04},中级,ORG{3},2009-01-{1:02},"
            "某某市某某区人民政府办公室科员,2018-01-05 在某某街道社区报到 参加志愿服务活动 表现良好\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(HEADERS + ["工作单位", "备注"]) + "\n")
        for chunk in range(15):
            f.write("".join(line.format(i, i % 28 + 1, ID, i % 500) for i in range(chunk * 10_000, chunk * 10_000 + 10_000)))
    assert path.stat().st_size > 30_000_000
    table = read_table(path, "big.csv", COLUMNS)
    count = sum(1 for row in table.rows() if row.values["joined_on"].year == 2009)
    assert count == 150_000 and table.row_problems == [] and table.size_hint == 150_000


# ---------------------------------------------------------------- Excel

def test_xlsx_types_merges_and_row_numbers(tmp_path):
    def setup(sheet):
        sheet.insert_rows(1, 2)   # a title and a blank row above the header
        sheet["A1"] = "2023 年名册"
        sheet.merge_cells("A1:H1")
        sheet.merge_cells("G4:G6")   # one organization for three members
        sheet["D5"].number_format = "@"
    rows = [HEADERS,
            ["张三", "男", date(1985, 5, 1), int(ID), 13800138000, "中级", "ORG1", datetime(2009, 1, 1)],
            ["李四", "女", "1990/3/4", ID, 13800138001.0, "无", None, 40000],
            ["王五", "女", 32874, "", "", "", None, "2009年1月1日"],
            [None] * 8,
            ["赵六", "男", None, None, None, None, "ORG2", None]]
    path = xlsx(tmp_path / "m.xlsx", rows, setup)
    table = read_table(path, "m.xlsx", COLUMNS)
    assert table.format == "xlsx" and table.header_row == 3 and table.problems == [] and table.size_hint == 5
    got = list(table.rows())
    assert [r.number for r in got] == [4, 5, 6, 8]
    assert got[0].values["org_code"] == got[1].values["org_code"] == got[2].values["org_code"] == "ORG1"
    assert got[0].values["birth_date"] == date(1985, 5, 1) and got[0].values["joined_on"] == date(2009, 1, 1)
    assert got[0].values["phone"] == "13800138000" and got[1].values["phone"] == "13800138001"
    assert got[1].values["id_number"] == ID and got[1].values["joined_on"] == date(2009, 7, 6)
    assert got[2].values["birth_date"] == date(1990, 1, 1) and got[2].values["joined_on"] == date(2009, 1, 1)
    assert got[3].values["org_code"] == "ORG2"
    # the ID typed as a number has lost its last digits: say so, keep nothing
    [problem] = table.row_problems
    assert (problem.row, problem.column, problem.reason) == (4, "身份证号", "数字过长已被 Excel 截断，请将该列设为文本格式")
    assert problem.value.startswith("1101051949123") and got[0].values["id_number"] is None
    assert got[0].bad == ("id_number",)


def test_xlsx_formulas_with_and_without_cached_values(tmp_path):
    rows = [HEADERS + ["备注"],
            ["张三", "男", "=DATE(1985,5,1)", "", "", "中级", '="ORG"&"1"', "", "=1/0"],
            ["李四", "女", "=DATE(1990,1,1)", "", "", "中级", "ORG2", "", ""],
            ["王五", "女", "", "", "", "中级", "=1/0", "", ""]]
    path = with_cached_values(xlsx(tmp_path / "f.xlsx", rows), {"C2": "31168", "G2": "ORG1"}, errors=["G4", "I2"])
    table = read_table(path, "f.xlsx", COLUMNS)
    got = list(table.rows())
    assert got[0].values["birth_date"] == date(1985, 5, 1) and got[0].values["org_code"] == "ORG1"
    found = {(p.row, p.column): p for p in table.row_problems}
    assert set(found) == {(3, "出生日期"), (4, "所在组织编码")}   # I2 is in an ignored column
    assert found[3, "出生日期"].reason.startswith("公式没有计算结果") and found[3, "出生日期"].value == "=DATE(1990,1,1)"
    assert found[4, "所在组织编码"].reason == "公式出错：#DIV/0!"
    assert got[1].bad == ("birth_date",) and got[2].bad == ("org_code",)   # not also "必填项为空"


def test_xlsx_first_visible_sheet_and_offset_columns(tmp_path):
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "选项"
    hidden.sheet_state = "hidden"
    hidden.append(["nothing"])
    data = book.create_sheet("名册")
    for r, row in enumerate([HEADERS, member_row(1)], 4):
        for c, value in enumerate(row, 3):   # starts at C4
            data.cell(r, c, value)
    book.save(tmp_path / "o.xlsx")
    table = read_table(tmp_path / "o.xlsx", "o.xlsx", COLUMNS)
    assert table.header_row == 4 and table.problems == []
    [row] = table.rows()
    assert row.number == 5 and row.values["name"] == "张三1" and row.values["birth_date"] == date(1985, 5, 1)


def test_the_streaming_fallback_reads_the_same(tmp_path, monkeypatch):
    def setup(sheet):
        sheet.merge_cells("G2:G3")
    rows = [HEADERS, ["张三", "男", date(1985, 5, 1), ID, 13800138000, "中级", "ORG1", "=1+1"],
            ["李四", "女", "1990/3/4", int(ID), "", "无", None, ""], [None] * 8,
            ["王五", "女", 32874, "", "", "X", "ORG3", ""]]
    path = with_cached_values(xlsx(tmp_path / "s.xlsx", rows, setup), {}, errors=[])
    fast = read_table(path, "s.xlsx", COLUMNS)
    fast_rows = [(r.number, r.values, r.bad) for r in fast.rows()]
    monkeypatch.setattr(tabular, "CALAMINE_MAX_XML_BYTES", 0)
    slow = read_table(path, "s.xlsx", COLUMNS)
    slow_rows = [(r.number, r.values, r.bad) for r in slow.rows()]
    assert slow_rows == fast_rows and slow.row_problems == fast.row_problems and slow.problems == fast.problems
    assert [n for n, _v, _b in slow_rows] == [2, 3, 5] and slow_rows[1][1]["org_code"] == "ORG1"
    assert {(p.row, p.column) for p in slow.row_problems} == {(2, "入党(会/社)日期"), (3, "身份证号"), (5, "职称")}


# ---------------------------------------------------------------- any rows, either format

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(" \t\n\u3000ＡＢ１２（），"),
               max_size=12)
CELL_DATES = st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1))
FUZZ = [Column("a", "甲"), Column("b", "乙", type="date"), Column("c", "丙", type="choice", choices=TITLES),
        Column("d", "丁", required=True)]


def fuzz_rows(with_numbers: bool):
    # numbers as a person types them (up to 13 digits, some decimals): those survive any xlsx writer exactly
    typed = st.builds(lambda i, k: i / 10**k, st.integers(-10**12, 10**12), st.integers(0, 4))
    text = TEXT | st.integers(-10**17, 10**17) | typed if with_numbers else TEXT
    day = CELL_DATES.flatmap(lambda d: st.sampled_from([d, *[s(d) for s in SPELLINGS[:5]]])) | TEXT
    return st.lists(st.fixed_dictionaries({"a": text, "b": day, "c": st.sampled_from(TITLES) | TEXT, "d": text}),
                    max_size=8)


def check_read_back(table, written):
    """Every value is what was written (after normalize), or there is a problem for that cell."""
    assert not table.fatal and table.problems == []
    got = {row.number: row for row in table.rows()}
    problems = {(p.row, p.column) for p in table.row_problems}
    for number, row in enumerate(written, 2):
        if all(normalize(v) == "" for v in row.values()):
            assert number not in got
            continue
        values = got[number].values
        for col in FUZZ:
            raw = row[col.key]
            if (number, col.header) in problems:
                assert values[col.key] is None and col.key in got[number].bad
                continue
            text = normalize(raw)
            if col.type == "date" and text:
                assert values[col.key] == parse_date(raw)
            elif col.type == "choice" and text:
                assert values[col.key] in TITLES and normalize(values[col.key]).casefold() == text.casefold()
            else:
                assert values[col.key] == (text or None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzz_rows(False), st.sampled_from([("utf-8", False), ("utf-8", True), ("gb18030", False)]))
def test_any_rows_through_csv(written, encoding):
    rows = [[c.header for c in FUZZ]] + [[r[c.key] if not isinstance(r[c.key], date) else r[c.key].isoformat()
                                          for c in FUZZ] for r in written]
    try:
        data = csv_bytes(rows, *encoding)
    except UnicodeEncodeError:   # GB18030 encodes all of Unicode, but be safe
        return
    table = read_table(io.BytesIO(data), "f.csv", FUZZ)
    check_read_back(table, [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()} for r in written])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzz_rows(True))
def test_any_rows_through_xlsx(written):
    out = io.BytesIO()
    write_table(out, FUZZ, written, "xlsx")
    table = read_table(io.BytesIO(out.getvalue()), "f.xlsx", FUZZ)
    check_read_back(table, written)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["a.csv", "a.xlsx", "a.txt"]))
def test_random_bytes_never_raise(data, name):
    table = read_table(io.BytesIO(data), name, FUZZ)
    rows = list(table.rows())
    # either unreadable, with exactly one file-level problem, or read with a header
    assert table.fatal == any(p.row is None for p in table.problems)
    if table.fatal:
        assert len(table.problems) == 1 and rows == [] and table.problems[0].reason
    else:
        assert table.header_row >= 1 and all(r.number > table.header_row for r in rows)


def _sample_xlsx() -> bytes:
    out = io.BytesIO()
    write_table(out, FUZZ, [{"a": "x", "b": date(2020, 1, 1), "c": "无", "d": "y"}], "xlsx")
    return out.getvalue()


SAMPLE_XLSX = _sample_xlsx()  # written once: a file carries the time it was written, so each example damages the same bytes


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.integers(0, 5000))
def test_damaged_xlsx_never_raises(junk, at):
    data = SAMPLE_XLSX
    at %= len(data)
    table = read_table(io.BytesIO(data[:at] + junk + data[at + len(junk):]), "a.xlsx", FUZZ)
    rows = list(table.rows())
    # unreadable (said so), or over the read budget because the damage inflated a declared size (said so)
    refused = table.fatal and rows == [] and any(w in table.problems[0].reason for w in ("Excel", "上限"))
    assert refused or table.format == "xlsx"


# ---------------------------------------------------------------- writing

def test_reports_survive_control_characters_and_huge_cells():
    rows = [{"name": "a\x01b", "org_code": "x" * 40_000}]
    out = io.BytesIO()
    problem_report(out, COLUMNS, enumerate(rows, 2), [Problem(2, "姓名", "a\x01b", "坏")])
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert sheet["B2"].value == "a\ufffdb" and len(sheet["H2"].value) == 32767


def test_write_table_round_trips(tmp_path):
    rows = [{"name": "=张三", "sex": "男", "birth_date": date(1985, 5, 1), "id_number": ID, "org_code": "O1"},
            {"name": "李四", "title_level": "无", "org_code": "O2", "joined_on": date(2009, 1, 1)}]
    for fmt in ("xlsx", "csv"):
        out = io.BytesIO()
        write_table(out, COLUMNS, rows, fmt)
        data = out.getvalue()
        assert data.startswith(b"\xef\xbb\xbf" if fmt == "csv" else b"PK")
        table, got = read(data, f"out.{fmt}")
        assert table.problems == [] and table.row_problems == []
        assert [{k: v for k, v in r.values.items() if v is not None} for r in got] == rows
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(rows))).active
    assert sheet["A2"].data_type == "s" and sheet["C2"].number_format == "yyyy-mm-dd"


def write_xlsx(rows):
    out = io.BytesIO()
    write_table(out, COLUMNS, rows, "xlsx")
    return out.getvalue()


def test_problem_report(tmp_path):
    table, rows = read(csv_bytes([
        ["姓名", "性别", "出生日期", "所在组织编码", "phone", "备注"],
        ["张三", "男", "1985-05-01", "O1", "1", ""],
        ["李四", "M", "2018-02-30", "O2", "2", ""],
        ["王五", "女", "1990-01-01", "", "3", ""],
    ]))
    problems = table.problems + table.row_problems
    assert len(problems) == 4   # 备注 unknown, 性别 and 出生日期 on row 3, 所在组织编码 empty on row 4
    out = io.BytesIO()
    raw = csv.DictReader(io.StringIO("name,sex,birth_date,org_code,phone\n张三,男,1985-05-01,O1,1\n"
                                     "李四,M,2018-02-30,O2,2\n王五,女,1990-01-01,,3\n"))
    problem_report(out, COLUMNS, enumerate(raw, 2), problems)
    again = io.BytesIO()   # the rows as read back, where bad cells are None: the report shows the file's value
    problem_report(again, COLUMNS, [(r.number, r.values) for r in rows], problems)
    assert openpyxl.load_workbook(again).worksheets[0].cell(2, 4).value == "2018-02-30"
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    marked, listing = book.worksheets
    assert listing.title == "问题清单"
    assert [c.value for c in marked[1]] == ["原行号", *HEADERS]
    assert [marked.cell(r, 1).value for r in range(2, marked.max_row + 1)] == [3, 4]   # only rows with problems
    red = {(c.row, c.column) for row in marked.iter_rows(min_row=2) for c in row if c.fill.fgColor.rgb == "FFFFC7CE"}
    assert red == {(2, 3), (2, 4), (3, 8)}
    assert marked.cell(2, 3).value == "M" and marked.cell(2, 3).comment.text == "“M”不在可选范围内（男、女）"
    assert marked.cell(2, 4).comment.text == "日期“2018-02-30”不存在"
    assert marked.cell(3, 8).comment.text == "必填项为空"
    assert marked.cell(2, 2).comment is None
    assert [tuple(c.value for c in row) for row in listing.iter_rows()] == [
        ("行", "列", "值", "原因"), *[(p.row, p.column, p.value or None, p.reason) for p in problems]]


def test_problem_report_marks_whole_row_problems_on_the_row_number():
    out = io.BytesIO()
    problem = Problem(7, "", "a,b", "这一行有 2 个字段，表头有 8 个")
    problem_report(out, COLUMNS, [(7, {"name": "a"})], [problem])
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert sheet["A2"].value == 7 and sheet["A2"].comment.text == problem.reason and sheet["B2"].comment is None


def test_template():
    many = tuple(f"第{i}类职业名称" for i in range(60))
    columns = COLUMNS + [Column("occupation", "职业类别", type="choice", choices=many, help="国家职业分类大类")]
    out = io.BytesIO()
    template(out, columns, {"name": "张三", "birth_date": date(1985, 5, 1), "sex": "男"}, "成员导入模板")
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames[:2] == ["数据", "填写说明"]
    data, guide = book["数据"], book["填写说明"]
    assert [c.value for c in data[1]] == [c.header for c in columns]
    assert data["A1"].font.b and data["A1"].font.color.rgb == "FFC00000"      # 姓名 is required
    assert data["B1"].font.b and data["B1"].font.color is None                # 性别 is not
    validations = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    assert validations["B2:B1048576"] == '"男,女"' and validations["F2:F1048576"] == '"正高级,副高级,中级,初级,无"'
    lists = book["选项"]
    assert lists.sheet_state == "hidden" and validations["I2:I1048576"] == "'选项'!$A$1:$A$60"
    assert [lists.cell(r, 1).value for r in range(1, 61)] == list(many)
    assert data.column_dimensions["C"].number_format == "yyyy-mm-dd"
    assert data.column_dimensions["D"].number_format == "@"                    # ID numbers stay text
    table = [[c.value for c in row] for row in guide.iter_rows(min_row=4)]
    assert guide["A1"].value == "成员导入模板" and table[0] == ["表头", "英文键", "必填", "填写规则", "示例"]
    assert table[1] == ["姓名", "name", "是", None, "张三"]
    assert table[2][:3] == ["性别", "sex", "否"] and "男、女" in table[2][3] and table[2][4] == "男"
    assert table[3][0] == "出生日期" and table[3][4] == "1985-05-01"
    assert table[-1][0] == "职业类别" and table[-1][3].startswith("国家职业分类大类；可选：第0类")
    assert len(table) == len(columns) + 1
    # the template's own header reads back with no problems
    filled = read_table(io.BytesIO(out.getvalue()), "t.xlsx", columns)
    assert filled.problems == [] and list(filled.rows()) == []


def test_csv_export_defuses_formulas_and_reads_them_back(tmp_path):
    """A name like "=HYPERLINK(...)" must not run in Excel, and must come back unchanged on re-import."""
    import io as _io

    cols = [tabular.Column("name", "姓名"), tabular.Column("post", "职务")]
    buf = _io.BytesIO()
    tabular.write_table(buf, cols, [{"name": "=HYPERLINK(\"x\")", "post": "@科长"}], "csv")
    text = buf.getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@科长" in text
    path = tmp_path / "e.csv"
    path.write_bytes(buf.getvalue())
    row = next(tabular.read_table(path, "e.csv", cols).rows())
    assert row.values == {"name": "=HYPERLINK(\"x\")", "post": "@科长"}


def test_template_id_number_cells_are_text_cells():
    """Defect 14: WPS, LibreOffice and a paste ignore a column's format: the cells of the 身份证号 column
    are text cells themselves, so an 18-digit number is never turned into 1.1E+17, and the column is wide
    enough to show one."""
    from jiceng.core.tabular import TEMPLATE_ROWS

    columns = COLUMNS
    out = io.BytesIO()
    template(out, columns, {"id_number": "120101199003041234"}, "成员导入模板")
    data = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["数据"]
    letter = "ABCDEFGHIJ"[[c.key for c in columns].index("id_number")]
    assert all(data[f"{letter}{r}"].number_format == "@" for r in (2, 3, 500, TEMPLATE_ROWS + 1))
    assert data.column_dimensions[letter].width >= 18
    assert data["C2"].number_format != "@"  # a date column is not text
    filled = read_table(io.BytesIO(out.getvalue()), "t.xlsx", columns)
    assert filled.problems == [] and list(filled.rows()) == []
