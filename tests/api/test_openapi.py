"""The OpenAPI document: valid 3.1, public, and complete for every registered route."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tests.api.helpers import API


def _document(client) -> dict:
    response = client.get(f"{API}/openapi.json")  # no token: it is public
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(client):
    document = _document(client)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_registered_route_and_method_is_documented(app, client):
    paths = _document(client)["paths"]
    routes = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api_v1.")]
    assert any(r.endpoint == "api_v1.test_echo" for r in routes)
    for rule in routes:
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)[len(API):]
        assert path in paths, f"{rule.rule} missing from the OpenAPI document"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], f"{method} {rule.rule} missing"


def test_every_operation_documents_its_errors_with_the_shared_shape(client):
    document = _document(client)
    responses = document["components"]["responses"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = {c for c in operation["responses"] if c.startswith(("4", "5"))}
            assert "429" in codes, f"{method} {path}"
            if path != "/openapi.json":
                assert {"401", "403"} <= codes, f"{method} {path}"
            for code in codes:
                name = operation["responses"][code]["$ref"].rsplit("/", 1)[-1]
                schema = responses[name]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields"]


def test_bearer_security_everywhere_but_the_document_itself(client):
    document = _document(client)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearerAuth"]["description"]}
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/openapi.json"]["get"]["security"] == []


def test_request_bodies_come_from_the_pydantic_models(client):
    document = _document(client)
    echo = document["paths"]["/test/echo"]["post"]
    ref = echo["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(schema["required"]) == {"name", "count", "when", "sub"}
    assert schema["properties"]["sub"] == {"$ref": "#/components/schemas/Sub"}
    assert {"400", "422"} <= set(echo["responses"])
    success = echo["responses"]["201"]["content"]["application/json"]
    assert success["schema"] == {"$ref": "#/components/schemas/EchoOut"}
    assert success["example"]["name"] == "x"


def test_path_query_and_paging_parameters(client):
    paths = _document(client)["paths"]
    thing = paths["/test/things/{thing_id}"]
    assert thing["get"]["parameters"] == [{"name": "thing_id", "in": "path", "required": True,
                                           "schema": {"type": "integer"}}]
    assert {"404", "409"} <= set(thing["put"]["responses"])
    assert "content" not in thing["delete"]["responses"]["204"]
    listing = paths["/test/organisations"]["get"]
    names = {p["name"]: p for p in listing["parameters"]}
    assert names["prefix"]["required"] is True
    assert names["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
    assert "cursor" in names
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["next"] == {
        "type": ["string", "null"]}


def test_a_non_json_answer_is_documented_with_its_media_type(client):
    operation = _document(client)["paths"]["/test/calendar.ics"]["get"]
    assert operation["responses"]["200"]["content"] == {"text/calendar": {"schema": {"type": "string"}}}


def test_operation_ids_are_unique_and_tags_name_the_domain(client):
    document = _document(client)
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert document["paths"]["/test/me"]["get"]["tags"] == ["testdomain"]
