-- +goose Up
-- The one-time keys of forms that make something (db.Once): a feedback round, a canned reply.
-- The form carries a random key; its action inserts the key here in its own transaction and
-- sets result_id to the id of what it made. The same form sent again (a double click, the back
-- button and "send again") waits on the first insert and then finds the row, and answers with
-- the first's result instead of making another. Keys are per purpose and per person (actor: the
-- member of staff), and the periodic clean-up deletes them a day after their use
-- (db.PruneFormKeys). result_id is NULL only inside the transaction that made the row.
CREATE TABLE form_key (
    purpose   text        NOT NULL,
    actor     bigint      NOT NULL,
    key       text        NOT NULL,
    result_id bigint,
    made_at   timestamptz NOT NULL,
    PRIMARY KEY (purpose, actor, key)
);
CREATE INDEX form_key_made_at ON form_key (made_at);

-- +goose Down
DROP TABLE form_key;
