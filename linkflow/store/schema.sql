-- linkflow audit store, schema version 5 (linkflow/store/migrations.py upgrades older files).
-- One DuckDB file per audit. Tables users query keep their names across versions:
-- pages, links, page_metrics, findings, backlinks, imports, suggestions.
-- Uniqueness of urls.url and urls.id is kept by linkflow.store.Store, not by indexes:
-- indexes would slow bulk loads of millions of rows.

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Dictionary of every URL seen (crawled, linked, imported); ids are dense from 0.
CREATE TABLE IF NOT EXISTS urls (
    id   INTEGER NOT NULL,
    url  VARCHAR NOT NULL,
    host VARCHAR NOT NULL,
    path VARCHAR NOT NULL
);

-- ---------------------------------------------------------------- sources
CREATE TABLE IF NOT EXISTS crawls (
    id            INTEGER PRIMARY KEY,
    source        VARCHAR NOT NULL,            -- http | folder | screaming-frog
    seeds         VARCHAR NOT NULL,            -- JSON list of seed URLs or paths
    base_url      VARCHAR,                     -- public origin when a copy was crawled
    settings_json VARCHAR NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        VARCHAR NOT NULL             -- running | finished | interrupted
);

-- One row per fetched (or refused) URL of a crawl. A redirect is a page whose
-- redirect_url_id is its Location; chains are followed hop by hop.
CREATE TABLE IF NOT EXISTS pages (
    crawl_id           INTEGER NOT NULL,
    url_id             INTEGER NOT NULL,
    internal           BOOLEAN NOT NULL DEFAULT TRUE,
    depth              INTEGER,                -- discovery depth in the crawl
    status             SMALLINT,               -- HTTP status; NULL when there was no response
    redirect_url_id    INTEGER,
    content_type       VARCHAR,
    fetched_at         TIMESTAMP,
    response_ms        DOUBLE,
    bytes              BIGINT,
    canonical_url_id   INTEGER,
    meta_robots        VARCHAR,
    x_robots_tag       VARCHAR,
    indexable          BOOLEAN,
    title              VARCHAR,
    meta_description   VARCHAR,
    h1                 VARCHAR,
    lang               VARCHAR,
    word_count         INTEGER,
    content_hash       VARCHAR,
    other_scheme_links INTEGER DEFAULT 0,      -- mailto:, tel:, javascript: ... (never fetched)
    error              VARCHAR,                -- why the page could not be fetched or parsed
    schema_types       VARCHAR                 -- schema.org types declared (JSON-LD, microdata):
                                               -- distinct, sorted, space-separated; NULL: none
);

CREATE TABLE IF NOT EXISTS links (
    crawl_id       INTEGER NOT NULL,
    src_id         INTEGER NOT NULL,
    dst_id         INTEGER NOT NULL,
    ordinal        INTEGER NOT NULL,           -- 0-based order of the link on its page
    anchor         VARCHAR,
    alt            VARCHAR,
    is_image       BOOLEAN DEFAULT FALSE,
    rel            VARCHAR,                    -- lower-cased rel tokens, space-separated
    rel_nofollow   BOOLEAN DEFAULT FALSE,
    rel_sponsored  BOOLEAN DEFAULT FALSE,
    rel_ugc        BOOLEAN DEFAULT FALSE,
    target         VARCHAR,
    fragment       VARCHAR,
    position       VARCHAR NOT NULL DEFAULT 'other',
    dom_path       VARCHAR,
    template_share REAL,                       -- share of the template's pages with this link
    sitewide       BOOLEAN DEFAULT FALSE,
    context        VARCHAR                     -- the sentence around a content link
);

