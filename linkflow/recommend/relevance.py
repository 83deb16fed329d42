"""How relevant a source page is to a target: BM25 (bm25s) of the target's phrases against
the source's main text, on the scale of the target's own text.

``relevance(s, t) = min(1, BM25(K_t, s) / BM25(K_t, t))``: 1 when the source is about the
target's subject at least as much as the target itself, near 0 when only a passing mention
links them. A target without main text is scored against its best candidate source
instead. Stop words of every language of the site are left out (bm25s' lists).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from linkflow.recommend.text import fold

__all__ = ["relevance", "stopwords_for"]


def stopwords_for(langs: Sequence[str]) -> list[str]:
    """bm25s' stop words of every language in ``langs`` it knows (primary subtags)."""
    from bm25s.tokenization import _infer_stopwords

    out: set[str] = set()
    for lang in {lang.split("-")[0].lower() for lang in langs if lang}:
        try:
            out.update(_infer_stopwords(lang))
        except ValueError:  # a language bm25s has no list for
            continue
    return sorted(out)


def relevance(
    src: np.ndarray,
    dst: np.ndarray,
    texts: Mapping[int, str],
    queries: Mapping[int, str],
    stopwords: Sequence[str] = (),
) -> np.ndarray:
    """Relevance in [0, 1] of each pair src→dst (see module docstring).

    ``texts``: main text per node (sources and targets); ``queries``: per target the text
    of its phrases. A pair whose source has no text scores 0.
    """
    import bm25s  # imported here: a second of import time, needed by this stage alone

    out = np.zeros(src.size)
    if src.size == 0:
        return out
    nodes = np.unique(np.concatenate([src, dst]))
    nodes = np.asarray([n for n in nodes.tolist() if texts.get(n)], dtype=np.int64)
    if nodes.size == 0:
        return out
    # Words as the candidates' pass sees them (folded), two letters or more, no stop words;
    # handed to bm25s as ids, which spares it a second tokenisation of every page.
    stop = frozenset(stopwords)
    vocab: dict[str, int] = {}
    ids = [
        [
            vocab.setdefault(w, len(vocab))
            for w in fold(texts[n]).split()
            if len(w) > 1 and w not in stop
        ]
        for n in nodes.tolist()
    ]
    index = bm25s.BM25()
    index.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    position = {n: i for i, n in enumerate(nodes.tolist())}
    order = np.argsort(dst, kind="stable")
    bounds = np.flatnonzero(np.r_[True, dst[order][1:] != dst[order][:-1], True])
    for lo, hi in itertools.pairwise(bounds.tolist()):
        rows = order[lo:hi]
        t = int(dst[rows[0]])
        terms = sorted(
            {w for w in fold(queries.get(t, "")).split() if w in vocab and w not in stop}
        )
        if not terms:
            continue
        scores = index.get_scores(terms)
        at = np.asarray([position.get(int(s), -1) for s in src[rows]], dtype=np.int64)
        got = np.where(at >= 0, scores[np.maximum(at, 0)], 0.0)
        own = float(scores[position[t]]) if t in position else 0.0
        scale = own if own > 0 else float(got.max(initial=0.0))
        if scale > 0:
            out[rows] = np.minimum(1.0, got / scale)
    return out
