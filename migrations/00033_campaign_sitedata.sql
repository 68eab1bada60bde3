-- +goose Up
-- The campaign site's structured content (package campaign/sitedata, DESIGN.md §6): questions
-- and answers in categories, the certified brokers service providers choose between, the
-- campaign's timeline, and short texts the editors keep (the brokers page's introduction).
-- Every text is kept in Danish and English side by side: a row is shown in the visitor's language.

CREATE TABLE qa_category (
    id       bigserial PRIMARY KEY,
    name_da  text NOT NULL CHECK (name_da <> '' AND length(name_da) <= 200),
    name_en  text NOT NULL CHECK (name_en <> '' AND length(name_en) <= 200),
    position integer NOT NULL
);

-- A question and its answer (Markdown) in both languages. The search vectors are generated with
-- each language's own text search configuration, so Danish words are stemmed as Danish
-- ("spærre", "spærret") and English as English; the question weighs more than the answer.
CREATE TABLE qa_entry (
    id          bigserial PRIMARY KEY,
    category_id bigint NOT NULL REFERENCES qa_category (id),
    question_da text NOT NULL CHECK (question_da <> '' AND length(question_da) <= 200),
    question_en text NOT NULL CHECK (question_en <> '' AND length(question_en) <= 200),
    answer_da   text NOT NULL CHECK (answer_da <> '' AND length(answer_da) <= 8000),
    answer_en   text NOT NULL CHECK (answer_en <> '' AND length(answer_en) <= 8000),
    position    integer NOT NULL,
    published   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    search_da   tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('danish'::regconfig, question_da), 'A') ||
        setweight(to_tsvector('danish'::regconfig, answer_da), 'B')) STORED,
    search_en   tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, question_en), 'A') ||
        setweight(to_tsvector('english'::regconfig, answer_en), 'B')) STORED
);
CREATE INDEX qa_entry_search_da ON qa_entry USING gin (search_da);
CREATE INDEX qa_entry_search_en ON qa_entry USING gin (search_en);
CREATE INDEX qa_entry_category ON qa_entry (category_id, position);

-- A broker a service provider may connect through. Only certified brokers are shown publicly;
-- an editor unticks "certified" rather than deleting, so the list's history stays readable.
CREATE TABLE broker (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    url            text NOT NULL CHECK (url ~ '^https://' AND length(url) <= 300),
    description_da text NOT NULL DEFAULT '' CHECK (length(description_da) <= 500),
    description_en text NOT NULL DEFAULT '' CHECK (length(description_en) <= 500),
    certified      boolean NOT NULL DEFAULT false,
    position       integer NOT NULL
);

-- An activity of the campaign's plan, from its first to its last month (both the first day of
-- the month), for private users, businesses or all.
CREATE TABLE timeline_activity (
    id          bigserial PRIMARY KEY,
    title_da    text NOT NULL CHECK (title_da <> '' AND length(title_da) <= 200),
    title_en    text NOT NULL CHECK (title_en <> '' AND length(title_en) <= 200),
    audience    text NOT NULL CHECK (audience IN ('private', 'business', 'all')),
    start_month date NOT NULL CHECK (extract(day FROM start_month) = 1),
    end_month   date NOT NULL CHECK (extract(day FROM end_month) = 1 AND end_month >= start_month),
    position    integer NOT NULL
);

-- Short texts of the structured pages that editors keep (Markdown in both languages), by name.
CREATE TABLE site_text (
    name       text PRIMARY KEY CHECK (name ~ '^[a-z_]+$'),
    body_da    text NOT NULL CHECK (length(body_da) <= 8000),
    body_en    text NOT NULL CHECK (length(body_en) <= 8000),
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE site_text;
DROP TABLE timeline_activity;
DROP TABLE broker;
DROP TABLE qa_entry;
DROP TABLE qa_category;
