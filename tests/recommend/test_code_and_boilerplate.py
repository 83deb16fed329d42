"""Where a link is never placed (code, inside an identifier) and which keyphrases name no
one page (common on the site, or shared by several targets)."""

from __future__ import annotations

import numpy as np

from linkflow.extract.parse import parse_page
from linkflow.extract.text import CODE_CLOSE, CODE_OPEN, unmark
from linkflow.recommend.candidates import Option, SourceText, common_phrases, find_pairs
from linkflow.recommend.phrases import Phrase, TargetText, build_phrases, title_label_words
from linkflow.recommend.text import fold, is_boundary, split_code, without_code

URL = "https://docs.test/ddl.html"
DROP = Phrase("drop table", "DROP TABLE", "h1")


def _page(body: str) -> str:
    html = f"<html><head><title>T</title></head><body><main>{body}</main></body></html>"
    text = parse_page(html.encode(), URL).main_text
    assert text is not None
    return text


def _source(node: int, body: str) -> SourceText:
    text, code = split_code(_page(body))
    return SourceText(node, text, "en", code=code)


def _options(
    sources: list[SourceText],
    phrases: dict[int, list[Phrase]],
    avoid: set[str] | None = None,
) -> dict[int, list[Option]]:
    """Placement options per source node, for the target node 9."""
    out = find_pairs(
        sources,
        phrases,
        linked=np.zeros(0, np.int64),
        n=100,
        target_lang=dict.fromkeys(phrases, "en"),
        exact_anchors={9: avoid or set()},
        generic=[],
    )
    assert set(out.dst) <= {9}
    return dict(zip(out.src, out.options, strict=True))


LISTING = (
    "<p>Trying to remove a table that other objects depend on fails, as below.</p>"
    "<pre>DROP TABLE products;\nERROR: cannot drop table products because other objects "
    "depend on it.</pre>"
    "<p>Here the <code>DROP TABLE products</code> command fails because other objects still "
    "depend on the table.</p>"
)
PROSE = "<p>The DROP TABLE command removes a table and every index that belongs to it.</p>"


def test_stored_main_text_marks_code_and_keeps_every_count() -> None:
    html = f"<html><body><main>{LISTING}</main></body></html>".encode()
    facts = parse_page(html, URL)
    assert facts.main_text == (
        "Trying to remove a table that other objects depend on fails, as below.\n"
        f"{CODE_OPEN}DROP TABLE products; ERROR: cannot drop table products because other "
        f"objects depend on it.{CODE_CLOSE}\n"
        f"Here the {CODE_OPEN}DROP TABLE products{CODE_CLOSE} command fails because other "
        "objects still depend on the table."
    )
    plain = parse_page(html.replace(b"pre>", b"div>").replace(b"code>", b"span>"), URL)
    assert unmark(facts.main_text) == plain.main_text  # the text as the page shows it
    assert (facts.word_count, facts.content_hash) == (plain.word_count, plain.content_hash)
    assert facts.word_count == 42


def test_split_code_gives_the_shown_text_and_where_its_code_is() -> None:
    text, code = split_code(f"Set {CODE_OPEN}work_mem{CODE_CLOSE} first.\n{CODE_OPEN}SET x;")
    assert text == "Set work_mem first.\nSET x;"
    assert [text[a:b] for a, b in code] == ["work_mem", "SET x;"]
    assert without_code(text, code) == "Set \n first.\n\n"
    assert split_code("No code here.") == ("No code here.", ())


def test_a_phrase_in_pre_or_code_is_never_a_candidate_the_same_phrase_in_prose_is() -> None:
    got = _options([_source(1, LISTING), _source(2, PROSE)], {9: [DROP]})
    assert set(got) == {2}
    [option] = got[2]
    assert option.anchor == "DROP TABLE"
    assert option.sentence == (
        "The DROP TABLE command removes a table and every index that belongs to it."
    )


def test_a_widened_anchor_never_takes_a_word_of_code() -> None:
    create = Phrase("create function", "CREATE FUNCTION", "h1")
    body = "<p>First create function <code>get_color_note</code> for every colour in use.</p>"
    got = _options([_source(1, body)], {9: [create]}, avoid={"create function"})
    assert [o.anchor for o in got[1]] == ["First create function"]


