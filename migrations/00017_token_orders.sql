-- +goose Up
-- Ordering a code display or audio code reader (DESIGN.md §3.3): the citizen orders, staff with
-- the fulfilment role send a unit from the inventory to the CPR address, the citizen activates
-- it with its serial and a shown code.

-- The one rule for matching a typed serial with a unit: case, white space and hyphens do not
-- count ("dk 12-34" is unit "DK1234"). Every lookup of a unit by a typed serial compares
-- serial_key(serial) = serial_key($1), so Go never normalises a serial itself.
-- +goose StatementBegin
CREATE FUNCTION serial_key(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN upper(regexp_replace(s, '[[:space:]-]+', '', 'g'));
-- +goose StatementEnd
-- Unique, so that a typed serial names at most one unit.
CREATE UNIQUE INDEX hw_token_serial_key ON hw_token (serial_key(serial));

CREATE TABLE token_order (
    id           bigserial PRIMARY KEY,
    mitid_id     bigint NOT NULL REFERENCES mitid (id),
    kind         text NOT NULL CHECK (kind IN ('code_display', 'audio_reader')),
    reason       text NOT NULL CHECK (reason IN ('first', 'lost', 'broken')),
    status       text NOT NULL DEFAULT 'ordered' CHECK (status IN ('ordered', 'sent', 'activated', 'cancelled')),
    -- The means a lost or broken unit replaces: blocked when a lost one is ordered, retired when
    -- the new unit of a broken one is activated.
    replaces     bigint REFERENCES authenticator (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    activated_at timestamptz,
    cancelled_at timestamptz,
    -- The unit sent, the member of staff who sent it and the register's address it went to.
    serial       text REFERENCES hw_token (serial),
    sent_by      bigint REFERENCES staff_user (id),
    sent_to      text,
    CHECK ((reason = 'first') = (replaces IS NULL)),
    CHECK ((status IN ('sent', 'activated')) =
           (serial IS NOT NULL AND sent_at IS NOT NULL AND sent_by IS NOT NULL AND sent_to IS NOT NULL)
           OR status = 'cancelled')
);
-- At most one open order of each kind per MitID; the count of orders per period is taken under
-- the MitID's row lock (identity.Orders.Place).
CREATE UNIQUE INDEX token_order_open ON token_order (mitid_id, kind) WHERE status IN ('ordered', 'sent');
CREATE INDEX token_order_mitid ON token_order (mitid_id, created_at DESC);
-- The fulfilment queue, oldest first.
CREATE INDEX token_order_queue ON token_order (created_at, id) WHERE status = 'ordered';
CREATE UNIQUE INDEX token_order_serial ON token_order (serial) WHERE serial IS NOT NULL;

-- +goose Down
DROP TABLE token_order;
DROP INDEX hw_token_serial_key;
DROP FUNCTION serial_key(text);
