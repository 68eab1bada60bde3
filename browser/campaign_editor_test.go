package browser_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
)

// TestCampaignEditorItemLife: a campaign editor creates an item with its file (an empty form
// first shows the error summary), uploads a new version with a change note, schedules it the
// Danish way, withdraws another item and moves one with htmx. Both languages, axe on every page.
func TestCampaignEditorItemLife(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	dir := t.TempDir()
	v1, v2 := filepath.Join(dir, "folder.pdf"), filepath.Join(dir, "folder-v2.pdf")
	for p, text := range map[string]string{v1: "%PDF-1.4\nv1\n", v2: "%PDF-1.4\nv2\n"} {
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := newTab(t)
			desktopWindow(t, ctx)
			problems := pageProblems(t, ctx)
			id := loginStaffInTab(t, ctx, env, "rikke-"+lang+"@styrelsen.dk", "Rikke Redaktør "+lang, "campaign_editor")
			slug := "pakke-" + lang
			pk, err := env.App.Packs.CreatePack(context.Background(), id, campaign.NewPack{Slug: slug,
				Audience: campaign.AudiencePrivate, TitleDA: "Pakke " + lang, TitleEN: "Pack " + lang})
			if err != nil {
				t.Fatal(err)
			}
			other, err := env.App.Packs.CreateItem(context.Background(), id, campaign.NewItem{PackID: pk.ID,
				Kind: campaign.ItemPoster, Audience: campaign.ForCitizens, Lang: lang, Title: "Gammel plakat " + lang,
				Visibility: campaign.VisiblePublic}, campaign.Upload{Filename: "plakat.pdf", Body: strings.NewReader("%PDF-1.4\nold")})
			if err != nil {
				t.Fatal(err)
			}
			if err := env.App.Packs.Publish(context.Background(), id, other.ID, time.Now()); err != nil {
				t.Fatal(err)
			}

			navigate(t, ctx, withLang(env.URL+"/redaktion/pakker", lang))
			checkAxe(t, ctx, "/redaktion/pakker ("+lang+")")
			navigate(t, ctx, withLang(env.URL+"/redaktion/pakker/"+slug, lang))
			checkAxe(t, ctx, "pack page ("+lang+")")
			click(t, ctx, `[data-testid="item-new"]`)
			wantPath(t, ctx, "/redaktion/pakker/"+slug+"/nyt-materiale")
			checkAxe(t, ctx, "new item ("+lang+")")
			click(t, ctx, `[data-testid="item-create"]`)
			wantErrorSummary(t, ctx, "an empty item form")
			checkAxe(t, ctx, "new item with errors ("+lang+")")

			title := map[string]string{"da": "Folder om MitID", "en": "MitID leaflet"}[lang]
			fill(t, ctx, "#item_title", title)
			setSelect(t, ctx, "#kind", "flyer")
			setSelect(t, ctx, "#item_audience", "seniors")
			setSelect(t, ctx, "#lang", lang)
			setSelect(t, ctx, "#visibility", "members")
			do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{v1}))
			click(t, ctx, `[data-testid="item-create"]`)
			if p := currentPath(t, ctx); !strings.HasPrefix(p, "/redaktion/materiale/") {
				t.Fatalf("after creating: %s: %s", p, clip(mainText(t, ctx), 300))
			}
			itemPath := currentPath(t, ctx)
			checkAxe(t, ctx, "item page ("+lang+")")

			note := map[string]string{"da": "Nyt telefonnummer", "en": "New phone number"}[lang]
			setText(t, ctx, "#change_note", note)
			do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{v2}))
			click(t, ctx, `[data-testid="version-add"]`)
			wantPath(t, ctx, itemPath)
			if txt := eval[string](t, ctx, `document.querySelector('[data-testid="item-history"]').innerText`); !strings.Contains(txt, note) ||
				!strings.Contains(txt, "Rikke Redaktør "+lang) || !strings.Contains(txt, "folder-v2.pdf") {
				t.Errorf("history lacks the new version: %s", clip(txt, 300))
			}
			checkAxe(t, ctx, "item page with two versions ("+lang+")")

			// A schedule typed wrong, then right.
			chooseFirst(t, ctx, `#when-2`)
			fill(t, ctx, "#release_date", "31-02-2031")
			fill(t, ctx, "#release_time", "09:30")
			click(t, ctx, `[data-testid="publish"]`)
			wantErrorSummary(t, ctx, "a date that does not exist")
			checkAxe(t, ctx, "schedule with errors ("+lang+")")
			fill(t, ctx, "#release_date", "24-12-2030")
			click(t, ctx, `[data-testid="publish"]`)
			wantPath(t, ctx, itemPath)
			status := eval[string](t, ctx, `document.querySelector('[data-testid="item-status"]').innerText`)
			if want := map[string]string{"da": "Planlagt", "en": "Scheduled"}[lang]; !strings.Contains(status, want) ||
				!strings.Contains(status, "24.12.2030 09.30") {
				t.Errorf("status %q, want %s at 24.12.2030 09.30", status, want)
			}
			checkAxe(t, ctx, "scheduled item ("+lang+")")

			// The other item is withdrawn.
			navigate(t, ctx, withLang(env.URL+"/redaktion/materiale/"+strconv.FormatInt(other.ID, 10), lang))
			click(t, ctx, `[data-testid="withdraw"]`)
			status = eval[string](t, ctx, `document.querySelector('[data-testid="item-status"]').innerText`)
			if want := map[string]string{"da": "Trukket tilbage", "en": "Withdrawn"}[lang]; !strings.Contains(status, want) {
				t.Errorf("status %q, want %s", status, want)
			}
			checkAxe(t, ctx, "withdrawn item ("+lang+")")

			// Moving with htmx swaps the table in place.
			navigate(t, ctx, withLang(env.URL+"/redaktion/pakker/"+slug, lang))
			first := eval[string](t, ctx, `document.querySelector('[data-testid="editor-items"] tbody tr a').innerText`)
			if err := clickNoWait(ctx, `[data-testid="editor-items"] tbody tr [data-testid="move-ned"]`); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, `document.querySelector('[data-testid="editor-items"] tbody tr a').innerText !== `+jsString(first), 10*time.Second)
			wantPath(t, ctx, "/redaktion/pakker/"+slug)
			checkAxe(t, ctx, "pack page after a move ("+lang+")")
			for _, p := range problems() {
				if !(p.Kind == "network" && strings.Contains(p.Text, "status of 422")) {
					t.Errorf("the editor's pages reported: %s", p)
				}
			}
		})
	}
}
