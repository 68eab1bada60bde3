-- +goose Up
-- The shared public support desk (DESIGN.md §5, issue 4): cases and their append-only
-- timeline. Package support owns both tables (support/case*.go); the rules that are cheap to
-- state here are also checked here, so a bug or a hand-written statement cannot break them.

CREATE TABLE support_case (
    id            bigserial PRIMARY KEY,
    -- Six letters from the alphabet in support/refcode.go, read out on the phone.
    ref           text NOT NULL CHECK (ref ~ '^[ABCEGHJKMRSTXZ]{6}$'),
    channel       text NOT NULL CHECK (channel IN ('phone', 'web', 'email', 'in_person')),
    system        text NOT NULL CHECK (system IN
                    ('mitid', 'mitid_erhverv', 'digital_post', 'nemkonto', 'virk', 'borger_dk')),
    category      text NOT NULL CHECK (category IN ('login', 'lost_means', 'identity_theft', 'block',
                    'lift_block', 'registration', 'business', 'other')),
    priority      text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status        text NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'open', 'waiting_for_citizen', 'resolved', 'closed')),
    assignee_id   bigint REFERENCES staff_user (id),
    tags          text[] NOT NULL DEFAULT '{}',
    -- The citizen when known (logged in, or identified by the agent); an anonymous caller or
    -- web form gives a name and an e-mail address or phone number instead.
    mitid_id      bigint REFERENCES mitid (id),
    contact_name  text NOT NULL DEFAULT '',
    contact_email text NOT NULL DEFAULT '',
    contact_phone text NOT NULL DEFAULT '',
    -- The language replies to the citizen are written in.
    lang          text NOT NULL DEFAULT 'da' CHECK (lang IN ('da', 'en')),
    subject       text NOT NULL CHECK (subject <> ''),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    -- Optimistic concurrency: every change of status, assignee, priority or tags adds one, and
    -- such a change names the version it was made on, so two agents cannot silently overwrite
    -- each other.
    version       integer NOT NULL DEFAULT 1,

    -- Deadlines (support/deadline.go). They are recomputed from the timeline's status changes
    -- in the transaction of every change and stored here for the queues. Per deadline:
    -- *_due  when it is (or was) reached; NULL while its clock is stopped with time left
    --        (waiting for the citizen, resolved, or met in time);
    -- *_warn when less than a fifth of the span is left (the queues' "due soon"); NULL likewise;
    -- *_left the clock time that was left when the clock stopped; NULL while it runs.
    first_response_at   timestamptz,
    first_response_due  timestamptz,
    first_response_warn timestamptz,
    first_response_left interval,
    resolved_at         timestamptz,
    resolution_due      timestamptz,
    resolution_warn     timestamptz,
    resolution_left     interval,
    -- The earliest deadline still running or breached on an active case: the queues sort on it
    -- (NULL last) and compare it with now() for their breach warnings.
    next_due  timestamptz GENERATED ALWAYS AS (
        CASE WHEN status IN ('new', 'open', 'waiting_for_citizen') THEN least(
            CASE WHEN first_response_at IS NULL THEN first_response_due END, resolution_due) END) STORED,
    next_warn timestamptz GENERATED ALWAYS AS (
        CASE WHEN status IN ('new', 'open', 'waiting_for_citizen') THEN least(
            CASE WHEN first_response_at IS NULL THEN first_response_warn END, resolution_warn) END) STORED,

    -- Full-text search in Danish over the subject (weight A) and the citizen's messages
    -- (weight B). The messages live in support_entry, so this is not a generated column: the
    -- store appends each citizen message's vector in the transaction that adds the message.
    search    tsvector NOT NULL,

    CHECK (category <> 'identity_theft' OR priority = 'urgent'),
    CHECK (mitid_id IS NOT NULL OR contact_name <> ''),
    CHECK (status NOT IN ('resolved', 'closed') OR resolved_at IS NOT NULL),
    CHECK (version > 0)
);
CREATE UNIQUE INDEX support_case_ref ON support_case (ref);
-- The queues: keyset pagination on (next_due, id) with the cases without a running deadline last.
CREATE INDEX support_case_queue ON support_case ((coalesce(next_due, 'infinity'::timestamptz)), id);
CREATE INDEX support_case_assignee ON support_case (assignee_id)
    WHERE status IN ('new', 'open', 'waiting_for_citizen');
