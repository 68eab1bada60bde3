package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/locales"
)

// exampleDate finds the example date in an error message ("fx 01-11-2026").
var exampleDate = regexp.MustCompile(`\d{1,4}[-.]\d{1,2}[-.]\d{1,4}`)

// TestDateErrorsGiveAnExampleTheFormTakes: a period form's "not a date" error shows, in both
// languages, an example date that the same form then takes. The dashboard and the audit log
// once asked for year-month-day in their errors while their hints and parsers took
// dd-mm-åååå, so a supervisor who followed the error was refused again.
func TestDateErrorsGiveAnExampleTheFormTakes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sup, _, err := env.App.Server.Staff.Create(ctx, "sif@styrelsen.dk", "Sif Supervisor", []string{"supervisor"})
	if err != nil {
		t.Fatal(err)
	}
	editor, _, err := env.App.Server.Staff.Create(ctx, "karla@styrelsen.dk", "Karla Kampagne", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	supervisor, campaignEditor := staffSession(t, env, sup), staffSession(t, env, editor)
	for _, tt := range []struct {
		name, path, msgID string
		b                 *browser
	}{
		{"dashboard", "/medarbejder/overblik", "dashboard.err.date_invalid", supervisor},
		{"audit log", "/medarbejder/revision", "deskaudit.err.date", supervisor},
		{"campaign statistics", "/redaktion/statistik", "campaignsubs.err.date_invalid", campaignEditor},
	} {
		for _, lang := range []string{"da", "en"} {
			t.Run(tt.name+" "+lang, func(t *testing.T) {
				msg := cat.For(lang).T(tt.msgID)
				example := exampleDate.FindString(msg)
				if example == "" {
					t.Fatalf("the error %q gives no example date", msg)
				}
				if status, _ := dashGet(t, tt.b, tt.path+"?"+url.Values{"fra": {"x"}}.Encode()); status != http.StatusUnprocessableEntity {
					t.Fatalf("a date that is no date: %d, want 422", status)
				}
				status, _ := dashGet(t, tt.b, tt.path+"?"+url.Values{"fra": {example}, "til": {example}}.Encode())
				if status != http.StatusOK {
					t.Errorf("the error says %q, but the form refuses its example %s: %d", msg, example, status)
				}
			})
		}
	}
}
