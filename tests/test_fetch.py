"""The fetcher against a real HTTP server on 127.0.0.1, and its refusals."""
from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chancery import fetch as fetch_module
from chancery import settings
from chancery.fetch import DEFAULT_USER_AGENT, Fetcher, FetchError, blocked_address, decode_html, media_type

PAGE = b"<html><head><title>Envoys meet</title></head><body><p>The envoys met.</p></body></html>"


class Site:
    """A real HTTP server in a thread. `routes` maps a path to (status, headers, body) or to a callable
    that writes the response itself; every request is logged with its arrival time and headers."""

    def __init__(self, routes: dict):
        self.routes = routes
        self.hits: list[tuple[str, float, dict]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.hits.append((self.path, time.monotonic(), dict(self.headers)))
                route = site.routes.get(self.path, (404, {}, b"not here"))
                try:
                    if callable(route):
                        route(self)
                        return
                    status, headers, body = route
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading, as it should for oversized bodies

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def times(self, path: str) -> list[float]:
        return [when for hit_path, when, _ in self.hits if hit_path == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _stream_big(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()  # no Content-Length: the body ends when the connection closes
    for _ in range(40):
        handler.wfile.write(b"x" * 10_000)


def _echo_host(handler: BaseHTTPRequestHandler) -> None:
    body = handler.headers.get("Host", "").encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _routes(robots: tuple | None) -> dict:
    html = {"Content-Type": "text/html; charset=utf-8"}
    routes = {
        "/page": (200, html, PAGE),
        "/other": (200, html, PAGE),
        "/private/secret": (200, html, PAGE),
        "/big": _stream_big,
        "/big-declared": (200, {"Content-Type": "text/html", "Content-Length": "400000"}, b"x" * 400_000),
        "/host": _echo_host,
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/no-location": (302, {}, b""),
    }
    for hop in range(1, 8):
        target = "/page" if hop == 1 else f"/hop/{hop - 1}"
        routes[f"/hop/{hop}"] = (302, {"Location": target}, b"")
    if robots is not None:
        routes["/robots.txt"] = robots
    return routes


ROBOTS = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")


@pytest.fixture
def site():
    server = Site(_routes(ROBOTS))
    yield server
    server.close()


def _fetcher(**options) -> Fetcher:
    options.setdefault("delay", 0.0)
    return Fetcher(allow_private=True, **options)


def test_fetches_a_page_with_user_agent(site):
    with _fetcher() as fetcher:
        result = fetcher.get(site.base + "/page")
    assert result.status == 200
    assert result.url == site.base + "/page"
    assert result.content_type == "text/html; charset=utf-8"
    assert result.body == PAGE
    page_hits = [headers for path, _, headers in site.hits if path == "/page"]
    assert page_hits[0]["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("chancery/")


def test_host_name_is_kept_when_connecting_to_the_checked_address(site):
    # "localhost" may resolve to ::1 first, where nothing listens: the next address is tried
    with _fetcher() as fetcher:
        result = fetcher.get(f"http://localhost:{site.port}/host")
    assert result.body.decode() == f"localhost:{site.port}"


def test_http_errors_raise(site):
    with _fetcher() as fetcher, pytest.raises(FetchError, match="HTTP 404 Not Found"):
        fetcher.get(site.base + "/nothing-here")


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:{port}/page", "http://localhost:{port}/page", "http://[::1]:{port}/page",
     "http://0.0.0.0:{port}/page"],
)
def test_default_fetcher_refuses_local_addresses(site, url):
    with Fetcher() as fetcher, pytest.raises(FetchError, match="refused: .* resolves to"):
        fetcher.get(url.format(port=site.port))
    assert site.hits == []  # not even robots.txt was asked for


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "gopher://example.org/"])
def test_refuses_other_schemes(url):
    with Fetcher() as fetcher, pytest.raises(FetchError, match="unsupported URL scheme"):
        fetcher.get(url)


def test_invalid_url_is_a_fetch_error():
    with Fetcher() as fetcher, pytest.raises(FetchError, match="invalid URL"):
        fetcher.get("http://[::1/broken")


