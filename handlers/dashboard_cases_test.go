package handlers_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
)

// TestDashboardCasesCSV: the per-case export of the period has one row per case with Danish
// (or English) column names and values, behind a byte order mark; the dashboard links it and
// shows the per-agent table.
func TestDashboardCasesCSV(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	b := dashboardCases(t, env)
	now := time.Now().In(env.App.Server.Schedule.Location())
	today, isoToday := now.Format("02-01-2006"), now.Format(time.DateOnly) // typed; in file names
	query := "?fra=" + today + "&til=" + today

	status, page := dashGet(t, b, "/medarbejder/overblik"+query)
	agents, _, _ := strings.Cut(page[strings.Index(page, `data-testid="dashboard-agents"`)+1:], "</table>")
	if status != http.StatusOK || !strings.Contains(page, `href="/medarbejder/overblik/sager.csv?fra=`+today) ||
		!strings.Contains(agents, "Sif Supervisor") || !strings.Contains(agents, "Ikke tildelt") {
		t.Errorf("dashboard: %d, agents table %q", status, agents)
	}

	for _, tt := range []struct {
		lang, header, filename, resolved string
	}{
		{"da", "Referencekode;Oprettet;Første svar;Løst;Tjeneste;Kategori;Kanal;Prioritet;Status;Frist for første svar overholdt;Frist for løsning overholdt",
			"sager-", "Løst"},
		{"en", "Reference;Created;First response;Resolved;Service;Category;Channel;Priority;Status;First response deadline met;Resolution deadline met",
			"cases-", "Resolved"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			res, err := b.client.Get(env.URL + "/medarbejder/overblik/sager.csv" + query + "&lang=" + tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
				!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="`+tt.filename+isoToday) {
				t.Fatalf("csv: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
			}
			body, ok := bytes.CutPrefix(raw, []byte("\uFEFF"))
			if !ok {
				t.Error("no byte order mark")
			}
			r := csv.NewReader(bytes.NewReader(body))
			r.Comma = ';'
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatalf("the csv does not parse: %v", err)
			}
			if h := strings.Join(rows[0], ";"); h != tt.header {
				t.Errorf("header %q", h)
			}
			if len(rows) != 4 {
				t.Fatalf("%d rows, want the header and 3 cases", len(rows))
			}
			resolved := 0
			for _, row := range rows[1:] {
				if len(row[0]) != 6 || !strings.HasPrefix(row[1], isoToday+" ") {
					t.Errorf("row %q", row)
				}
				if row[8] == tt.resolved {
					resolved++
					if !strings.HasPrefix(row[3], isoToday) || row[10] == "" {
						t.Errorf("resolved case without its time or deadline outcome: %q", row)
					}
				}
			}
			if resolved != 1 {
				t.Errorf("%d resolved cases, want 1", resolved)
			}
		})
	}
	if status, _ := dashGet(t, b, "/medarbejder/overblik/sager.csv?fra=01-02-2026&til=01-01-2025"); status != http.StatusUnprocessableEntity {
		t.Errorf("a period backwards: %d", status)
	}
}
