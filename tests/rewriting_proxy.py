"""A loopback HTTP proxy that forwards to a real server and rewrites its answers on the way back."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


@contextmanager
def rewriting_proxy(
    upstream: str,
    rewrite: Callable[[str, bytes], bytes] = lambda _path, body: body,
    before: Callable[[str, str], None] = lambda _method, _path: None,
    lose_answer: Callable[[str, str], int | None] = lambda _method, _path: None,
) -> Iterator[str]:
    """Serve on 127.0.0.1 what ``upstream`` answers, each body passed through ``rewrite(path, body)``
    (and ``before(method, path)`` called as each request arrives); yields the proxy's base URL.

    When ``lose_answer(method, path)`` gives a status for a request that upstream has answered, the
    answer is lost on the way back: replaced by a gateway's HTML page with that status, or with 0 the
    connection is dropped without a word."""
    client = httpx.Client(base_url=upstream, timeout=10)

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            before(self.command, self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
            answer = client.request(self.command, self.path, content=body, headers=headers)
            lost = lose_answer(self.command, self.path)
            if lost == 0:
                self.close_connection = True
                return
            if lost is not None:
                answer = httpx.Response(lost, html=f"<html><body><h1>{lost} Bad Gateway</h1></body></html>")
            content = rewrite(self.path, answer.content)
            self.send_response(answer.status_code)
            for name, value in answer.headers.multi_items():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815 (http.server names)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        client.close()
