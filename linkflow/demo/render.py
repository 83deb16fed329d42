"""HTML templates of the demo site; a :class:`Page` records every link it writes.

The generator knows each link because it wrote it: :meth:`Page.a` both renders the
``<a href>`` and appends a :class:`WrittenLink` (source, resolved target, anchor text,
nofollow). Parts are rendered in document order (header, main, sidebar, footer), so a page's
link list is in the order a parser meets the links.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin

from linkflow.demo.content import LINK

__all__ = ["ORIGIN", "Page", "WrittenLink", "document", "esc", "text"]

ORIGIN = "https://www.greenleaf-landscaping.com"
SITE_NAME = "Greenleaf Landscaping"


def esc(value: str) -> str:
    """Escape for an attribute value."""
    return html.escape(value, quote=True)


def text(value: str) -> str:
    """Escape for a text node (quotes stay readable)."""
    return html.escape(value, quote=False)


@dataclass(frozen=True, slots=True)
class WrittenLink:
    """One ``<a href>`` as written.

    ``href`` is the attribute as written; ``target`` the absolute URL it resolves to, without
    fragment; ``anchor`` the visible text with whitespace collapsed. For an image link
    ``image`` is True and ``anchor`` is the alt text ("" when the ``<img>`` has no alt
    attribute, and then ``alt`` is None).
    """

    source: str
    href: str
    target: str
    anchor: str
    nofollow: bool
    image: bool = False
    alt: str | None = None

    def as_json(self) -> dict[str, object]:
        """The JSON object stored in expected_links.json."""
        return {
            "source": self.source,
            "href": self.href,
            "target": self.target,
            "anchor": self.anchor,
            "nofollow": self.nofollow,
            "image": self.image,
            "alt": self.alt,
        }


@dataclass(slots=True)
class Page:
    """A page being written: its root-relative path and the links written so far."""

    path: str
    links: list[WrittenLink] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The page's public URL."""
        return ORIGIN + self.path

    def _record(self, href: str, anchor: str, rel: str, *, alt: str | None, image: bool) -> None:
        target, fragment = urldefrag(urljoin(self.url, href))
        if fragment and target == self.url:  # a same-page #fragment link: not a page link
            return
        nofollow = "nofollow" in rel.split()
        self.links.append(
            WrittenLink(self.url, href, target, " ".join(anchor.split()), nofollow, image, alt)
        )

    def a(self, href: str, anchor: str, *, rel: str = "", cls: str = "") -> str:
        """Render ``<a href>`` with text ``anchor`` and record it."""
        self._record(href, anchor, rel, alt=None, image=False)
        attrs = (f' class="{cls}"' if cls else "") + (f' rel="{rel}"' if rel else "")
        return f'<a href="{esc(href)}"{attrs}>{text(anchor)}</a>'

    def img_a(
        self, href: str, src: str, alt: str | None, *, cls: str = "", size: str = "480x320"
    ) -> str:
        """Render an image link; ``alt=None`` writes the ``<img>`` without an alt attribute."""
        # An image link's anchor text is its alt text, as search engines read it.
        self._record(href, alt or "", "", alt=alt, image=True)
        alt_attr = "" if alt is None else f' alt="{esc(alt)}"'
        width, height = size.split("x")
        img = f'<img src="{esc(src)}"{alt_attr} width="{width}" height="{height}">'
        return f'<a href="{esc(href)}" class="{cls or "image-link"}">{img}</a>'

    def inline(self, block: str) -> str:
        """Render inline markup: escaped text with ``[anchor](href)`` links."""
        out: list[str] = []
        pos = 0
        for m in LINK.finditer(block):
            out.append(text(block[pos : m.start()]))
            out.append(self.a(m.group(2), m.group(1), rel=m.group(3) or ""))
            pos = m.end()
        out.append(text(block[pos:]))
        return "".join(out)

    def blocks(self, blocks: Iterable[str]) -> str:
        """Render body blocks: ``## `` headings, ``- `` lists and paragraphs."""
        out: list[str] = []
        for block in blocks:
            if block.startswith("## "):
                out.append(f"<h2>{self.inline(block[3:])}</h2>")
            elif block.startswith("- "):
                items = (f"  <li>{self.inline(line[2:])}</li>" for line in block.splitlines())
                out.append("<ul>\n" + "\n".join(items) + "\n</ul>")
            else:
                out.append(f"<p>{self.inline(block)}</p>")
        return "\n".join(out)


