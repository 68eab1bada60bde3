-- +goose Up
-- Feedback rounds (issue 11, the stakeholder forum): a campaign editor opens a round on draft
-- items of the packs with a deadline; while the round is open and before its deadline, members
-- of forum organisations see those drafts (package campaign's visibility rule reads these
-- tables) and comment on them per item; editors mark comments handled and close the round.
-- Package campaign owns these tables.

CREATE TABLE feedback_round (
    id          bigserial PRIMARY KEY,
    title       text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    -- Markdown, rendered sanitised (package markdown).
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    deadline    timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    -- Campaign editors (no foreign key, like the audit log).
    opened_by   bigint NOT NULL,
    opened_at   timestamptz NOT NULL,
    closed_by   bigint,
    closed_at   timestamptz,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

CREATE TABLE feedback_round_item (
    round_id bigint NOT NULL REFERENCES feedback_round (id),
    item_id  bigint NOT NULL REFERENCES pack_item (id),
    added_at timestamptz NOT NULL,
    PRIMARY KEY (round_id, item_id)
);
-- The visibility rule asks, for an item, whether an open round holds it.
CREATE INDEX feedback_round_item_item ON feedback_round_item (item_id);

-- A forum member's comment on one item of a round. The author's name and organisation are
-- kept as they were when the comment was written: the editors read who said what, also after
-- a member has left the organisation. An item taken out of the round keeps its comments.
CREATE TABLE feedback_comment (
    id              bigserial PRIMARY KEY,
    round_id        bigint NOT NULL REFERENCES feedback_round (id),
    item_id         bigint NOT NULL REFERENCES pack_item (id),
    organisation_id bigint NOT NULL REFERENCES organisation (id),
    mitid_id        bigint NOT NULL REFERENCES mitid (id),
    author_name     text NOT NULL,
    org_name        text NOT NULL,
    body            text NOT NULL CHECK (body <> '' AND length(body) <= 5000),
    created_at      timestamptz NOT NULL,
    handled         boolean NOT NULL DEFAULT false,
    handled_note    text NOT NULL DEFAULT '' CHECK (length(handled_note) <= 1000),
    handled_by      bigint,
    handled_at      timestamptz
);
CREATE INDEX feedback_comment_round ON feedback_comment (round_id, item_id, created_at);

-- +goose Down
DROP TABLE feedback_comment;
DROP TABLE feedback_round_item;
DROP TABLE feedback_round;
