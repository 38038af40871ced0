"""Pinyin initials of a name (张三 → zs), for finding people by what is quick to type: the search keeps
them in an indexed column beside the name (`members.Member.name_initials`)."""
from __future__ import annotations

import re

ASCII_WORD = re.compile(r"^[a-z]{1,20}$")


def initials(name: str) -> str:
    """Lower-case first letters of each character's pinyin; other letters as they are, the rest left out."""
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(ch for part in letters for ch in part.lower() if "a" <= ch <= "z")[:20]


def looks_like_initials(q: str) -> bool:
    return bool(ASCII_WORD.match((q or "").lower()))
