"""A local preview server for the built site (not for production: use any static host).

It serves files only: a folder without ``index.html`` gets the site's 404 page, never a listing
of its files. A folder that does not exist, or an address it cannot listen on (a busy port), is
refused with a :class:`ServeError` saying what to do instead.
"""

from __future__ import annotations

import errno
import functools
import http.server
import os
import socket
from collections.abc import Callable
from pathlib import Path

from site_builder.exceptions import SiteBuilderError


class ServeError(SiteBuilderError):
    """The preview server cannot start: no such site folder, or the address cannot be listened on."""


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".pf_meta": "application/octet-stream",
                      ".json": "application/json", ".js": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Quiet: the preview server does not log every request."""

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """No directory listings: a folder without ``index.html`` is not found."""
        self.send_error(404)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The site's ``404.html`` for a missing page; the standard error page otherwise."""
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


class _IPv6Server(http.server.ThreadingHTTPServer):
    """The server on an IPv6 address (``::1``, ``::``): the standard class listens on IPv4 only."""

    address_family = socket.AF_INET6


def address(bind: str, port: int) -> str:
    """``host:port`` as a URL writes it: an IPv6 address in brackets (``[::1]:8000``)."""
    host = bind.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def make_server(site_dir: Path, bind: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``site_dir`` on an IPv4 or IPv6 address (``[::1]`` or ``::1``; port 0 picks a free port).

    Raises :class:`ServeError` if ``site_dir`` is not a folder or the address cannot be listened on.
    """
    if not site_dir.is_dir():
        what = "is not a folder" if site_dir.exists() else "does not exist"
        raise ServeError(f"Site folder '{site_dir}' {what}: build the site first (site-builder build --out {site_dir})")
    if not 0 <= port <= 65535:
        raise ServeError(f"Port {port} is not a port number (1 to 65535, or 0: any free port): choose another --port")
    handler = functools.partial(_Handler, directory=str(site_dir))
    host = bind.strip("[]")
    server = _IPv6Server if ":" in host else http.server.ThreadingHTTPServer
    try:
        return server((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"Port {port} on {bind} is already in use: stop the other server or choose another "
                             f"port with --port") from exc
        raise ServeError(f"Cannot listen on {address(bind, port)}: {exc.strerror or exc} (choose another --bind or --port)") from exc


def serve(site_dir: Path, bind: str = "127.0.0.1", port: int = 8000,
          announce: Callable[[str], None] | None = None) -> None:
    """Serve ``site_dir`` until interrupted (see :func:`make_server` for what is refused).

    ``announce`` is given the site's address once the server listens (with the port chosen for port 0).
    """
    with make_server(site_dir, bind, port) as server:
        if announce is not None:
            announce(f"http://{address(bind, server.server_address[1])}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
