"""A real local HTTP server that receives webhook POSTs (http.server in a thread), for the
budget alert tests: it answers 200, fails a given number of times first, answers one status
always, or hangs until the test ends. Never a mock: the client under test talks real HTTP."""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


@dataclass
class WebhookServer:
    url: str
    fail_first: int = 0          # answer 500 to this many POSTs first
    status: int = 200            # then answer this
    hang: bool = False           # never answer (until the test ends)
    bodies: list[dict] = field(default_factory=list)
    posts: int = 0
    release: threading.Event = field(default_factory=threading.Event)


@contextlib.contextmanager
def webhook_server(**behaviour) -> Iterator[WebhookServer]:
    """A server on a free port of 127.0.0.1 with `behaviour` (see WebhookServer); stopped afterwards."""
    box: dict[str, WebhookServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            srv = box["srv"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            srv.posts += 1
            if srv.hang:
                srv.release.wait(30)
                return
            if srv.posts <= srv.fail_first:
                self.send_response(500)
                self.end_headers()
                return
            if srv.status == 200:
                srv.bodies.append(json.loads(body))
            self.send_response(srv.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    box["srv"] = WebhookServer(f"http://127.0.0.1:{httpd.server_address[1]}/hook", **behaviour)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield box["srv"]
    finally:
        box["srv"].release.set()
        httpd.shutdown()
        httpd.server_close()
