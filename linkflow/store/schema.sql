-- linkflow audit store, schema version 1.
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
    error              VARCHAR                 -- why the page could not be fetched or parsed
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
    depth    INTEGER NOT NULL,
    state    VARCHAR NOT NULL                  -- queued | done
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

CREATE TABLE IF NOT EXISTS backlinks (
    import_id        INTEGER NOT NULL,
    provider         VARCHAR NOT NULL,
    source_url       VARCHAR NOT NULL,
    source_host      VARCHAR,
    source_domain    VARCHAR,
    target_url       VARCHAR NOT NULL,
    target_url_id    INTEGER,
    anchor           VARCHAR,
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
    source_outlinks  INTEGER,
    links_in_group   INTEGER DEFAULT 1
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
    kind          VARCHAR NOT NULL,            -- internal | backlinks | flow | suggest
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
    authority         DOUBLE,                  -- backlink-seeded equity (sums to 1)
    authority_score   DOUBLE,
    clicks            DOUBLE,
    impressions       DOUBLE,
    sessions          DOUBLE
);

CREATE TABLE IF NOT EXISTS findings (
    crawl_id INTEGER NOT NULL,
    kind     VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    url_id   INTEGER,
    url      VARCHAR,
    detail   VARCHAR NOT NULL,
    why      VARCHAR NOT NULL,
    value    DOUBLE
);

CREATE TABLE IF NOT EXISTS suggestions (
    crawl_id   INTEGER NOT NULL,
    rank       INTEGER NOT NULL,
    source_url VARCHAR NOT NULL,
    target_url VARCHAR NOT NULL,
    anchor     VARCHAR,
    sentence   VARCHAR,
    gain       DOUBLE,
    relevance  DOUBLE,
    reason     VARCHAR
);
