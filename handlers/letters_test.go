package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
)

// TestLetterOpensByPostAndReadsByGet: reading a letter's PDF by GET changes nothing; opening it
// from the letter box (a POST) marks it read and leads to the PDF; another person's letter is
// not found either way.
func TestLetterOpensByPostAndReadsByGet(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	m, other := env.NewCitizen(t), env.NewCitizen(t)
	addLetterTo := func(cpr identity.CPR) int64 {
		tx, err := env.App.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		id, err := env.App.Letters.AddTx(ctx, tx, cpr, "activation", "Din aktiveringskode", []byte("%PDF-1.4 brev"))
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		return id
	}
	mine, theirs := addLetterTo(m.CPR), addLetterTo(other.CPR)
	unread := func(id int64) bool {
		return count(t, env, `SELECT count(*) FROM letter WHERE id = $1 AND read_at IS NULL`, id) == 1
	}
	b := citizenBrowser(t, env, m)
	box := b.page(t, "/mitid/post")
	path := "/mitid/post/" + strconv.FormatInt(mine, 10)
	if !strings.Contains(box, `action="`+path+`/aabn"`) {
		t.Fatalf("the letter box does not open the unread letter by a form:\n%s", box)
	}

	if status, _ := b.get(t, path); status != http.StatusOK {
		t.Fatalf("GET %s: %d", path, status)
	}
	if !unread(mine) {
		t.Fatal("a GET of the PDF marked the letter read")
	}

	res, _ := b.post(t, path+"/aabn", url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("open: %d to %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), path)
	}
	if unread(mine) {
		t.Fatal("opening the letter did not mark it read")
	}
	if box := b.page(t, "/mitid/post"); !strings.Contains(box, `href="`+path+`"`) {
		t.Fatal("a read letter is not a plain link to its PDF")
	}

	theirPath := "/mitid/post/" + strconv.FormatInt(theirs, 10)
	if status, _ := b.get(t, theirPath); status != http.StatusNotFound {
		t.Errorf("GET another person's letter: %d, want 404", status)
	}
	if res, _ := b.post(t, theirPath+"/aabn", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("open another person's letter: %d, want 404", res.StatusCode)
	}
	if !unread(theirs) {
		t.Error("another person's letter was marked read")
	}
}
