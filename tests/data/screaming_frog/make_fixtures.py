"""Write the Screaming Frog fixture exports of this folder, byte for byte.

One small site, exported in every layout era (data-formats research §8):

- ``current_all_inlinks.csv``: 15 columns, UTF-8 BOM, every field quoted, LF.
- ``2019_all_outlinks.csv``: ``"All Outlinks"`` title line, 9 columns, no BOM, CRLF, all
  quoted, ``AHREF``/``IMG``/``JS``/``HTML_HREFLANG`` types, rows grouped by source.
- ``2017_all_outlinks.csv``: title line, 8 columns (no ``Size (Bytes)``), ``HREF`` types.
- ``resaved_all_inlinks.csv``: the current columns re-saved by a script: no BOM, minimal
  quoting, LF.
- ``excel_all_inlinks.csv``: re-saved by Excel in a comma-decimal locale: cp1252, ``;``, CRLF.
- ``current_internal_all.csv``: ``Internal: All``, UTF-8 BOM, every field quoted.
- ``current_internal_all_resources.csv``: the same with the rows a real ``Internal: All`` has
  for what pages embed or link to besides HTML: an image, a stylesheet, a script, a PDF
  (Screaming Frog calls them all ``Indexable``).

Run ``python tests/data/screaming_frog/make_fixtures.py`` after changing the site below.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).parent
B = "https://www.example.com"

CURRENT = (
    "Type", "Source", "Destination", "Size (Bytes)", "Alt Text", "Anchor", "Status Code",
    "Status", "Follow", "Target", "Rel", "Path Type", "Link Path", "Link Position", "Link Origin",
)  # fmt: skip

# (type, source, destination, alt, anchor, status code, status, follow, target, rel,
#  link path, link position), in the order of an inlinks export (grouped by destination).
ROWS = [
    ("Hyperlink", f"{B}/", f"{B}/about/", "", "About us", "200", "OK", "true", "", "",
     "/html/body/header/nav/ul/li[1]/a", "Navigation"),
    ("Hyperlink", f"{B}/blog/", f"{B}/about/", "", 'Say "hi", friend', "200", "OK", "true", "",
     "", "/html/body/main/article/p[2]/a", "Content"),
    ("Hyperlink", f"{B}/blog/post-1", f"{B}/about/", "About logo", "", "200", "OK", "true", "",
     "", "/html/body/footer/div/a", "Footer"),
    ("XML Sitemap", f"{B}/sitemap.xml", f"{B}/about/", "", "", "200", "OK", "true", "", "", "",
     ""),
    ("HTTP Redirect", f"{B}/old-page", f"{B}/about/", "", "", "200", "OK", "true", "", "", "",
     ""),
    ("Hyperlink", f"{B}/about/", f"{B}/about/", "", "About", "200", "OK", "true", "", "",
     "/html/body/header/a", "Header"),
    ("Hyperlink", f"{B}/", f"{B}/about/", "", "About (footer)", "200", "OK", "true", "", "",
     "/html/body/footer/ul/li[3]/a", "Footer"),
    ("Hyperlink", f"{B}/", f"{B}/blog/", "", "Blog", "200", "OK", "true", "", "",
     "/html/body/header/nav/ul/li[2]/a", "Navigation"),
    ("HTML Canonical", f"{B}/blog/?page=1", f"{B}/blog/", "", "", "200", "OK", "true", "", "",
     "//link[@rel='canonical']", "Head"),
    ("Hyperlink", f"{B}/about/", f"{B}/blog/?utm_source=about", "", "our blog", "200", "OK",
     "true", "", "", "/html/body/main/p/a", "Content"),
    ("Hyperlink", f"{B}/blog/", f"{B}/blog/?page=1", "", "Next page", "200", "OK", "true", "",
     "", "/html/body/main/nav/a[2]", "Content"),
    ("Hyperlink", f"{B}/", f"{B}/blog/post-1", "", "First post", "200", "OK", "false", "",
     "nofollow noopener", "/html/body/main/ul/li[1]/a", "Content"),
    ("Hyperlink", f"{B}/about/", f"{B}/blog/post-1", "", "Sponsored read", "200", "OK",
     "false", "", "sponsored", "/html/body/aside/a", "Aside"),
    ("Hyperlink", f"{B}/blog/", f"{B}/blog/post-1", "", "Read more", "200", "OK", "true",
     "_blank", "UGC", "/html/body/main/article[1]/a", "Content"),
    ("XML Sitemap", f"{B}/sitemap.xml", f"{B}/blog/post-1", "", "", "200", "OK", "true", "",
     "", "", ""),
    ("Hyperlink", f"{B}/", f"{B}/old-page", "", "Old page", "301", "Moved Permanently", "true",
     "", "", "/html/body/main/p[3]/a", "Content"),
    ("Hyperlink", f"{B}/blog/", f"{B}/missing", "", "Broken", "404", "Not Found", "true", "",
     "", "/html/body/div[2]/a", "Sidebar"),
    ("Image", f"{B}/", f"{B}/img/logo.png", "Logo", "", "200", "OK", "true", "", "",
     "/html/body/header/img", "Header"),
    ("CSS", f"{B}/", f"{B}/style.css", "", "", "200", "OK", "true", "", "", "/html/head/link",
     "Head"),
    ("JavaScript", f"{B}/", f"{B}/app.js", "", "", "200", "OK", "true", "", "",
     "/html/head/script", "Head"),
    ("Iframe", f"{B}/blog/post-1", "https://video.example.net/embed/1", "", "", "200", "OK",
     "true", "", "", "/html/body/iframe", "Content"),
    ("Hyperlink", f"{B}/about/", "https://external.org/ref", "", "Reference", "200", "OK",
     "true", "_blank", "noopener", "/html/body/main/p[4]/a", "Content"),
    ("HTML Hreflang", f"{B}/", f"{B}/fr/", "", "", "200", "OK", "true", "", "",
     "//link[@hreflang='fr']", "Head"),
    ("Hyperlink", f"{B}/about/", "mailto:hello@example.com", "", "Email us", "0", "", "true",
     "", "", "/html/body/footer/a", "Footer"),
    ("Hyperlink", f"{B}/blog/", f"{B}/private/", "", "Private", "0", "Blocked by Robots.txt",
     "true", "", "", "/html/body/main/p[5]/a", "Content"),
    ("XML Sitemap", f"{B}/sitemap.xml", f"{B}/orphan", "", "", "200", "OK", "true", "", "", "",
     ""),
]  # fmt: skip

OLD_TYPES_2019 = {"Hyperlink": "AHREF", "Image": "IMG", "JavaScript": "JS",
                  "HTML Hreflang": "HTML_HREFLANG", "CSS": "CSS", "HTML Canonical":
                  "HTML Canonical", "HTTP Redirect": "HTTP Redirect"}  # fmt: skip
OLD_TYPES_2017 = {"Hyperlink": "HREF", "Image": "IMG", "JavaScript": "JS", "CSS": "CSS"}

INTERNAL = (
    "Address", "Content Type", "Status Code", "Status", "Indexability", "Indexability Status",
    "Title 1", "Title 1 Length", "Meta Description 1", "Meta Robots 1", "X-Robots-Tag 1",
    "H1-1", "Canonical Link Element 1", "Size (bytes)", "Word Count", "Crawl Depth",
    "Folder Depth", "Link Score", "Inlinks", "Unique Inlinks", "Response Time", "Redirect URL",
    "Redirect Type", "Crawl Timestamp", "Hash",
)  # fmt: skip
HTML = "text/html; charset=UTF-8"
INTERNAL_ROWS = [
    (f"{B}/", HTML, "200", "OK", "Indexable", "", "Example home", "12", "Welcome", "", "",
     "Example", f"{B}/", "20480", "350", "0", "0", "100", "3", "2", "0.250", "", "",
     "2024-05-01 10:20:30", "a1b2"),
    (f"{B}/about/", HTML, "200", "OK", "Indexable", "", "About — Example", "15", "", "", "",
     "About us", f"{B}/about/", "12345", "210", "1", "1", "80", "5", "4", "0.100", "", "",
     "2024-05-01 10:20:31", "c3d4"),
    (f"{B}/blog/", HTML, "200", "OK", "Indexable", "", "Blog", "4", "", "index, follow", "",
     "Blog", f"{B}/blog/", "9000", "1200", "1", "1", "70", "2", "2", "0.075", "", "",
     "2024-05-01 10:20:32", "e5f6"),
    (f"{B}/blog/post-1", HTML, "200", "OK", "Non-Indexable", "noindex", "First post", "10",
     "", "noindex, follow", "", "First post", "", "8000", "900", "2", "2", "40", "3", "3",
     "0.120", "", "", "2024-05-01 10:20:33", "0a0b"),
    (f"{B}/old-page", "", "301", "Moved Permanently", "Non-Indexable", "Redirected", "", "0",
     "", "", "", "", "", "0", "0", "1", "1", "", "1", "1", "0.010", f"{B}/about/",
     "HTTP Redirect", "2024-05-01 10:20:34", ""),
    (f"{B}/missing", HTML, "404", "Not Found", "Non-Indexable", "Client Error", "Not found",
     "9", "", "", "", "", "", "1500", "20", "2", "1", "", "1", "1", "0.030", "", "",
     "2024-05-01 10:20:35", "0c0d"),
    (f"{B}/blog/?page=1", HTML, "200", "OK", "Non-Indexable", "Canonicalised", "Blog page 1",
     "11", "", "", "", "Blog", f"{B}/blog/", "9100", "1190", "2", "1", "", "1", "1", "0.080",
     "", "", "2024-05-01 10:20:36", "0e0f"),
    (f"{B}/private/", "", "0", "Blocked by Robots.txt", "Non-Indexable", "Blocked by Robots.txt",
     "", "0", "", "", "", "", "", "0", "0", "2", "1", "", "1", "1", "", "", "", "", ""),
    (f"{B}/orphan", HTML, "200", "OK", "Indexable", "", "Orphan", "6", "", "", "", "Orphan",
     f"{B}/orphan", "4000", "300", "", "1", "", "0", "0", "0.050", "", "",
     "2024-05-01 10:20:37", "1a1b"),
]  # fmt: skip
RESOURCE_ROWS = [
    (f"{B}/img/logo.png", "image/png", "200", "OK", "Indexable", "", "", "0", "", "", "", "", "",
     "5120", "0", "1", "2", "", "1", "1", "0.020", "", "", "2024-05-01 10:20:38", "2a2b"),
    (f"{B}/style.css", "text/css", "200", "OK", "Indexable", "", "", "0", "", "", "", "", "",
     "2048", "0", "1", "1", "", "1", "1", "0.015", "", "", "2024-05-01 10:20:39", "3a3b"),
    (f"{B}/app.js", "application/javascript", "200", "OK", "Indexable", "", "", "0", "", "",
     "", "", "", "4096", "0", "1", "1", "", "1", "1", "0.015", "", "", "2024-05-01 10:20:40",
     "4a4b"),
    (f"{B}/files/guide.pdf", "application/pdf", "200", "OK", "Indexable", "", "", "0", "", "",
     "", "", "", "204800", "0", "2", "2", "", "0", "0", "0.300", "", "",
     "2024-05-01 10:20:41", "5a5b"),
]  # fmt: skip


def _csv(rows: list[tuple[str, ...]], *, quoting: int, delimiter: str = ",", eol: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=quoting, delimiter=delimiter, lineterminator=eol)
    writer.writerows(rows)
    return buf.getvalue()


def current_rows() -> list[tuple[str, ...]]:
    """The inlinks rows in the current 15-column layout."""
    out = []
    for t, src, dst, alt, anchor, code, status, follow, target, rel, path, pos in ROWS:
        origin = "Sitemap XML" if t == "XML Sitemap" else "HTML"
        out.append((t, src, dst, "0", alt, anchor, code, status, follow, target, rel,
                    "Absolute", path, pos, origin))  # fmt: skip
    return out


def old_rows(types: dict[str, str], *, size: bool) -> list[tuple[str, ...]]:
    """Rows of an old outlinks export: renamed types, grouped by source, 9 or 8 columns."""
    kept = [r for r in ROWS if r[0] in types]
    kept.sort(key=lambda r: r[1])  # stable: each source keeps its links in page order
    out = []
    for t, src, dst, alt, anchor, code, status, follow, *_ in kept:
        head = (types[t], src, dst) + (("0",) if size else ())
        out.append((*head, alt, anchor, code, status, follow))
    return out


def main() -> None:
    bom = b"\xef\xbb\xbf"
    header = [CURRENT]
    (HERE / "current_all_inlinks.csv").write_bytes(
        bom + _csv(header + current_rows(), quoting=csv.QUOTE_ALL, eol="\n").encode()
    )
    cols_2019 = [("Type", "Source", "Destination", "Size (Bytes)", "Alt Text", "Anchor",
                  "Status Code", "Status", "Follow")]  # fmt: skip
    (HERE / "2019_all_outlinks.csv").write_bytes(
        b'"All Outlinks"\r\n'
        + _csv(
            cols_2019 + old_rows(OLD_TYPES_2019, size=True), quoting=csv.QUOTE_ALL, eol="\r\n"
        ).encode()
    )
    cols_2017 = [tuple(c for c in cols_2019[0] if c != "Size (Bytes)")]
    (HERE / "2017_all_outlinks.csv").write_bytes(
        b'"All Outlinks"\r\n'
        + _csv(
            cols_2017 + old_rows(OLD_TYPES_2017, size=False), quoting=csv.QUOTE_ALL, eol="\r\n"
        ).encode()
    )
    (HERE / "resaved_all_inlinks.csv").write_bytes(
        _csv(header + current_rows(), quoting=csv.QUOTE_MINIMAL, eol="\n").encode()
    )
    excel = [tuple(v.replace("First post", "Première") for v in r) for r in current_rows()]
    (HERE / "excel_all_inlinks.csv").write_bytes(
        _csv(header + excel, quoting=csv.QUOTE_MINIMAL, delimiter=";", eol="\r\n").encode("cp1252")
    )
    (HERE / "current_internal_all.csv").write_bytes(
        bom + _csv([INTERNAL, *INTERNAL_ROWS], quoting=csv.QUOTE_ALL, eol="\n").encode()
    )
    (HERE / "current_internal_all_resources.csv").write_bytes(
        bom
        + _csv([INTERNAL, *INTERNAL_ROWS, *RESOURCE_ROWS], quoting=csv.QUOTE_ALL, eol="\n").encode()
    )


if __name__ == "__main__":
    main()