def _head(title: str, description: str, canonical: str, noindex: bool) -> str:
    robots = '\n<meta name="robots" content="noindex, follow">' if noindex else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{text(title)} | {SITE_NAME}</title>
<meta name="description" content="{esc(description)}">{robots}
<link rel="canonical" href="{esc(canonical)}">
<link rel="stylesheet" href="/assets/site.css">
<link rel="icon" href="/assets/img/logo.svg" type="image/svg+xml">
</head>"""


def _header(page: Page) -> str:
    items = [("/", "Home"), ("/services/", "Services"), ("/locations/", "Service Areas")]
    items += [("/blog/", "Blog"), ("/about/", "About"), ("/contact/", "Contact")]
    logo = page.img_a("/", "/assets/img/logo.svg", SITE_NAME, cls="logo", size="180x48")
    nav = "\n".join(f"      <li>{page.a(href, label)}</li>" for href, label in items)
    quote = page.a("/contact/#quote", "Free Quote", cls="button")
    return f"""<header class="site-header" id="top">
  <div class="wrap">
    {logo}
    <nav class="main-nav" aria-label="Main">
      <ul>
{nav}
      </ul>
    </nav>
    {quote}
  </div>
</header>"""


def _footer(page: Page) -> str:
    areas = [("/locations/portland/", "Portland"), ("/locations/beaverton/", "Beaverton")]
    areas.append(("/locations/lake-oswego/", "Lake Oswego"))
    company = [(ORIGIN + "/about/", "About us"), ("/blog/", "Blog")]
    company += [(ORIGIN + "/privacy/", "Privacy policy"), (ORIGIN + "/terms/", "Terms of service")]
    social = [("https://www.facebook.com/greenleaflandscapingpdx", "Facebook")]
    social.append(("https://www.instagram.com/greenleaf_pdx/", "Instagram"))

    def ul(links: list[tuple[str, str]], rel: str = "") -> str:
        return "\n".join(f"        <li>{page.a(h, t, rel=rel)}</li>" for h, t in links)

    return f"""<footer class="site-footer">
  <div class="wrap">
    <section>
      <h2>{SITE_NAME}</h2>
      <p>4821 SE Division Street<br>Portland, OR 97206<br>(503) 555-0142</p>
    </section>
    <section>
      <h2>Service areas</h2>
      <ul>
{ul(areas)}
      </ul>
    </section>
    <section>
      <h2>Company</h2>
      <ul>
{ul(company)}
      </ul>
    </section>
    <section>
      <h2>Follow us</h2>
      <ul>
{ul(social, "noopener")}
      </ul>
    </section>
    <p class="legal">&copy; 2026 {SITE_NAME} LLC. Oregon LCB #9421.
      {page.a("#top", "Back to top")}</p>
  </div>
</footer>"""


def document(
    page: Page,
    title: str,
    main: Callable[[Page], str],
    *,
    description: str,
    aside: Callable[[Page], str] | None = None,
    canonical: str | None = None,
    noindex: bool = False,
) -> str:
    """A full page in the shared template: header nav, main content, optional sidebar, footer.

    ``main`` and ``aside`` are called after the header is rendered and before the footer,
    so links are recorded in document order. ``canonical`` defaults to the page itself.
    """
    head = _head(title, description, canonical or page.url, noindex)
    header = _header(page)
    body = main(page)
    side = f"\n{aside(page)}" if aside else ""
    footer = _footer(page)
    return (
        f'{head}\n<body>\n{header}\n<div class="page wrap">\n'
        f'<main id="content">\n{body}\n</main>{side}\n</div>\n{footer}\n</body>\n</html>\n'
    )
