"""The scale-out deployment files: the compose file is valid for Debian's docker-compose (no daemon needed),
and its replicas share exactly the database, Chroma server and Redis the deployment guide names."""
import subprocess

import yaml

from tests.conftest import ROOT, require_tool

COMPOSE = ROOT / "deploy" / "compose.yaml"


def resolved() -> dict:
    tool = require_tool("docker-compose")
    result = subprocess.run([tool, "-f", str(COMPOSE), "config"], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "CNHT_DB_PASSWORD": "s3cret"})
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_file_is_valid_and_the_two_replicas_share_only_the_servers():
    services = resolved()["services"]
    assert {"app1", "app2", "chroma", "postgres", "redis"} <= set(services)
    shared = ("CNHT_DATABASE_URL", "CNHT_CHROMA_URL", "CNHT_REDIS_URL")
    one, two = services["app1"]["environment"], services["app2"]["environment"]
    for name in shared:
        assert one[name] == two[name], name
    assert one["CNHT_DATABASE_URL"].startswith("postgresql+psycopg://cnht:s3cret@postgres:5432/")
    assert one["CNHT_CHROMA_URL"] == "http://chroma:8000"
    volumes = [{v.split(":")[0] for v in services[app]["volumes"]} for app in ("app1", "app2")]
    assert volumes[0].isdisjoint(volumes[1]), "each replica keeps its own data directory"
    ports = [{p["published"] for p in services[app]["ports"]} for app in ("app1", "app2")]
    assert ports[0].isdisjoint(ports[1])


def test_every_setting_the_compose_file_passes_is_one_the_app_reads():
    from assistant.settings import Settings

    known = {f"CNHT_{name.upper()}" for name in Settings.model_fields}
    for service in ("app1", "app2"):
        unknown = set(resolved()["services"][service]["environment"]) - known
        assert not unknown, f"{service} passes settings the app does not read: {sorted(unknown)}"