def test_underscore_is_a_word_character() -> None:
    assert fold("get_color_note") == "get_color_note"
    folded = fold("call get_color_note now")
    assert not is_boundary(folded, 5, 8)  # "get" inside the identifier
    assert is_boundary(folded, 5, 19)


def test_no_match_ends_or_starts_inside_an_identifier() -> None:
    phrase = Phrase("function get", "function get", "h1")
    inside = SourceText(1, "The helper function get_color_note returns each colour's note.", "en")
    whole = SourceText(2, "The helper function get returns the note of each colour today.", "en")
    got = _options([inside, whole], {9: [phrase]})
    assert set(got) == {2}
    assert got[2][0].anchor == "function get"


def test_a_phrase_with_a_space_never_matches_across_an_underscore() -> None:
    phrase = Phrase("server version", "server version", "keyphrase")
    ident = SourceText(1, "Parameters reported include server_version and client_encoding.", "en")
    prose = SourceText(2, "Returns an integer representing the server version of the link.", "en")
    got = _options([ident, prose], {9: [phrase]})
    assert set(got) == {2}
    assert got[2][0].anchor == "server version"


def test_a_widened_anchor_ends_at_a_word_boundary_underscores_included() -> None:
    create = Phrase("create function", "CREATE FUNCTION", "h1")
    text = "Then create function get_color_note for every colour in the palette table."
    got = _options([SourceText(1, text, "en")], {9: [create]}, avoid={"create function"})
    assert got[1][0].anchor == "create function get_color_note"


def test_a_keyphrase_on_more_than_one_page_in_a_hundred_is_dropped_a_rare_one_kept() -> None:
    common = Phrase("chapter describes", "chapter describes", "keyphrase")
    rare = Phrase("palette table", "palette table", "keyphrase")
    sources = [SourceText(i, f"Page {i} is about nothing in particular.", "en") for i in range(300)]
    for i in range(5):  # 5 of 300 pages: 1.7 %
        sources[i] = SourceText(i, "This chapter describes the palette of the site.", "en")
    for i in (10, 11):
        sources[i] = SourceText(i, "The palette table holds every colour.", "en")
    h1 = Phrase("chapter describes", "Chapter describes", "h1")
    assert common_phrases(sources, {9: [common, rare], 8: [h1]}) == {
        ("chapter describes", "keyphrase")
    }


def test_a_keyphrase_of_three_targets_names_none_of_them() -> None:
    shared = Phrase("standard sql", "standard SQL", "keyphrase")
    pair = Phrase("rewrite rule", "rewrite rule", "keyphrase")
    sources = [SourceText(i, f"Page {i} says standard SQL and rewrite rule.", "en") for i in (1, 2)]
    phrases = {7: [shared, pair], 8: [shared, pair], 9: [shared]}
    assert common_phrases(sources, phrases) == {("standard sql", "keyphrase")}


def test_a_title_label_does_not_make_a_keyphrase_a_name_of_the_page() -> None:
    titles = [f"Chapter {i}. Item{i}" for i in range(30)] + [f"Page{i} of SQL" for i in range(9)]
    titles += [f"Page{i}" for i in range(9, 200)]
    assert title_label_words(titles) == {"chapter"}  # 30 of 200 titles; "sql" 9, not > 10
    labels = {"chapter"}
    target = TargetText(
        1,
        "https://docs.test/sql-syntax.html",
        "/sql-syntax.html",
        "Chapter 4. SQL Syntax",
        "",
        "en",
        "Chapter 4. SQL Syntax\nThis chapter describes the syntax of SQL. It forms the "
        "foundation for understanding the following chapters which will go into detail about "
        "how SQL commands are applied to define and modify data.\nWe also advise users who are "
        "already familiar with SQL to read this chapter carefully because it contains several "
        "rules and concepts that are implemented inconsistently among SQL databases.",
    )

    def keys(labels: set[str]) -> set[str]:
        built = build_phrases(
            [target],
            keywords=[],
            queries={},
            brands=[],
            sitewide=set(),
            generic=[],
            labels=labels,
        )
        return {p.key for p in built[1]}

    assert "chapter describes" in keys(set())
    with_labels = keys(labels)
    assert not {"chapter describes", "chapter carefully"} & with_labels
    assert {"chapter 4 sql syntax", "sql syntax", "sql commands"} <= with_labels
