"""The pages of the demo site: one function per page type, each returning its HTML.

Site structure (all under the public origin):

- ``/`` home; ``/services/`` hub and one page per service (the money pages);
- ``/blog/`` and ``/blog/page/N/`` (4 posts a page, linked only newer/older, so the oldest
  posts sit deep), ``/blog/<slug>/`` posts, ``/blog/category/<slug>/`` (newest 5 posts of
  the category), ``/blog/tag/<slug>/`` (every post with the tag);
- ``/locations/`` and one page per town; ``/about/``, ``/contact/``, ``/thank-you/``
  (noindex), ``/privacy/``, ``/terms/``;
- ``/services/patio-installation/print/`` (canonical to the patio page) and
  ``/spring-offer/`` (a landing page outside the template: no links at all).

Entries marked ``orphan: yes`` get a page and a sitemap entry but no link from any page.
"""

from __future__ import annotations

from collections.abc import Sequence

from linkflow.demo.content import Entry, entries, plain_text
from linkflow.demo.render import ORIGIN, SITE_NAME, Page, document, esc, text

__all__ = [
    "CATEGORIES",
    "POSTS_PER_PAGE",
    "blog_index",
    "blog_index_pages",
    "category",
    "excerpt",
    "home",
    "listed_posts",
    "listed_services",
    "location",
    "locations_hub",
    "not_found",
    "post",
    "post_path",
    "print_version",
    "service",
    "service_path",
    "services_hub",
    "simple",
    "spring_offer",
    "tag",
]

POSTS_PER_PAGE = 4
CATEGORY_LIMIT = 5
RECENT_LIMIT = 5
CATEGORIES = {
    "lawn-care": (
        "Lawn Care",
        "Mowing, feeding, aeration and everything that keeps grass healthy.",
    ),
    "garden-design": ("Garden Design", "Plants, planting plans and ideas for Northwest gardens."),
    "hardscaping": ("Hardscaping", "Patios, retaining walls, paths and drainage."),
    "seasonal": ("Seasonal Tips", "What to do in the garden, season by season."),
}
_MONTHS = "January February March April May June July August September October November December"


def listed_posts() -> list[Entry]:
    """Posts shown on the blog index, newest first (orphans excluded)."""
    listed = [p for p in entries("post") if p.get("orphan") != "yes"]
    return sorted(listed, key=lambda p: p["date"], reverse=True)


def listed_services() -> list[Entry]:
    """Services linked from the site (orphans excluded)."""
    return [s for s in entries("service") if s.get("orphan") != "yes"]


