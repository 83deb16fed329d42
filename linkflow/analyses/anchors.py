"""Anchor-text rules shared by internal links and backlinks: one definition of each.

- :func:`normalise_anchor`: how anchor texts are compared.
- :data:`GENERIC_ANCHORS` / :func:`generic_anchor_list`: anchors that say nothing about
  their target.
- :func:`is_naked_url`: an anchor that is a URL.
- :func:`anchor_class`: the classes every link shares (image, empty, naked_url, generic);
  the backlink analysis refines the rest (branded, exact, partial, other).
- :func:`classify_anchors`: the same rule over many texts at once (distinct anchors of a
  crawl), for stages that then join the classes back in SQL.
- :func:`names_a_topic`: whether a descriptive anchor says what its target is about, so
  that pointing it at different pages is worth reporting (not a number, a navigation label,
  a standard section heading or code).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from typing import Final

import pyarrow as pa

from linkflow.urls import registrable_domain

__all__ = [
    "BARE_HOST_TLDS",
    "GENERIC_ANCHORS",
    "NAVIGATION_ANCHORS",
    "SECTION_ANCHORS",
    "anchor_class",
    "classify_anchors",
    "generic_anchor_list",
    "is_code_identifier",
    "is_naked_url",
    "names_a_topic",
    "normalise_anchor",
]

_SCHEME_URL = re.compile(r"https?://\S+", re.I)
# A host (labels of letters, digits and inner hyphens, any script; no underscore, which
# hostnames never hold) ending in an alphabetic or punycode top-level label, then an
# optional port, path, query or fragment.
_LABEL = r"[^\W_](?:[^\W_]|-)*(?<!-)"
_HOSTLIKE = re.compile(
    rf"(?P<host>(?:{_LABEL}\.)+(?P<tld>[^\W\d_]{{2,}}|xn--[a-z0-9-]+))"
    r"(?P<rest>(?::\d+)?[/?#]\S*|:\d+)?",
    re.I,
)

BARE_HOST_TLDS: Final = frozenset(
    (".com", ".org", ".net", ".edu", ".gov", ".mil", ".info", ".biz", ".app", ".dev", ".xyz",
     ".online", ".site", ".store", ".shop", ".tech", ".blog", ".cloud")
)  # fmt: skip
"""Generic top-level domains common enough that a bare host under them (``python.org``)
reads as an address. Country codes count too, but for :data:`_CODE_LIKE_TLDS`."""

# Country codes that are also file extensions or attribute names in technical text
# (setup.py, README.md, main.rs, libpq.so, Makefile.in, configure.ac, Match.re, obj.id,
# tkinter.Tk): under them a bare host is far more often a file or a name than an address.
_CODE_LIKE_TLDS: Final = frozenset(
    (".py", ".pl", ".pm", ".sh", ".md", ".rs", ".so", ".mo", ".ps", ".ml", ".mk", ".tf", ".cc",
     ".am", ".ac", ".in", ".re", ".id", ".tk")
)  # fmt: skip

GENERIC_ANCHORS: Final[dict[str, tuple[str, ...]]] = {
    # Lighthouse's link-text audit lists (core/audits/seo/link-text.js)
    "en": ("click here", "click this", "go", "here", "information", "learn more", "more",
           "more info", "more information", "right here", "read more", "see more", "start",
           "this"),
    "ja": ("ここをクリック", "こちらをクリック", "リンク", "続きを読む", "続く", "全文表示"),
    "es": ("click aquí", "click aqui", "clicka aquí", "clicka aqui", "pincha aquí",
           "pincha aqui", "aquí", "aqui", "más", "mas", "más información", "más informacion",
           "mas información", "mas informacion", "este", "enlace", "este enlace", "empezar"),
    "pt": ("clique aqui", "ir", "mais informação", "mais informações", "mais", "veja mais"),
    "ko": ("여기", "여기를 클릭", "클릭", "링크", "자세히", "자세히 보기", "계속", "이동",
           "전체 보기"),
    "sv": ("här", "klicka här", "läs mer", "mer", "mer info", "mer information"),
    "de": ("klicke hier", "hier klicken", "hier", "mehr", "siehe", "dies", "das",
           "weiterlesen"),
    "ta": ("அடுத்த பக்கம்", "மறுபக்கம்", "முந்தைய பக்கம்", "முன்பக்கம்", "மேலும் அறிக",
           "மேலும் தகவலுக்கு", "மேலும் தரவுகளுக்கு", "தயவுசெய்து இங்கே அழுத்தவும்",
           "இங்கே கிளிக் செய்யவும்"),
    "fa": ("اطلاعات بیشتر", "اطلاعات", "این", "اینجا بزنید", "اینجا کلیک کنید", "اینجا",
           "برو", "بیشتر بخوانید", "بیشتر بدانید", "بیشتر", "شروع"),
    # ours (research/algorithms.md §6) and common French/Italian/Dutch equivalents, and
    # the common German/Spanish/Portuguese forms Lighthouse lacks. "home" is not here: a
    # link reading "Home" names its target, the home page.
    "extra": ("this article", "this page", "website", "web site", "site", "link", "this link",
              "source", "download", "continue reading", "continue", "details", "view",
              "view more", "visit", "visit website", "find out more", "click",
              "cliquez ici", "ici", "en savoir plus", "lire la suite", "plus",
              "clicca qui", "qui", "leggi di più", "scopri di più", "klik hier", "lees meer",
              "meer", "mehr erfahren", "haga clic aquí", "leer más", "saiba mais",
              "leia mais"),
}  # fmt: skip
"""Generic anchors by language; every list is applied to every link, whatever its language."""


NAVIGATION_ANCHORS: Final = frozenset(
    ("next", "previous", "prev", "up", "back", "top", "back to top", "go to top",
     "return to top", "next page", "previous page", "first", "last", "first page",
     "last page", "older", "newer", "older posts", "newer posts", "older entries",
     "newer entries", "next post", "previous post", "next article", "previous article",
     "index", "contents", "table of contents", "skip to content", "skip to main content",
     "permalink", "edit", "edit this page", "show source", "menu", "search",
     "weiter", "zurück", "nächste", "nächste seite", "vorherige", "vorherige seite",
     "nach oben", "suivant", "précédent", "haut de page", "retour", "siguiente",
     "anterior", "volver", "arriba", "successivo", "precedente", "volgende", "vorige",
     "terug", "próximo", "próxima", "voltar", "nästa", "föregående", "次へ", "前へ")
)  # fmt: skip
"""Normalised labels of navigation links (next, previous, up, back to top ...): they name a
position in a sequence, not a topic, so the same label points at every page by design."""

SECTION_ANCHORS: Final = frozenset(
    ("introduction", "overview", "summary", "description", "synopsis", "parameters",
     "arguments", "options", "return value", "examples", "example", "usage", "notes",
     "see also", "references", "further reading", "requirements", "installation",
     "configuration", "limitations", "exceptions", "functions", "methods", "classes",
     "attributes", "constants", "changelog", "release notes", "faq", "command line interface",
     "security considerations", "the documentation", "documentation")
)  # fmt: skip
"""Normalised headings of standard sections that many pages each have (an "Examples" or
"Parameters" section per reference page): a link to one names a part of its page, not a
topic several pages compete for."""

_SPACE = re.compile(r"\s")
_LETTER = re.compile(r"[^\W\d_]")
# Code in anchor text: a call (``len()``), a snake_case, dunder or SCREAMING_CASE name, a
# dotted or ``::`` path (``os.path``, ``Path.read_text()``, ``std::vec``), a command-line
# option or sigil (``--verbose``, ``$PATH``, ``@property``), or a name with two inner
# capitals (``PyTypeObject``; one, as in ``WordPress`` or ``iPhone``, is often a brand).
_CODE = re.compile(r"\(.*\)$|_|\w(?:\.|::)\w|^(?:-|\$|@|%)|[a-z][A-Z].*[a-z][A-Z]")


class _Kept(dict[int, str]):
    """``str.translate`` table: letters, digits, marks and spaces stay, the rest become a
    space. Filled on first sight of each character, so translation runs at C speed."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        kept = unicodedata.category(char)[0] in "LNM" or char.isspace()
        self[code] = char if kept else " "
        return self[code]


