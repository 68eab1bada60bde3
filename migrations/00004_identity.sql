-- +goose Up
-- MitID identity (DESIGN.md §3): the local CPR register, MitIDs and their means, the hardware
-- token inventory, activation codes, the app's pairing codes and login requests, the letter box
-- and the citizen's activity log. Secrets are never stored in the clear: passwords and
-- activation codes as argon2id hashes, pairing codes as SHA-256 (they live minutes and carry
-- 80+ bits), token seeds encrypted with AES-GCM under a key from the configuration.

-- The local stand-in for the national CPR register. Demo rows are generated, never real people.
CREATE TABLE person (
    cpr                text PRIMARY KEY CHECK (cpr ~ '^[0-9]{10}$'),
    given_name         text NOT NULL,
    family_name        text NOT NULL,
    birth_date         date NOT NULL,
    address_line       text NOT NULL,
    postcode           text NOT NULL,
    city               text NOT NULL,
    email              text,
    id_document_number text,
    deceased           boolean NOT NULL DEFAULT false
);
COMMENT ON COLUMN person.id_document_number IS
    'Number of a passport or driving licence the register knows; the activation-letter check asks for it.';

CREATE TABLE mitid (
    id                 bigserial PRIMARY KEY,
    cpr                text NOT NULL REFERENCES person (cpr),
    username           text NOT NULL,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'revoked')),
    identity_assurance text NOT NULL CHECK (identity_assurance IN ('substantial', 'high')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    blocked_at         timestamptz,
    block_reason       text,
    -- Consecutive failed login attempts across all means, and until when the next attempt must
    -- wait (exponential back-off after the free attempts). Reset by a successful login.
    failed_count       integer NOT NULL DEFAULT 0,
    throttled_until    timestamptz,
    CHECK ((status = 'blocked') = (blocked_at IS NOT NULL))
);
-- Usernames are unique whatever their case; a person has at most one MitID that is not revoked.
CREATE UNIQUE INDEX mitid_username ON mitid (lower(username));
CREATE UNIQUE INDEX mitid_cpr ON mitid (cpr) WHERE status <> 'revoked';

-- One means of a MitID. The kind-specific columns are NULL for the other kinds.
CREATE TABLE authenticator (
    id                bigserial PRIMARY KEY,
    mitid_id          bigint NOT NULL REFERENCES mitid (id),
    kind              text NOT NULL CHECK (kind IN ('password', 'app', 'code_display', 'audio_reader', 'chip')),
    status            text NOT NULL CHECK (status IN ('pending', 'active', 'blocked', 'revoked', 'locked')),
    label             text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_used_at      timestamptz,
    -- Consecutive failures with this means; at the bound the means is locked.
    failed_count      integer NOT NULL DEFAULT 0,
    -- password
    password_hash     text,
    -- A temporary password issued by support must be changed at its first use.
    must_change       boolean NOT NULL DEFAULT false,
    expires_at        timestamptz,
    -- code_display / audio_reader
    token_serial      text,
    -- chip (WebAuthn credential)
    credential_id     bytea,
    public_key        bytea,
    sign_count        bigint,
    aaguid            bytea,
    transports        text[],
    backup_eligible   boolean,
    backup_state      boolean,
    user_verified     boolean,
    -- app: ECDSA P-256 public key, DER SubjectPublicKeyInfo
    device_public_key bytea,
    device_name       text,
    CHECK (kind <> 'password' OR password_hash IS NOT NULL),
    CHECK (kind NOT IN ('code_display', 'audio_reader') OR token_serial IS NOT NULL),
    CHECK (kind <> 'chip' OR (credential_id IS NOT NULL AND public_key IS NOT NULL)),
    CHECK (kind <> 'app' OR device_public_key IS NOT NULL)
);
CREATE INDEX authenticator_mitid ON authenticator (mitid_id);
-- A security key is registered to one MitID once; a token unit serves one means at a time.
CREATE UNIQUE INDEX authenticator_credential ON authenticator (credential_id) WHERE credential_id IS NOT NULL;
CREATE UNIQUE INDEX authenticator_token ON authenticator (token_serial)
    WHERE token_serial IS NOT NULL AND status <> 'revoked';
-- At most one password per MitID that is in use.
CREATE UNIQUE INDEX authenticator_password ON authenticator (mitid_id)
    WHERE kind = 'password' AND status <> 'revoked';

