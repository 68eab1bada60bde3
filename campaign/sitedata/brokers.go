package sitedata

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Broker is a broker service providers may connect to MitID through.
type Broker struct {
	ID                           int64
	Name, URL                    string
	DescriptionDA, DescriptionEN string
	Certified                    bool
	Position                     int
}

// Description is the broker's one-line description in lang.
func (b Broker) Description(lang string) string { return pick(lang, b.DescriptionDA, b.DescriptionEN) }

// Brokers lists the brokers in their order; certifiedOnly leaves the others out (the public page).
func (s *Store) Brokers(ctx context.Context, certifiedOnly bool) ([]Broker, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, url, description_da, description_en, certified, position
		FROM broker WHERE certified OR NOT $1 ORDER BY position, id`, certifiedOnly)
	if err != nil {
		return nil, fmt.Errorf("brokers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Broker, error) {
		var b Broker
		return b, r.Scan(&b.ID, &b.Name, &b.URL, &b.DescriptionDA, &b.DescriptionEN, &b.Certified, &b.Position)
	})
}

// Broker returns one broker.
func (s *Store) Broker(ctx context.Context, id int64) (Broker, error) {
	var b Broker
	err := s.pool.QueryRow(ctx, `SELECT id, name, url, description_da, description_en, certified, position
		FROM broker WHERE id = $1`, id).Scan(&b.ID, &b.Name, &b.URL, &b.DescriptionDA, &b.DescriptionEN, &b.Certified, &b.Position)
	return b, notFound(err, "broker")
}

// brokerURL is an editor's web address as https://host[/path]: "criipto.com" gets its scheme;
// anything but https with a host is refused (a visitor follows the link).
func brokerURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || !strings.Contains(u.Host, ".") ||
		len(v) > MaxURL || strings.ContainsAny(v, " \t\r\n\"'<>") {
		return v, ErrURLInvalid
	}
	return u.String(), nil
}

// SaveBroker creates a broker at the end of the list (b.ID 0) or changes one.
func (s *Store) SaveBroker(ctx context.Context, staffID int64, b Broker) (Broker, error) {
	var err error
	if b.Name, err = text(b.Name, MaxName, ErrNameRequired); err != nil {
		return b, err
	}
	if b.URL, err = brokerURL(b.URL); err != nil {
		return b, err
	}
	if b.DescriptionDA, err = text(b.DescriptionDA, MaxBlurb, nil); err != nil {
		return b, err
	}
	if b.DescriptionEN, err = text(b.DescriptionEN, MaxBlurb, nil); err != nil {
		return b, err
	}
	e := Event{Action: EventBrokerSaved, Detail: map[string]any{"name": b.Name, "url": b.URL, "certified": b.Certified}}
	err = s.change(ctx, staffID, &e, func(tx pgx.Tx) error {
		var err error
		if b.ID == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO broker (name, url, description_da, description_en, certified, position)
				VALUES ($1, $2, $3, $4, $5, (SELECT coalesce(max(position), 0) + 1 FROM broker)) RETURNING id, position`,
				b.Name, b.URL, b.DescriptionDA, b.DescriptionEN, b.Certified).Scan(&b.ID, &b.Position)
		} else {
			err = tx.QueryRow(ctx, `UPDATE broker SET name = $2, url = $3, description_da = $4, description_en = $5,
				certified = $6 WHERE id = $1 RETURNING position`,
				b.ID, b.Name, b.URL, b.DescriptionDA, b.DescriptionEN, b.Certified).Scan(&b.Position)
		}
		e.Subject = fmt.Sprintf("broker:%d", b.ID)
		return notFound(err, "save broker")
	})
	return b, err
}

// Text names of site_text.
const TextBrokersIntro = "brokers_intro"

// Text is a short text of a page (Markdown) in both languages.
type Text struct {
	Name           string
	BodyDA, BodyEN string
	UpdatedAt      time.Time
}

// Body is the text in lang.
func (t Text) Body(lang string) string { return pick(lang, t.BodyDA, t.BodyEN) }

// Text returns the named text; one never written is empty, not an error (the page shows its
// default from the locale files).
func (s *Store) Text(ctx context.Context, name string) (Text, error) {
	t := Text{Name: name}
	err := s.pool.QueryRow(ctx, `SELECT body_da, body_en, updated_at FROM site_text WHERE name = $1`, name).
		Scan(&t.BodyDA, &t.BodyEN, &t.UpdatedAt)
	if err != nil && err != pgx.ErrNoRows {
		return t, fmt.Errorf("text: %w", err)
	}
	return t, nil
}

// SaveText writes the named text.
func (s *Store) SaveText(ctx context.Context, staffID int64, t Text) error {
	var err error
	if t.BodyDA, err = text(t.BodyDA, MaxText, nil); err != nil {
		return err
	}
	if t.BodyEN, err = text(t.BodyEN, MaxText, nil); err != nil {
		return err
	}
	if t.Name != TextBrokersIntro {
		return ErrNotFound
	}
	e := Event{Action: EventTextSaved, Subject: "site_text:" + t.Name}
	return s.change(ctx, staffID, &e, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO site_text (name, body_da, body_en, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO UPDATE SET body_da = $2, body_en = $3, updated_at = $4`, t.Name, t.BodyDA, t.BodyEN, s.now())
		if err != nil {
			return fmt.Errorf("save text: %w", err)
		}
		return nil
	})
}