def blog_index_pages() -> int:
    """How many /blog/ index pages there are."""
    return -(-len(listed_posts()) // POSTS_PER_PAGE)


def post_path(post: Entry) -> str:
    """The root-relative path of a post."""
    return f"/blog/{post['slug']}/"


def service_path(service: Entry) -> str:
    """The root-relative path of a service page."""
    return f"/services/{service['slug']}/"


def _card(page: Page, service: Entry) -> str:
    href = service_path(service)
    title = page.a(href, service["title"])
    more = page.a(href, "Learn more", cls="more")
    return (
        f'<div class="card">\n<h3>{title}</h3>\n<p>{text(service["summary"])}</p>\n{more}\n</div>'
    )


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{_MONTHS.split()[int(month) - 1]} {int(day)}, {year}"


def excerpt(entry: Entry) -> str:
    """The first two sentences of the first paragraph, without link markup."""
    first = plain_text(entry.blocks[0])
    sentences = first.split(". ")
    return ". ".join(sentences[:2]).rstrip(".") + "."


def _breadcrumbs(page: Page, trail: Sequence[tuple[str, str]], current: str) -> str:
    links = [page.a(href, label) for href, label in trail]
    trail_html = " › ".join([*links, text(current)])
    return f'<nav class="breadcrumbs" aria-label="Breadcrumb">{trail_html}</nav>'


def _sidebar(page: Page) -> str:
    recent = "\n".join(
        f"    <li>{page.a(post_path(p), p['title'])}</li>" for p in listed_posts()[:RECENT_LIMIT]
    )
    cats = "\n".join(
        f"    <li>{page.a(f'/blog/category/{slug}/', name)}</li>"
        for slug, (name, _) in CATEGORIES.items()
    )
    quote = page.a("/contact/", "Request a free quote")
    return f"""<aside class="sidebar">
  <section>
    <h2>Recent posts</h2>
    <ul>
{recent}
    </ul>
  </section>
  <section>
    <h2>Categories</h2>
    <ul>
{cats}
    </ul>
  </section>
  <section class="cta">
    <h2>Need a hand?</h2>
    <p>Our crews work across the Portland metro area.</p>
    <p>{quote}</p>
  </section>
</aside>"""


def _listing(page: Page, posts: Sequence[Entry]) -> str:
    out = []
    for post in posts:
        href = post_path(post)
        category = CATEGORIES[post["category"]][0]
        out.append(
            f'<article class="post-summary">\n<h2>{page.a(href, post["title"])}</h2>\n'
            f'<p class="meta">{_date(post["date"])} · {text(category)}</p>\n'
            f"<p>{text(excerpt(post))}</p>\n{page.a(href, 'Read more', cls='more')}\n</article>"
        )
    return "\n".join(out)


def home(page: Page) -> str:
    """The home page."""

    def main(p: Page) -> str:
        # Rendered in page order: each call records its link.
        quote = p.a("/contact/", "Get a free quote", cls="button")
        offer = p.a("/spring-offer/", "See the offer")
        cards = "\n".join(_card(p, s) for s in listed_services())
        garden = p.img_a("/services/garden-design/", "/assets/img/garden.svg", None)
        patio_alt = "Flagstone patio with a low seat wall in Sellwood"
        patio = p.img_a("/services/patio-installation/", "/assets/img/patio.svg", patio_alt)
        latest = "\n".join(f"<li>{p.a(post_path(x), x['title'])}</li>" for x in listed_posts()[:3])
        return f"""<section class="hero">
<h1>Landscaping, lawn care and garden design in Portland</h1>
<p>Since 2015 {SITE_NAME} has designed, built and cared for gardens across the Portland
metro area. One team for your lawn, your patio and your trees.</p>
<p>{quote}</p>
</section>
<section class="offer">
<p>Spring offer: 15% off new patio projects booked before April 30.
{offer}</p>
</section>
<section class="services">
<h2>Our services</h2>
{cards}
</section>
<section class="projects">
<h2>Recent projects</h2>
<figure>{garden}<figcaption>A woodland garden in Eastmoreland</figcaption></figure>
<figure>{patio}<figcaption>{text(patio_alt)}</figcaption></figure>
</section>
<section class="latest">
<h2>From the blog</h2>
<ul>
{latest}
</ul>
</section>
<section class="testimonial">
<blockquote><p>"The crew showed up every Tuesday for three years and our lawn has never
looked better." - Karen M., Sellwood</p></blockquote>
</section>"""

    return document(
        page,
        "Landscaping & Lawn Care in Portland, OR",
        main,
        description="Lawn care, patios, garden design and tree trimming around Portland.",
    )


def services_hub(page: Page) -> str:
    """The /services/ overview page."""

    def main(p: Page) -> str:
        crumbs = _breadcrumbs(p, [("/", "Home")], "Services")
        items = "\n".join(
            f"<h2>{p.a(service_path(s), s['title'])}</h2>\n<p>{text(s['summary'])}</p>"
            for s in listed_services()
        )
        intro = "From a weekly mow to a complete garden makeover, our own crews do the work."
        return f"{crumbs}\n<h1>Our Landscaping Services</h1>\n<p>{intro}</p>\n{items}"

    return document(
        page,
        "Landscaping Services",
        main,
        description="Everything we do, from lawn care to lighting.",
    )


def service(page: Page, entry: Entry) -> str:
    """A service (money) page."""

    def main(p: Page) -> str:
        crumbs = _breadcrumbs(p, [("/", "Home"), ("/services/", "Services")], entry["title"])
        body = p.blocks(entry.blocks)
        related = "\n".join(
            f"<li>{p.a(f'/blog/{slug}/', _post(slug)['title'])}</li>"
            for slug in entry.items("related")
        )
        quote = p.a("/contact/", "Get a free quote", cls="button")
        extra = ""
        if entry["slug"] == "patio-installation":
            extra = f'\n<p class="print">{p.a("print/", "Print this page")}</p>'
        return (
            '<script type="application/ld+json">'  # structured data: the guesser's signal
            '{"@context": "https://schema.org", "@type": "Service"}</script>\n'
            f"{crumbs}\n<h1>{text(entry['title'])}</h1>\n"
            f'<p class="lead">{text(entry["summary"])}</p>\n{body}\n'
            f'<section class="related">\n<h2>Related articles</h2>\n<ul>\n{related}\n</ul>\n'
            f'</section>\n<p class="cta">{quote}</p>{extra}'
        )

    return document(page, f"{entry['title']} in Portland, OR", main, description=entry["summary"])


def print_version(page: Page, entry: Entry) -> str:
    """A printer-friendly duplicate of a service page, canonicalised to the original."""
    original = f"/services/{entry['slug']}/"
    body = page.blocks(entry.blocks)
    back = page.a(original, "Back to the full page")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{text(entry["title"])} (print version) | {SITE_NAME}</title>
<link rel="canonical" href="{esc(ORIGIN + original)}">
</head>
<body class="print">
<h1>{text(entry["title"])}</h1>
<p>{text(entry["summary"])}</p>
{body}
<p>{back}</p>
</body>
</html>
"""


def _post(slug: str) -> Entry:
    return next(p for p in entries("post") if p["slug"] == slug)


def post(page: Page, entry: Entry) -> str:
    """A blog post."""
    category, _ = CATEGORIES[entry["category"]]
    cat_href = f"/blog/category/{entry['category']}/"

    def main(p: Page) -> str:
        crumbs = _breadcrumbs(p, [("/", "Home"), ("/blog/", "Blog")], entry["title"])
        meta = (
            f'<p class="meta">By {text(entry["author"])} · <time datetime="{entry["date"]}">'
            f"{_date(entry['date'])}</time> · in {p.a(cat_href, category)}</p>"
        )
        body = p.blocks(entry.blocks)  # before the tags: links are recorded in document order
        tags = ", ".join(p.a(f"/blog/tag/{t}/", t.replace("-", " ")) for t in entry.items("tags"))
        tag_line = f'\n<p class="tags">Tags: {tags}</p>' if tags else ""
        return (
            f'<article class="post">\n{crumbs}\n<h1>{text(entry["title"])}</h1>\n{meta}\n'
            f'<div class="entry-content">\n{body}\n</div>{tag_line}\n</article>'
        )

    return document(page, entry["title"], main, description=excerpt(entry), aside=_sidebar)


def blog_index(page: Page, number: int) -> str:
    """Page ``number`` (1-based) of the blog index: newer/older links only."""
    total = blog_index_pages()
    start = (number - 1) * POSTS_PER_PAGE
    posts = listed_posts()[start : start + POSTS_PER_PAGE]

    def href(n: int) -> str:
        return "/blog/" if n == 1 else f"/blog/page/{n}/"

    def main(p: Page) -> str:
        heading = "Landscaping Tips &amp; Advice" + ("" if number == 1 else f" - Page {number}")
        listing = _listing(p, posts)
        nav = []
        if number > 1:
            nav.append(p.a(href(number - 1), "« Newer posts", cls="prev"))
        nav.append(f"<span>Page {number} of {total}</span>")
        if number < total:
            nav.append(p.a(href(number + 1), "Older posts »", cls="next"))
        pager = '<nav class="pagination" aria-label="Blog pages">' + " ".join(nav) + "</nav>"
        return f"<h1>{heading}</h1>\n{listing}\n{pager}"

    title = "Blog" if number == 1 else f"Blog - Page {number}"
    return document(page, title, main, description="Lawn, garden and patio advice.", aside=_sidebar)


def category(page: Page, slug: str) -> str:
    """A blog category page: the newest posts of the category."""
    name, blurb = CATEGORIES[slug]
    posts = [p for p in listed_posts() if p["category"] == slug][:CATEGORY_LIMIT]

    def main(p: Page) -> str:
        crumbs = _breadcrumbs(p, [("/", "Home"), ("/blog/", "Blog")], name)
        listing = _listing(p, posts)
        more = p.a("/blog/", "See all posts")
        return f"{crumbs}\n<h1>{text(name)}</h1>\n<p>{text(blurb)}</p>\n{listing}\n<p>{more}</p>"

    return document(page, name, main, description=blurb, aside=_sidebar)


def tag(page: Page, slug: str) -> str:
    """A blog tag page: every listed post with the tag."""
    name = slug.replace("-", " ")
    posts = [p for p in listed_posts() if slug in p.items("tags")]

    def main(p: Page) -> str:
        crumbs = _breadcrumbs(p, [("/", "Home"), ("/blog/", "Blog")], f"Tag: {name}")
        return f"{crumbs}\n<h1>Posts tagged “{text(name)}”</h1>\n{_listing(p, posts)}"

    return document(
        page, f"Tag: {name}", main, description=f"Articles about {name}.", aside=_sidebar
    )


def locations_hub(page: Page) -> str:
    """The /locations/ overview of service areas."""

    def main(p: Page) -> str:
        crumbs = _breadcrumbs(p, [("/", "Home")], "Service Areas")
        towns = "\n".join(
            f"<li>{p.a('/locations/' + x['slug'] + '/', x['title'].split(' in ')[1])}</li>"
            for x in entries("location")
        )
        intro = "We work across the Portland metro area. Choose your town to see what we do there."
        return f"{crumbs}\n<h1>Service Areas</h1>\n<p>{intro}</p>\n<ul>\n{towns}\n</ul>"

    return document(page, "Service Areas", main, description="Towns we serve around Portland.")


def location(page: Page, entry: Entry) -> str:
    """A town page."""

    def main(p: Page) -> str:
        crumbs = _breadcrumbs(p, [("/", "Home"), ("/locations/", "Service Areas")], entry["title"])
        body = p.blocks(entry.blocks)
        cta = p.a("/contact/", "Book a free site visit", cls="button")
        return f"{crumbs}\n<h1>{text(entry['title'])}</h1>\n{body}\n<p>{cta}</p>"

    return document(page, entry["title"], main, description=plain_text(entry.blocks[0])[:150])


def simple(page: Page, entry: Entry) -> str:
    """A company or legal page; ``noindex: yes`` adds a robots noindex meta tag."""

    def main(p: Page) -> str:
        form = ""
        if entry["path"] == "/contact/":
            form = (
                '\n<form id="quote" action="/thank-you/" method="post">\n'
                '<label>Name <input name="name" required></label>\n'
                '<label>Phone or email <input name="contact" required></label>\n'
                '<label>What can we help with? <textarea name="message"></textarea></label>\n'
                '<button type="submit">Send request</button>\n</form>'
            )
        return f"<h1>{text(entry['title'])}</h1>\n{p.blocks(entry.blocks)}{form}"

    description = plain_text(entry.blocks[0])[:150]
    noindex = entry.get("noindex") == "yes"
    return document(page, entry["title"], main, description=description, noindex=noindex)


def spring_offer(page: Page) -> str:
    """A campaign landing page outside the site template: it links nowhere (a dead end)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Spring Patio Offer | {SITE_NAME}</title>
<link rel="canonical" href="{esc(page.url)}">
</head>
<body class="landing">
<main>
<h1>15% off new patios this spring</h1>
<p>Book a paver, flagstone or concrete patio before April 30 and save 15% on installation.
The offer covers projects of 150 square feet or more in Portland, Beaverton and Lake Oswego.</p>
<p>Call us on (503) 555-0142 and mention code SPRING15 to arrange your free design visit.</p>
</main>
</body>
</html>
"""


def not_found(page: Page) -> str:
    """The body of the site's 404 response."""

    def main(p: Page) -> str:
        home_link = p.a("/", "Go to the home page")
        return f"<h1>Page not found</h1>\n<p>Sorry, that page does not exist. {home_link}.</p>"

    return document(page, "Page not found", main, description="Page not found.")
