"""A tiny OpenAI-compatible chat-completions server on loopback for the LLM mode's tests: it answers every
request with what its `reply` function returns for the request's messages (plain or streamed as server-sent
events, as the OpenAI client asks) and records the requests. It checks the plumbing only: there is no model."""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from assistant.answering.evaluation import first_line
from assistant.answering.llm import NOT_COVERED
from tests.support.processes import free_port

Reply = Callable[[list[dict]], str]
_CHOSEN_RE = re.compile(r"<chosen_evidence>\n(.*?)\n</chosen_evidence>", re.S)


def chosen_first_line(messages: list[dict]) -> str:
    """An honest completion: the first line of the evidence the request gives (or 'not covered')."""
    found = _CHOSEN_RE.search(messages[-1]["content"])
    return first_line(found.group(1)) if found else NOT_COVERED


@dataclass
class ChatServer:
    """The running server: `url` is the base URL to configure (…/v1); `reply` may be changed at any time."""

    url: str
    reply: Reply
    requests: list[dict] = field(default_factory=list)  # {"path", "headers" (lower-case names), "body"} of every request

    def user_message(self, index: int = -1) -> str:
        """The last user message of a recorded request."""
        messages = self.requests[index]["body"]["messages"]
        return next(m["content"] for m in reversed(messages) if m["role"] == "user")


def _completion(model: str, text: str) -> dict:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _chunks(model: str, text: str) -> Iterator[dict]:
    words = text.split(" ")
    for i, word in enumerate(words):
        piece = word if i == len(words) - 1 else word + " "
        yield {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model,
               "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}]}
    yield {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model,
           "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 — the name http.server calls
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            server.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            if self.path.rstrip("/") != "/v1/chat/completions":
                self.send_error(404)
                return
            text = server.reply(body.get("messages", []))
            model = body.get("model", "")
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in _chunks(model, text):
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                return
            payload = json.dumps(_completion(model, text), ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 — http.server's signature
            pass

    return Handler


@contextmanager
def chat_server(reply: Reply) -> Iterator[ChatServer]:
    """A ChatServer on a free loopback port for the block's duration."""
    port = free_port()
    state = ChatServer(f"http://127.0.0.1:{port}/v1", reply)
    httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
