-- +goose Up
-- Merging duplicate cases and relating cases (issue 9 item 4, support/case_merge.go and
-- support/case_related.go).

-- A merged case is closed and names its survivor. The survivor's timeline shows the merged
-- case's entries beside its own: entries are append-only, so they are never moved, and each
-- keeps the case it was written on (what the citizen was told on which reference stays true).
-- Chains are refused by the store (a merged case is closed, and a survivor cannot itself be
-- merged), so one hop always finds the survivor.
ALTER TABLE support_case ADD COLUMN merged_into bigint REFERENCES support_case (id);
ALTER TABLE support_case ADD CONSTRAINT support_case_merged_check
    CHECK (merged_into IS NULL OR (merged_into <> id AND status = 'closed'));
CREATE INDEX support_case_merged_into ON support_case (merged_into) WHERE merged_into IS NOT NULL;

-- Related cases: one row per pair, the lower id first, so a link is symmetric and unique.
CREATE TABLE support_case_related (
    low_id     bigint NOT NULL REFERENCES support_case (id),
    high_id    bigint NOT NULL REFERENCES support_case (id),
    staff_id   bigint NOT NULL REFERENCES staff_user (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (low_id, high_id),
    CHECK (low_id < high_id)
);
CREATE INDEX support_case_related_high ON support_case_related (high_id);

-- Timeline kinds for a merge (on both cases) and a link or unlink (on both cases).
-- Every migration that redefines this list names every kind known at its point (00020 added
-- citizen_link).
ALTER TABLE support_entry DROP CONSTRAINT support_entry_kind_check;
ALTER TABLE support_entry ADD CONSTRAINT support_entry_kind_check
    CHECK (kind IN ('message', 'reply', 'internal_note', 'call_log', 'verification', 'action',
        'status_change', 'assignment', 'priority_change', 'tags_change', 'citizen_link', 'merge', 'related'));

-- +goose Down
ALTER TABLE support_entry DROP CONSTRAINT support_entry_kind_check;
ALTER TABLE support_entry ADD CONSTRAINT support_entry_kind_check
    CHECK (kind IN ('message', 'reply', 'internal_note', 'call_log', 'verification', 'action',
        'status_change', 'assignment', 'priority_change', 'tags_change', 'citizen_link'));
DROP TABLE support_case_related;
DROP INDEX support_case_merged_into;
ALTER TABLE support_case DROP CONSTRAINT support_case_merged_check;
ALTER TABLE support_case DROP COLUMN merged_into;
