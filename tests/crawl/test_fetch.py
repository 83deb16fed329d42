"""The HTTP fetcher against real servers: limits, decoding, timeouts, retries, headers."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib
from collections.abc import Callable

import brotli
from aiohttp import web
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from linkflow.crawl.fetch import Response, parse_retry_after
from linkflow.crawl.httpfetch import HttpFetcher, _Decoder
from linkflow.settings import CrawlSettings
from tests.crawl.conftest import Server, settings

Serve = Callable[[web.Application], Server]


def fetch(url: str, cfg: CrawlSettings, method: str = "GET") -> Response:
    async def go() -> Response:
        fetcher = HttpFetcher(cfg)
        try:
            return await fetcher.fetch(url, method=method)
        finally:
            await fetcher.close()

    return asyncio.run(go())


def _bomb(raw_mb: int) -> bytes:
    """gzip of ``raw_mb`` MiB of zeros, built chunk by chunk (a few hundred KiB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join([*(comp.compress(zeros) for _ in range(raw_mb)), comp.flush()])


def test_gzip_bomb_is_cut_without_memory_growth(serve: Serve) -> None:
    bomb = _bomb(300)
    assert len(bomb) < 1_000_000

    async def handler(_: web.Request) -> web.Response:
        return web.Response(
            body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}
        )

    app = web.Application()
    app.router.add_get("/", handler)
    srv = serve(app)
    limit = 5_000_000
    tracemalloc.start()
    try:
        resp = fetch(srv.url + "/", settings(max_decompressed_bytes=limit))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert resp.status == 200
    assert resp.error is not None
    assert "decompressed" in resp.error
    assert resp.body == b""
    # 300 MiB would have been produced; the peak stays a small multiple of the limit.
    assert peak < 3 * limit, peak


def test_huge_body_is_cut_at_max_body_bytes(serve: Serve) -> None:
    chunk = b"a" * (1 << 20)

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        try:
            for _ in range(50):
                await resp.write(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client hung up at its limit, as intended
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    srv = serve(app)
    limit = 4_000_000
    tracemalloc.start()
    try:
        resp = fetch(srv.url + "/", settings(max_body_bytes=limit))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert resp.error == f"body too large: cut at {limit} bytes"
    assert limit < resp.raw_bytes < limit + (1 << 20)
    assert peak < 4 * limit, peak


def test_dripping_server_hits_the_timeout(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        try:
            for _ in range(60):
                await resp.write(b"x")
                await asyncio.sleep(0.5)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    srv = serve(app)
    start = time.monotonic()
    resp = fetch(srv.url + "/", settings(timeout=1.5))
    assert time.monotonic() - start < 4
    assert resp.error is not None
    assert resp.error.startswith("timed out")


def test_decodes_gzip_brotli_and_deflate(serve: Serve) -> None:
    text = b"<html><body>" + b"hello world " * 1000 + b"</body></html>"
    bodies = {
        "gzip": gzip.compress(text),
        "br": brotli.compress(text),
        "deflate": zlib.compress(text),
        "identity": text,
    }

    async def handler(request: web.Request) -> web.Response:
        enc = request.match_info["enc"]
        return web.Response(body=bodies[enc], headers={"Content-Encoding": enc})

    app = web.Application()
    app.router.add_get("/{enc}", handler)
    srv = serve(app)
    for enc in bodies:
        resp = fetch(f"{srv.url}/{enc}", settings())
        assert resp.error is None, enc
        assert resp.body == text, enc
        assert resp.raw_bytes == len(bodies[enc])


def test_retries_429_honouring_retry_after(serve: Serve) -> None:
    hits: list[float] = []

    async def handler(_: web.Request) -> web.Response:
        hits.append(time.monotonic())
        if len(hits) < 3:
            return web.Response(status=429, headers={"Retry-After": "1"})
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    srv = serve(app)
    resp = fetch(srv.url + "/", settings(retries=3))
    assert resp.status == 200
    assert len(hits) == 3
    assert hits[1] - hits[0] >= 0.9
    assert hits[2] - hits[1] >= 0.9


def test_gives_up_after_the_retries(serve: Serve) -> None:
    hits: list[int] = []

    async def handler(_: web.Request) -> web.Response:
        hits.append(1)
        return web.Response(status=503, headers={"Retry-After": "0"})

    app = web.Application()
    app.router.add_get("/", handler)
    srv = serve(app)
    resp = fetch(srv.url + "/", settings(retries=2))
    assert resp.status == 503
    assert len(hits) == 3


def test_retry_after_is_capped_and_dates_fall_back() -> None:
    assert parse_retry_after("5", 1.0) == 5.0
    assert parse_retry_after("999999", 1.0) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1.5) == 1.5
    assert parse_retry_after(None, 2.0) == 2.0
    assert parse_retry_after("-3", 2.0) == 0.0


def test_sends_user_agent_headers_and_basic_auth(serve: Serve) -> None:
    seen: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        seen.update(request.headers)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    srv = serve(app)
    cfg = settings(user_agent="TestBot/1.0", headers=("X-Token: abc",), auth="ann:s3cret")
    fetch(srv.url + "/", cfg)
    assert seen["User-Agent"] == "TestBot/1.0"
    assert seen["X-Token"] == "abc"
    assert seen["Authorization"] == "Basic YW5uOnMzY3JldA=="  # base64("ann:s3cret")
    assert "br" in seen["Accept-Encoding"]


def test_redirects_are_not_followed(serve: Serve) -> None:
    async def handler(_: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    app = web.Application()
    app.router.add_get("/", handler)
    srv = serve(app)
    resp = fetch(srv.url + "/", settings())
    assert resp.status == 302
    assert resp.headers["location"] == "/elsewhere"


def test_unreachable_server_is_an_error_not_an_exception() -> None:
    resp = fetch("http://127.0.0.1:9/", settings(retries=1))
    assert resp.status is None
    assert resp.error is not None
    assert resp.transient


@hsettings(max_examples=40, deadline=None)
@given(
    data=st.binary(max_size=20_000),
    encoding=st.sampled_from(["gzip", "br", "deflate", "identity"]),
    cut=st.integers(min_value=1, max_value=5000),
)
def test_decoder_round_trips_under_the_limit(data: bytes, encoding: str, cut: int) -> None:
    packed = {
        "gzip": gzip.compress,
        "br": brotli.compress,
        "deflate": zlib.compress,
        "identity": bytes,
    }[encoding](data)
    dec = _Decoder(encoding, limit=len(data))
    out = b"".join(dec.feed(packed[i : i + cut]) for i in range(0, len(packed), cut))
    assert out == data


@hsettings(max_examples=25, deadline=None)
@given(size=st.integers(min_value=2, max_value=200_000), encoding=st.sampled_from(["gzip", "br"]))
def test_decoder_never_exceeds_its_limit(size: int, encoding: str) -> None:
    data = bytes(size)
    packed = gzip.compress(data) if encoding == "gzip" else brotli.compress(data)
    limit = size // 2
    dec = _Decoder(encoding, limit=limit)
    produced = 0
    try:
        for i in range(0, len(packed), 512):
            produced += len(dec.feed(packed[i : i + 512]))
    except OverflowError:
        pass
    else:
        raise AssertionError("the limit was not enforced")
    assert produced <= limit
