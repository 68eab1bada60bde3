-- +goose Up
-- Throttles and lock-outs that hold under parallel requests (issue 12, items 1, 7, 8). Every
-- check and its count are now one statement on one row (INSERT ... ON CONFLICT DO UPDATE ...
-- RETURNING), so parallel attempts queue on the row lock and cannot pass the bound together.

-- Attempts per purpose and client address in a fixed window that starts with the first attempt
-- after the previous window ended. An attempt is counted before the slow work it guards; a
-- success may give its attempt back, so that many people behind one NAT who log in fine do not
-- use up the bound.
CREATE TABLE throttle_counter (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    -- Attempts in the window, refused ones included: an attempt is admitted when the count it
    -- produced is at most the purpose's bound.
    count        integer NOT NULL CHECK (count >= 0)
);
CREATE INDEX throttle_counter_window ON throttle_counter (window_start);
COMMENT ON COLUMN throttle_counter.key IS
    'purpose:address, e.g. login:192.0.2.1 or block:2001:db8::/64 (IPv6 by its /64), or '
    'purpose:other-key (contact-mitid:7, activation:mitid:7).';

-- The row-per-failure table could not check and count in one statement.
DROP TABLE address_throttle;

-- Consecutive failed logins per account name, for citizens (username) and staff (e-mail), kept
-- for names that exist and names that do not alike, so that the answers at every count are the
-- same for both and a login cannot tell which names are real. Counted before the password is
-- verified; a success deletes the row; the clean-up job deletes rows quiet for a day.
CREATE TABLE login_failure (
    -- SHA-256 of 'citizen:' or 'staff:' and the lower-cased name: the table holds no names.
    key            bytea PRIMARY KEY,
    failed         integer NOT NULL CHECK (failed >= 0),
    -- The next attempt waits until then: exponential back-off after the free failures, a timed
    -- lock after many. Never for ever: NIST SP 800-63B.
    locked_until   timestamptz,
    last_failed_at timestamptz NOT NULL
);
CREATE INDEX login_failure_last ON login_failure (last_failed_at);

-- The per-MitID and per-staff counters move to login_failure.
ALTER TABLE mitid DROP COLUMN failed_count, DROP COLUMN throttled_until;
ALTER TABLE staff_user DROP COLUMN failed_count, DROP COLUMN locked_at;

-- Means no longer lock for ever by failures (the account's timed lock covers them); those
-- that did are usable again. A chip locked because it looked cloned stays locked.
UPDATE authenticator SET status = 'active', failed_count = 0
WHERE status = 'locked' AND kind IN ('password', 'code_display', 'audio_reader');

-- +goose Down
ALTER TABLE staff_user
    ADD COLUMN failed_count integer NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    ADD COLUMN locked_at    timestamptz;
ALTER TABLE mitid
    ADD COLUMN failed_count    integer NOT NULL DEFAULT 0,
    ADD COLUMN throttled_until timestamptz;
DROP TABLE login_failure;
CREATE TABLE address_throttle (
    id  bigserial PRIMARY KEY,
    key text NOT NULL,
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX address_throttle_key ON address_throttle (key, at);
DROP TABLE throttle_counter;
