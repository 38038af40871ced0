"""Resident ID numbers (GB 11643): property-based tests of the check character and agreement rules."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core import idnumber
from jiceng.members import services

regions = st.sampled_from(["110105", "120101", "330481", "360402", "440305"])
births = st.dates(min_value=date(1920, 1, 1), max_value=date(2008, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@given(regions, births, sequences)
def test_composed_numbers_are_valid_and_carry_birth_and_sex(region, born, seq):
    number = idnumber.compose(region, born, seq)
    assert idnumber.problem(number) is None
    assert idnumber.birth_date(number) == born
    assert idnumber.sex(number) == ("男" if seq % 2 else "女")


@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_error_is_caught(region, born, seq, position, delta):
    number = idnumber.compose(region, born, seq)
    digit = (int(number[position]) + delta) % 10
    typo = number[:position] + str(digit) + number[position + 1:]
    assert idnumber.problem(typo) is not None


@given(st.text(alphabet="0123456789X", min_size=0, max_size=20))
def test_random_strings_never_crash_the_validator(text):
    result = idnumber.problem(text)
    assert result is None or isinstance(result, str)


def test_known_public_example():
    assert idnumber.problem("11010519491231002X") is None
    assert "校验位" in idnumber.problem("110105194912310021")
    assert "18位" in idnumber.problem("1101051949")


def test_fullwidth_and_lowercase_input_is_normalized():
    assert idnumber.normalize(" １１０１０５１９４９１２３１００２ｘ ") == "11010519491231002X"


@given(regions, births, sequences)
def test_encryption_round_trip_and_blind_index(region, born, seq):
    number = idnumber.compose(region, born, seq)
    token = idnumber.encrypt(number)
    assert number not in token and idnumber.decrypt(token) == number
    assert idnumber.blind_index(number) == idnumber.blind_index(number.lower())
    assert idnumber.mask(number) == number[:4] + "*" * 10 + number[-4:]


@given(births, sequences, births, st.sampled_from(["男", "女"]))
def test_birth_date_and_sex_must_agree_with_the_number(born, seq, other_birth, sex):
    number = idnumber.compose("120101", born, seq)
    errors = services.person_errors({"id_number": number, "birth_date": other_birth, "sex": sex})
    expected = {"birth_date"} if other_birth != born else set()
    if sex != idnumber.sex(number):
        expected.add("sex")
    assert set(errors) == expected


@pytest.mark.django_db
def test_archive_refuses_a_second_person_with_the_same_number(world):
    existing = world.a_members[0]
    with pytest.raises(ValidationError) as err:
        services.create_member(None, org=world.b, category="full", name="重复", id_number=existing.id_number,
                               confirmed_on=date(2015, 1, 1), joined_on=date(2014, 1, 1))
    assert "已登记" in str(err.value.message_dict["id_number"])
