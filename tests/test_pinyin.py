"""Names in pinyin: a surname read as a surname (曾 zeng, not ceng), the initials the search matches and the
sort key lists order by."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from hypothesis import given, strategies as st

from jiceng.core import pinyin
from jiceng.core.pinyin import SURNAMES, initials, sort_key

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@pytest.mark.parametrize("name, letters, key", [
    ("曾国藩", "zgf", "zeng guo fan"),
    ("单田芳", "stf", "shan tian fang"),
    ("解缙", "xj", "xie jin"),
    ("仇英", "qy", "qiu ying"),
    ("朴树", "ps", "piao shu"),
    ("查良镛", "zly", "zha liang yong"),
    ("区家麟", "ojl", "ou jia lin"),
    ("盖叫天", "gjt", "ge jiao tian"),
    ("覃振", "qz", "qin zhen"),
    ("缪钺", "my", "miao yue"),
    ("翟志刚", "zzg", "zhai zhi gang"),
    ("乐嘉", "yj", "yue jia"),
    ("尉迟恭", "ycg", "yu chi gong"),
    ("万俟卨", "mqx", "mo qi xie"),
    ("长孙无忌", "zswj", "zhang sun wu ji"),
    ("张三", "zs", "zhang san"),  # a surname read as usual is unchanged
    ("Alice王", "alicew", "alice wang"),  # letters as they are
])
def test_surnames_are_read_as_surnames(name, letters, key):
    assert (initials(name), sort_key(name)) == (letters, key)


def test_only_a_person_name_and_only_its_first_characters():
    assert sort_key("单位党支部", person=False).startswith("dan wei")  # an organization: no surname reading
    assert sort_key("李单")[:5] == "li da"  # the second character is not a surname
    assert initials("曾国藩", person=False) == "cgf"


def test_names_sort_as_a_reader_expects():
    assert sorted(["张三", "曾国藩", "白居易", "安娜"], key=sort_key) == ["安娜", "白居易", "曾国藩", "张三"]


@given(surname=st.sampled_from(sorted(SURNAMES)), given_name=st.text(HAN, min_size=1, max_size=3))
def test_any_name_with_a_listed_surname_starts_with_its_reading(surname, given_name):
    name = surname + given_name
    longer = [s for s in SURNAMES if len(s) > len(surname) and name.startswith(s)]
    reading = SURNAMES[longer[0] if longer else surname]
    assert sort_key(name).startswith(reading + " ")
    assert initials(name).startswith("".join(r[0] for r in reading.split()))


@given(st.text(max_size=60))
def test_any_text_gives_bounded_lowercase_keys(name):
    assert len(initials(name)) <= 20 and all("a" <= c <= "z" for c in initials(name))
    key = sort_key(name)
    assert len(key) <= pinyin.SORT_KEY_LENGTH and key == key.lower()


@given(st.text(HAN, min_size=1, max_size=8))
def test_initials_are_the_first_letters_of_the_sort_key(name):
    assert initials(name) == "".join(part[0] for part in sort_key(name).split())[:20]


def test_backfill_fills_the_people_on_file_once_per_name(world):
    from jiceng.members.models import Member

    Member.objects.update(name_pinyin="", name_initials="")
    Member.objects.filter(pk=world.a_members[1].pk).update(name="曾国藩")
    pinyin.backfill(SimpleNamespace(connection=connection), "members_member",
                    {"name_pinyin": sort_key, "name_initials": initials}, batch=2)  # batches of 2 names
    rows = dict(Member.objects.values_list("name", "name_pinyin"))
    assert rows["曾国藩"] == "zeng guo fan" and rows["甲1"] == "jia 1" and "" not in rows.values()
    assert Member.objects.get(name="曾国藩").name_initials == "zgf"
