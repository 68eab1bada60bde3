-- +goose Up
-- The case page edits a case's category, system, contact e-mail and phone after it was opened
-- (issue 9): each change is a timeline entry of its own kind, naming the property in detail
-- ("field") with the old and new value in from_value and to_value ('' for none). A priority
-- change keeps its own kind.
ALTER TABLE support_entry DROP CONSTRAINT support_entry_kind_check;
ALTER TABLE support_entry ADD CONSTRAINT support_entry_kind_check CHECK (kind IN ('message', 'reply',
    'internal_note', 'call_log', 'verification', 'action', 'status_change', 'assignment',
    'priority_change', 'tags_change', 'citizen_link', 'merge', 'related', 'property_change'));
ALTER TABLE support_entry ADD CONSTRAINT support_entry_property_check CHECK (kind <> 'property_change' OR
    (from_value IS NOT NULL AND to_value IS NOT NULL AND detail->>'field' IN ('category', 'system', 'email', 'phone')));

-- +goose Down
ALTER TABLE support_entry DROP CONSTRAINT support_entry_property_check;
ALTER TABLE support_entry DROP CONSTRAINT support_entry_kind_check;
ALTER TABLE support_entry ADD CONSTRAINT support_entry_kind_check CHECK (kind IN ('message', 'reply',
    'internal_note', 'call_log', 'verification', 'action', 'status_change', 'assignment',
    'priority_change', 'tags_change', 'citizen_link', 'merge', 'related'));