CREATE INDEX support_case_mitid ON support_case (mitid_id, id DESC) WHERE mitid_id IS NOT NULL;
CREATE INDEX support_case_search ON support_case USING gin (search);
CREATE INDEX support_case_tags ON support_case USING gin (tags);

-- The timeline of a case. Nothing on a case is edited in place: a correction is a new entry,
-- and the trigger below refuses UPDATE, DELETE and TRUNCATE. The kind-specific columns are
-- NULL for the other kinds.
CREATE TABLE support_entry (
    id          bigserial PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES support_case (id),
    at          timestamptz NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('message', 'reply', 'internal_note', 'call_log',
                  'verification', 'action', 'status_change', 'assignment', 'priority_change',
                  'tags_change')),
    -- Who recorded the entry; NULL for the citizen (a message through the web or by e-mail)
    -- and for the system.
    staff_id    bigint REFERENCES staff_user (id),
    body        text NOT NULL DEFAULT '',
    -- The mail's Message-ID: of the mail a reply went out as, or of an incoming mail. Replies
    -- by e-mail find their case through it (In-Reply-To), and a mail delivered twice is
    -- recorded once.
    message_id  text,
    -- call_log
    call_start  timestamptz,
    call_end    timestamptz,
    call_duration interval GENERATED ALWAYS AS (call_end - call_start) STORED,
    outcome     text CHECK (outcome IN ('solved', 'follow_up', 'transferred', 'dropped')),
    -- verification
    method      text CHECK (method IN ('app', 'id_document')),
    result      text CHECK (result IN ('approved', 'rejected', 'expired', 'cancelled')),
    -- action
    action      text CHECK (action IN ('block', 'block_means', 'lift_block', 'temporary_password',
                  'activation_code', 'order_token')),
    -- status_change, assignment (staff ids, '' for nobody), priority_change
    from_value  text,
    to_value    text,
    -- What else the entry needs: an action's means id or block reason, a tags change's added
    -- and removed tags. Never a secret (a temporary password, an activation code).
    detail      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    CHECK (kind NOT IN ('message', 'reply', 'internal_note') OR body <> ''),
    CHECK (kind <> 'reply' OR staff_id IS NOT NULL),
    CHECK (kind <> 'call_log' OR (call_end >= call_start AND outcome IS NOT NULL AND staff_id IS NOT NULL)),
    CHECK (kind <> 'verification' OR (method IS NOT NULL AND result IS NOT NULL)),
    CHECK (kind <> 'action' OR (action IS NOT NULL AND staff_id IS NOT NULL)),
    CHECK (kind <> 'status_change' OR (from_value IS NOT NULL AND to_value IN
              ('new', 'open', 'waiting_for_citizen', 'resolved', 'closed'))),
    CHECK (kind NOT IN ('assignment', 'priority_change') OR (from_value IS NOT NULL AND to_value IS NOT NULL))
);
CREATE INDEX support_entry_case ON support_entry (case_id, id);
CREATE UNIQUE INDEX support_entry_message_id ON support_entry (message_id) WHERE message_id IS NOT NULL;

-- The timeline is append-only. Refusing the change in the database, not only in the store,
-- keeps a mistaken statement (or a future helper) from rewriting what a citizen was told or
-- what an agent did. Like the audit log's trigger, it guards against mistakes and misuse of
-- the application; the table's owner could still disable it.
-- +goose StatementBegin
CREATE FUNCTION support_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'support_entry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER support_entry_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON support_entry
    FOR EACH STATEMENT EXECUTE FUNCTION support_entry_refuse_change();

-- +goose Down
DROP TABLE support_entry;
DROP FUNCTION support_entry_refuse_change();
DROP TABLE support_case;
