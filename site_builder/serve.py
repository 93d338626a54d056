"""A local preview server for the built site (not for production: use any static host)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".pf_meta": "application/octet-stream",
                      ".json": "application/json", ".js": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Quiet: the preview server does not log every request."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def make_server(site_dir: Path, bind: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``site_dir`` (port 0 picks a free port)."""
    handler = functools.partial(_Handler, directory=str(site_dir))
    return http.server.ThreadingHTTPServer((bind, port), handler)


def serve(site_dir: Path, bind: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``site_dir`` until interrupted."""
    with make_server(site_dir, bind, port) as server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
