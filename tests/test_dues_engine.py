"""The dues rule engine (党费计算): the 2008 brackets on the whole base, fixed amounts, rounding and refusals,
through the engine, the CLI and the API."""
import io
import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.core import profiles
from jiceng.dues import engine

CCP = profiles.get("ccp").dues
D = Decimal


def amount(group, base=None, **kw):
    return engine.compute(CCP, group, base, **kw)


def errors(group, base=None, rules=CCP, **kw):
    with pytest.raises(ValidationError) as err:
        engine.compute(rules, group, base, **kw)
    return err.value.message_dict


# --- every bracket boundary: the rate of the base's bracket applies to the whole base -------------------

@pytest.mark.parametrize("group", ["in_service", "annual_salary", "self_employed"])
@pytest.mark.parametrize("base, due, rate", [
    ("0", "0.00", "0.005"),
    ("3000", "15.00", "0.005"),
    ("3000.01", "30.00", "0.01"),
    ("4500", "45.00", "0.01"),
    ("5000", "50.00", "0.01"),
    ("5000.01", "75.00", "0.015"),
    ("10000", "150.00", "0.015"),
    ("10000.01", "200.00", "0.02"),
    ("25000", "500.00", "0.02"),
])
def test_pay_brackets_at_every_boundary(group, base, due, rate):
    result = amount(group, base)
    assert (str(result.amount), result.rate) == (due, D(rate))


@pytest.mark.parametrize("base, due, rate", [
    ("5000", "25.00", "0.005"), ("5000.01", "50.00", "0.01"), ("3000", "15.00", "0.005"), ("8000", "80.00", "0.01"),
])
def test_retirees_pay_on_the_pension_with_the_5000_boundary(base, due, rate):
    result = amount("retired", base)
    assert (str(result.amount), result.rate) == (due, D(rate))


def test_the_fen_is_rounded_half_up():
    assert str(amount("in_service", "2999.00").amount) == "15.00"  # 14.995 → 15.00
    assert str(amount("in_service", "2998.99").amount) == "14.99"  # 14.99495 → 14.99
    assert str(amount("in_service", "1001").amount) == "5.01"  # 5.005 → 5.01 (half up, not to even)


@pytest.mark.parametrize("group", ["student", "unemployed", "minimum_allowance"])
def test_students_unemployed_and_allowance_recipients_pay_twenty_fen(group):
    result = amount(group)
    assert (str(result.amount), result.rate) == ("0.20", None)
    assert str(amount(group, "9999").amount) == "0.20"  # a base does not matter to a fixed amount
    assert "amount" in errors(group, amount="0.5")


def test_farmers_choose_within_the_range_default_twenty_fen():
    assert str(amount("farmer").amount) == "0.20"
    assert str(amount("farmer", amount="0.2").amount) == "0.20"
    assert str(amount("farmer", amount="0.5").amount) == "0.50"
    assert str(amount("farmer", amount="1").amount) == "1.00"
    for outside in ("0.19", "1.01", "5"):
        assert "0.2 元至 1 元" in errors("farmer", amount=outside)["amount"][0]
    assert "amount" in errors("farmer", amount="-1")


def test_the_rule_is_cited_in_words():
    assert amount("in_service", "4500").rule == "月工资收入 3000 元以上至 5000 元（含）按 1% 交纳（2008 年党费收缴规定）"
    assert amount("in_service", "3000").rule.startswith("月工资收入 3000 元（含）以下按 0.5% 交纳")
    assert amount("in_service", "20000").rule.startswith("月工资收入 10000 元以上按 2% 交纳")
    assert amount("retired", "6000").rule.startswith("月基本退休费 5000 元以上按 1% 交纳")
    assert "农民党员每月交纳 0.50 元" in amount("farmer", amount="0.5").rule
    with translation.override("en"):
        assert amount("in_service", "4500").rule == (
            "monthly pay over 3000 up to 5000 yuan (inclusive): 1% (2008 rules on Party dues)")


def test_bad_input_is_refused_naming_the_field():
    assert errors("in_service", "-0.01")["base"] == ["金额不能为负数"]
    assert "超过上限" in errors("in_service", "10000000.01")["base"][0]
    assert "amount" not in errors("in_service", "10000000.01")
    assert "base" in errors("in_service", "abc")
    assert "base" in errors("in_service", "NaN")
    assert "base" in errors("in_service", "Infinity")
    assert "base" in errors("in_service", "100.001")  # beyond the fen
    assert "base" in errors("in_service", None)  # a bracket group needs its base
    assert "在职党员" in errors("nobody", "100")["group"][0]
    with pytest.raises(TypeError):
        engine.compute(CCP, "in_service", 4500.0)  # a float has already lost the fen
    with translation.override("en"):
        assert errors("in_service", "-1")["base"] == ["An amount cannot be negative."]
    assert str(amount("in_service", "10000000").amount) == "200000.00"  # the cap itself is accepted


def test_unknown_profile_or_profile_without_dues():
    with pytest.raises(ValidationError) as err:
        engine.rules_of("nope")
    assert "profile" in err.value.message_dict


@pytest.mark.parametrize("key", ["mjin", "jiusan"])
def test_the_democratic_parties_fees_are_their_own_and_marked_to_verify(key):
    rules = profiles.get(key).dues
    assert all("[verify]" in g.source for g in rules.groups)
    result = engine.compute(rules, "in_service", None)
    assert result.amount == result.amount.quantize(D("0.01")) and result.rate is None


