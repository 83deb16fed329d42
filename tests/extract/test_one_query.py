"""The elements a page is read from are found in one query: each is read once, after the
scripts, SVG and the like are gone and line breaks are spaces, as separate queries did."""

from __future__ import annotations

from linkflow.extract import parse_page
from linkflow.extract.text import unmark
from linkflow.settings import ExtractSettings

PAGE = b"""<html lang="en-GB"><head>
<script type="application/ld+json">{"@type": "Article", "headline": "a b c"}</script>
<meta name="description" content="About it"></head><body>
<svg><title>Icon</title><a href="/in-svg">svg link</a></svg>
<title>Real title</title>
<main><h1>Head<br>line</h1><pre>x = 1</pre><p>Para text <a href="/b">bee</a></p></main>
<noscript><a href="/hidden">hidden</a></noscript>
</body></html>"""


def test_each_element_is_read_once_after_the_page_is_cleaned() -> None:
    facts = parse_page(PAGE, "https://a.test/", settings=ExtractSettings(keep_main_text=True))
    assert facts.title == "Real title"  # not the SVG's title, which is stripped first
    assert facts.h1 == "Head line"  # the line break is a space before the text is read
    assert facts.lang == "en-GB"
    assert facts.meta_description == "About it"
    assert facts.schema_types == ["Article"]  # read before the scripts are stripped
    assert [link.url for link in facts.links] == ["https://a.test/b"]  # none from svg/noscript
    assert facts.links[0].position == "content"
    # h1 and pre are blocks (and pre is code): each counted once, in order.
    assert facts.main_text is not None
    assert unmark(facts.main_text) == "Head line\nx = 1\nPara text bee"
    assert facts.main_text.count("\ufdd0") == 1
    assert facts.word_count == 8
