"""Link resolution: where a shared link really leads, and what kind of page it is.

Short links (bit.ly, t.co, forms.gle...) and unknown sites say little by themselves. Resolving one
follows its redirects (a bounded number), reads the start of the page within a size cap, and takes
the OpenGraph ``og:type``/``og:site_name`` (or the oEmbed ``type``) from it. Every link gets a time
budget, and links to private or loopback addresses are refused unless configured otherwise, so a slow
or hostile link can never stop a run or probe the machine's network.
"""

from __future__ import annotations

import codecs
import ipaddress
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot.config import LinkSettings
from bot.html_text import ForgivingHTMLParser
from bot.networks.mastodon.client import USER_AGENT

_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class ResolvedLink:
    """What resolving ``url`` learned; ``error`` says why it could not, and then the rest is empty."""

    url: str
    final_url: str | None = None
    og_type: str | None = None
    site_name: str | None = None
    title: str | None = None
    error: str | None = None


class _LinkError(Exception):
    pass


class _PageMeta(ForgivingHTMLParser):
    """OpenGraph properties and the oEmbed discovery link from a page's head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.properties: dict[str, str] = {}
        self.oembed_url: str | None = None
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key.lower(): (value or "") for key, value in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key.startswith("og:") and "content" in values:
                self.properties.setdefault(key, values["content"].strip())
        elif tag == "link" and values.get("type", "").lower() == "application/json+oembed":
            self.oembed_url = self.oembed_url or values.get("href") or None
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and self.title is None and data.strip():
            self.title = data.strip()


class LinkResolver:
    """Resolves links one at a time within the configured budgets. :meth:`resolve` never raises."""

    def __init__(
        self,
        settings: LinkSettings,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._client = client or httpx.Client(headers={"User-Agent": USER_AGENT}, follow_redirects=False)
        self._clock = clock

    def close(self) -> None:
        self._client.close()

    def resolve(self, url: str) -> ResolvedLink:
        deadline = self._clock() + self.settings.timeout
        try:
            return self._resolve(url, deadline)
        except _LinkError as error:
            return ResolvedLink(url=url, error=str(error))
        except httpx.TimeoutException:
            return ResolvedLink(url=url, error=f"no answer within {self.settings.timeout:g} s")
        except httpx.HTTPError as error:
            return ResolvedLink(url=url, error=f"request failed: {type(error).__name__}")

    def _resolve(self, url: str, deadline: float) -> ResolvedLink:
        current = url
        for _ in range(self.settings.max_redirects + 1):
            self._check_target(current)
            with self._client.stream(
                "GET", current, timeout=self._remaining(deadline), headers={"Accept": "text/html,*/*;q=0.5"}
            ) as response:
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location:
                        raise _LinkError(f"redirect without a location (HTTP {response.status_code})")
                    current = urljoin(current, location)
                    continue
                if response.status_code >= 400:
                    raise _LinkError(f"HTTP {response.status_code}")
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if content_type.startswith("video/"):
                    return ResolvedLink(url=url, final_url=current, og_type="video")
                if content_type not in _HTML_TYPES:
                    return ResolvedLink(url=url, final_url=current)
                meta = self._read_head(response, deadline)
            og_type = meta.properties.get("og:type")
            if og_type is None and meta.oembed_url:
                og_type = self._oembed_type(urljoin(current, meta.oembed_url), deadline)
            return ResolvedLink(
                url=url,
                final_url=current,
                og_type=og_type,
                site_name=meta.properties.get("og:site_name"),
                title=meta.properties.get("og:title") or meta.title,
            )
        raise _LinkError(f"more than {self.settings.max_redirects} redirects")

    def _read_head(self, response: httpx.Response, deadline: float) -> _PageMeta:
        parser = _PageMeta()
        decoder = codecs.getincrementaldecoder(response.encoding or "utf-8")(errors="replace")
        received = 0
        for chunk in response.iter_bytes():
            if self._clock() > deadline:
                raise _LinkError(f"page too slow to read within {self.settings.timeout:g} s")
            kept = chunk[: self.settings.max_bytes - received]
            received += len(kept)
            text = decoder.decode(kept)
            try:
                parser.feed(text)
            except AssertionError:  # html.parser gave up on the markup: what it read is what we know
                break
            if received >= self.settings.max_bytes or "</head>" in text.lower():
                break
        return parser

    def _oembed_type(self, url: str, deadline: float) -> str | None:
        try:
            self._check_target(url)
            with self._client.stream("GET", url, timeout=self._remaining(deadline)) as response:
                if response.status_code != 200:
                    return None
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.settings.max_bytes or self._clock() > deadline:
                        return None
            data = json.loads(body)
        except (_LinkError, httpx.HTTPError, ValueError):
            return None
        kind = data.get("type") if isinstance(data, dict) else None
        return kind if isinstance(kind, str) else None

    def _remaining(self, deadline: float) -> float:
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise _LinkError(f"no answer within {self.settings.timeout:g} s")
        return remaining

    def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _LinkError("not a web link")
        if not self.settings.allow_private_addresses and _is_private_host(parts.hostname):
            raise _LinkError("refused: the link points into a private network")


def _is_private_host(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise _LinkError(f"unknown host {host}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return True
    return False
