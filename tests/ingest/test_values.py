"""Property tests: the vectorised value parsers agree with the slow references and read back
what a writer of each style wrote; canonical URLs skip normalize() only when it is a no-op."""

from __future__ import annotations

import math
from datetime import datetime

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.ingest.authority import SCALES, scale_authority, scale_authority_py
from linkflow.ingest.columns import canonical_mask, normalize_urls
from linkflow.ingest.values import (
    parse_bools,
    parse_bools_py,
    parse_dates,
    parse_dates_py,
    parse_numbers,
    parse_numbers_py,
    parse_percents,
    parse_ratios,
    parse_ratios_py,
)
from linkflow.settings import TRACKING_PARAMS
from linkflow.urls import normalize

texts = st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=30)
numberish = st.lists(
    st.one_of(
        st.none(),
        st.from_regex(r"\A[ -]?[0-9]{0,7}([.,][0-9]{0,4})?(e-?[0-9])?%?\Z"),
        st.sampled_from(["-", "", "1,240", "1\u00a0240", "1\u2009240,5", "3.4626736E7", " 7 "]),
    ),
    max_size=30,
)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


@settings(deadline=None)
@given(numberish)
def test_numbers_match_reference(values: list[str | None]) -> None:
    got = parse_numbers(pa.array(values, pa.string())).to_pylist()
    assert all(_same(g, parse_numbers_py(v)) for g, v in zip(got, values, strict=True))


@settings(deadline=None)
@given(numberish)
def test_ratios_match_reference(values: list[str | None]) -> None:
    got = parse_ratios(pa.array(values, pa.string())).to_pylist()
    assert all(_same(g, parse_ratios_py(v)) for g, v in zip(got, values, strict=True))


@settings(deadline=None)
@given(texts)
def test_parsers_never_raise_on_any_text(values: list[str | None]) -> None:
    array = pa.array(values, pa.string())
    for parse in (parse_numbers, parse_ratios, parse_percents, parse_bools, parse_dates):
        assert len(parse(array)) == len(values)
    assert parse_bools(array).to_pylist() == [parse_bools_py(v) for v in values]


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([",", "\u00a0", "\u202f", ""]))
def test_integers_with_thousands_separators_read_back(n: int, sep: str) -> None:
    text = f"{n:,}".replace(",", sep)
    assert parse_numbers(pa.array([text])).to_pylist() == [float(n)]


@settings(deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda f: round(f, 2)))
def test_percent_strings_are_fractions(p: float) -> None:
    got = parse_ratios(pa.array([f"{p}%", str(p / 100)])).to_pylist()
    assert math.isclose(got[0], p / 100, abs_tol=1e-12)
    assert math.isclose(got[1], p / 100, abs_tol=1e-12)


@settings(deadline=None)
@given(st.floats(min_value=1e-9, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_e_notation_reads_back(x: float) -> None:
    text = f"{x:.6E}"  # Java-style 3.462674E+07
    assert math.isclose(parse_numbers(pa.array([text])).to_pylist()[0], float(text))


@settings(deadline=None)
@given(
    st.booleans(),
    st.sampled_from(["{}", "{}", " {} "]),
    st.sampled_from([str.lower, str.upper, str.title]),
)
def test_booleans_in_every_spelling(value: bool, pad: str, case: object) -> None:
    spellings = ["true", "1", "yes"] if value else ["false", "0", "no"]
    texts_ = [pad.format(case(s)) for s in spellings]  # type: ignore[operator]
    assert parse_bools(pa.array(texts_)).to_pylist() == [value] * 3


@settings(deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_dates_in_every_layout_read_back(when: datetime) -> None:
    when = when.replace(microsecond=0)
    day = when.replace(hour=0, minute=0, second=0)
    layouts = {
        when.strftime("%Y-%m-%d %H:%M:%S"): when,
        when.strftime("%Y-%m-%dT%H:%M:%S"): when,
        when.strftime("%Y-%m-%d"): day,
        when.strftime("%Y%m%d"): day,
        when.strftime("%b %d, %Y"): day,
    }
    got = parse_dates(pa.array(list(layouts))).to_pylist()
    assert got == list(layouts.values())
    assert [parse_dates_py(t) for t in layouts] == list(layouts.values())


@settings(deadline=None)
@given(st.lists(st.floats(min_value=-10, max_value=2e9, allow_nan=False), max_size=20),
       st.sampled_from(SCALES))  # fmt: skip
def test_authority_scales_stay_in_range_and_match_reference(
    values: list[float], scale: str
) -> None:
    got = scale_authority(pa.array(values, pa.float64()), scale).to_pylist()
    for g, v in zip(got, values, strict=True):
        assert 0.0 <= g <= 100.0
        assert math.isclose(g, scale_authority_py(v, scale), abs_tol=1e-9)


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=10**8), st.integers(min_value=1, max_value=10**8))
def test_rank_scales_fall_with_rank(a: int, b: int) -> None:
    for scale in ("cc_rank", "million_rank"):
        sa, sb = scale_authority(pa.array([float(a), float(b)]), scale).to_pylist()
        assert (sa >= sb) if a <= b else (sa <= sb)


_url_chars = st.sampled_from(list("abcXYZ09-._~/!$&'()*+,;=:@%?#. AÉ"))
urls = st.builds(
    lambda scheme, host, rest: f"{scheme}://{host}{rest}",
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    st.sampled_from(["www.example.com", "Example.COM", "a-b.co.uk", "x.com.", "h.io:443",
                     "1.2.3.4", "1.2.3.04", "www.example.com.0", "a.0x1f", "127.1"]),
    st.lists(_url_chars, max_size=25).map("".join),
)  # fmt: skip
params = st.sampled_from([(), TRACKING_PARAMS, ("p",)])


@settings(deadline=None)
@given(st.lists(urls, max_size=20), params)
def test_fast_path_only_for_urls_normalize_keeps(values: list[str], strip: tuple[str, ...]) -> None:
    mask = canonical_mask(pa.array(values, pa.string()), strip).to_pylist()
    for keep, url in zip(mask, values, strict=True):
        if keep:
            assert normalize(url, strip_params=strip) == url


def test_hosts_ending_in_a_number_take_the_slow_path() -> None:
    # The URL parser reads a host whose last label is a number as an IPv4 address.
    values = [
        "http://www.example.com.0/",  # refused: not an address
        "http://1.2.3.04/",  # rewritten: 1.2.3.4
        "http://example.0x1f/",  # refused
        "http://127.1/",  # rewritten: 127.0.0.1
        "http://www.example.com/",  # kept as it is
        "http://example.0x/",  # "0x" alone is a number too (zero)
        "http://a-1.b2/",  # labels with letters are names
    ]
    mask = canonical_mask(pa.array(values, pa.string())).to_pylist()
    assert mask == [False, False, False, False, True, False, True]
    assert normalize_urls(pa.array(values, pa.string())).to_pylist() == [
        normalize(v) for v in values
    ]
    assert normalize("http://www.example.com/") == "http://www.example.com/"
    assert normalize("http://a-1.b2/") == "http://a-1.b2/"


@settings(deadline=None)
@given(st.lists(urls, max_size=20), params)
def test_normalize_urls_equals_normalize(values: list[str], strip: tuple[str, ...]) -> None:
    got = normalize_urls(pa.array(values, pa.string()), strip_params=strip).to_pylist()
    assert got == [normalize(v.strip(), strip_params=strip) for v in values]
