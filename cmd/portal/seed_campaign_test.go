package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db/dbtest"
)

// seedCounts are the rows the campaign seed writes and the files it stores.
func seedCounts(t *testing.T, pool *pgxpool.Pool, files string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range []string{"pack", "pack_item", "pack_item_version", "pack_subscription", "organisation",
		"organisation_member", "organisation_invitation", "staff_user", "audit_log",
		"forum_meeting", "forum_meeting_file", "forum_activity", "forum_question", "forum_answer",
		"feedback_round", "feedback_round_item", "feedback_comment", "mail_outbox"} {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	err := filepath.WalkDir(files, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			counts["stored files"]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

// TestSeedCampaign: `portal seed` in demo mode makes the packs with their files, one embargoed
// item, one in forum review, one item with two versions, the demo organisation with its admin
// and member subscribed to the private pack, and the campaign editor; a second run adds no row
// and no file.
func TestSeedCampaign(t *testing.T) {
	// Not parallel: t.Chdir changes the directory of the whole process.
	pool, dbURL := dbtest.NewWithURL(t)
	files := t.TempDir()
	t.Chdir(t.TempDir()) // the seed writes its token file under .cache/
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "PORTAL_DEMO": "true", "FILES_DIR": files})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"seed"}, env, &out, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	first := seedCounts(t, pool, files)
	for _, want := range []string{"kampagne@demo.mitid.example", "Demo packs:", "Demo organisation:", "Demo feedback round:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	t.Run("content", func(t *testing.T) {
		for _, c := range []struct {
			name, query string
			want        int
		}{
			{"packs", `SELECT count(*) FROM pack WHERE slug IN ('privat', 'erhverv', 'partnerkanaler', 'hjaelpere')`, 4},
			{"embargoed", `SELECT count(DISTINCT title) FROM pack_item WHERE status = 'published' AND release_at > now() + interval '6 days'`, 1},
			{"in forum review", `SELECT count(*) FROM pack_item WHERE visibility = 'review' AND status = 'published'`, 1},
			// The one draft is the feedback round's (seed_rounds.go).
			{"drafts left", `SELECT count(*) FROM pack_item WHERE status <> 'published'`, 1},
			{"open feedback round on the draft", `SELECT count(*) FROM feedback_round r
				JOIN feedback_round_item ri ON ri.round_id = r.id JOIN pack_item i ON i.id = ri.item_id
				WHERE r.status = 'open' AND i.status = 'draft' AND r.deadline > now() + interval '13 days'`, 1},
			{"the demo organisation's comment", `SELECT count(*) FROM feedback_comment c JOIN mitid u ON u.id = c.mitid_id
				WHERE u.username = 'demo.kodeviser' AND c.org_name = 'Foreningen Digital Hjælp (demo)'`, 1},
			{"round notices to the forum", `SELECT count(*) FROM mail_outbox WHERE kind = 'round.opened'`, 2},
			{"English items", `SELECT count(*) FROM pack_item WHERE lang = 'en'`, 10},
			{"second versions with a note", `SELECT count(*) FROM pack_item_version WHERE version = 2 AND change_note <> ''`, 2},
			{"PDFs and PNGs", `SELECT count(DISTINCT media_type) FROM pack_item_version WHERE media_type IN ('application/pdf', 'image/png')`, 2},
			{"thumbnails of images", `SELECT count(*) FROM pack_item_version WHERE media_type = 'image/png' AND thumb_sha256 IS NULL`, 0},
			{"approved forum organisation", `SELECT count(*) FROM organisation WHERE cvr = '29184658' AND status = 'approved' AND forum_member`, 1},
			{"admin and member", `SELECT count(*) FROM organisation_member m JOIN mitid u ON u.id = m.mitid_id
				WHERE (u.username, m.role) IN (('demo.kodeviser', 'admin'), ('demo.kodeoplaeser', 'member'))`, 2},
			{"subscription", `SELECT count(*) FROM pack_subscription s JOIN pack p ON p.id = s.pack_id WHERE p.slug = 'privat'`, 1},
			{"campaign editor", `SELECT count(*) FROM staff_user WHERE email = 'kampagne@demo.mitid.example' AND 'campaign_editor' = ANY(roles)`, 1},
			{"audited as the editor", `SELECT count(*) FROM audit_log WHERE action IN ('pack_created', 'pack_item_created',
				'pack_item_version', 'pack_item_published')
				AND actor = (SELECT 'staff:' || id FROM staff_user WHERE email = 'kampagne@demo.mitid.example')`, 4 + 32 + 2 + 31},
		} {
			t.Run(c.name, func(t *testing.T) {
				var n int
				if err := pool.QueryRow(ctx, c.query).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != c.want {
					t.Errorf("%d, want %d", n, c.want)
				}
			})
		}
	})

	out.Reset()
	if err := run(ctx, []string{"seed"}, env, &out, &out); err != nil {
		t.Fatalf("second seed: %v\n%s", err, out.String())
	}
	if second := seedCounts(t, pool, files); !equalCounts(first, second) {
		t.Errorf("the second seed changed something:\nfirst  %v\nsecond %v", first, second)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
