"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis 4, in-process WSGI).

Every operation of the schema drf-spectacular serves at /api/schema/ is called with generated
input (valid and invalid) as a superuser, on the `world` fixture. Checks: no 5xx; every status is one the
schema declares (it declares the error answers too), with the declared body, content type and headers;
invalid input is refused, a request without credentials is refused, an undeclared method is a 405.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from jiceng.core import idnumber
from jiceng.members.models import Member
from jiceng.orgs.models import Org

APP = get_wsgi_application()
# The document /api/schema/ serves, generated the same way (the endpoint needs a login, so it cannot be
# fetched at import time); test_served_schema_is_the_fuzzed_schema checks the two are the same.
RAW_SCHEMA = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
schema = schemathesis.openapi.from_dict(RAW_SCHEMA)
schema.app = APP

# The schema declares the error answers of every operation (jiceng.core.openapi), so every status is
# checked against it, with its body, content type and headers; data the schema calls invalid must be
# refused; a request without the token must be refused; an undeclared method must be a 405.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection, missing_required_header, ignored_auth,
          unsupported_method, allow_header_conformance]
EXCLUDED: list = []
if os.environ.get("JICENG_FUZZ_CHECKS") == "all":
    # opt-in: every schemathesis check except "schema-valid data accepted" (the services refuse much that
    # the schema cannot express: an under-age applicant, a category the profile does not know)
    CHECKS, EXCLUDED = None, [positive_data_acceptance]
# 25 examples per operation keeps the run within a minute or two; JICENG_FUZZ_EXAMPLES=300 digs deeper (a few minutes).
# derandomize: the same examples every run, so a red run is reproducible and CI is not flaky.
FUZZ = settings(max_examples=int(os.environ.get("JICENG_FUZZ_EXAMPLES", "25")), deadline=None, derandomize=True,
                print_blob=True, suppress_health_check=list(HealthCheck))
ORG_CODES = ["C", "C001", "C002"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The conftest users get Argon2 hashes (~0.3 s each); fuzzing does not need them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wsgi_in_test_transaction():
    """Django's test Client keeps request signals from closing the test's connection; do the same for WSGI."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def superuser_auth(world, wsgi_in_test_transaction):
    token, _ = Token.objects.get_or_create(user=world.admin)
    return {"Authorization": f"Token {token.key}"}


@schema.hook
def flatmap_body(context, body):
    """Half the generated bodies point at organizations that exist, so create/update/transfer run for real."""
    if isinstance(body, dict) and any(k in body for k in ("org_code", "parent_code")):
        key = "org_code" if "org_code" in body else "parent_code"
        return st.one_of(st.just(body), st.sampled_from(ORG_CODES).map(lambda code: {**body, key: code}))
    return st.just(body)


@contextmanager
def rolled_back():
    """Each generated example starts from the same `world`: what it wrote is undone (a savepoint), so a
    failure replays the same way when Hypothesis shrinks it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _existing_ids(path: str) -> list[int]:
    model = Member if path.startswith("/api/members/") else Org
    return list(model.objects.order_by("pk").values_list("pk", flat=True))


@schema.parametrize()
@FUZZ
def test_api_conforms_to_its_schema(case, superuser_auth):
    ident = case.path_parameters.get("id") if case.path_parameters else None
    if isinstance(ident, str) and ident.isascii() and ident.isdigit():
        ident = int(ident)
    if isinstance(ident, int) and not isinstance(ident, bool) and 0 <= ident < 1000:
        # small ids are mapped onto rows that exist, so updates really run; large or negative ones stay 404s
        ids = _existing_ids(case.path)
        case.path_parameters["id"] = ids[ident % len(ids)]
    with rolled_back():
        case.call_and_validate(headers=superuser_auth, checks=CHECKS, excluded_checks=EXCLUDED)


def test_served_schema_is_the_fuzzed_schema(world):
    c = APIClient()
    token, _ = Token.objects.get_or_create(user=world.admin)
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    served = c.get("/api/schema/", {"format": "json"})
    assert served.status_code == 200
    assert served.json() == RAW_SCHEMA


# --- targeted properties: odd ID numbers and pagination ------------------------------------

# Characters Python calls digits (str.isdigit) that are not ASCII: other scripts' decimal digits, which
# int() reads, and superscripts / circled digits, which int() refuses. Fullwidth digits are left out:
# idnumber.normalize() folds them to ASCII on purpose.
SCRIPT_ZEROS = [0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1D7CE]  # Arabic-Indic, Persian, Devanagari, Bengali, Thai, math bold
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"


def _look_alikes(ch: str) -> list[str]:
    if not ch.isdigit():
        return []
    d = int(ch)
    return [chr(z + d) for z in SCRIPT_ZEROS] + [SUPERSCRIPTS[d], CIRCLED[d]]


@st.composite
def id_like_numbers(draw):
    """A well-formed ID number with up to four of its digits swapped for non-ASCII look-alikes."""
    born = draw(st.dates(date(1930, 1, 1), date(2000, 12, 31)))
    number = idnumber.compose(draw(st.sampled_from(["120101", "110105", "310104"])), born, draw(st.integers(0, 999)))
    chars = list(number)
    for i in draw(st.sets(st.integers(0, 17), max_size=4)):
        if _look_alikes(chars[i]):
            chars[i] = draw(st.sampled_from(_look_alikes(chars[i])))
    return "".join(chars)


@pytest.fixture
def admin_client(world):
    c = APIClient(raise_request_exception=False)  # a server error is a 500 here, as a client would see it
    token, _ = Token.objects.get_or_create(user=world.admin)
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c


PROPERTY = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(number=id_like_numbers())
def test_any_id_like_number_is_a_201_or_a_field_named_400(admin_client, number):
    """A number is stored only if it is the plain ASCII number the validator accepts; else a 400 naming id_number."""
    with rolled_back():
        resp = admin_client.post("/api/members/", {"name": "模糊", "org_code": "C001", "category": "入党申请人",
                                                   "id_number": number}, format="json")
        assert resp.status_code in (201, 400), (resp.status_code, number)
        if resp.status_code == 201:
            stored = Member.objects.get(pk=resp.json()["id"]).id_number
            assert stored.isascii() and idnumber.problem(stored) is None, (number, stored)
        else:
            assert "id_number" in resp.json(), resp.json()


@PROPERTY
@given(q=id_like_numbers())
def test_search_by_any_id_like_number_is_handled(admin_client, q):
    with rolled_back():
        resp = admin_client.get("/api/members/", {"q": q})
    assert resp.status_code == 200, (resp.status_code, q)


# small values and values around the 32- and 64-bit limits of the database's integers
PAGE_NUMBERS = st.one_of(st.integers(-5, 100), st.integers(2**31 - 2, 2**31 + 2), st.integers(2**63 - 2, 2**64 + 2),
                         st.integers(2**64, 2**80))


@PROPERTY
@given(limit=PAGE_NUMBERS, offset=PAGE_NUMBERS)
def test_any_limit_and_offset_is_handled(admin_client, limit, offset):
    for url in ("/api/members/", "/api/orgs/"):
        with rolled_back():  # on PostgreSQL a failed query aborts the transaction: keep the next example clean
            resp = admin_client.get(url, {"limit": limit, "offset": offset})
        assert resp.status_code in (200, 400), (url, limit, offset, resp.status_code)
