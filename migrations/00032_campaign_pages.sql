-- +goose Up
-- Campaign pages (issue 11): pages of the campaign site written by campaign editors, each in
-- Danish and English. Package campaign/site owns these tables.

CREATE TABLE site_page (
    id         bigserial PRIMARY KEY,
    -- The page's address under /kampagne/; reserved words (the site's static routes) are refused
    -- by the domain.
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 60),
    kind       text NOT NULL CHECK (kind IN ('front', 'article', 'guide')),
    -- Order in the site's menu (and in the parent's list of children).
    position   integer NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 100000),
    -- A child page is listed on its parent page instead of in the menu.
    parent_id  bigint REFERENCES site_page (id),
    status     text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    -- Visitors see a published page from release_at on; the read compares it with the clock,
    -- so a scheduled page needs no job to appear.
    release_at timestamptz,
    -- The versions visitors read, pinned when the page is published: editing a published page
    -- makes a new version that visitors do not see until it is published again.
    pinned_da  integer,
    pinned_en  integer,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK (status <> 'published' OR (release_at IS NOT NULL AND pinned_da IS NOT NULL AND pinned_en IS NOT NULL)),
    CHECK (parent_id <> id)
);
-- The site has one front page.
CREATE UNIQUE INDEX site_page_one_front ON site_page ((kind)) WHERE kind = 'front';

-- Every saved text of a page in one language, never changed or removed: the history the diff
-- compares.
CREATE TABLE site_page_version (
    page_id     bigint NOT NULL REFERENCES site_page (id),
    lang        text NOT NULL CHECK (lang IN ('da', 'en')),
    version     integer NOT NULL CHECK (version > 0),
    title       text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    summary     text NOT NULL DEFAULT '' CHECK (length(summary) <= 500),
    body        text NOT NULL CHECK (octet_length(body) <= 100000),
    change_note text NOT NULL DEFAULT '' CHECK (length(change_note) <= 1000),
    created_by  bigint NOT NULL REFERENCES staff_user (id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (page_id, lang, version)
);

-- Images for pages, kept in the file store under their SHA-256 and served at
-- /kampagne/billede/ID.
CREATE TABLE site_image (
    id         bigserial PRIMARY KEY,
    sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    media_type text NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
    size       bigint NOT NULL CHECK (size > 0),
    alt        text NOT NULL CHECK (alt <> '' AND length(alt) <= 200),
    created_by bigint NOT NULL REFERENCES staff_user (id),
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE site_image;
DROP TABLE site_page_version;
DROP TABLE site_page;
