-- +goose Up
-- Communication packs (DESIGN.md §6): packs for an audience, each with items in one language,
-- each item a history of versions whose files live in the content-addressed store (package
-- blob) under their SHA-256. Package campaign owns these tables.

CREATE TABLE pack (
    id         bigserial PRIMARY KEY,
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 60),
    audience   text NOT NULL CHECK (audience IN ('private', 'business', 'partner', 'helper')),
    title_da   text NOT NULL CHECK (title_da <> '' AND length(title_da) <= 200),
    title_en   text NOT NULL CHECK (title_en <> '' AND length(title_en) <= 200),
    summary_da text NOT NULL DEFAULT '' CHECK (length(summary_da) <= 2000),
    summary_en text NOT NULL DEFAULT '' CHECK (length(summary_en) <= 2000),
    position   integer NOT NULL,
    created_at timestamptz NOT NULL
);

-- An item is written in one language for one audience. It is seen only by editors until it is
-- published and its release time (the embargo) has passed; after that by whom its visibility
-- names: everyone, members of approved organisations, or members of forum organisations while
-- it is in review. A withdrawn item is seen by editors only.
CREATE TABLE pack_item (
    id               bigserial PRIMARY KEY,
    pack_id          bigint NOT NULL REFERENCES pack (id),
    position         integer NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('teaching', 'qa', 'film_guide', 'flyer',
                         'social_media', 'poster', 'step_guide', 'guidelines')),
    audience         text NOT NULL CHECK (audience IN ('citizens', 'seniors', 'young', 'businesses',
                         'advisers', 'partners', 'helpers')),
    lang             text NOT NULL CHECK (lang IN ('da', 'en')),
    title            text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    visibility       text NOT NULL CHECK (visibility IN ('public', 'members', 'review')),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'withdrawn')),
    -- The embargo: before it nobody but editors sees or downloads the item. Set on publishing.
    release_at       timestamptz,
    -- The version visitors get; 0 before the first upload.
    current_version  integer NOT NULL DEFAULT 0 CHECK (current_version >= 0),
    -- The version subscribed organisations were last mailed about (package campaign's notice job).
    notified_version integer NOT NULL DEFAULT 0 CHECK (notified_version >= 0),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CHECK (status <> 'published' OR (release_at IS NOT NULL AND current_version > 0))
);
CREATE INDEX pack_item_pack ON pack_item (pack_id, position, id);
-- The notice job's work: published items whose current version no mail has announced.
CREATE INDEX pack_item_unnotified ON pack_item (release_at)
    WHERE status = 'published' AND notified_version < current_version;

-- Every version of an item's file, never changed or removed: the history with change notes.
CREATE TABLE pack_item_version (
    item_id      bigint NOT NULL REFERENCES pack_item (id),
    version      integer NOT NULL CHECK (version > 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint NOT NULL CHECK (size >= 0),
    -- Sniffed from the content when uploaded, never taken from the name.
    media_type   text NOT NULL CHECK (media_type <> ''),
    -- The name a download is given (its extension follows the media type).
    filename     text NOT NULL CHECK (filename <> '' AND length(filename) <= 200),
    -- A PNG scaled from an image; NULL: the item's type icon is shown.
    thumb_sha256 text CHECK (thumb_sha256 ~ '^[0-9a-f]{64}$'),
    change_note  text NOT NULL DEFAULT '' CHECK (length(change_note) <= 1000),
    -- The campaign editor who uploaded it (no foreign key, like the audit log).
    created_by   bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- An organisation subscribes to packs: news of their items is mailed to its members.
CREATE TABLE pack_subscription (
    organisation_id bigint NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    pack_id         bigint NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (organisation_id, pack_id)
);

-- Downloads counted per item, organisation and day (Europe/Copenhagen). organisation_id 0 is
-- a visitor who is no member of an approved organisation (no foreign key for that reason).
-- Written in batches by the download counter, never on the download's own path.
CREATE TABLE pack_download (
    item_id         bigint NOT NULL REFERENCES pack_item (id),
    organisation_id bigint NOT NULL,
    day             date NOT NULL,
    downloads       bigint NOT NULL CHECK (downloads > 0),
    PRIMARY KEY (item_id, organisation_id, day)
);
CREATE INDEX pack_download_day ON pack_download (day);

-- +goose Down
DROP TABLE pack_download;
DROP TABLE pack_subscription;
DROP TABLE pack_item_version;
DROP TABLE pack_item;
DROP TABLE pack;
