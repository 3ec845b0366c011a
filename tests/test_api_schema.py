"""schemathesis against the API's own OpenAPI schema, over the demo database: whatever values the
schema allows, no request gets a 5xx answer."""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from chancery.api import create_app
from chancery.relink import relink
from chancery.storage import open_store

EXAMPLES = 40  # per operation


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, demo_articles):
    store = open_store(str(tmp_path_factory.mktemp("schema") / "demo.db"))
    store.add(demo_articles)
    relink(store)
    yield schemathesis.openapi.from_asgi("/api/openapi.json", create_app(store=store))
    store.close()


def test_no_server_errors(api_schema):
    """Each operation, EXAMPLES generated requests (schemathesis's own pytest plugin does not load under
    this pytest, so the operations are driven through hypothesis directly)."""
    calls: dict[str, int] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        check(operation, f"{operation.method.upper()} {operation.path}", calls)
    print(f"schemathesis: {sum(calls.values())} requests over {len(calls)} operations, no 5xx")
    assert sum(calls.values()) >= len(operations) * 5


def check(operation, label: str, calls: dict[str, int]) -> None:
    from hypothesis import given

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def one(case):
        case.call_and_validate(checks=[not_a_server_error])
        calls[label] = calls.get(label, 0) + 1

    one()
