-- +goose Up
-- Reports of accessibility problems get a category of their own: the accessibility statement
-- links to the contact form with it chosen, and the law asks the agency to answer them.
ALTER TABLE support_case DROP CONSTRAINT support_case_category_check;
ALTER TABLE support_case ADD CONSTRAINT support_case_category_check CHECK (category IN ('login',
    'lost_means', 'identity_theft', 'block', 'lift_block', 'registration', 'business',
    'accessibility', 'other'));

-- +goose Down
ALTER TABLE support_case DROP CONSTRAINT support_case_category_check;
ALTER TABLE support_case ADD CONSTRAINT support_case_category_check CHECK (category IN ('login',
    'lost_means', 'identity_theft', 'block', 'lift_block', 'registration', 'business', 'other'));
