-- +goose Up
-- Canned replies managed in the product (issue 9): shared replies that supervisors and admins
-- write in Danish and English and every agent is offered, and each agent's personal replies,
-- which only that agent sees. A reply is never deleted: a retired one is no longer offered but
-- stays readable, so a case that used it can be understood later. Bodies carry placeholders
-- ({{navn}}/{{name}}, {{reference}}/{{ref}}, {{telefon}}/{{phone}}), filled in on the case page in
-- the case's language (support/canned_text.go).
CREATE TABLE support_canned (
    id          bigserial PRIMARY KEY,
    -- NULL: a shared reply; otherwise the agent whose personal reply it is.
    owner_id    bigint REFERENCES staff_user (id),
    title_da    text NOT NULL CHECK (char_length(title_da) BETWEEN 1 AND 120),
    body_da     text NOT NULL CHECK (char_length(body_da) BETWEEN 1 AND 5000),
    title_en    text NOT NULL CHECK (char_length(title_en) BETWEEN 1 AND 120),
    body_en     text NOT NULL CHECK (char_length(body_en) BETWEEN 1 AND 5000),
    -- Every save adds one; a save names the version it started from, so of two people editing
    -- the same version one wins and the other is told (no lost update).
    version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- NULL for the replies this migration seeds.
    created_by  bigint REFERENCES staff_user (id),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint REFERENCES staff_user (id),
    retired_at  timestamptz,
    retired_by  bigint REFERENCES staff_user (id)
);
CREATE INDEX support_canned_owner ON support_canned (owner_id, id);
COMMENT ON TABLE support_canned IS 'Canned replies: shared (owner_id NULL) and personal; retired ones stay readable.';

-- Every saved version of every reply, so an edit never loses what the text said before.
CREATE TABLE support_canned_version (
    canned_id   bigint NOT NULL REFERENCES support_canned (id),
    version     integer NOT NULL,
    title_da    text NOT NULL,
    body_da     text NOT NULL,
    title_en    text NOT NULL,
    body_en     text NOT NULL,
    saved_at    timestamptz NOT NULL,
    saved_by    bigint REFERENCES staff_user (id),
    PRIMARY KEY (canned_id, version)
);

-- The built-in replies the desk had until now (from locales/support.*.toml), as shared replies.
-- +goose StatementBegin
INSERT INTO support_canned (id, title_da, body_da, title_en, body_en) VALUES
    (1, $c$Vi har modtaget din henvendelse$c$,
     $c$Hej {{navn}}

Tak for din henvendelse. Vi har modtaget den og vender tilbage hurtigst muligt.

Din referencekode er {{reference}}. Oplys den, hvis du skriver eller ringer til os igen.

Med venlig hilsen
Fællesoffentlig support, telefon {{telefon}}$c$,
     $c$We have received your enquiry$c$,
     $c$Hello {{name}}

Thank you for contacting us. We have received your enquiry and will get back to you as soon as we can.

Your reference code is {{ref}}. Please give it if you write or call us again.

Kind regards
Public Support Desk, phone {{phone}}$c$),
    (2, $c$Vi mangler oplysninger$c$,
     $c$Hej {{navn}}

For at kunne hjælpe dig har vi brug for flere oplysninger. Svar på denne mail, og beskriv, hvad du prøvede at gøre, og hvad der skete. Skriv aldrig din adgangskode eller dit CPR-nummer i en mail.

Sagen venter på dit svar. Din referencekode er {{reference}}.

Med venlig hilsen
Fællesoffentlig support, telefon {{telefon}}$c$,
     $c$We need more information$c$,
     $c$Hello {{name}}

To help you, we need more information. Please reply to this email and describe what you were trying to do and what happened. Never write your password or your CPR number in an email.

The case is waiting for your answer. Your reference code is {{ref}}.

Kind regards
Public Support Desk, phone {{phone}}$c$),
    (3, $c$Ring til os$c$,
     $c$Hej {{navn}}

Vi skal kontrollere din identitet, før vi kan hjælpe dig videre. Ring til os på {{telefon}}, og oplys referencekoden {{reference}}. Hav din MitID app klar, hvis du har den.

Med venlig hilsen
Fællesoffentlig support$c$,
     $c$Please call us$c$,
     $c$Hello {{name}}

We need to check your identity before we can help you further. Please call us on {{phone}} and give the reference code {{ref}}. Have your MitID app ready if you have it.

Kind regards
Public Support Desk$c$),
    (4, $c$Dit MitID er spærret$c$,
     $c$Hej {{navn}}

Dit MitID er nu spærret, så ingen kan bruge det. Når du er klar til at bruge det igen, kan spærringen ophæves. Ring til os på {{telefon}}, og oplys referencekoden {{reference}}.

Har du mistanke om, at andre har brugt dit MitID, så anmeld det også til politiet.

Med venlig hilsen
Fællesoffentlig support$c$,
     $c$Your MitID is blocked$c$,
     $c$Hello {{name}}

Your MitID is now blocked, so nobody can use it. When you are ready to use it again, the block can be lifted. Call us on {{phone}} and give the reference code {{ref}}.

If you suspect that someone else has used your MitID, please also report it to the police.

Kind regards
Public Support Desk$c$),
    (5, $c$Brev med aktiveringskode er sendt$c$,
     $c$Hej {{navn}}

Vi har sendt et brev med en aktiveringskode til din adresse i CPR-registret. Brevet kommer med posten inden for fem hverdage. Brug koden til at komme i gang med MitID igen.

Din referencekode er {{reference}}. Kommer brevet ikke, så ring til os på {{telefon}}.

Med venlig hilsen
Fællesoffentlig support$c$,
     $c$A letter with an activation code is on its way$c$,
     $c$Hello {{name}}

We have sent a letter with an activation code to your address in the CPR register. It will arrive by post within five working days. Use the code to get started with MitID again.

Your reference code is {{ref}}. If the letter does not arrive, call us on {{phone}}.

Kind regards
Public Support Desk$c$),
    (6, $c$Din sag er løst$c$,
     $c$Hej {{navn}}

Vi betragter din sag som løst. Har du stadig brug for hjælp, så svar på denne mail, så åbner vi sagen igen.

Din referencekode er {{reference}}.

Med venlig hilsen
Fællesoffentlig support, telefon {{telefon}}$c$,
     $c$Your case is resolved$c$,
     $c$Hello {{name}}

We consider your case resolved. If you still need help, reply to this email and we will reopen the case.

Your reference code is {{ref}}.

Kind regards
Public Support Desk, phone {{phone}}$c$);
-- +goose StatementEnd
SELECT setval('support_canned_id_seq', (SELECT max(id) FROM support_canned));
INSERT INTO support_canned_version (canned_id, version, title_da, body_da, title_en, body_en, saved_at)
SELECT id, version, title_da, body_da, title_en, body_en, created_at FROM support_canned;

-- +goose Down
DROP TABLE support_canned_version;
DROP TABLE support_canned;