-- Code displays and audio code readers from the maker's PSKC (RFC 6030) file.
CREATE TABLE hw_token (
    serial      text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('code_display', 'audio_reader')),
    -- AES-256-GCM: 12-byte nonce followed by the sealed TOTP seed, the serial as additional data.
    secret_enc  bytea NOT NULL,
    algorithm   text NOT NULL DEFAULT 'SHA1' CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
    digits      integer NOT NULL DEFAULT 6 CHECK (digits IN (6, 8)),
    period      integer NOT NULL DEFAULT 30 CHECK (period > 0),
    -- retired: the means was removed. The unit stays with the citizen and is never handed out
    -- again, because a device that has been out of our hands cannot be trusted to be unseen.
    state       text NOT NULL DEFAULT 'in_stock'
                  CHECK (state IN ('in_stock', 'sent', 'active', 'blocked', 'retired')),
    -- The MitID the unit was sent to or activated for.
    mitid_id    bigint REFERENCES mitid (id),
    -- The newest TOTP time step accepted: each step is accepted once, and never an older one.
    last_step   bigint NOT NULL DEFAULT 0,
    imported_at timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hw_token_mitid ON hw_token (mitid_id) WHERE mitid_id IS NOT NULL;

-- One-time activation codes: delivered by letter, handed over in person or issued by support.
CREATE TABLE activation_code (
    id         bigserial PRIMARY KEY,
    cpr        text NOT NULL REFERENCES person (cpr),
    purpose    text NOT NULL CHECK (purpose IN ('create', 'recover')),
    code_hash  text NOT NULL,
    -- How the identity was proven before the code was issued: the MitID made with it gets this.
    assurance  text NOT NULL CHECK (assurance IN ('substantial', 'high')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    -- Set when a newer code for the same person and purpose was issued: only the newest counts.
    replaced_at timestamptz,
    -- Wrong tries so far; at max_tries the code is spent.
    tries      integer NOT NULL DEFAULT 0,
    max_tries  integer NOT NULL CHECK (max_tries > 0),
    issued_by  text NOT NULL
);
CREATE INDEX activation_code_cpr ON activation_code (cpr, created_at DESC);

-- The citizen's letter box (e-Boks stand-in): generated PDF letters sent to the CPR address.
CREATE TABLE letter (
    id         bigserial PRIMARY KEY,
    cpr        text NOT NULL REFERENCES person (cpr),
    kind       text NOT NULL,
    subject    text NOT NULL,
    pdf        bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX letter_cpr ON letter (cpr, id DESC);

-- One-time codes that pair a phone's app with a MitID (SHA-256 of the code).
CREATE TABLE app_pairing (
    code_hash  bytea PRIMARY KEY,
    mitid_id   bigint NOT NULL REFERENCES mitid (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX app_pairing_mitid ON app_pairing (mitid_id);

-- A request the app approves or rejects: a login, or support asking the caller to confirm.
CREATE TABLE app_request (
    id           bigserial PRIMARY KEY,
    -- NULL for a login started with a username that has no MitID: the browser waits just the
    -- same and the request expires, so the page does not reveal whether the username exists.
    mitid_id     bigint REFERENCES mitid (id),
    purpose      text NOT NULL CHECK (purpose IN ('login', 'verify')),
    -- The short code the browser shows and the app shows beside the request.
    display_code text NOT NULL,
    challenge    bytea NOT NULL,
    service      text NOT NULL,
    level        text NOT NULL,
    status       text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'cancelled', 'used')),
    -- SHA-256 of a secret only the browser that started the request holds, so only it can
    -- turn an approval into a session.
    browser_hash bytea,
    authenticator_id bigint REFERENCES authenticator (id),
    client_addr  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    decided_at   timestamptz
);
CREATE INDEX app_request_pending ON app_request (mitid_id, created_at) WHERE status = 'pending';
-- The app means (identity/app.go). Starting a login with the app counts the MitID's requests of
-- the last minutes (at most a few per window, so nobody can flood a phone with requests); this
-- index serves that count, which also looks at requests that are no longer pending.
CREATE INDEX app_request_mitid_created ON app_request (mitid_id, created_at DESC)
    WHERE mitid_id IS NOT NULL;


-- Everything that happened to a MitID, shown to the citizen (newest first, keyset paging).
CREATE TABLE activity (
    id         bigserial PRIMARY KEY,
    mitid_id   bigint NOT NULL REFERENCES mitid (id),
    at         timestamptz NOT NULL DEFAULT now(),
    kind       text NOT NULL,
    -- 'citizen', 'system', 'public' (the public block page) or 'staff:ID'.
    actor      text NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX activity_mitid ON activity (mitid_id, id DESC);

-- Failed attempts per purpose and client address, one row per failure: the throttle counts the
-- rows inside a sliding window, and a key's old rows are deleted as it is used again.
CREATE TABLE address_throttle (
    id  bigserial PRIMARY KEY,
    key text NOT NULL,
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX address_throttle_key ON address_throttle (key, at);
COMMENT ON COLUMN address_throttle.key IS
    'purpose:address, e.g. login:192.0.2.1 or block:2001:db8::/64 (IPv6 by its /64).';

-- +goose Down
DROP TABLE address_throttle;
DROP TABLE activity;
DROP TABLE app_request;
DROP TABLE app_pairing;
DROP TABLE letter;
DROP TABLE activation_code;
DROP TABLE hw_token;
DROP TABLE authenticator;
DROP TABLE mitid;
DROP TABLE person;
