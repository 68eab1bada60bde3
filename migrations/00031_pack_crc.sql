-- +goose Up
-- The CRC-32 of each item version's file, computed while it is uploaded: a pack's ZIP writes
-- stored files with their checksum known in advance, so a download only copies bytes.
-- NULL for versions stored before this column (the ZIP computes theirs while streaming).
ALTER TABLE pack_item_version ADD COLUMN crc32 bigint CHECK (crc32 BETWEEN 0 AND 4294967295);

-- +goose Down
ALTER TABLE pack_item_version DROP COLUMN crc32;
