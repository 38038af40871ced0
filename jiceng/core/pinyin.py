"""Pinyin of names: the initials (张三 → zs), for finding people by what is quick to type, and the sort key
(张三 → "zhang san"), for listing names in the order a Chinese reader expects. Both are kept in indexed
columns beside the name (`members.Member.name_initials`, `name_pinyin`; `orgs.Org.name_pinyin`).

A person's surname is read as a surname: pypinyin reads a character by its most common reading, and
several surnames are read otherwise (曾国藩 is Zeng, not Ceng). `SURNAMES` lists those readings; it is
applied to the first character(s) of a person's name only, never to an organization's.
"""
from __future__ import annotations

import re

ASCII_WORD = re.compile(r"^[a-z]{1,20}$")
HAN_RUN = re.compile("([\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)")  # CJK ideographs
SORT_KEY_LENGTH = 200  # the column's length; a name holds at most 50 characters

# Surnames whose reading differs from the character's common one (toneless, as stored). Compound surnames
# are matched before single ones. A fact table, not a rule of any party.
SURNAMES = {
    "尉迟": "yu chi", "万俟": "mo qi", "长孙": "zhang sun", "澹台": "tan tai", "鲜于": "xian yu",
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "区": "ou", "盖": "ge",
    "覃": "qin", "缪": "miao", "种": "chong", "召": "shao", "员": "yun", "乐": "yue", "莘": "shen",
    "翟": "zhai", "秘": "bi", "繁": "po", "黑": "he", "宓": "fu", "句": "gou", "折": "she", "阚": "kan",
    "隗": "wei", "洗": "xian", "能": "nai", "薄": "bo", "角": "jue", "都": "du", "祭": "zhai", "藏": "zang",
    "重": "chong", "长": "chang", "尉": "wei",
}
_LONGEST_SURNAME = max(len(s) for s in SURNAMES)


def _syllables(text: str) -> list[tuple[str, bool]]:
    """(reading, is a character's reading) for each Chinese character; a run of anything else as one
    lower-cased word (Alice, ·). pypinyin reads a run of characters together (its phrases)."""
    from pypinyin import lazy_pinyin

    found: list[tuple[str, bool]] = []
    for run in HAN_RUN.split(text or ""):
        if not run:
            continue
        if HAN_RUN.fullmatch(run):
            found.extend((reading, True) for reading in lazy_pinyin(run))
        elif run.strip():
            found.append((run.strip().lower(), False))
    return found


def syllables(name: str, *, person: bool = True) -> list[tuple[str, bool]]:
    """The name's readings; a person's surname (its first one or two characters) read as a surname."""
    name = (name or "").strip()
    if person:
        for size in range(_LONGEST_SURNAME, 0, -1):
            surname = SURNAMES.get(name[:size]) if len(name) >= size else None
            if surname:
                return [*((s, True) for s in surname.split()), *_syllables(name[size:])]
    return _syllables(name)


def initials(name: str, *, person: bool = True) -> str:
    """Lower-case first letters of each character's pinyin; other letters as they are, the rest left out."""
    parts = (reading[:1] if chinese else reading for reading, chinese in syllables(name, person=person))
    return "".join(ch for part in parts for ch in part if "a" <= ch <= "z")[:20]


def sort_key(name: str, *, person: bool = True) -> str:
    """The readings joined by spaces: names compare syllable by syllable (安 < 白 < 曾 zeng < 张 zhang)."""
    return " ".join(reading for reading, _chinese in syllables(name, person=person))[:SORT_KEY_LENGTH]


def looks_like_initials(q: str) -> bool:
    return bool(ASCII_WORD.match((q or "").lower()))


def backfill(schema_editor, table: str, columns: dict, *, batch: int = 5000) -> None:
    """Fill columns computed from a table's `name` (column → function of the name) for the rows on file, in a
    migration. Once per distinct name, not per row (a million people share far fewer names), each an UPDATE
    by the indexed name column; the names are read in key order, a batch at a time, so memory stays flat."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    name, table = quote("name"), quote(table)
    update = f"UPDATE {table} SET {', '.join(f'{quote(c)} = %s' for c in columns)} WHERE {name} = %s"
    after = None
    with connection.cursor() as cursor:
        while True:
            cursor.execute(f"SELECT DISTINCT {name} FROM {table}" + (f" WHERE {name} > %s" if after is not None else "")
                           + f" ORDER BY {name} LIMIT {int(batch)}", [] if after is None else [after])
            names = [row[0] for row in cursor.fetchall()]
            if not names:
                return
            cursor.executemany(update, [(*(fill(n) for fill in columns.values()), n) for n in names])
            after = names[-1]
