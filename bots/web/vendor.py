"""Third-party browser assets served locally (no CDN): plotly.js and the stylesheet it would otherwise
inject inline, which the workspace's Content-Security-Policy (style-src 'self') refuses."""
from __future__ import annotations

import re
from functools import lru_cache

# plotly.js keeps its stylesheet as an object literal of selector → declarations, with X standing for
# ".js-plotly-plot .plotly" and Y for ".plotly-notifier"; its first rule is "X,X div".
_FIRST_RULE = '"X,X div"'
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.min.js from the installed `plotly` package."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@lru_cache(maxsize=1)
def plotly_css() -> str:
    """The rules plotly.js would add in a <style> element, as a stylesheet. The page links it with
    id "plotly.js-style-global" and class "no-inline-styles", which tells plotly.js not to inject its own."""
    return stylesheet_from_plotly(plotly_js())


def stylesheet_from_plotly(js: str) -> str:
    """The CSS of plotly.js's built-in rules, read from the bundle's source (ValueError when absent)."""
    start = js.find(_FIRST_RULE)
    if start < 0:
        raise ValueError("plotly.js: its stylesheet (the rule 'X,X div') was not found in the bundle")
    rules: list[str] = []
    position = start
    while True:
        key = _STRING.match(js, position)
        if key is None or js[key.end()] != ":":
            break
        value = _STRING.match(js, key.end() + 1)
        if value is None:
            break
        selector = _unquote(key.group()).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        if selector.startswith(","):
            selector = " " + selector
        rules.append(f"{selector}{{{_unquote(value.group())}}}")
        position = value.end()
        if js[position] != ",":
            break
        position += 1
    if len(rules) < 10:
        raise ValueError(f"plotly.js: only {len(rules)} stylesheet rules could be read from the bundle")
    return "\n".join(rules) + "\n"


def _unquote(literal: str) -> str:
    """A JavaScript string literal's text (the bundle's rules use only simple escapes)."""
    return re.sub(r"\\(.)", r"\1", literal[1:-1])
