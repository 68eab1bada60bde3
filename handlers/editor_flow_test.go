package handlers_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
)

// TestEditorUploadIsStreamed: a 150 MB upload goes to the store while it arrives: the heap
// grows by a few MB at most (a form parsed into memory would hold 32 MB of it), and the stored
// file is the one sent, byte for byte.
func TestEditorUploadIsStreamed(t *testing.T) {
	e := newEditorEnv(t, apptest.Options{})
	e.b.page(t, e.newItemPath())
	const size = 150 << 20
	// Collect garbage early, so that the samples show what is held, not what awaits collection.
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
		}
	}()
	h := sha256.New()
	h.Write([]byte(testPDF))
	file := io.MultiReader(strings.NewReader(testPDF), &zeros{n: size - int64(len(testPDF)), h: h})
	res, body := e.b.streamPost(t, e.newItemPath(), itemForm("Film"), "film.pdf", file)
	close(done)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %.300s", res.StatusCode, body)
	}
	growth := int64(peak.Load()) - int64(base)
	t.Logf("heap: base %d MB, peak growth %.1f MB", base>>20, float64(growth)/(1<<20))
	if growth > 8<<20 {
		t.Errorf("the heap grew by %.1f MB during a streamed upload, want at most 8 MB", float64(growth)/(1<<20))
	}
	var sha string
	var n int64
	err := e.env.App.Pool.QueryRow(context.Background(),
		`SELECT sha256, size FROM pack_item_version ORDER BY created_at DESC LIMIT 1`).Scan(&sha, &n)
	if err != nil {
		t.Fatal(err)
	}
	if n != size || sha != sha256Hex(h) {
		t.Errorf("stored %d bytes sha %s, want %d bytes sha %s", n, sha, int64(size), sha256Hex(h))
	}
}

