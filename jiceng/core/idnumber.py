"""Resident ID numbers (GB 11643): validation, encryption at rest, blind index, masking."""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
from datetime import date
from operator import mul

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext as _

SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: str.isdigit() also accepts '²'
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


def normalize(value: str) -> str:
    return (value or "").translate(_FULLWIDTH).strip().replace(" ", "").upper()


def check_char(first17: str) -> str:
    return CHECK[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def facts(number: str) -> dict:
    """What a valid number says of its holder: {"birth_date", "sex"}; nothing for an invalid one.
    A form fills these two fields from the number (app.js does the same as the number is typed)."""
    number = normalize(number)
    if not number or problem(number):
        return {}
    return {"birth_date": birth_date(number), "sex": sex(number)}


def problem(number: str, today: date | None = None) -> str | None:
    """Why `number` is not a valid resident ID number, or None."""
    if len(number) != 18:
        return _("身份证号应为18位（当前%(n)d位）") % {"n": len(number)}
    if not SHAPE.match(number):
        return _("身份证号前17位应为数字，末位为数字或X")
    try:
        born = birth_date(number)
    except ValueError:
        return _("身份证号中的出生日期 %(d)s 不存在") % {"d": number[6:14]}
    if born > (today or date.today()) or born.year < 1890:
        return _("身份证号中的出生日期 %(d)s 不合理") % {"d": number[6:14]}
    if check_char(number[:17]) != number[17]:
        return _("身份证号校验位错误（应为 %(c)s）") % {"c": check_char(number[:17])}
    return None


def mask(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:] if len(number) == 18 else "*" * len(number)


def _keys() -> tuple[AESGCM, bytes]:
    return _derived(settings.JICENG_FIELD_KEY)


@functools.lru_cache(maxsize=4)
def _derived(secret: str) -> tuple[AESGCM, bytes]:
    # Derived once per key, not per number: an import seals a million of them.
    material = hashlib.sha512(("jiceng-field-keys:" + secret).encode()).digest()
    return AESGCM(material[:32]), material[32:]


def encrypt(number: str) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + _keys()[0].encrypt(nonce, number.encode(), b"id_number")).decode()


def decrypt(token: str) -> str:
    raw = base64.b64decode(token)
    return _keys()[0].decrypt(raw[:12], raw[12:], b"id_number").decode()


def blind_index(number: str) -> str:
    """Keyed hash for exact-match lookups without storing the number in clear."""
    return hmac.digest(_keys()[1], normalize(number).encode(), "sha256").hex()  # one-shot: the C fast path


TAIL = 4  # the characters the tail index keys on: no more than a masked number shows anyway (mask())


def tail_index(number: str) -> str:
    """Keyed hash of a number's last four characters: the picker finds a person by an ID tail through an
    index, without the digits stored in clear (a longer tail typed is checked on the few rows found)."""
    return hmac.digest(_keys()[1], ("tail:" + normalize(number)[-TAIL:]).encode(), "sha256").hex()[:16]


def compose(region: str, born: date, sequence: int) -> str:
    """A well-formed number for `born`; an odd sequence means male (used for demo and test data)."""
    first17 = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_char(first17)
