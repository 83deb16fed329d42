"""Schema versions of the audit store.

``schema.sql`` creates the current schema in a new file. An older file is brought up to
date by running ``MIGRATIONS[v]`` for every version ``v`` above its own, in order; each step
is one SQL script run inside the opening transaction. A step's text is frozen once released:
a later change adds a step, it never edits an earlier one.
"""

from __future__ import annotations

SCHEMA_VERSION = 8

_V2 = """
ALTER TABLE backlinks ALTER source_outlinks TYPE BIGINT;
ALTER TABLE backlinks ALTER links_in_group TYPE BIGINT;
-- Version 1 stored a flag a provider does not report as FALSE and an empty anchor as NULL.
-- Now NULL is "the provider does not say" (it must not outvote one that does) and '' is a
-- link without text; providers are told apart by the columns their exports have.
UPDATE backlinks SET nofollow = NULL, sponsored = NULL, ugc = NULL, is_image = NULL,
    lost = NULL WHERE provider = 'gsc';
UPDATE backlinks SET sponsored = nullif(sponsored, FALSE), ugc = nullif(ugc, FALSE)
    WHERE provider IN ('majestic', 'moz', 'bing');
UPDATE backlinks SET lost = nullif(lost, FALSE) WHERE provider IN ('moz', 'bing');
UPDATE backlinks SET anchor = '' WHERE anchor IS NULL AND provider <> 'gsc';
DROP VIEW IF EXISTS backlink_edges;
CREATE VIEW backlink_edges AS
WITH own AS (
    SELECT b.* FROM backlinks b JOIN imports i ON i.id = b.import_id WHERE i.site = 'self'),
targeted AS (SELECT DISTINCT source_url, target_url, target_url_id FROM own WHERE target_url <> ''),
matched AS (
    SELECT o.* REPLACE (coalesce(t.target_url, o.target_url) AS target_url,
                        coalesce(t.target_url_id, o.target_url_id) AS target_url_id)
    FROM own o LEFT JOIN targeted t ON o.target_url = '' AND t.source_url = o.source_url)
SELECT source_url, target_url,
       any_value(target_url_id) AS target_url_id, any_value(source_domain) AS source_domain,
       string_agg(DISTINCT provider, ',' ORDER BY provider) AS providers, count(*) AS rows,
       max(anchor) AS anchor, coalesce(bool_or(is_image), FALSE) AS is_image,
       coalesce(bool_and(nofollow), FALSE) AS nofollow,
       coalesce(bool_and(sponsored), FALSE) AS sponsored, coalesce(bool_and(ugc), FALSE) AS ugc,
       coalesce(bool_and(lost), FALSE) AS lost, max(lost_at) AS lost_at,
       max(source_authority) AS source_authority, max(domain_authority) AS domain_authority,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen,
       max(lang) AS lang, bool_or(is_spam) AS is_spam, max(spam_score) AS spam_score,
       max(source_outlinks) AS source_outlinks, bool_or(sitewide) AS sitewide
FROM matched GROUP BY source_url, target_url;
"""

_V3 = """
ALTER TABLE page_metrics DROP COLUMN authority;
ALTER TABLE page_metrics DROP COLUMN authority_score;
ALTER TABLE page_metrics ADD COLUMN flow DOUBLE;
ALTER TABLE page_metrics ADD COLUMN flow_score DOUBLE;
ALTER TABLE page_metrics ADD COLUMN flow_in DOUBLE;
ALTER TABLE page_metrics ADD COLUMN trapped DOUBLE;
CREATE TABLE flow_paths (
    crawl_id INTEGER NOT NULL, money_url VARCHAR NOT NULL, source_url VARCHAR NOT NULL,
    rank INTEGER NOT NULL, share DOUBLE NOT NULL, flow DOUBLE NOT NULL);
CREATE TABLE verdict (
    crawl_id INTEGER NOT NULL, side VARCHAR NOT NULL, score DOUBLE, weaker BOOLEAN NOT NULL,
    explanation VARCHAR NOT NULL, components VARCHAR NOT NULL, notes VARCHAR NOT NULL);
CREATE TABLE actions (
    crawl_id INTEGER NOT NULL, rank INTEGER NOT NULL, side VARCHAR NOT NULL,
    action VARCHAR NOT NULL, url VARCHAR, target_url VARCHAR, effect VARCHAR NOT NULL,
    gain DOUBLE, why VARCHAR NOT NULL);
"""

_V4 = """
ALTER TABLE findings ADD COLUMN target_url VARCHAR;
-- A link finding named its link's target only inside detail ("links to URL (404) ...",
-- "link to URL has ..."); earlier findings get the column from there.
UPDATE findings SET target_url = regexp_extract(detail, '^(?:image )?links? to (\\S+)', 1)
    WHERE kind IN ('broken-link', 'link-to-redirect', 'link-to-canonicalised',
                   'link-to-noindex', 'generic-anchor', 'empty-anchor', 'naked-url-anchor',
                   'image-link-no-alt');
UPDATE findings SET target_url = NULL WHERE target_url = '';
"""

_V5 = """
ALTER TABLE suggestions ADD COLUMN target_gain DOUBLE;
CREATE TABLE fixes (
    crawl_id INTEGER NOT NULL, kind VARCHAR NOT NULL, url VARCHAR NOT NULL,
    target_url VARCHAR, proposal VARCHAR NOT NULL, why VARCHAR NOT NULL,
    effect VARCHAR NOT NULL, gain DOUBLE);
"""

_V6 = """
ALTER TABLE pages ADD COLUMN schema_types VARCHAR;
"""

_V7 = """
CREATE TABLE whatif (
    crawl_id INTEGER NOT NULL, line INTEGER NOT NULL, action VARCHAR NOT NULL,
    source_url VARCHAR NOT NULL, target_url VARCHAR NOT NULL, anchor VARCHAR,
    gain DOUBLE NOT NULL, lowers BOOLEAN NOT NULL);
CREATE TABLE whatif_pages (
    crawl_id INTEGER NOT NULL, kind VARCHAR NOT NULL, rank INTEGER NOT NULL,
    url VARCHAR NOT NULL, money BOOLEAN NOT NULL, before DOUBLE NOT NULL,
    after DOUBLE NOT NULL, change DOUBLE NOT NULL);
"""

_V8 = """
ALTER TABLE page_metrics ADD COLUMN trapped_low_value DOUBLE;
"""

MIGRATIONS: dict[int, str] = {
    # 2: backlink counts are 64-bit; unknown flags and anchors are NULL; backlink_edges
    # merges a row without a target (GSC) into the links of its source page.
    2: _V2,
    # 3: the authority flow: page_metrics.flow, flow_score, flow_in, trapped replace the
    # never-filled authority and authority_score; flow_paths, verdict and actions tables.
    3: _V3,
    # 4: findings.target_url, the URL a link finding's link points at.
    4: _V4,
    # 5: link recommendations: suggestions.target_gain (the target page's own gain) and
    # the fixes table (what to do, where, why, expected effect).
    5: _V5,
    # 6: pages.schema_types, the schema.org types a page declares (money page guesser).
    6: _V6,
    # 7: what-if results: the whatif table (each planned edit and its effect) and
    # whatif_pages (money pages and the pages that lose most, flow before and after).
    7: _V7,
    # 8: page_metrics.trapped_low_value, the part of the trapped authority that ends on a
    # low-value URL (the report's authority Sankey draws it as its own flow).
    8: _V8,
}