// TestEditorVersionPublishWithdraw walks an item's life over HTTP: a new version with a
// change note, a schedule typed the Danish way (refused when wrong or past), withdrawal and
// publishing again; each step audited under the editor's name.
func TestEditorVersionPublishWithdraw(t *testing.T) {
	t.Parallel()
	clock := &apptest.Clock{}
	e := newEditorEnv(t, apptest.Options{Clock: clock})
	ctx := context.Background()
	e.b.page(t, e.newItemPath())
	id := e.createItem(t, "Folder om MitID", "folder.pdf", testPDF+"v1")
	path := fmt.Sprintf("/redaktion/materiale/%d", id)
	e.b.page(t, path)

	res, body := e.b.streamPost(t, path+"/version", []field{{"change_note", "Nyt telefonnummer på side 2"}},
		"folder-v2.pdf", strings.NewReader(testPDF+"v2"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new version: %d %.300s", res.StatusCode, body)
	}
	page := e.b.page(t, path)
	for _, want := range []string{"Nyt telefonnummer på side 2", "Rikke Redaktør", "folder-v2.pdf"} {
		if !strings.Contains(page, want) {
			t.Errorf("history lacks %q", want)
		}
	}

	refusals := []struct {
		name, field string
		values      url.Values
	}{
		{"no choice", "when", url.Values{}},
		{"no date", "release_date", url.Values{"when": {"later"}, "release_time": {"09:30"}}},
		{"31 February", "release_date", url.Values{"when": {"later"}, "release_date": {"31-02-2031"}, "release_time": {"09:30"}}},
		{"ISO date", "release_date", url.Values{"when": {"later"}, "release_date": {"2031-02-01"}, "release_time": {"09:30"}}},
		{"25 o'clock", "release_time", url.Values{"when": {"later"}, "release_date": {"01-02-2031"}, "release_time": {"25:00"}}},
		{"past", "release_date", url.Values{"when": {"later"}, "release_date": {"01-02-2020"}, "release_time": {"09:30"}}},
		{"NUL", "release_time", url.Values{"when": {"later"}, "release_date": {"01-02-2031"}, "release_time": {"09\x0030"}}},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts(t)
			res, body := e.b.post(t, path+"/udgiv", tc.values)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+tc.field+`"`) {
				t.Errorf("status %d, want 422 naming #%s", res.StatusCode, tc.field)
			}
			if after := e.counts(t); after != before {
				t.Errorf("refused schedule wrote: %s → %s", before, after)
			}
		})
	}

	res, _ = e.b.post(t, path+"/udgiv", url.Values{"when": {"later"}, "release_date": {"24-12-2030"}, "release_time": {"9.30"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d", res.StatusCode)
	}
	it, err := e.env.App.Packs.Item(ctx, campaign.Viewer{Editor: true}, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2030, 12, 24, 8, 30, 0, 0, time.UTC); it.ReleaseAt == nil || !it.ReleaseAt.Equal(want) {
		t.Errorf("release at %v, want %v (09:30 Danish winter time)", it.ReleaseAt, want)
	}
	if page := e.b.page(t, path); !strings.Contains(page, "Planlagt") || !strings.Contains(page, "24.12.2030 09.30") {
		t.Errorf("item page does not show the schedule")
	}
	if _, err := e.env.App.Packs.Item(ctx, campaign.Viewer{}, id); err == nil {
		t.Error("a scheduled item is visible to the public before its release")
	}

	if res, _ := e.b.post(t, path+"/tilbagetraek", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", res.StatusCode)
	}
	if res, _ := e.b.post(t, path+"/udgiv", url.Values{"when": {"now"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish again: %d", res.StatusCode)
	}
	if _, err := e.env.App.Packs.Item(ctx, campaign.Viewer{}, id); err != nil {
		t.Errorf("a published public item is not visible: %v", err)
	}

	rows, err := e.env.App.Pool.Query(ctx, `SELECT action FROM audit_log WHERE actor = $1 ORDER BY id`, fmt.Sprintf("staff:%d", e.editor.ID))
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	want := []string{"pack_created", "pack_item_created", "pack_item_version", "pack_item_published",
		"pack_item_withdrawn", "pack_item_published"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit %v, want %v", actions, want)
	}
	// The audit log page names the actions, in both languages.
	for lang, names := range map[string][]string{
		"da": {"Pakke oprettet", "Materiale oprettet", "Ny version af materiale"},
		"en": {"Pack created", "Material created"},
	} {
		page := e.b.page(t, "/medarbejder/revision?lang="+lang)
		for _, name := range names {
			if !strings.Contains(page, name) {
				t.Errorf("audit log page (%s) does not name %q", lang, name)
			}
		}
	}
}

// TestEditorGETsWriteNothing: every editor page, with and without htmx, in both languages,
// writes nothing (no audit entry, no item change).
func TestEditorGETsWriteNothing(t *testing.T) {
	t.Parallel()
	e := newEditorEnv(t, apptest.Options{})
	e.b.page(t, e.newItemPath())
	id := e.createItem(t, "Folder", "folder.pdf", testPDF)
	before := e.counts(t)
	for _, p := range []string{"/redaktion/pakker", "/redaktion/pakker/" + e.pack.Slug, e.newItemPath(),
		fmt.Sprintf("/redaktion/materiale/%d", id)} {
		for _, lang := range []string{"da", "en"} {
			for _, hx := range []bool{false, true} {
				if res, body := e.b.appGet(t, p+"?lang="+lang, hx); res.StatusCode != http.StatusOK {
					t.Errorf("GET %s (%s, htmx %v): %d %.200s", p, lang, hx, res.StatusCode, body)
				}
			}
		}
	}
	if after := e.counts(t); after != before {
		t.Errorf("GETs wrote: %s → %s", before, after)
	}
}

// TestEditorParallelMovesKeepTheOrder: 100 moves at once, up and down, some as htmx, leave the
// pack's items at positions 1..n, each once; publishes at once leave one consistent status.
func TestEditorParallelMovesKeepTheOrder(t *testing.T) {
	t.Parallel()
	e := newEditorEnv(t, apptest.Options{})
	e.b.page(t, e.newItemPath())
	var ids []int64
	for i := range 5 {
		ids = append(ids, e.createItem(t, fmt.Sprintf("Materiale %d", i+1), "m.pdf", fmt.Sprintf("%s%d", testPDF, i)))
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := ids[i%len(ids)]
			dir := []string{"op", "ned"}[i%2]
			path := fmt.Sprintf("/redaktion/materiale/%d/flyt", id)
			if i%3 == 0 {
				path = fmt.Sprintf("/redaktion/materiale/%d/udgiv", id)
			}
			form := url.Values{"dir": {dir}, "when": {"now"}, "csrf_token": {e.b.csrf}}
			req, _ := http.NewRequest(http.MethodPost, e.env.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if i%4 == 0 {
				req.Header.Set("HX-Request", "true")
			}
			res, err := e.b.client.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of 100 requests failed", n)
	}
	ctx := context.Background()
	rows, err := e.env.App.Pool.Query(ctx,
		`SELECT id, position FROM pack_item WHERE pack_id = $1 ORDER BY position, id`, e.pack.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	var order []int64
	for rows.Next() {
		var id int64
		var p int
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		got, order = append(got, p), append(order, id)
	}
	if !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
		t.Errorf("positions %v, want 1..5 each once", got)
	}
	// Replaying the audited moves on the first order gives the order stored: no move was lost
	// (two moves reading the same order, the second writing over the first) and none unaudited.
	replay := slices.Clone(ids)
	rows, err = e.env.App.Pool.Query(ctx, `SELECT substr(subject, 11)::bigint, (detail->>'position')::int
		FROM audit_log WHERE action = 'pack_item_moved' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	moves := 0
	for rows.Next() {
		var id int64
		var pos int
		if err := rows.Scan(&id, &pos); err != nil {
			t.Fatal(err)
		}
		i := slices.Index(replay, id)
		if j := pos - 1; i >= 0 && j >= 0 && j < len(replay) && (j == i-1 || j == i+1) {
			replay[i], replay[j] = replay[j], replay[i]
		} else {
			t.Errorf("audited move of %d to %d does not follow from the order %v", id, pos, replay)
		}
		moves++
	}
	if !slices.Equal(replay, order) {
		t.Errorf("stored order %v, but the %d audited moves give %v", order, moves, replay)
	}
	page := e.b.page(t, "/redaktion/pakker/"+e.pack.Slug)
	if n := strings.Count(page, `data-testid="move-op"`); n != 4 {
		t.Errorf("%d move-up buttons, want 4 (all but the first)", n)
	}
}
