"""The dues rule engine: one function, `compute`, reading a profile's `dues:` block (core.profiles.Dues).

Decimal arithmetic only: a base arrives as a string, an int or a Decimal (a float is refused: it has already
lost the fen). The rate of the base's bracket applies to the whole base; the amount is rounded to the
profile's places (the fen) by the profile's rounding. Errors name their field, in the user's language.
"""
from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from jiceng.core import profiles
from jiceng.core.dates import raise_if
from jiceng.core.i18n import pick

ROUNDING = {"half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN,
            "down": decimal.ROUND_DOWN, "up": decimal.ROUND_UP}


@dataclass(frozen=True)
class Result:
    amount: Decimal  # the monthly amount, in yuan, quantized to the profile's places
    rate: Decimal | None  # the bracket's rate; None for a fixed amount
    rule: str  # the rule applied, in words, with the document
    group: str = ""
    base: Decimal | None = None

    def as_json(self) -> dict:
        return {"amount": str(self.amount), "rate": None if self.rate is None else number(self.rate),
                "rule": self.rule, "group": self.group, "base": None if self.base is None else str(self.base)}


def number(value: Decimal) -> str:
    """3000 → '3000', 0.2 → '0.2', 0.005 → '0.005': no exponent, no trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(rate: Decimal) -> str:
    return number(rate * 100)


def rules_of(profile_key: str, field: str = "profile") -> profiles.Dues:
    """The dues rules of a profile, or an error naming `field`."""
    try:
        profile = profiles.get(profile_key)
    except KeyError:
        raise_if({field: [_("没有名为“%(p)s”的组织体系") % {"p": profile_key}]})
    if profile.dues is None:
        raise_if({field: [_("%(p)s的组织体系文件未规定交纳标准") % {"p": profile.name}]})
    return profile.dues


def parse_amount(value, field: str, errors: dict, *, cap: Decimal | None = None, places: int = 2) -> Decimal | None:
    """A money amount in yuan: a decimal number, not negative, at most `places` decimals, not over `cap`."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise TypeError("dues amounts are Decimal, int or str, never float")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        errors.setdefault(field, []).append(_("“%(v)s”不是有效的金额（元）") % {"v": str(value)[:40]})
        return None
    if amount < 0:
        errors.setdefault(field, []).append(_("金额不能为负数"))
    elif cap is not None and amount > cap:
        errors.setdefault(field, []).append(_("金额 %(v)s 元超过上限 %(cap)s 元，请检查是否输错") % {
            "v": number(amount), "cap": number(cap)})
    elif amount != amount.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_DOWN):
        errors.setdefault(field, []).append(_("金额最多保留 %(n)s 位小数") % {"n": places})
    return amount


def group_errors(rules: profiles.Dues, group: str) -> dict:
    if rules.group(group or "") is None:
        keys = "、".join(f"{g.key}（{pick(g.label)}）" for g in rules.groups)
        return {"group": [_("没有“%(g)s”这一交纳类别，可选：%(keys)s") % {"g": group, "keys": keys}]}
    return {}


def compute(rules: profiles.Dues, group: str, base=None, *, amount=None) -> Result:
    """The monthly amount for a member of `group`: on `base` (bracket groups), or the fixed amount
    (`amount`: the one chosen within a range; the range's default when not given)."""
    raise_if(group_errors(rules, group))
    g = rules.group(group)
    step = Decimal(1).scaleb(-rules.places)
    errors: dict = {}
    if g.brackets:
        value = parse_amount(base, "base", errors, cap=rules.max_base)
        if value is None and not errors:
            errors["base"] = [_("请填写%(b)s（元）") % {"b": pick(g.base)}]
        raise_if(errors)
        index, bracket = next((i, b) for i, b in enumerate(g.brackets) if b.up_to is None or value <= b.up_to)
        due = (value * bracket.rate).quantize(step, rounding=ROUNDING[rules.rounding])
        return Result(due, bracket.rate, _bracket_rule(rules, g, index), group, value)
    chosen = parse_amount(amount, "amount", errors, places=rules.places)
    raise_if(errors)
    f = g.fixed
    if chosen is None:
        chosen = g.default_amount()
    elif not f.min <= chosen <= f.max:
        if f.min == f.max:
            message = _("%(g)s每月交纳 %(a)s 元，不能填 %(v)s 元") % {"g": pick(g.label), "a": number(f.min), "v": number(chosen)}
        else:
            message = _("%(g)s每月交纳的金额应在 %(lo)s 元至 %(hi)s 元之间，填的是 %(v)s 元") % {
                "g": pick(g.label), "lo": number(f.min), "hi": number(f.max), "v": number(chosen)}
        raise_if({"amount": [message]})
    due = chosen.quantize(step, rounding=ROUNDING[rules.rounding])
    return Result(due, None, _fixed_rule(rules, g, due), group, None)


def _bracket_rule(rules: profiles.Dues, g: profiles.DuesGroup, index: int) -> str:
    brackets = g.brackets
    b = brackets[index]
    lo = brackets[index - 1].up_to if index else None
    words = {"base": pick(g.base), "lo": number(lo) if lo is not None else "", "hi": number(b.up_to) if b.up_to else "",
             "rate": percent(b.rate), "cite": pick(rules.cite)}
    if lo is None and b.up_to is None:
        text = _("%(base)s按 %(rate)s%% 交纳") % words
    elif lo is None:
        text = _("%(base)s %(hi)s 元（含）以下按 %(rate)s%% 交纳") % words
    elif b.up_to is None:
        text = _("%(base)s %(lo)s 元以上按 %(rate)s%% 交纳") % words
    else:
        text = _("%(base)s %(lo)s 元以上至 %(hi)s 元（含）按 %(rate)s%% 交纳") % words
    return _cited(text, words["cite"])


def _fixed_rule(rules: profiles.Dues, g: profiles.DuesGroup, due: Decimal) -> str:
    f = g.fixed
    words = {"g": pick(g.label), "a": str(due), "lo": number(f.min), "hi": number(f.max), "c": pick(rules.cite)}
    if f.min == f.max:
        return _cited(_("%(g)s每月交纳 %(a)s 元") % words, words["c"])
    if words["c"]:
        return _("%(g)s每月交纳 %(a)s 元（标准为 %(lo)s 元至 %(hi)s 元，%(c)s）") % words
    return _("%(g)s每月交纳 %(a)s 元（标准为 %(lo)s 元至 %(hi)s 元）") % words


def _cited(text: str, cite: str) -> str:
    return _("%(t)s（%(c)s）") % {"t": text, "c": cite} if cite else text
