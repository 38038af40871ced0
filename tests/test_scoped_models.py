"""Every scoped model with pages and endpoints (declared by its app: `testkit.scoped_model` in its
`testing.py`) passes the same checks: core.testkit.ScopedModelTests."""
import pytest

from jiceng.core import testkit

testkit.discover()
CASES = list(testkit.scoped_models.values())

pytestmark = pytest.mark.django_db


@pytest.fixture(params=CASES, ids=[c.label for c in CASES])
def case(request):
    return request.param


@pytest.fixture(params=[c for c in CASES if getattr(c.model, "scope_self", None)],
                ids=[c.label for c in CASES if getattr(c.model, "scope_self", None)])
def self_case(request):
    return request.param


def test_the_models_with_pages_are_declared():
    """The organizations, members and applications: a declaration lost would drop their checks silently."""
    assert {"Org", "Member", "Application"} <= {c.label for c in CASES}


class TestScopedModels(testkit.ScopedModelTests):
    pass
