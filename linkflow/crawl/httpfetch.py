"""HTTP fetching with hard limits: one request → one :class:`Response`, never an exception.

The body is read from the raw stream (``auto_decompress=False``) and decompressed here,
chunk by chunk, with an output cap per chunk: a gzip bomb or a 50 MB page is cut at
``max_decompressed_bytes`` / ``max_body_bytes`` without the process ever holding more than
the limit. Redirects are never followed here; the engine records every hop as its own page.
"""

from __future__ import annotations

import asyncio
import base64
import time
import zlib

import aiohttp
import brotli

from linkflow.crawl.fetch import RETRY_STATUSES, Response, parse_retry_after
from linkflow.settings import CrawlSettings

__all__ = ["HttpFetcher"]

_CHUNK = 64 * 1024


class _Decoder:
    """Incremental Content-Encoding decoder that never yields more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.produced = 0
        self._br: brotli.Decompressor | None = None
        self._zlib: zlib._Decompress | None = None
        enc = encoding.strip().lower()
        if enc == "br":
            self._br = brotli.Decompressor()
        elif enc in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)  # zlib wrapper; raw handled below
        elif enc not in ("", "identity"):
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")
        self._raw_deflate = enc == "deflate"

    def feed(self, data: bytes) -> bytes:
        """Decode ``data``; raise ``OverflowError`` once the output passes the limit."""
        room = self.limit - self.produced + 1
        if self._br is not None:
            out = bytes(self._br.process(data, output_buffer_limit=room))
        elif self._zlib is not None:
            out = self._inflate(data, room)
        else:
            out = data
        self.produced += len(out)
        if self.produced > self.limit:
            raise OverflowError
        return out

    def _inflate(self, data: bytes, room: int) -> bytes:
        assert self._zlib is not None
        try:
            out = self._zlib.decompress(data, room)
        except zlib.error:
            if not (self._raw_deflate and self.produced == 0):
                raise
            # Some servers send raw deflate without the zlib header.
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            self._raw_deflate = False
            out = self._zlib.decompress(data, room)
        if self._zlib.unconsumed_tail:
            # More output is waiting than the room left: that alone passes the limit.
            raise OverflowError
        return out


class HttpFetcher:
    """aiohttp client with linkflow's limits. Create inside a running event loop."""

    def __init__(self, settings: CrawlSettings, *, limit: int | None = None) -> None:
        self.settings = settings
        headers = {"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate, br"}
        for line in settings.headers:
            name, sep, value = line.partition(":")
            if sep and name.strip():
                headers[name.strip()] = value.strip()
        if settings.auth:
            token = base64.b64encode(settings.auth.encode("utf-8")).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        timeout = aiohttp.ClientTimeout(
            total=settings.timeout,
            sock_connect=settings.connect_timeout,
            sock_read=min(settings.timeout, settings.connect_timeout),
        )
        connector = aiohttp.TCPConnector(
            limit=limit or settings.concurrency,
            limit_per_host=settings.per_host_concurrency,
            ttl_dns_cache=300,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers=headers,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("Accept-Encoding",),
        )

    async def close(self) -> None:
        await self._session.close()

    async def fetch(self, url: str, *, method: str = "GET") -> Response:
        """Fetch ``url`` once per attempt, retrying 429/503 and network errors with backoff."""
        attempt = 0
        while True:
            resp = await self._once(url, method)
            retryable = resp.status in RETRY_STATUSES or resp.transient
            if not retryable or attempt >= self.settings.retries:
                return resp
            attempt += 1
            backoff = 0.5 * 2 ** (attempt - 1)
            await asyncio.sleep(parse_retry_after(resp.headers.get("retry-after"), backoff))

    async def _once(self, url: str, method: str) -> Response:
        start = time.perf_counter()
        result = Response(url=url)
        try:
            async with self._session.request(method, url, allow_redirects=False) as resp:
                result.status = resp.status
                result.headers = {k.lower(): v for k, v in resp.headers.items()}
                if method != "HEAD":
                    await self._read_body(resp, result)
        except TimeoutError:
            result.error = f"timed out after {self.settings.timeout:g} s"
        except aiohttp.ClientError as exc:
            result.error = _describe(exc)
            result.transient = isinstance(
                exc, aiohttp.ClientConnectorError | aiohttp.ServerDisconnectedError
            )
        except (ValueError, UnicodeError, zlib.error, brotli.error) as exc:
            result.error = f"bad response: {exc}"[:300]
        except OSError as exc:
            result.error = f"network error: {exc}"[:300]
            result.transient = True
        result.elapsed_ms = (time.perf_counter() - start) * 1000.0
        if result.error is not None:
            result.body = b""
        return result

    async def _read_body(self, resp: aiohttp.ClientResponse, result: Response) -> None:
        """Read at most ``max_body_bytes`` from the wire and ``max_decompressed_bytes`` decoded."""
        limits = self.settings
        decoder = _Decoder(resp.headers.get("Content-Encoding", ""), limits.max_decompressed_bytes)
        parts: list[bytes] = []
        async for chunk in resp.content.iter_chunked(_CHUNK):
            result.raw_bytes += len(chunk)
            if result.raw_bytes > limits.max_body_bytes:
                result.error = f"body too large: cut at {limits.max_body_bytes} bytes"
                return
            try:
                out = decoder.feed(chunk)
            except OverflowError:
                result.error = (
                    f"body too large: cut at {limits.max_decompressed_bytes} decompressed bytes"
                )
                return
            parts.append(out)
        result.body = b"".join(parts)


def _describe(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect: {exc.os_error.strerror or exc.os_error}"[:300]
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server disconnected"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return f"broken response body: {exc}"[:300]
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"bad response: {exc.message}"[:300]
    return f"network error: {type(exc).__name__}: {exc}"[:300]
