-- +goose Up
-- The stakeholder forum (DESIGN.md §6, issue 11): meetings with their files and sign-ups, the
-- plan's activities by month, and input questions answered once per organisation. Package
-- campaign/forum owns these tables; who may see them (members of approved forum
-- organisations, and campaign editors) it checks on every request.

CREATE TABLE forum_meeting (
    id              bigserial PRIMARY KEY,
    title_da        text NOT NULL CHECK (title_da <> '' AND length(title_da) <= 200),
    title_en        text NOT NULL CHECK (title_en <> '' AND length(title_en) <= 200),
    audience        text NOT NULL CHECK (audience IN ('private', 'business', 'all')),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    place           text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    video_url       text NOT NULL DEFAULT '' CHECK (length(video_url) <= 500),
    -- Markdown, rendered sanitised (package markdown); one text per language.
    agenda_da       text NOT NULL DEFAULT '' CHECK (length(agenda_da) <= 8000),
    agenda_en       text NOT NULL DEFAULT '' CHECK (length(agenda_en) <= 8000),
    status          text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held', 'cancelled')),
    capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    signup_deadline timestamptz NOT NULL,
    -- The number of sign-ups, kept beside the capacity so that one UPDATE takes a seat: the
    -- row lock orders parallel sign-ups and each re-reads the count it waited for.
    signed_up       integer NOT NULL DEFAULT 0 CHECK (signed_up >= 0),
    created_at      timestamptz NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (place <> '' OR video_url <> '')
);
CREATE INDEX forum_meeting_starts ON forum_meeting (starts_at);

-- Presentations and minutes: files in the content store (package blob) under their SHA-256.
CREATE TABLE forum_meeting_file (
    id         bigserial PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES forum_meeting (id),
    kind       text NOT NULL CHECK (kind IN ('presentation', 'minutes')),
    sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size       bigint NOT NULL CHECK (size >= 0),
    media_type text NOT NULL CHECK (media_type <> ''),
    filename   text NOT NULL CHECK (filename <> '' AND length(filename) <= 200),
    created_by bigint NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX forum_meeting_file_meeting ON forum_meeting_file (meeting_id, id);

-- A person's sign-up, for the organisation they come from (shown to editors).
CREATE TABLE forum_signup (
    meeting_id      bigint NOT NULL REFERENCES forum_meeting (id),
    mitid_id        bigint NOT NULL REFERENCES mitid (id),
    organisation_id bigint NOT NULL REFERENCES organisation (id),
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (meeting_id, mitid_id)
);

-- An editor's line in the plan, such as "Distribution of supporting material", from its first
-- to its last month (the first day of each).
CREATE TABLE forum_activity (
    id          bigserial PRIMARY KEY,
    title_da    text NOT NULL CHECK (title_da <> '' AND length(title_da) <= 200),
    title_en    text NOT NULL CHECK (title_en <> '' AND length(title_en) <= 200),
    first_month date NOT NULL CHECK (extract(day FROM first_month) = 1),
    last_month  date NOT NULL CHECK (extract(day FROM last_month) = 1),
    created_at  timestamptz NOT NULL,
    CHECK (last_month >= first_month)
);

CREATE TABLE forum_question (
    id         bigserial PRIMARY KEY,
    text_da    text NOT NULL CHECK (text_da <> '' AND length(text_da) <= 1000),
    text_en    text NOT NULL CHECK (text_en <> '' AND length(text_en) <= 1000),
    open       boolean NOT NULL DEFAULT true,
    -- Answers are taken until the deadline (if any) while the question is open.
    deadline   timestamptz,
    created_at timestamptz NOT NULL
);

-- One answer per organisation: any of its members may edit it while the question takes
-- answers; who last edited it and when is kept.
CREATE TABLE forum_answer (
    question_id     bigint NOT NULL REFERENCES forum_question (id),
    organisation_id bigint NOT NULL REFERENCES organisation (id),
    body            text NOT NULL CHECK (body <> '' AND length(body) <= 5000),
    edited_by       bigint NOT NULL REFERENCES mitid (id),
    edited_at       timestamptz NOT NULL,
    PRIMARY KEY (question_id, organisation_id)
);

-- +goose Down
DROP TABLE forum_answer;
DROP TABLE forum_question;
DROP TABLE forum_activity;
DROP TABLE forum_signup;
DROP TABLE forum_meeting_file;
DROP TABLE forum_meeting;