_KEPT = _Kept()


def normalise_anchor(text: str) -> str:
    """How anchor texts are compared: NFKC, case-folded, every character but letters, digits,
    marks and spaces replaced by a space, spaces collapsed and trimmed.

    >>> normalise_anchor("  READ   more…")
    'read more'
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.translate(_KEPT).split())


def generic_anchor_list(extra: Iterable[str] = ()) -> list[str]:
    """Every generic anchor, normalised (:func:`normalise_anchor`), plus ``extra``
    (settings.analyse.generic_anchors), sorted."""
    words: set[str] = set()
    for group in (*GENERIC_ANCHORS.values(), tuple(extra)):
        for text in group:
            norm = normalise_anchor(text)
            if norm:
                words.add(norm)
    return sorted(words)


def is_naked_url(text: str) -> bool:
    """Whether ``text`` (surrounding spaces aside) is a URL written out as anchor text.

    A URL is one token that is either
    - anything after an ``http(s)://`` scheme (``https://localhost:8080/x``);
    - a host starting ``www.`` (``www.example.com``), with an optional port, path, query or
      fragment;
    - a host with a registrable domain by the Public Suffix List followed by a port, path,
      query or fragment (``example.com/page``, ``bücher.de/neu``);
    - or a bare host with a registrable domain whose top-level label is written in lower
      case and is a country code (less :data:`_CODE_LIKE_TLDS`), an internationalised
      label or one of :data:`BARE_HOST_TLDS` (``python.org``, ``bücher.de``).

    So dotted names of code are not URLs: ``os.path`` (``path`` is no public suffix),
    ``sys.meta_path`` (an underscore), ``asyncio.run`` (``run`` is a rare gTLD),
    ``setup.py``, ``token.NL`` (upper case). Scheme and ``www.`` are case-insensitive.
    """
    token = text.strip()
    if _SCHEME_URL.fullmatch(token):
        return True
    if "." not in token:
        return False  # most anchors: no host without a dot (no pattern spans a space either)
    match = _HOSTLIKE.fullmatch(token)
    if match is None:
        return False
    host, tld = match["host"], match["tld"]
    if host[:4].lower() == "www.":
        return True
    if not match["rest"] and not _bare_host_tld(tld):
        return False  # decided before the Public Suffix List is loaded, for most names
    return _has_registrable_domain(host)


def _bare_host_tld(tld: str) -> bool:
    if tld != tld.lower():
        return False
    if not tld.isascii() or tld.startswith("xn--"):
        return True
    suffix = "." + tld
    return suffix in BARE_HOST_TLDS or (len(tld) == 2 and suffix not in _CODE_LIKE_TLDS)


def _has_registrable_domain(host: str) -> bool:
    """Whether ``host`` ends in a registrable domain (a label under a public suffix).

    :func:`registrable_domain` returns a host without one unchanged, and a host with one
    cut down to it; one label more tells the two apart when ``host`` is that domain itself.
    The first call loads the Public Suffix List (under a second, some 20 MB), which is why
    :func:`is_naked_url` settles every other case first.
    """
    probe = "x." + host.lower()
    return registrable_domain(probe) != probe


def is_code_identifier(text: str) -> bool:
    """Whether ``text`` (surrounding spaces aside) is one token shaped like code:
    ``len()``, ``sys.meta_path``, ``__init__``, ``--verbose``, ``PyTypeObject``.

    API references give many entries one name (``ctypes.cast()`` and ``typing.cast()``
    both read ``cast()``); such anchors name entries, not topics.
    """
    token = text.strip()
    return _SPACE.search(token) is None and _CODE.search(token) is not None


def names_a_topic(text: str, norm: str) -> bool:
    """Whether a descriptive anchor (raw ``text``, normalised ``norm``) names a topic, so
    that the same text leading to different pages blurs which page is about it.

    Not a topic: fewer than two characters or no letter at all (``10``, ``[29]``, ``x``,
    ``§ 3.2``), a navigation label (:data:`NAVIGATION_ANCHORS`), a standard section heading
    (:data:`SECTION_ANCHORS`), or code (:func:`is_code_identifier`).
    """
    if len(norm) < 2 or _LETTER.search(norm) is None:
        return False
    if norm in NAVIGATION_ANCHORS or norm in SECTION_ANCHORS:
        return False
    return not is_code_identifier(text)


def anchor_class(
    text: str | None, *, is_image: bool = False, generic: Collection[str]
) -> str | None:
    """The shared class of one anchor: ``image``, ``empty``, ``naked_url``, ``generic``, or
    ``None`` for a descriptive anchor (names from ``models.ANCHOR_CLASSES``).

    Checked in that order. ``empty`` means nothing is left after :func:`normalise_anchor`
    (``"!!!"`` too); ``generic`` means the normalised text is in ``generic`` (normalised
    strings, e.g. from :func:`generic_anchor_list`).
    """
    if is_image:
        return "image"
    raw = text or ""
    return _text_class(raw, normalise_anchor(raw), generic)


def _text_class(raw: str, norm: str, generic: Collection[str]) -> str | None:
    if not norm:
        return "empty"
    if is_naked_url(raw):
        return "naked_url"
    if norm in generic:
        return "generic"
    return None


def classify_anchors(texts: pa.Array, generic: Collection[str]) -> tuple[pa.Array, pa.Array]:
    """:func:`anchor_class` and :func:`normalise_anchor` of each text (NULL reads as ``""``).

    Returns (class, normalised text), aligned with ``texts``; the class is NULL for a
    descriptive anchor. Meant for distinct texts: each costs a few microseconds.
    """
    wanted = frozenset(generic)
    classes: list[str | None] = []
    normalised: list[str] = []
    for batch in (texts.slice(i, 65_536) for i in range(0, len(texts), 65_536)):
        for text in batch.to_pylist():
            raw = text or ""
            norm = normalise_anchor(raw)
            classes.append(_text_class(raw, norm, wanted))
            normalised.append(norm)
    return pa.array(classes, pa.string()), pa.array(normalised, pa.string())
