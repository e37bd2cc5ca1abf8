"""The workspace's charting library served locally with the styles it would otherwise inject inline."""
import pytest
from fastapi.testclient import TestClient

from bots.web.vendor import stylesheet_from_plotly


def test_plotly_styles_are_served_and_the_policy_stays_strict(web_app):
    app, _ = web_app
    client = TestClient(app)
    css = client.get("/vendor/plotly.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".js-plotly-plot .plotly .main-svg{position:absolute;" in css.text
    assert ".maplibregl-map{" in css.text  # the stylesheet bundled with plotly.js, served rather than injected
    guard = client.get("/vendor/plotly-styles.js")
    assert guard.status_code == 200 and "createElement('meta')" in guard.text
    page = client.get("/admin/login")
    policy = page.headers["content-security-policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy


def test_a_bundle_without_its_stylesheet_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="stylesheet"):
        stylesheet_from_plotly("console.log('not plotly')")