CREATE TABLE IF NOT EXISTS hreflang (
    crawl_id INTEGER NOT NULL,
    src_id   INTEGER NOT NULL,
    dst_id   INTEGER NOT NULL,
    lang     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS sitemap_urls (
    crawl_id       INTEGER NOT NULL,
    url_id         INTEGER NOT NULL,
    sitemap_url_id INTEGER,
    lastmod        VARCHAR
);

CREATE TABLE IF NOT EXISTS page_text (
    crawl_id  INTEGER NOT NULL,
    url_id    INTEGER NOT NULL,
    main_text VARCHAR
);

-- The crawl frontier: a crawl killed at any moment resumes from here.
CREATE TABLE IF NOT EXISTS frontier (
    crawl_id INTEGER NOT NULL,
    url_id   INTEGER NOT NULL,
    depth    INTEGER NOT NULL,                 -- -1: not reached by links (sitemap, orphan file)
    state    VARCHAR NOT NULL,                 -- queued | done (a done row is added, never updated)
    hops     INTEGER NOT NULL DEFAULT 0        -- redirects followed to reach this URL
);

-- ---------------------------------------------------------------- imports
CREATE TABLE IF NOT EXISTS imports (
    id          INTEGER PRIMARY KEY,
    path        VARCHAR NOT NULL,
    sha256      VARCHAR,
    kind        VARCHAR NOT NULL,              -- backlinks | traffic | authority | crawl
    provider    VARCHAR NOT NULL,              -- ahrefs | semrush | majestic | moz | gsc | ...
    report      VARCHAR NOT NULL,              -- backlinks | refdomains | pages | links ...
    site        VARCHAR NOT NULL DEFAULT 'self', -- 'self' or a competitor's label
    rows        BIGINT NOT NULL,
    rejected    BIGINT NOT NULL DEFAULT 0,
    rejects     VARCHAR,                       -- JSON: first rejected lines with reasons
    imported_at TIMESTAMP NOT NULL
);

-- One row per link per provider export, as the provider reported it; backlink_edges merges
-- them. A flag is NULL when the provider does not report it.
CREATE TABLE IF NOT EXISTS backlinks (
    import_id        INTEGER NOT NULL,
    provider         VARCHAR NOT NULL,
    source_url       VARCHAR NOT NULL,
    source_host      VARCHAR,
    source_domain    VARCHAR,
    target_url       VARCHAR NOT NULL,         -- '' when the export names no target (GSC)
    target_url_id    INTEGER,
    anchor           VARCHAR,                  -- '' no text; NULL the export has no anchors
    nofollow         BOOLEAN DEFAULT FALSE,
    sponsored        BOOLEAN DEFAULT FALSE,
    ugc              BOOLEAN DEFAULT FALSE,
    is_content       BOOLEAN,
    is_image         BOOLEAN DEFAULT FALSE,
    first_seen       TIMESTAMP,
    last_seen        TIMESTAMP,
    lost             BOOLEAN DEFAULT FALSE,
    source_authority DOUBLE,                   -- page metric on linkflow's 0-100 scale
    domain_authority DOUBLE,                   -- domain metric on linkflow's 0-100 scale
    source_outlinks  BIGINT,
    links_in_group   BIGINT DEFAULT 1,
    lost_at          TIMESTAMP,                -- when the provider saw the link go
    lang             VARCHAR,                  -- language of the source page
    is_spam          BOOLEAN,                  -- the provider's own spam flag
    spam_score       DOUBLE,                   -- the provider's spam score (Moz), 0-100
    sitewide         BOOLEAN
);

CREATE TABLE IF NOT EXISTS traffic (
    import_id   INTEGER NOT NULL,
    source      VARCHAR NOT NULL,              -- gsc | ga4 | bing | ahrefs
    url         VARCHAR NOT NULL,
    url_id      INTEGER,
    clicks      DOUBLE,
    impressions DOUBLE,
    ctr         DOUBLE,
    position    DOUBLE,
    sessions    DOUBLE,
    views       DOUBLE,
    period      VARCHAR
);

CREATE TABLE IF NOT EXISTS domain_authority (
    import_id INTEGER NOT NULL,
    domain    VARCHAR NOT NULL,
    score     DOUBLE NOT NULL,                 -- 0-100
    source    VARCHAR NOT NULL
);

-- ---------------------------------------------------------------- results
CREATE TABLE IF NOT EXISTS analysis_runs (
    id            INTEGER PRIMARY KEY,
    crawl_id      INTEGER NOT NULL,
    kind          VARCHAR NOT NULL,            -- internal | backlinks | flow | suggest | whatif
    settings_json VARCHAR NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    details_json  VARCHAR                      -- iterations, error bound, timings ...
);

CREATE TABLE IF NOT EXISTS page_metrics (
    crawl_id          INTEGER NOT NULL,
    url_id            INTEGER NOT NULL,
    url               VARCHAR NOT NULL,
    status            SMALLINT,
    indexable         BOOLEAN,
    in_graph          BOOLEAN,                 -- a node of the equity graph
    equity            DOUBLE,                  -- internal PageRank, sums to 1 over the graph
    equity_score      DOUBLE,                  -- 0-100 log scale
    depth             INTEGER,                 -- click depth from the home page; NULL = unreachable
    inlinks           INTEGER,                 -- followed internal links in (distinct sources)
    content_inlinks   INTEGER,
    outlinks          INTEGER,                 -- followed internal links out (distinct targets)
    content_outlinks  INTEGER,
    external_outlinks INTEGER,
    in_sitemap        BOOLEAN,
    is_money          BOOLEAN DEFAULT FALSE,
    backlinks         INTEGER,
    referring_domains INTEGER,
    external_authority DOUBLE,                 -- quality-weighted backlink authority in
    clicks            DOUBLE,
    impressions       DOUBLE,
    sessions          DOUBLE,
    flow              DOUBLE,                  -- backlink-seeded equity, sums to 1 over the graph
    flow_score        DOUBLE,                  -- 0-100 log scale, as equity_score
    flow_in           DOUBLE,                  -- authority received from outside, (1-a)*v
    trapped           DOUBLE,                  -- of flow_in, what never reaches a money page
    trapped_low_value DOUBLE                   -- of trapped, what ends on a low-value URL
);

CREATE TABLE IF NOT EXISTS findings (
    crawl_id INTEGER NOT NULL,
    kind     VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    url_id   INTEGER,
    url      VARCHAR,
    detail   VARCHAR NOT NULL,
    why      VARCHAR NOT NULL,
    value    DOUBLE,
    target_url VARCHAR                         -- a link finding: where the link points
);

-- Authority flow (docs/model.md, "Flow"): per money page, the pages its flow entered at.
CREATE TABLE IF NOT EXISTS flow_paths (
    crawl_id   INTEGER NOT NULL,
    money_url  VARCHAR NOT NULL,
    source_url VARCHAR NOT NULL,
    rank       INTEGER NOT NULL,               -- 1 = largest contributor
    share      DOUBLE NOT NULL,                -- of money_url's flow, entered at source_url
    flow       DOUBLE NOT NULL                 -- that part of the flow (share x flow of money_url)
);

-- The verdict: one row per side (internal | external) and the actions that move it most.
CREATE TABLE IF NOT EXISTS verdict (
    crawl_id    INTEGER NOT NULL,
    side        VARCHAR NOT NULL,              -- internal | external
    score       DOUBLE,                        -- 0-100; NULL when the data is insufficient
    weaker      BOOLEAN NOT NULL,
    explanation VARCHAR NOT NULL,
    components  VARCHAR NOT NULL,              -- JSON list: name, value, score, weight, text
    notes       VARCHAR NOT NULL               -- JSON list of what the data lacks
);

CREATE TABLE IF NOT EXISTS actions (
    crawl_id   INTEGER NOT NULL,
    rank       INTEGER NOT NULL,
    side       VARCHAR NOT NULL,               -- the side of the verdict it moves
    action     VARCHAR NOT NULL,
    url        VARCHAR,                        -- where the change is made
    target_url VARCHAR,
    effect     VARCHAR NOT NULL,               -- the expected effect, in words
    gain       DOUBLE,                         -- the same as a number (see docs/model.md)
    why        VARCHAR NOT NULL
);

-- Internal links to add, best first (docs/model.md "Recommendations"). gain: exact increase
-- of the money pages' total flow given the rows ranked before; target_gain: the same for
-- the target page's own flow.
CREATE TABLE IF NOT EXISTS suggestions (
    crawl_id   INTEGER NOT NULL,
    rank       INTEGER NOT NULL,
    source_url VARCHAR NOT NULL,
    target_url VARCHAR NOT NULL,
    anchor     VARCHAR,
    sentence   VARCHAR,
    gain       DOUBLE,
    relevance  DOUBLE,
    reason     VARCHAR,
    target_gain DOUBLE
);

-- Fix lists: what to do (kind, proposal), where (url: the page to edit or the URL to
-- redirect; target_url: where it should point), why, and the expected effect (gain: change
-- of the money pages' flow when the fix changes the flow).
CREATE TABLE IF NOT EXISTS fixes (
    crawl_id   INTEGER NOT NULL,
    kind       VARCHAR NOT NULL,
    url        VARCHAR NOT NULL,
    target_url VARCHAR,
    proposal   VARCHAR NOT NULL,
    why        VARCHAR NOT NULL,
    effect     VARCHAR NOT NULL,
    gain       DOUBLE
);

-- What-if: the effect of the last plan of link edits (`linkflow suggest --what-if`), one row
-- per planned edit: action (add | remove), the link, its anchor, gain (the change of the
-- money pages' total flow from that edit alone on the crawled site) and lowers (TRUE when
-- that change is negative: the edit would harm the money pages). F before and after the
-- whole plan is in the 'whatif' row of analysis_runs.
CREATE TABLE IF NOT EXISTS whatif (
    crawl_id   INTEGER NOT NULL,
    line       INTEGER NOT NULL,               -- the edit's line in the plan file (header: 1)
    action     VARCHAR NOT NULL,
    source_url VARCHAR NOT NULL,
    target_url VARCHAR NOT NULL,
    anchor     VARCHAR,
    gain       DOUBLE NOT NULL,
    lowers     BOOLEAN NOT NULL
);

-- The same plan's effect on pages: every money page (kind 'money') and the pages that lose
-- the most flow (kind 'loser'), each with its flow before and after the whole plan.
CREATE TABLE IF NOT EXISTS whatif_pages (
    crawl_id   INTEGER NOT NULL,
    kind       VARCHAR NOT NULL,               -- money | loser
    rank       INTEGER NOT NULL,               -- order within the kind, from 1
    url        VARCHAR NOT NULL,
    money      BOOLEAN NOT NULL,               -- the page is a money page
    before     DOUBLE NOT NULL,
    after      DOUBLE NOT NULL,
    change     DOUBLE NOT NULL                 -- after - before
);

-- ---------------------------------------------------------------- ingest: counts and profile
-- Inbound-link counts per page of a site (Ahrefs best-by-links, GSC top target pages).
CREATE TABLE IF NOT EXISTS backlink_counts (
    import_id     INTEGER NOT NULL,
    provider      VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    url_id        INTEGER,
    links         DOUBLE,
    domains       DOUBLE,
    dofollow      DOUBLE,
    nofollow      DOUBLE,
    top_authority DOUBLE                       -- best referring-domain authority, 0-100
);

-- Counts per referring domain (Ahrefs refdomains, Semrush refdomains, GSC top linking sites).
CREATE TABLE IF NOT EXISTS domain_counts (
    import_id  INTEGER NOT NULL,
    provider   VARCHAR NOT NULL,
    domain     VARCHAR NOT NULL,
    links      DOUBLE,
    dofollow   DOUBLE,
    pages      DOUBLE,
    targets    DOUBLE,
    authority  DOUBLE,
    is_spam    BOOLEAN,
    first_seen TIMESTAMP,
    lost_at    TIMESTAMP
);

-- Search queries (GSC Queries.csv), aggregated per query.
CREATE TABLE IF NOT EXISTS queries (
    import_id   INTEGER NOT NULL,
    source      VARCHAR NOT NULL,
    query       VARCHAR NOT NULL,
    clicks      DOUBLE,
    impressions DOUBLE,
    ctr         DOUBLE,
    position    DOUBLE
);

-- The backlink profile, rebuilt by the backlink analysis from the tables above.
CREATE TABLE IF NOT EXISTS referring_domains (
    domain     VARCHAR NOT NULL,
    backlinks  BIGINT NOT NULL,
    followed   BIGINT NOT NULL,
    nofollow   BIGINT NOT NULL,
    ugc        BIGINT NOT NULL,
    sponsored  BIGINT NOT NULL,
    authority  DOUBLE,                         -- 0-100
    first_seen TIMESTAMP,
    last_seen  TIMESTAMP,
    tld        VARCHAR,
    providers  VARCHAR,                        -- comma-separated
    spam_score DOUBLE,                         -- 0-100 from the explainable flags
    spam_flags VARCHAR                         -- comma-separated flag names (see spam_flags)
);

CREATE TABLE IF NOT EXISTS backlink_targets (
    url               VARCHAR NOT NULL,
    url_id            INTEGER,
    backlinks         BIGINT NOT NULL,
    referring_domains BIGINT NOT NULL,
    followed_domains  BIGINT NOT NULL,
    authority         DOUBLE NOT NULL,         -- capped, quality-weighted sum (docs/formats.md)
    crawl_id          INTEGER,
    status            SMALLINT,                -- HTTP status of the target in that crawl
    redirect_url      VARCHAR,                 -- where it redirects, if it does
    lost              BOOLEAN NOT NULL         -- every link to it is lost
);

CREATE TABLE IF NOT EXISTS anchor_profile (
    url          VARCHAR NOT NULL,
    url_id       INTEGER,
    anchor_class VARCHAR NOT NULL,             -- models.ANCHOR_CLASSES
    backlinks    BIGINT NOT NULL,
    share        DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS link_velocity (
    month       DATE NOT NULL,
    new_links   BIGINT NOT NULL,
    lost_links  BIGINT NOT NULL,
    new_domains BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS backlink_spread (
    dimension VARCHAR NOT NULL,                -- tld | lang
    value     VARCHAR NOT NULL,
    domains   BIGINT NOT NULL,
    backlinks BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS spam_flags (
    domain VARCHAR NOT NULL,
    flag   VARCHAR NOT NULL,
    why    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS link_gap (
    domain      VARCHAR NOT NULL,
    competitors BIGINT NOT NULL,               -- competitor sites it links to
    sites       VARCHAR NOT NULL,              -- their labels, comma-separated
    authority   DOUBLE,
    rank        INTEGER NOT NULL
);

-- The audited site's backlinks, deduplicated: one row per link however many providers' exports
-- list it. A link is its (source_url, target_url); a provider row without a target (Search
-- Console names only the linking page) is the same link as every row of its source page that
-- has one, and stands alone (target '') only when no provider gives that page's target. Flags
-- hold only if every provider that reports them says so (NULL: the provider does not say);
-- anchor NULL means no provider gave one (unknown), '' a link without text.
CREATE VIEW IF NOT EXISTS backlink_edges AS
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