@pytest.mark.parametrize(
    ("address", "blocked"),
    [("127.0.0.1", "loopback"), ("10.2.3.4", "private"), ("192.168.1.1", "private"),
     ("172.16.0.9", "private"),
     ("169.254.169.254", "link-local"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
     ("fe80::1", "link-local"), ("fd12:3456::1", "private"), ("100.64.0.1", "non-global"),
     ("224.0.0.1", "multicast"), ("8.8.8.8", None), ("2606:4700:4700::1111", None)],
)
def test_blocked_addresses(address, blocked):
    assert blocked_address(address) == blocked


def test_redirect_to_another_scheme_is_refused_at_that_hop(site):
    with _fetcher() as fetcher, pytest.raises(FetchError, match="unsupported URL scheme 'file'"):
        fetcher.get(site.base + "/to-file")


def test_redirect_without_location(site):
    with _fetcher() as fetcher, pytest.raises(FetchError, match="without a Location"):
        fetcher.get(site.base + "/no-location")


def test_five_redirects_are_followed_six_are_not(site):
    with _fetcher() as fetcher:
        result = fetcher.get(site.base + "/hop/5")
        assert result.url == site.base + "/page"
        assert result.body == PAGE
        with pytest.raises(FetchError, match="too many redirects"):
            fetcher.get(site.base + "/hop/6")


def test_robots_disallow_is_respected_and_cached(site):
    with _fetcher() as fetcher:
        with pytest.raises(FetchError, match="robots.txt"):
            fetcher.get(site.base + "/private/secret")
        fetcher.get(site.base + "/page")
        fetcher.get(site.base + "/other")
    assert "/private/secret" not in [path for path, _, _ in site.hits]
    assert len(site.times("/robots.txt")) == 1


def test_robots_can_be_ignored(site):
    with _fetcher(respect_robots=False) as fetcher:
        assert fetcher.get(site.base + "/private/secret").status == 200
    assert site.times("/robots.txt") == []


def test_missing_robots_means_allowed():
    server = Site(_routes(robots=None))
    try:
        with _fetcher() as fetcher:
            assert fetcher.get(server.base + "/private/secret").status == 200
        assert len(server.times("/robots.txt")) == 1
    finally:
        server.close()


def test_failing_robots_means_disallowed():
    server = Site(_routes(robots=(503, {}, b"down")))
    try:
        with _fetcher() as fetcher, pytest.raises(FetchError, match="robots.txt .* HTTP 503"):
            fetcher.get(server.base + "/page")
        assert server.times("/page") == []
    finally:
        server.close()


def test_streamed_body_over_max_bytes_is_refused(site):
    too_large = "too large: more than 100000"
    with _fetcher(max_bytes=100_000) as fetcher, pytest.raises(FetchError, match=too_large):
        fetcher.get(site.base + "/big")


def test_declared_body_over_max_bytes_is_refused(site):
    with _fetcher(max_bytes=100_000) as fetcher, pytest.raises(FetchError, match="400000 bytes declared"):
        fetcher.get(site.base + "/big-declared")


def test_body_under_max_bytes_is_read(site):
    with _fetcher(max_bytes=1_000_000) as fetcher:
        assert len(fetcher.get(site.base + "/big").body) == 400_000


def test_requests_to_one_host_are_spaced(site):
    with _fetcher(delay=0.6) as fetcher:
        fetcher.get(site.base + "/page")
        fetcher.get(site.base + "/other")
    robots, first, second = site.times("/robots.txt")[0], site.times("/page")[0], site.times("/other")[0]
    assert first - robots >= 0.5
    assert second - first >= 0.5


def test_robots_crawl_delay_is_obeyed():
    robots = (200, {}, b"User-agent: *\nCrawl-delay: 1\n")
    server = Site(_routes(robots))
    try:
        with _fetcher(delay=0.0) as fetcher:
            fetcher.get(server.base + "/page")
            fetcher.get(server.base + "/other")
        assert server.times("/other")[0] - server.times("/page")[0] >= 0.9
    finally:
        server.close()


def test_media_type_and_decoding():
    assert media_type('text/html; Charset="ISO-8859-1"') == ("text/html", "iso-8859-1")
    assert media_type(None) == ("", None)
    latin = "<p>Déclaration de la délégation</p>".encode("cp1252")
    assert "Déclaration" in decode_html(latin, "text/html; charset=windows-1252")
    assert "Déclaration" in decode_html(b'<meta charset="windows-1252">' + latin)
    # a page labelled Latin-1 whose bytes are valid UTF-8 is read as UTF-8
    assert "délégation" in decode_html("<p>délégation</p>".encode(), "text/html; charset=iso-8859-1")


# -- timeouts, compressed bombs, redirects into private networks, the command line's --allow-private ------

def _slow_start(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(3)  # nothing at all for 3 s
    handler.send_response(200)
    handler.send_header("Content-Length", "2")
    handler.end_headers()
    handler.wfile.write(b"ok")


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    for _ in range(12):  # each byte well within the read timeout, the whole body not
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.25)


def _gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    body = gzip.compress(b"\0" * 5_000_000)
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def slow_site():
    server = Site({"/slow": _slow_start, "/trickle": _trickle, "/bomb": _gzip_bomb})
    yield server
    server.close()


def test_a_server_that_does_not_answer_times_out(slow_site):
    with _fetcher(timeout=0.5, respect_robots=False) as fetcher, pytest.raises(FetchError, match=r"timed out after 0.5 s$"):
        fetcher.get(slow_site.base + "/slow")


def test_a_body_that_keeps_trickling_times_out(slow_site):
    with (_fetcher(timeout=1.0, respect_robots=False) as fetcher,
          pytest.raises(FetchError, match=r"timed out after 1 s \(body still arriving\)")):
        fetcher.get(slow_site.base + "/trickle")


def test_compressed_body_is_counted_after_decompression(slow_site):
    assert len(gzip.compress(b"\0" * 5_000_000)) < 100_000  # small on the wire
    with _fetcher(max_bytes=100_000, respect_robots=False) as fetcher, \
            pytest.raises(FetchError, match="too large: more than 100000 bytes"):
        fetcher.get(slow_site.base + "/bomb")


def test_defaults_come_from_settings():
    with Fetcher() as fetcher:
        assert (fetcher.timeout, fetcher.delay, fetcher.max_bytes, fetcher.max_redirects, fetcher.allow_private) == (
            settings.FETCH_TIMEOUT, settings.FETCH_DELAY, settings.FETCH_MAX_BYTES, settings.FETCH_MAX_REDIRECTS, False)
    assert settings.FETCH_MAX_REDIRECTS == 5 and settings.FETCH_TIMEOUT > 0


def test_a_public_host_cannot_redirect_into_a_private_network(monkeypatch):
    """Each hop is checked: news.example (made to look public here) redirects to the cloud metadata
    address, which is refused before any connection is made to it."""
    server = Site({"/story": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")})
    real_resolve, real_blocked = socket.getaddrinfo, fetch_module.blocked_address

    def resolve(host, port, *args, **kwargs):
        return real_resolve("127.0.0.1" if host == "news.example" else host, port, *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(fetch_module, "blocked_address",
                        lambda address: None if address == "127.0.0.1" else real_blocked(address))
    try:
        with Fetcher(delay=0.0, respect_robots=False) as fetcher, \
                pytest.raises(FetchError, match="refused: 169.254.169.254 resolves to link-local address"):
            fetcher.get(f"http://news.example:{server.port}/story")
        assert [path for path, _, _ in server.hits] == ["/story"]
    finally:
        server.close()


@pytest.mark.parametrize("command", ["analyze", "ingest"])
def test_command_line_refuses_local_urls_unless_allow_private(site, tmp_path, capsys, command):
    from chancery.cli import main

    page = (b"<html><head><title>Envoys meet</title></head><body><article><p>The foreign ministers of Chile "
            b"and Peru met in Lima on Monday and agreed to reopen the border crossing, officials said.</p>"
            b"</article></body></html>")
    site.routes["/story"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page)
    url = site.base + "/story"
    target = ["-o", str(tmp_path / "r.json")] if command == "analyze" else ["--db", str(tmp_path / "c.db")]

    assert main([command, url, *target]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"chancery: {url}: refused: 127.0.0.1 resolves to loopback address 127.0.0.1 " \
                       "(allow_private=True permits it)"
    assert site.hits == []

    assert main([command, url, "--allow-private", *target]) == 0, capsys.readouterr().err
    assert "/story" in [path for path, _, _ in site.hits]
    if command == "analyze":
        [article] = json.loads((tmp_path / "r.json").read_text())["articles"]
        assert "reopen the border crossing" in article["text"]
