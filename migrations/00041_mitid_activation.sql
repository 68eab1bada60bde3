-- +goose Up
-- The activation code a MitID was made with (NULL: made without one, e.g. by staff, or before
-- this column). A creation's step 3 sent twice at once (a double click, a reload while the
-- first is under way) reaches the portal as two requests with the same session: the first
-- makes the MitID and spends the code, the second finds the code spent. With this column the
-- second can tell that its own code made the MitID that still waits for its first means, and
-- the person goes on to that step instead of being told to order a new letter, which takes
-- days. A plain column, no foreign key: adding it changes only the catalogue, whatever the
-- table's size (activation codes are never deleted).
ALTER TABLE mitid ADD COLUMN activation_id bigint;

-- +goose Down
ALTER TABLE mitid DROP COLUMN activation_id;
