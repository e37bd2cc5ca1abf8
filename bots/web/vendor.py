"""Third-party browser assets served locally (no CDN): plotly.js and the styles it would otherwise inject
inline, which the workspace's Content-Security-Policy (style-src 'self') refuses: its own rules (added
one by one into a <style> element) and the stylesheets bundled with it (maplibre's), each added as a
<style> element with a fixed id unless an element with that id is already in the page."""
from __future__ import annotations

import json
import re
from functools import lru_cache

# plotly.js keeps its stylesheet as an object literal of selector → declarations, with X standing for
# ".js-plotly-plot .plotly" and Y for ".plotly-notifier"; its first rule is "X,X div".
_FIRST_RULE = '"X,X div"'
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_BUNDLED = re.compile(r'if\(!document\.getElementById\("([\w-]+)"\)\)\{var (\w+)=document\.createElement\("style"\);'
                      r'\2\.id="\1",\2\.textContent=')


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.min.js from the installed `plotly` package."""
    from plotly.offline import get_plotlyjs  # noqa: PLC0415 — a large module, needed only by the workspace's charts

    return get_plotlyjs()


@lru_cache(maxsize=1)
def plotly_css() -> str:
    """Every style plotly.js would inject, as one stylesheet. The page links it with id
    "plotly.js-style-global" and class "no-inline-styles", which tells plotly.js not to add its rules."""
    js = plotly_js()
    return stylesheet_from_plotly(js) + "".join(css + "\n" for _, css in bundled_styles(js))


@lru_cache(maxsize=1)
def plotly_style_guard() -> str:
    """A script, run before plotly.js, that marks the bundled stylesheets as present (an empty element
    with each one's id), so plotly.js does not inject them: plotly.css already holds them."""
    ids = [identifier for identifier, _ in bundled_styles(plotly_js())]
    return ("// Generated from the installed plotly.js: its bundled stylesheets are served in /vendor/plotly.css.\n"
            f"{json.dumps(ids)}.forEach(function (id) {{ if (!document.getElementById(id)) {{ var m = document.createElement('meta'); "
            "m.id = id; document.head.appendChild(m); } });\n")


def bundled_styles(js: str) -> list[tuple[str, str]]:
    """(element id, CSS) of each stylesheet the bundle injects itself as a <style> element."""
    styles = []
    for match in _BUNDLED.finditer(js):
        literal = _STRING.match(js, match.end())
        if literal:
            styles.append((match.group(1), _unquote(literal.group())))
    return styles


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
