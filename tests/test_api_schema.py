"""The API's error answers as its schema declares them, so a client (or the schema fuzzing) can rely on them:
every operation names its 4xx/503 answers and their JSON bodies, and the server keeps to them."""
from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.core.models import ExportRecord


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def admin(world):
    c = APIClient()
    token, _ = Token.objects.get_or_create(user=world.admin)
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c


def operations(schema):
    return [(method.upper(), path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_every_operation_declares_its_error_answers_with_a_json_body(schema):
    for method, path, op in operations(schema):
        answers = op["responses"]
        expected = {"400", "404", "429", "503"} | ({"401", "403"} if path != "/api/token/" else set())
        assert expected <= set(answers), (method, path, sorted(answers))
        for status in expected:
            ref = answers[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/" + ("ValidationError" if status == "400" else "Error"), (method, path)
    assert "413" in schema["paths"]["/api/imports/"]["post"]["responses"]  # an upload may be too large
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


@pytest.mark.parametrize("query", [{"offset": "abc"}, {"limit": "-1"}, {"offset": "1.5"}])
def test_a_limit_or_offset_that_is_not_a_whole_number_is_a_400_naming_it(admin, query):
    resp = admin.get("/api/members/", query)
    assert resp.status_code == 400, resp.content
    assert set(resp.json()) == set(query)


def test_a_yes_no_filter_with_an_unknown_value_is_refused_not_dropped(admin, world):
    resp = admin.get("/api/orgs/", {"active": "maybe"})
    assert resp.status_code == 400 and "active" in resp.json()
    # an export asked for "active=maybe" must not export every organization instead
    assert admin.get("/api/export/orgs/", {"active": "maybe", "format": "csv"}).status_code == 400
    assert not ExportRecord.objects.exists()
    assert [o["code"] for o in admin.get("/api/orgs/", {"active": "true"}).json()["results"]] == ["C", "C001", "C002"]


@pytest.mark.parametrize("url", ["/api/members/-1.5e-3/", "/api/nowhere/"])
def test_an_api_address_no_route_matches_is_the_apis_json_404(admin, url):
    resp = admin.get(url)
    assert resp.status_code == 404
    assert resp["Content-Type"] == "application/json" and set(resp.json()) == {"detail"}


def test_a_nul_character_refused_at_the_door_is_a_json_400_under_the_api(admin):
    resp = admin.get("/api/members/", {"q": "甲\x00"})
    assert resp.status_code == 400
    assert resp["Content-Type"] == "application/json" and "NUL" in resp.json()["detail"]
