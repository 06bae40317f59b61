"""The OpenAPI 3.1 document, generated from the routes actually registered under
``api_v1`` and the metadata their ``ApiResource`` classes carry — so it cannot drift from
what the server answers. Request and response schemas come from the pydantic models."""

from __future__ import annotations

import re

from flask import Flask
from pydantic.json_schema import models_json_schema

from zorgtafel.core.api import DEFAULT_LIMIT, MAX_LIMIT, ApiResource
from zorgtafel.core.errors import CODES

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Ongeldig verzoek: geen JSON-object, of een ongeldige cursor.",
    401: "Geen, een ongeldig, verlopen of ingetrokken token, of een gedeactiveerd account.",
    403: "Het convenant staat dit niet toe; de melding noemt de reden.",
    404: "Onbekend, of u heeft er geen inzage in (hetzelfde antwoord).",
    405: "Deze methode kan hier niet.",
    409: "Conflict met de huidige toestand.",
    422: "Ongeldige velden; `fields` noemt per veld wat er mis is.",
    429: "Te veel verzoeken met dit token; zie Retry-After.",
    500: "Interne fout; de fout is vastgelegd.",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "enum": sorted(set(CODES.values()))},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "veldpad (bijv. `subject.bsn`, `participants[0]`) → melding"},
            },
        }
    },
}
CONVERTERS = {"int": {"type": "integer"}, "float": {"type": "number"}, "uuid": {"type": "string", "format": "uuid"}}
PARAM_RE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path(rule: str) -> tuple[str, list[dict]]:
    params = [{"name": name, "in": "path", "required": True, "schema": CONVERTERS.get(conv or "", {"type": "string"})}
              for conv, name in PARAM_RE.findall(rule)]
    return PARAM_RE.sub(lambda m: "{" + m.group(2) + "}", rule[len(PREFIX):] or "/"), params


def _error_ref(code: int) -> dict:
    return {"$ref": f"#/components/responses/{CODES[code]}"}


def _error_responses() -> dict:
    out = {}
    for code, text in ERROR_TEXT.items():
        out[CODES[code]] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    out[CODES[401]]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    out[CODES[429]]["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconden"}}
    return out


def _operations(app: Flask):
    """(path, method, resource class, endpoint, path params) per registered API route."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api_v1.") or rule.endpoint == "api_v1.openapi":
            continue
        resource = getattr(app.view_functions[rule.endpoint], "view_class", None)
        if resource is None or not issubclass(resource, ApiResource):
            continue  # the access-guard test fails on these; the document cannot describe them
        path, params = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield path, method, resource, rule.endpoint, params


def _schemas(ops) -> tuple[dict, dict]:
    """One pass through pydantic: {(model, mode): schema or $ref} and the shared components."""
    wanted = set()
    for _, method, resource, _, _ in ops:
        doc = resource.doc(method)
        for key, mode in (("request_model", "validation"), ("query_model", "validation"),
                          ("response_model", "serialization")):
            if doc[key] is not None:
                wanted.add((doc[key], mode))
    if not wanted:
        return {}, {}
    refs, top = models_json_schema(sorted(wanted, key=lambda w: (w[0].__qualname__, w[1])), ref_template=REF)
    return refs, top.get("$defs", {})


def _query_params(model, components: dict, refs: dict) -> list[dict]:
    schema = components[refs[(model, "validation")]["$ref"].rsplit("/", 1)[-1]]
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required, "schema": prop,
             **({"description": prop["description"]} if "description" in prop else {})}
            for name, prop in schema.get("properties", {}).items()]


def _operation(path, method, resource, endpoint, params, refs, components, tags) -> dict:
    doc = resource.doc(method)
    parameters = list(params)
    if doc["query_model"] is not None:
        parameters += _query_params(doc["query_model"], components, refs)
    if doc["paged"]:
        parameters += [
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
            {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "de `next` van de vorige pagina, ongewijzigd"},
        ]
    status = str(doc["response_status"])
    success: dict = {"description": doc["response_description"]}
    if status != "204":
        schema = refs[(doc["response_model"], "serialization")] if doc["response_model"] else {}
        if doc["media_type"] != "application/json":
            schema = {"type": "string"}
        elif doc["paged"]:
            schema = {"type": "object", "required": ["items", "next"],
                      "properties": {"items": {"type": "array", "items": schema or {"type": "object"}},
                                     "next": {"type": ["string", "null"]}}}
        elif not schema:
            schema = {"type": "object"}
        media = {"schema": schema}
        if doc["response_example"] is not None:
            media["example"] = doc["response_example"]
        success["content"] = {doc["media_type"]: media}
    operation = {
        "operationId": f"{endpoint.split('.', 1)[1]}_{method.lower()}",
        "summary": doc["summary"] or endpoint,
        "tags": list(doc["tags"]) or [tags.get(endpoint, "api")],
        "responses": {status: success, **{str(c): _error_ref(c) for c in resource.error_codes(method)}},
    }
    if doc["description"]:
        operation["description"] = doc["description"]
    if parameters:
        operation["parameters"] = parameters
    if doc["request_model"] is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": refs[(doc["request_model"], "validation")]}}}
    return operation


def build_document(app: Flask) -> dict:
    ops = list(_operations(app))
    refs, components = _schemas(ops)
    tags = app.extensions.get("zorgtafel.api_tags", {})
    paths: dict = {
        "/openapi.json": {"get": {
            "operationId": "openapi_get", "summary": "Dit document", "tags": ["api"], "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}},
                          "429": _error_ref(429)},
        }}
    }
    for path, method, resource, endpoint, params in ops:
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, resource, endpoint, params,
                                                                refs, components, tags)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Zorgtafel API", "version": "1",
                 "description": "Partners registreren signalen en volgen casussen onder het convenant. "
                                "Tijden zijn ISO 8601 met offset; lijsten pagineren met een ondoorzichtige `next`-cursor."},
        "servers": [{"url": PREFIX}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, **components},
            "responses": _error_responses(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "`zorgtafel token create` geeft een token"}},
        },
    }
