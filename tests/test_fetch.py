"""The fetcher against a real HTTP server on 127.0.0.1, and its refusals."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

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
