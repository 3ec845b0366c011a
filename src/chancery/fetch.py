"""A polite, safe HTTP fetcher: robots.txt, per-host spacing, size and redirect limits, no private hosts.

Every request goes to an address that was checked first: the host name is resolved once, every
address is checked against private, loopback, link-local and reserved ranges, and the connection is
made to that very address (the Host header and TLS server name stay the original host name), so a
name cannot resolve to a public address for the check and a private one for the request.
"""
from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import threading
import time
import urllib.robotparser
from dataclasses import dataclass
from http import HTTPStatus
from typing import Self
from urllib.parse import urljoin

import httpx

from . import __version__, settings
from .encoding import decode

DEFAULT_USER_AGENT = f"chancery/{__version__} (+https://github.com/chancery-project/chancery)"

_REDIRECTS = {301, 302, 303, 307, 308}
_ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least the first 500 KiB
_MAX_CRAWL_DELAY = 60.0  # a robots.txt Crawl-delay above this is capped, not obeyed


class FetchError(Exception):
    """A URL could not be fetched; the message says why in words a user can act on."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status: int
    content_type: str  # the Content-Type header as sent ("" when missing)
    body: bytes


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


class Fetcher:
    """Fetch http(s) URLs one at a time, politely and safely.

    `get` raises FetchError for refused URLs, network errors, HTTP errors (status 400 and above),
    too many redirects and bodies over `max_bytes`. The fetcher is safe to share between threads.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = settings.FETCH_TIMEOUT,
        delay: float = settings.FETCH_DELAY,
        max_bytes: int = settings.FETCH_MAX_BYTES,
        max_redirects: int = settings.FETCH_MAX_REDIRECTS,
        allow_private: bool = False,
        respect_robots: bool = True,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.delay = delay
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self.respect_robots = respect_robots
        # trust_env=False: a proxy from the environment would make its own DNS and address choice,
        # undoing the address check. No keep-alive: connections are pooled by address, and a TLS
        # connection opened for one host name must not carry a request for another on the same address.
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": user_agent},
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}
        self._robots: dict[str, tuple[urllib.robotparser.RobotFileParser, str]] = {}

    def get(self, url: str) -> FetchResult:
        """Fetch `url`, following at most `max_redirects` redirects, each hop checked like the first."""
        result = self._follow(url, robots=self.respect_robots, limit=self.max_bytes, cut_at_limit=False)
        if result.status >= 400:
            raise FetchError(f"HTTP {result.status} {_reason_phrase(result.status)}".rstrip())
        return result

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- one request chain -------------------------------------------------------------------------

    def _follow(self, url: str, *, robots: bool, limit: int, cut_at_limit: bool) -> FetchResult:
        current = url
        for _ in range(self.max_redirects + 1):
            outcome = self._get_once(current, robots=robots, limit=limit, cut_at_limit=cut_at_limit)
            if isinstance(outcome, FetchResult):
                return outcome
            current = urljoin(current, outcome.location)
        raise FetchError(f"too many redirects (more than {self.max_redirects})")

    def _get_once(self, url: str, *, robots: bool, limit: int, cut_at_limit: bool) -> FetchResult | _Redirect:
        target = _parse_url(url)
        host = target.raw_host.decode("ascii").lower()
        port = target.port or (443 if target.scheme == "https" else 80)
        addresses = self._addresses(host, port)
        if robots:
            self._check_robots(target)
        self._wait_turn(host)

        headers = {"Host": target.netloc.decode("ascii")}
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        last_error: Exception | None = None
        for address in addresses:
            pinned = target.copy_with(host=address)
            try:
                with self._client.stream("GET", pinned, headers=headers, extensions=extensions) as response:
                    return self._read(response, url, limit=limit, cut_at_limit=cut_at_limit)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                last_error = error  # try the host's next address
            except httpx.TimeoutException:
                raise FetchError(f"timed out after {self.timeout:g} s") from None
            except httpx.HTTPError as error:
                raise FetchError(f"HTTP request failed: {error or type(error).__name__}") from None
        raise FetchError(f"could not connect to {host}: {last_error or 'no address'}")

    def _read(
        self, response: httpx.Response, url: str, *, limit: int, cut_at_limit: bool
    ) -> FetchResult | _Redirect:
        if response.status_code in _REDIRECTS:
            location = response.headers.get("Location")
            if not location:
                raise FetchError(f"HTTP {response.status_code} redirect without a Location header")
            return _Redirect(location)
        if 300 <= response.status_code < 400:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
        content_type = response.headers.get("Content-Type", "")
        if response.status_code >= 400:  # the body of an error page is not wanted
            return FetchResult(url=url, status=response.status_code, content_type=content_type, body=b"")
        declared = response.headers.get("Content-Length", "")
        if not cut_at_limit and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"body too large: {int(declared)} bytes declared, limit is {limit}")
        deadline = time.monotonic() + self.timeout
        chunks, size = [], 0
        for chunk in response.iter_bytes():  # decoded, so a compressed bomb is counted at full size
            size += len(chunk)
            if size > limit:
                if cut_at_limit:
                    chunks.append(chunk[: len(chunk) - (size - limit)])
                    break
                raise FetchError(f"body too large: more than {limit} bytes")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise FetchError(f"timed out after {self.timeout:g} s (body still arriving)")
        body = b"".join(chunks)
        return FetchResult(url=url, status=response.status_code, content_type=content_type, body=body)

    # -- safety, robots and politeness ---------------------------------------------------------------

    def _addresses(self, host: str, port: int) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise FetchError(f"cannot resolve host {host}: {error}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not self.allow_private:
            for address in addresses:
                why = blocked_address(address)
                if why:
                    raise FetchError(
                        f"refused: {host} resolves to {why} address {address} (allow_private=True permits it)"
                    )
        return addresses

    def _check_robots(self, target: httpx.URL) -> None:
        origin = f"{target.scheme}://{target.netloc.decode('ascii')}"
        with self._lock:
            cached = self._robots.get(origin)
        if cached is None:
            cached = self._load_robots(origin)
            with self._lock:
                self._robots[origin] = cached
        parser, note = cached
        if not parser.can_fetch(self.user_agent, str(target)):
            raise FetchError(note or f"disallowed by {origin}/robots.txt")

    def _load_robots(self, origin: str) -> tuple[urllib.robotparser.RobotFileParser, str]:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            result = self._follow(
                origin + "/robots.txt", robots=False, limit=_ROBOTS_MAX_BYTES, cut_at_limit=True
            )
        except FetchError as error:
            # RFC 9309: an unreachable robots.txt means "assume complete disallow"
            parser.disallow_all = True
            return parser, f"robots.txt of {origin} could not be read ({error}); not fetching"
        if result.status == 429 or result.status >= 500:
            parser.disallow_all = True
            return parser, f"robots.txt of {origin} answered HTTP {result.status}; not fetching"
        if result.status >= 400:
            parser.allow_all = True  # no robots.txt: everything is allowed
            return parser, ""
        parser.parse(result.body.decode("utf-8", errors="replace").splitlines())
        crawl_delay = parser.crawl_delay(self.user_agent)
        if crawl_delay:
            host = httpx.URL(origin).raw_host.decode("ascii").lower()
            with self._lock:
                self._crawl_delay[host] = min(float(crawl_delay), _MAX_CRAWL_DELAY)
        return parser, ""

    def _wait_turn(self, host: str) -> None:
        """Space the starts of requests to one host; reserve a slot under the lock, sleep outside it."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = slot + max(self.delay, self._crawl_delay.get(host, 0.0))
        if slot > now:
            time.sleep(slot - now)


def blocked_address(address: str) -> str | None:
    """Why an IP address must not be fetched from ("private", "loopback", ...), or None when it is public."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "an unparseable"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for name in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    if not ip.is_global:  # shared address space (100.64/10) and other special ranges
        return "non-global"
    return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes of an HTML page → text: byte-order mark, then HTTP charset, then <meta charset>, then guessing.

    Raises encoding.NotText when the bytes are not text.
    """
    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(body)[0]
    for charset in (media_type(content_type)[1], _meta_charset(body)):
        name = _usable_charset(charset)
        if name == "cp1252" and _is_utf8(body):
            # servers label pages Latin-1 by default; text that is valid UTF-8 is almost surely UTF-8
            name = "utf-8"
        if name:
            try:
                return body.decode(name)
            except UnicodeDecodeError:
                pass
    return decode(body)[0]


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """'text/html; charset="UTF-8"' → ('text/html', 'utf-8'); an empty or missing header → ('', None)."""
    mime, _, params = (content_type or "").partition(";")
    match = _CHARSET_PARAM.search(params)
    return mime.strip().lower(), match.group(1).lower() if match else None


_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    if not match:
        return None
    charset = match.group(1).decode("ascii").lower()
    # HTML rule: a <meta> cannot declare UTF-16/32, since it was just read as ASCII
    return "utf-8" if charset.startswith(("utf-16", "utf-32")) else charset


def _usable_charset(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return None
    # HTML rule: pages labelled Latin-1 or ASCII are Windows-1252
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_url(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise FetchError(f"invalid URL: {error}") from None
    if target.scheme not in ("http", "https"):
        scheme = target.scheme or "(none)"
        raise FetchError(f"refused: unsupported URL scheme {scheme!r}; only http and https")
    if not target.raw_host:
        raise FetchError("invalid URL: no host")
    return target


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
