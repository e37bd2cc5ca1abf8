"""/docs: the API's description as one self-contained HTML page rendered on the server from the OpenAPI
document (no script, no CDN), and /openapi.json itself; both only when CNHT_API_DOCS is on."""
from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

_STYLE = "default-src 'none'; style-src 'self'; frame-ancestors 'none'"
_METHODS = ("get", "post", "put", "delete", "patch")


def _schema_name(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_schema_name(schema.get('items', {}))}"
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return " | ".join(_schema_name(o) for o in options)
    return str(schema.get("type", "object"))


def render_docs(spec: dict) -> str:
    """The OpenAPI document as HTML: every operation with its parameters, body and responses, then every
    schema with its fields."""
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(spec['info']['title'])}"
             "</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main>",
             f"<h1>{escape(spec['info']['title'])} <small>v{escape(str(spec['info'].get('version', '')))}</small></h1>",
             "<p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>.</p>"]
    for path, operations in spec.get("paths", {}).items():
        for method in _METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            parts.append(f"<section><h2><code>{method.upper()} {escape(path)}</code></h2>")
            if operation.get("summary"):
                parts.append(f"<p><strong>{escape(operation['summary'])}</strong></p>")
            if operation.get("description"):
                parts.append(f"<p>{escape(operation['description'])}</p>")
            parameters = operation.get("parameters", [])
            if parameters:
                parts.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th></tr>")
                for p in parameters:
                    parts.append(f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p.get('in', ''))}</td>"
                                 f"<td>{escape(_schema_name(p.get('schema', {})))}</td>"
                                 f"<td>{'yes' if p.get('required') else 'no'}</td></tr>")
                parts.append("</table>")
            body = operation.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                parts.append(f"<p>Body ({escape(media)}): <code>{escape(_schema_name(content.get('schema', {})))}</code></p>")
            codes = ", ".join(escape(code) for code in operation.get("responses", {}))
            parts.append(f"<p>Responses: {codes}</p></section>")
    schemas = spec.get("components", {}).get("schemas", {})
    if schemas:
        parts.append("<h2>Schemas</h2>")
    for name, schema in schemas.items():
        parts.append(f"<section><h3 id=\"{escape(name)}\">{escape(name)}</h3>")
        if schema.get("description"):
            parts.append(f"<p>{escape(schema['description'])}</p>")
        required = set(schema.get("required", []))
        fields = schema.get("properties", {})
        if fields:
            parts.append("<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>")
            for field, spec_ in fields.items():
                parts.append(f"<tr><td><code>{escape(field)}</code></td><td>{escape(_schema_name(spec_))}</td>"
                             f"<td>{'yes' if field in required else 'no'}</td>"
                             f"<td>{escape(str(spec_.get('description', '')))}</td></tr>")
            parts.append("</table>")
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "".join(parts)


def add_docs(app: FastAPI) -> None:
    """Serve /docs (HTML, no script) and /openapi.json."""

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document():
        """The OpenAPI description of the API."""
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def documentation():
        """The API's description, readable in a browser without any script."""
        return HTMLResponse(render_docs(app.openapi()), headers={"Content-Security-Policy": _STYLE,
                                                                 "Cache-Control": "no-cache"})
