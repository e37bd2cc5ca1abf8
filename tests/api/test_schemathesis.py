"""Generated requests over the whole public API (from its own OpenAPI description, by schemathesis): whatever
a client sends, the server answers 2xx or 4xx in its one error shape, never 5xx."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.slow

EXAMPLES = 25  # per operation: bounded so the suite stays quick


def test_no_generated_request_gets_a_server_error(web_app):
    app, _ = web_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/ask", "/api/search", "/api/feedback", "/api/eligibility"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def no_server_error(case):
            response = case.call()
            assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:300]}"
            content_type = (response.headers.get("content-type") or [""])[0]
            if response.status_code >= 400 and content_type.startswith("application/json"):
                assert "error" in response.json()

        no_server_error()