def test_the_ccp_rules_carry_their_source_and_marks():
    assert all("[firm]" in g.source and "党费规定" in g.source for g in CCP.groups)
    keys = {g.key for g in CCP.groups}
    assert {"in_service", "retired", "farmer", "student", "unemployed", "minimum_allowance", "annual_salary",
            "self_employed"} <= keys


def test_a_profile_with_bad_dues_is_refused(tmp_path):
    text = (Path(profiles.PROFILE_DIR) / "ccp.yaml").read_text(encoding="utf-8")
    broken = text.replace('- {up_to: 10000, rate: "0.015"}', '- {up_to: 2000, rate: "0.015"}')
    assert broken != text
    path = tmp_path / "ccp.yaml"
    path.write_text(broken, encoding="utf-8")
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="up_to must increase"):
        profiles.load_file(path)


# --- property: an independent computation, written differently ------------------------------------------

THRESHOLDS = {  # (threshold the base must exceed, rate from there): scanned from the top down
    "in_service": [(D("10000"), D("0.02")), (D("5000"), D("0.015")), (D("3000"), D("0.01")), (D("-1"), D("0.005"))],
    "retired": [(D("5000"), D("0.01")), (D("-1"), D("0.005"))],
}
THRESHOLDS["annual_salary"] = THRESHOLDS["self_employed"] = THRESHOLDS["in_service"]

fens = st.integers(min_value=0, max_value=10_000_000 * 100)


def expected(group, fen):
    base = D(fen) / 100
    rate = next(r for t, r in THRESHOLDS[group] if base > t)
    cents = base * rate * 100  # in fen, then half up by hand: floor(x + 0.5)
    return (int(cents + D("0.5")) if cents >= 0 else 0), rate


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(THRESHOLDS)), fens)
def test_amount_matches_an_independent_computation(group, fen):
    base = str(D(fen) / 100)
    result = amount(group, base)
    cents, rate = expected(group, fen)
    assert result.rate == rate
    assert result.amount == D(cents) / 100
    assert result.amount.as_tuple().exponent == -2  # always two places
    assert result.amount == (D(base) * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(THRESHOLDS)), fens, fens)
def test_amount_never_falls_as_the_base_rises(group, x, y):
    low, high = sorted((x, y))
    assert amount(group, str(D(low) / 100)).amount <= amount(group, str(D(high) / 100)).amount


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=D("0.2"), max_value=D("1"), places=2))
def test_any_farmer_amount_within_the_range_is_kept(chosen):
    result = amount("farmer", amount=str(chosen))
    assert result.amount == chosen and result.amount.as_tuple().exponent == -2


# --- the CLI and the API ---------------------------------------------------------------------------------

def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("dues", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_cli_compute_needs_no_user_and_prints_the_contract():
    data = json.loads(run("compute", "--profile", "ccp", "--base", "4500", "--group", "in_service", "--json"))
    assert data["amount"] == "45.00" and data["rate"] == "0.01"
    assert data["rule"] == "月工资收入 3000 元以上至 5000 元（含）按 1% 交纳（2008 年党费收缴规定）"
    assert json.loads(run("compute", "--group", "student", "--json"))["amount"] == "0.20"
    assert json.loads(run("compute", "--group", "student", "--json"))["rate"] is None


def test_cli_compute_refuses_naming_the_field():
    with pytest.raises(CommandError) as err:
        run("compute", "--group", "in_service", "--base", "-5")
    assert "计算基数 (base)" in str(err.value) and "负数" in str(err.value)
    with pytest.raises(CommandError) as err:
        run("compute", "--group", "farmer", "--amount", "3", "--lang", "en")
    assert "(amount)" in str(err.value)


def test_cli_compute_as_a_process_exits_2_on_bad_input(tmp_path):
    env = {"JICENG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cwd = Path(__file__).resolve().parent.parent
    ok = subprocess.run([sys.executable, "-m", "jiceng", "dues", "compute", "--profile", "ccp", "--base", "4500",
                         "--group", "in_service", "--json"], capture_output=True, text=True, env=env, cwd=cwd)
    assert ok.returncode == 0 and json.loads(ok.stdout)["amount"] == "45.00", ok.stderr
    bad = subprocess.run([sys.executable, "-m", "jiceng", "dues", "compute", "--base", "x", "--group", "in_service"],
                         capture_output=True, text=True, env=env, cwd=cwd)
    assert bad.returncode == 2 and "base" in bad.stderr


@pytest.mark.django_db
def test_api_compute(world):
    client = APIClient()
    assert client.get("/api/dues/compute/?group=in_service&base=4500").status_code == 401
    client.force_login(world.member_user)  # a pure computation: any signed-in user
    data = client.get("/api/dues/compute/?profile=ccp&group=in_service&base=4500").json()
    assert (data["amount"], data["rate"]) == ("45.00", "0.01")
    assert client.get("/api/dues/compute/?group=retired&base=5000.01").json()["amount"] == "50.00"
    bad = client.get("/api/dues/compute/?group=in_service&base=-1")
    assert bad.status_code == 400 and "base" in bad.json()
    assert "group" in client.get("/api/dues/compute/?group=x&base=1").json()
    assert "profile" in client.get("/api/dues/compute/?profile=x&group=x&base=1").json()
