"""Body limits against a real `cnht serve` process: a 200 MB chunked body is refused with 413 as soon as
the cap is passed, without the server's memory growing; a body that trickles in times out (408)."""
import select
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import cnht_serve

pytestmark = pytest.mark.slow


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {"CNHT_DATA_DIR": str(tmp_path_factory.mktemp("served")), "CNHT_BODY_TIMEOUT_SECONDS": "2"}
    with cnht_serve(env, start_seconds=120) as served:
        httpx.post(served.url + "/api/ask", json={"question": "khu công nghiệp"}, timeout=60)  # everything loaded and used once
        yield served.process, served.port


def _open(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n".encode())
    return sock


def _status(sock: socket.socket) -> int:
    sock.settimeout(30)
    data = b""
    while b"\r\n" not in data:
        piece = sock.recv(4096)
        if not piece:
            break
        data += piece
    return int(data.split(b" ", 2)[1])


def test_a_200_mb_chunked_post_is_refused_early_and_memory_stays_flat(server):
    process, port = server
    before = _peak_kb(process.pid)
    sock = _open(port, "/api/ask")
    chunk = b"a" * (1024 * 1024)
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    answered = False
    try:
        while sent < 200 * 1024 * 1024:
            sock.sendall(frame)
            sent += len(chunk)
            if select.select([sock], [], [], 0)[0]:
                answered = True
                break
    except (BrokenPipeError, ConnectionResetError):
        answered = True
    assert answered or sent >= 200 * 1024 * 1024
    assert _status(sock) == 413
    sock.close()
    grown_mb = (_peak_kb(process.pid) - before) / 1024
    assert grown_mb < 50, f"peak memory grew by {grown_mb:.0f} MB"
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200


def test_a_body_that_trickles_in_times_out(server):
    _, port = server
    sock = _open(port, "/api/ask")
    sock.sendall(b'5\r\n{"que\r\n')  # then nothing more
    started = time.time()
    assert _status(sock) == 408
    assert time.time() - started < 20
    sock.close()


def test_a_rotating_forwarded_for_from_loopback_is_not_believed(server):
    """`cnht serve` believes X-Forwarded-For only from CNHT_TRUSTED_PROXIES (none by default): a client
    rotating the header is still one client to the rate limit (30 a minute by default)."""
    _, port = server
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        statuses = [client.get("/api/search", params={"q": "khu công nghiệp", "k": 1},
                               headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(35)]
    assert 429 in statuses and set(statuses) == {200, 429}
