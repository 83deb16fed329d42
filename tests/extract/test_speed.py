"""parse_page stays fast enough for the crawler on a ~100 KB page with 300 links."""

from __future__ import annotations

from tests.extract.measure_speed import pages_per_second

# Measured at about 90 pages/s of CPU time on the 2-core CI machine; the floor leaves room
# for slower machines but catches a per-node slowdown of several times.
FLOOR = 25


def test_parse_page_throughput() -> None:
    rate, size, links = pages_per_second(pages=40, rounds=2)
    assert size > 90_000
    assert links == 300
    assert rate >= FLOOR
