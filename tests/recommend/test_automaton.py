"""The phrase automaton of the candidate search reports every occurrence of every phrase key,
overlapping ones too, at character offsets, by where they end and longest first at one end:
checked against a search with ``str.startswith`` at every offset."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.recommend.candidates import _Automaton

# Letters of several scripts and widths (UTF-8 of 1 to 4 bytes), and the space: offsets are
# characters, whatever the bytes underneath.
ALPHABET = "ab éï東京🌳"
KEYS = st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=6, unique=True)


def _every_occurrence(keys: list[str], text: str) -> list[tuple[int, int, int]]:
    found = [
        (i, start, start + len(key))
        for start in range(len(text))
        for i, key in enumerate(keys)
        if text.startswith(key, start)
    ]
    return sorted(found, key=lambda m: (m[2], m[1]))


@settings(max_examples=300, deadline=None)
@given(keys=KEYS, text=st.text(ALPHABET, max_size=40))
def test_every_occurrence_in_order(keys: list[str], text: str) -> None:
    auto = _Automaton({key: [] for key in keys})
    assert auto.keys == keys
    assert auto.matches(text) == _every_occurrence(keys, text)


def test_nested_keys_ending_at_one_place_come_longest_first() -> None:
    auto = _Automaton({"care": [], "lawn care": [], "n care": []})
    assert auto.matches("lawn care") == [(1, 0, 9), (2, 3, 9), (0, 5, 9)]
