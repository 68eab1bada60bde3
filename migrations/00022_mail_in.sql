-- +goose Up
-- E-mail in, attachments and the unread marker (issue 9, items 4 and 5).

-- When a citizen last wrote on the case (web or e-mail) that nobody on the desk has read yet;
-- NULL when read. Set by support.Cases.AddMessage, cleared by the "mark as read" button and by
-- the trigger below when the assignee (or anyone, on an unassigned case) works on the case.
ALTER TABLE support_case ADD COLUMN unread_since timestamptz;

-- Whatever path records the agent's work (reply, note, call, status), the work clears the
-- marker in the same transaction: a trigger, so that no action can forget it.
-- +goose StatementBegin
CREATE FUNCTION support_case_read_on_work() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE support_case SET unread_since = NULL
    WHERE id = NEW.case_id AND unread_since IS NOT NULL
      AND (assignee_id IS NULL OR assignee_id = NEW.staff_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER support_entry_read_on_work
    AFTER INSERT ON support_entry
    FOR EACH ROW
    WHEN (NEW.staff_id IS NOT NULL AND NEW.kind IN ('reply', 'internal_note', 'call_log', 'status_change'))
    EXECUTE FUNCTION support_case_read_on_work();

-- A file a citizen sent with a message (a mail's attachment or the web form's file field). The
-- content is in the blob store under its SHA-256; the name is the sanitised name the citizen
-- gave, shown to staff only; the type is what the content was sniffed as, never what the
-- sender claimed.
CREATE TABLE support_attachment (
    id           bigserial PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES support_case (id),
    entry_id     bigint NOT NULL REFERENCES support_entry (id),
    name         text NOT NULL CHECK (name <> '' AND char_length(name) <= 200),
    content_type text NOT NULL CHECK (content_type IN
                   ('application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'text/plain')),
    size         bigint NOT NULL CHECK (size > 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL
);
CREATE INDEX support_attachment_case ON support_attachment (case_id, id);

-- The files of an anonymous web-form submission, kept (in the blob store) until the address is
-- confirmed: a JSON array of {name, content_type, size, sha256}.
ALTER TABLE contact_pending ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]'
    CHECK (jsonb_typeof(attachments) = 'array');

-- +goose Down
ALTER TABLE contact_pending DROP COLUMN attachments;
DROP TABLE support_attachment;
DROP TRIGGER support_entry_read_on_work ON support_entry;
DROP FUNCTION support_case_read_on_work();
ALTER TABLE support_case DROP COLUMN unread_since;
