package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
)

// statsFixture is a portal with one pack of two items (one with a title that is a spreadsheet
// formula), downloads counted as the counter writes them, and an editor's session.
func statsFixture(t *testing.T) (*apptest.Env, *browser, [2]int64) {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	ed, _, err := env.App.Server.Staff.Create(ctx, "eva@styrelsen.dk", "Eva Redaktør", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	pk, err := env.App.Packs.CreatePack(ctx, ed.ID, campaign.NewPack{Slug: "privat", Audience: campaign.AudiencePrivate,
		TitleDA: "Privatpakken", TitleEN: "The private pack"})
	if err != nil {
		t.Fatal(err)
	}
	var ids [2]int64
	for i, title := range []string{"Folder om MitID", `=HYPERLINK("http://x.test","klik")`} {
		it, err := env.App.Packs.CreateItem(ctx, ed.ID, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFlyer,
			Audience: campaign.ForCitizens, Lang: "da", Title: title, Visibility: campaign.VisiblePublic},
			campaign.Upload{Filename: "f.pdf", Body: strings.NewReader("%PDF-1.4 " + title)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = it.ID
	}
	org := subsOrg(t, env, "33333333", env.NewCitizen(t).ID, "da")
	for _, r := range []struct {
		item, org int64
		day       string
		n         int
	}{{ids[0], 0, "2026-11-01", 5}, {ids[0], org, "2026-11-02", 2}, {ids[1], org, "2026-11-03", 4}, {ids[1], 0, "2026-12-01", 9}} {
		if _, err := env.App.Pool.Exec(ctx, `INSERT INTO pack_download (item_id, organisation_id, day, downloads)
			VALUES ($1, $2, $3::date, $4)`, r.item, r.org, r.day, r.n); err != nil {
			t.Fatal(err)
		}
	}
	return env, staffSession(t, env, ed), ids
}

// TestStatsPage: the period's figures as charts with tables; bad dates answer 422 with the
// error summary; only campaign editors get the page.
func TestStatsPage(t *testing.T) {
	t.Parallel()
	env, ed, _ := statsFixture(t)
	status, body := dashGet(t, ed, "/redaktion/statistik?fra=01-11-2026&til=03-11-2026")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{
		"11 downloads i alt",
		`role="img" aria-labelledby="chart-downloads-day-title chart-downloads-day-desc"`,
		`<title id="chart-downloads-pack-title">Downloads pr. pakke</title>`,
		`data-testid="table-chart-downloads-kind"`,
		`<th scope="row">Ingen organisation</th><td class="align-text-right">5</td>`,
		`<th scope="row">Privatpakken</th><td class="align-text-right">11</td>`,
		`href="/redaktion/statistik.csv?fra=01-11-2026&amp;til=03-11-2026"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if status, _ := dashGet(t, ed, "/redaktion/statistik"); status != http.StatusOK {
		t.Errorf("default period: %d", status)
	}
	for _, tc := range []struct{ name, query, field string }{
		{"ISO date", "fra=2026-11-01&til=03-11-2026", "fra"},
		{"no such day", "fra=31-02-2026&til=03-11-2026", "fra"},
		{"text", "fra=01-11-2026&til=i+morgen", "til"},
		{"only one date", "fra=01-11-2026", "til"},
		{"end before start", "fra=03-11-2026&til=01-11-2026", "til"},
		{"longer than 366 days", "fra=01-01-2025&til=02-01-2026", "til"},
		{"year far off", "fra=01-01-0001&til=01-01-2026", "fra"},
	} {
		for _, path := range []string{"/redaktion/statistik?", "/redaktion/statistik.csv?"} {
			t.Run(tc.name+" "+path, func(t *testing.T) {
				status, body := dashGet(t, ed, path+tc.query)
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-summary"`) ||
					!strings.Contains(body, `href="#`+tc.field+`"`) {
					t.Errorf("status %d, or no error at %s", status, tc.field)
				}
			})
		}
	}
	agent, _, err := env.App.Server.Staff.Create(context.Background(), "alf@styrelsen.dk", "Alf Agent", []string{"agent", "supervisor"})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/redaktion/statistik", "/redaktion/statistik.csv"} {
		if status, _ := dashGet(t, staffSession(t, env, agent), path); status != http.StatusForbidden {
			t.Errorf("a supervisor got %s: %d", path, status)
		}
	}
}

// TestStatsCSV: one row per day, item and kind of organisation, for Excel, with formulas
// defused.
func TestStatsCSV(t *testing.T) {
	t.Parallel()
	env, ed, ids := statsFixture(t)
	res, err := ed.client.Get(env.URL + "/redaktion/statistik.csv?fra=01-11-2026&til=30-11-2026")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `attachment; filename="downloads-2026-11-01-2026-11-30.csv"`) {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	if !bytes.HasPrefix(raw, []byte("\uFEFF")) {
		t.Error("no byte order mark")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	a, b := strconv.FormatInt(ids[0], 10), strconv.FormatInt(ids[1], 10)
	want := [][]string{
		{"Dag", "Materiale-id", "Materiale", "Pakke", "Organisationstype", "Downloads"},
		{"2026-11-01", a, "Folder om MitID", "privat", "Ingen organisation", "5"},
		{"2026-11-02", a, "Folder om MitID", "privat", "Bibliotek", "2"},
		{"2026-11-03", b, `'=HYPERLINK("http://x.test","klik")`, "privat", "Bibliotek", "4"},
	}
	for i := range max(len(rows), len(want)) {
		var got, w []string
		if i < len(rows) {
			got = rows[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("row %d: %q, want %q", i, got, w)
		}
	}
}
