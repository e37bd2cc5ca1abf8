"""JSON request bodies read strictly at the edge: text must be valid Unicode (no unpaired surrogate such
as "\\ud800", which no encoder downstream can handle) and numbers finite and of a sane size (no NaN,
Infinity or a 4,000-digit integer). Every route of the app reads its JSON through `StrictJSONRoute`."""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

MAX_INTEGER_DIGITS = 18
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidInput(HTTPException):
    """A request body JSON cannot be taken in; the message names the place and the reason (422)."""

    def __init__(self, field: str, reason: str):
        self.field = field
        super().__init__(422, f"{field}: {reason}" if field else reason)


class _OutOfRange(str):
    """Stands for a number the body held that is not finite or too large; reported with its place."""


def _integer(text: str) -> int | _OutOfRange:
    return _OutOfRange(text) if len(text.lstrip("-")) > MAX_INTEGER_DIGITS else int(text)


def _decimal(text: str) -> float | _OutOfRange:
    value = float(text)
    return value if math.isfinite(value) else _OutOfRange(text)


def _check(value: Any, where: str) -> None:
    if isinstance(value, _OutOfRange):
        raise InvalidInput(where, f"{value[:20]}{'…' if len(value) > 20 else ''} is not a number this API accepts"
                                  " (NaN, infinite or out of range)")
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise InvalidInput(where, "the text contains an unpaired surrogate: it is not valid Unicode")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, where)
            _check(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{where}.{index}" if where else str(index))


def loads_strict(body: bytes | str) -> Any:
    """The JSON value of a body; InvalidInput (naming the place) for unpaired surrogates, NaN/Infinity and
    numbers out of range, json.JSONDecodeError for text that is not JSON."""
    value = json.loads(body, parse_constant=_OutOfRange, parse_int=_integer, parse_float=_decimal)
    _check(value, "")
    return value


class StrictRequest(Request):
    """A request whose `json()` is `loads_strict`."""

    async def json(self) -> Any:
        """The body as JSON, read strictly."""
        if not hasattr(self, "_json"):
            self._json = loads_strict(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose handler (and FastAPI's body parsing) sees a `StrictRequest`."""

    def get_route_handler(self) -> Callable:
        """The default handler, given a StrictRequest."""
        handler = super().get_route_handler()

        async def strict_handler(request: Request):
            return await handler(StrictRequest(request.scope, request.receive))

        return strict_handler
