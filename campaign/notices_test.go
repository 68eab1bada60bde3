package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/campaign"
)

// noticeEnv is packEnv with Notices whose send hook writes each mail to a table in the mail's
// transaction, so the table holds exactly the mails that would have been sent.
type noticeEnv struct {
	*packEnv
	notices *campaign.Notices
	// failAt makes the send hook fail at the given call (counted from 1), once.
	mu     sync.Mutex
	calls  int
	failAt int
	orgN   int
	// slow makes every mail take a while, so that concurrent runs overlap.
	slow time.Duration
}

func newNoticeEnv(t *testing.T) *noticeEnv {
	e := &noticeEnv{packEnv: newPackEnv(t)}
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `CREATE TABLE notice_sent (mitid_id bigint, email text, lang text,
		item_id bigint, version int, new boolean, note text, token text)`); err != nil {
		t.Fatal(err)
	}
	var err error
	e.notices, err = campaign.NewNotices(e.pool, make([]byte, 32), func(ctx context.Context, tx pgx.Tx, n campaign.Notice) error {
		e.mu.Lock()
		e.calls++
		fail := e.calls == e.failAt
		e.mu.Unlock()
		if fail {
			return errors.New("the instance died")
		}
		time.Sleep(e.slow)
		_, err := tx.Exec(ctx, `INSERT INTO notice_sent VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			n.MitID, n.Email, n.Lang, n.Item.ID, n.Item.Current.Version, n.New, n.Item.Current.ChangeNote, n.Unsubscribe)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.notices.SetClock(func() time.Time { return e.now })
	return e
}

// org inserts an approved organisation with an admin (a new citizen) and returns both ids.
func (e *noticeEnv) org(t *testing.T, forum bool) (orgID, admin int64) {
	t.Helper()
	e.orgN++
	err := e.pool.QueryRow(context.Background(), `INSERT INTO organisation (cvr, name, kind, status, forum_member,
		contact_name, contact_email, lang, applied_at, decided_at)
		VALUES ($1, $2, 'library', 'approved', $3, 'Kontakt', 'kontakt@example.dk', 'da', $4, $4) RETURNING id`,
		fmt.Sprintf("%08d", e.orgN), fmt.Sprintf("Bibliotek %d", e.orgN), forum, e.now).Scan(&orgID)
	if err != nil {
		t.Fatal(err)
	}
	admin = e.citizen(t)
	e.member(t, orgID, admin, campaign.RoleAdmin, "da")
	return orgID, admin
}

func (e *noticeEnv) member(t *testing.T, orgID, mitidID int64, role campaign.MemberRole, lang string) {
	t.Helper()
	_, err := e.pool.Exec(context.Background(), `INSERT INTO organisation_member (organisation_id, mitid_id, role, email, lang, joined_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, orgID, mitidID, role, fmt.Sprintf("m%d-o%d@example.dk", mitidID, orgID), lang, e.now)
	if err != nil {
		t.Fatal(err)
	}
}

func (e *noticeEnv) pack(t *testing.T, slug string) campaign.Pack {
	t.Helper()
	pk, err := e.packs.CreatePack(context.Background(), 1, campaign.NewPack{Slug: slug, Audience: campaign.AudiencePrivate,
		TitleDA: "Pakke " + slug, TitleEN: "Pack " + slug})
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// item creates an item in pk and publishes it at release (a zero release leaves it a draft).
func (e *noticeEnv) item(t *testing.T, pk campaign.Pack, vis campaign.Visibility, release time.Time) campaign.Item {
	t.Helper()
	ctx := context.Background()
	it, err := e.packs.CreateItem(ctx, 1, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFlyer,
		Audience: campaign.ForCitizens, Lang: "da", Title: "Folder " + string(vis), Visibility: vis}, pdf("v1"))
	if err != nil {
		t.Fatal(err)
	}
	if !release.IsZero() {
		if err := e.packs.Publish(ctx, 1, it.ID, release); err != nil {
			t.Fatal(err)
		}
	}
	return it
}

func (e *noticeEnv) run(t *testing.T) int {
	t.Helper()
	n, err := e.notices.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sent lists the committed mails of an item's version as "mitid:lang:t" (new item) or ":f".
func (e *noticeEnv) sent(t *testing.T, itemID int64, version int) []string {
	t.Helper()
	rows, _ := e.pool.Query(context.Background(), `SELECT format('%s:%s:%s', mitid_id, lang, new) FROM notice_sent
		WHERE item_id = $1 AND version = $2 ORDER BY mitid_id`, itemID, version)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (e *noticeEnv) token(t *testing.T, mitidID int64) string {
	t.Helper()
	var tok string
	if err := e.pool.QueryRow(context.Background(), `SELECT token FROM notice_sent WHERE mitid_id = $1 LIMIT 1`,
		mitidID).Scan(&tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

func who(parts ...any) []string {
	var s []string
	for i := 0; i < len(parts); i += 3 {
		flag := "f"
		if parts[i+2] == true {
			flag = "t"
		}
		s = append(s, fmt.Sprintf("%v:%v:%s", parts[i], parts[i+1], flag))
	}
	return s
}

// TestNotices: who gets a notice of what, once, in their language; unsubscribing stops one pack.
func TestNotices(t *testing.T) {
	t.Parallel()
	e := newNoticeEnv(t)
	ctx := context.Background()
	packA, packB := e.pack(t, "a"), e.pack(t, "b")
	org1, admin1 := e.org(t, false)
	org2, admin2 := e.org(t, true)
	org3, _ := e.org(t, true) // subscribes to nothing
	both := e.citizen(t)      // in org1 (Danish) and org2 (English): one mail, in org1's language
	e.member(t, org1, both, campaign.RoleMember, "da")
	e.member(t, org2, both, campaign.RoleMember, "en")
	e.member(t, org3, e.citizen(t), campaign.RoleMember, "da")
	if _, err := e.pool.Exec(ctx, `UPDATE organisation_member SET lang = 'en' WHERE mitid_id = $1`, admin2); err != nil {
		t.Fatal(err)
	}
	must(t, e.orgs.Subscribe(ctx, org1, admin1, []int64{packA.ID}))
	must(t, e.orgs.Subscribe(ctx, org2, admin2, []int64{packA.ID, packB.ID}))

	past, future := e.now.Add(-time.Hour), e.now.Add(24*time.Hour)
	public := e.item(t, packA, campaign.VisiblePublic, past)
	review := e.item(t, packA, campaign.VisibleReview, past)
	members := e.item(t, packB, campaign.VisibleMembers, past)
	embargoed := e.item(t, packA, campaign.VisiblePublic, future)
	draft := e.item(t, packA, campaign.VisiblePublic, time.Time{})
	withdrawn := e.item(t, packA, campaign.VisiblePublic, past)
	must(t, e.packs.Withdraw(ctx, 1, withdrawn.ID))

	e.run(t)
	cases := []struct {
		name    string
		item    campaign.Item
		version int
		want    []string
	}{
		{"public: every member of a subscribing organisation, once", public, 1,
			who(admin1, "da", true, admin2, "en", true, both, "da", true)},
		{"review: forum members only", review, 1, who(admin2, "en", true, both, "da", true)},
		{"members, pack B: org2's members, in their org2 language", members, 1, who(admin2, "en", true, both, "en", true)},
		{"embargoed: nobody yet", embargoed, 1, nil},
		{"draft: nobody", draft, 1, nil},
		{"withdrawn: nobody", withdrawn, 1, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.sent(t, tc.item.ID, tc.version); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("sent %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("a second run sends nothing", func(t *testing.T) {
		if n := e.run(t); n != 0 {
			t.Errorf("second run sent %d", n)
		}
	})
	t.Run("the embargo passes", func(t *testing.T) {
		e.now = future.Add(time.Minute)
		e.run(t)
		if got := e.sent(t, embargoed.ID, 1); len(got) != 3 {
			t.Errorf("released item sent to %v", got)
		}
	})
	t.Run("a new version, with its change note", func(t *testing.T) {
		if _, err := e.packs.AddVersion(ctx, 1, public.ID, pdf("v2"), "Nyt telefonnummer"); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		if got := e.sent(t, public.ID, 2); fmt.Sprint(got) != fmt.Sprint(who(admin1, "da", false, admin2, "en", false, both, "da", false)) {
			t.Errorf("new version sent %v", got)
		}
		var note string
		must(t, e.pool.QueryRow(ctx, `SELECT note FROM notice_sent WHERE item_id = $1 AND version = 2 LIMIT 1`, public.ID).Scan(&note))
		if note != "Nyt telefonnummer" {
			t.Errorf("change note %q", note)
		}
	})
	t.Run("unsubscribing stops that pack only", func(t *testing.T) {
		tok := e.token(t, both)
		pk, err := e.notices.UnsubscribeTarget(ctx, tok)
		if err != nil || pk.ID != packA.ID {
			t.Fatalf("target %+v %v", pk, err)
		}
		for range 2 { // mail clients may POST twice
			if _, err := e.notices.Unsubscribe(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.packs.AddVersion(ctx, 1, public.ID, pdf("v3"), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.packs.AddVersion(ctx, 1, members.ID, pdf("v2"), ""); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		if got := e.sent(t, public.ID, 3); fmt.Sprint(got) != fmt.Sprint(who(admin1, "da", false, admin2, "en", false)) {
			t.Errorf("after unsubscribing from A: %v", got)
		}
		if got := e.sent(t, members.ID, 2); fmt.Sprint(got) != fmt.Sprint(who(admin2, "en", false, both, "en", false)) {
			t.Errorf("pack B after unsubscribing from A: %v", got)
		}
	})
	t.Run("forged tokens", func(t *testing.T) {
		tok := e.token(t, admin1)
		forged := []byte(tok)
		forged[3] ^= 1
		for _, bad := range []string{"", "abc", string(forged), tok + "A"} {
			if _, err := e.notices.Unsubscribe(ctx, bad); !errors.Is(err, campaign.ErrUnsubscribeInvalid) {
				t.Errorf("Unsubscribe(%q): %v", bad, err)
			}
		}
	})
}

// TestNoticeRunDiesMidway: a run whose mail fails part-way sends nothing; the next sends all.
func TestNoticeRunDiesMidway(t *testing.T) {
	t.Parallel()
	e := newNoticeEnv(t)
	ctx := context.Background()
	pk := e.pack(t, "a")
	org, admin := e.org(t, false)
	e.member(t, org, e.citizen(t), campaign.RoleMember, "da")
	must(t, e.orgs.Subscribe(ctx, org, admin, []int64{pk.ID}))
	it := e.item(t, pk, campaign.VisiblePublic, e.now.Add(-time.Minute))
	e.failAt = 2
	if _, err := e.notices.Run(ctx); err == nil {
		t.Fatal("the failing run reported no error")
	}
	if got := e.sent(t, it.ID, 1); len(got) != 0 {
		t.Fatalf("a failed run left mails: %v", got)
	}
	e.run(t)
	if got := e.sent(t, it.ID, 1); len(got) != 2 {
		t.Errorf("after the retry: %v", got)
	}
}

// TestNoticesParallel: 100 runs at once (instances sharing the work) send each notice once.
func TestNoticesParallel(t *testing.T) {
	t.Parallel()
	e := newNoticeEnv(t)
	ctx := context.Background()
	pk := e.pack(t, "a")
	org, admin := e.org(t, false)
	e.member(t, org, e.citizen(t), campaign.RoleMember, "en")
	e.member(t, org, e.citizen(t), campaign.RoleMember, "da")
	must(t, e.orgs.Subscribe(ctx, org, admin, []int64{pk.ID}))
	const items = 25
	for range items {
		e.item(t, pk, campaign.VisiblePublic, e.now.Add(-time.Minute))
	}
	e.slow = 5 * time.Millisecond
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.notices.Run(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var total, distinct int
	must(t, e.pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT (mitid_id, item_id)) FROM notice_sent`).Scan(&total, &distinct))
	if total != items*3 || distinct != total {
		t.Errorf("%d mails, %d distinct; want %d once each", total, distinct, items*3)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
