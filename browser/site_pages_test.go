package browser_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/campaign/site"
)

// TestCampaignPageStory (issue 11, "Done when"): a campaign editor enrolled with a virtual
// security key uploads an image, writes a page in both languages (an empty title first shows
// the error summary), previews it and schedules it for tomorrow 09:00; a visitor gets 404; the
// clock moves past the time; the visitor finds the page in the site's menu and reads it with
// its image. Each language on its own portal (each moves its clock), axe on every page.
func TestCampaignPageStory(t *testing.T) {
	t.Parallel()
	img, err := os.ReadFile(filepath.Join("..", "campaign", "site", "content", "images", "de-fire-midler.png"))
	if err != nil {
		t.Fatal(err)
	}
	imgPath := filepath.Join(t.TempDir(), "midler.png")
	if err := os.WriteFile(imgPath, img, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			clock := &apptest.Clock{}
			env := apptest.New(t, apptest.Options{Clock: clock})
			ctx := context.Background()
			editor, token, err := env.App.Server.Staff.Create(ctx, "sider-"+lang+"@styrelsen.dk", "Sif Redaktør", []string{"campaign_editor"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := site.Seed(ctx, env.App.Pages, editor.ID, clock.Now()); err != nil {
				t.Fatal(err)
			}

			e := storyTab(t)
			desktopWindow(t, e)
			problems := pageProblems(t, e)
			addSecurityKey(t, e)
			enrolStaffInBrowser(t, e, env.URL+"/medarbejder/tilmeld/"+token, lang, "campaign editor")
			navigate(t, e, withLang(env.URL+"/redaktion/sider", lang))
			checkAxe(t, e, "/redaktion/sider ("+lang+")")
			slug := "nyt-om-mitid-" + lang
			fill(t, e, "#page_slug", slug)
			setSelect(t, e, "#page_kind", "article")
			fill(t, e, "#page_position", "40")
			click(t, e, sel("site-create"))
			pagePath := "/redaktion/sider/" + slug
			wantPath(t, e, pagePath)
			checkAxe(t, e, pagePath+" ("+lang+")")

			// An image first, so its Markdown can go into the text.
			alt := map[string]string{"da": "De fire MitID-midler", "en": "The four MitID means"}[lang]
			fill(t, e, "#alt", alt)
			do(t, e, chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{imgPath}))
			click(t, e, sel("site-image-upload"))
			wantPath(t, e, pagePath)
			snippet := text(t, e, sel("image-markdown"))
			if !strings.HasPrefix(snippet, "!["+alt+"](/kampagne/billede/") {
				t.Fatalf("the image's Markdown is %q", snippet)
			}
			checkAxe(t, e, pagePath+" with an image ("+lang+")")

			titles := map[string]string{"da": "Nyt om MitID", "en": "News about MitID"}
			for _, l := range []string{"da", "en"} {
				click(t, e, sel("edit-"+l))
				wantPath(t, e, pagePath+"/tekst/"+l)
				if l == lang {
					click(t, e, sel("site-save"))
					wantErrorSummary(t, e, "a text without a title")
					checkAxe(t, e, pagePath+"/tekst/"+l+" with errors ("+lang+")")
				}
				fill(t, e, "#page_title", titles[l])
				setText(t, e, "#page_summary", map[string]string{"da": "Det nyeste om skiftet.", "en": "The latest on the change."}[l])
				setText(t, e, "#page_body", "## "+titles[l]+"\n\n"+snippet+"\n\n- MitID\n- NemID")
				click(t, e, sel("site-save"))
				wantPath(t, e, pagePath)
			}
			click(t, e, sel("preview-link"))
			if !has(t, e, sel("preview-da")+" img") || !strings.Contains(mainText(t, e), titles["en"]) {
				t.Errorf("the preview lacks a language or the image: %s", clip(mainText(t, e), 300))
			}
			checkAxe(t, e, pagePath+"/forhaandsvisning ("+lang+")")

			// Scheduled for tomorrow 09:00, Danish time.
			navigate(t, e, withLang(env.URL+pagePath, lang))
			loc, _ := time.LoadLocation("Europe/Copenhagen")
			tomorrow := clock.Now().In(loc).AddDate(0, 0, 1)
			chooseFirst(t, e, `input[name="when"][value="later"]`)
			fill(t, e, "#release_date", tomorrow.Format("02-01-2006"))
			fill(t, e, "#release_time", "09:00")
			click(t, e, sel("site-publish"))
			if !has(t, e, sel("notice")) || !strings.Contains(text(t, e, sel("site-statuses")), "09.00") {
				t.Fatalf("after scheduling: %s", clip(mainText(t, e), 400))
			}
			checkAxe(t, e, pagePath+" scheduled ("+lang+")")
			for _, p := range problems() {
				if p.Kind == "network" && strings.Contains(p.Text, "status of 422") &&
					(strings.Contains(p.URL, "/medarbejder/tilmeld") || strings.Contains(p.URL, "/tekst/")) {
					continue // the refused forms posted on purpose
				}
				t.Errorf("the editor's pages reported: %s", p)
			}

			// A visitor: 404 before the time, the page in the menu after it.
			v := newTab(t)
			vProblems := pageProblems(t, v)
			if res := navigate(t, v, withLang(env.URL+"/kampagne/"+slug, lang)); res == nil || res.Status != http.StatusNotFound {
				t.Fatalf("a scheduled page for a visitor: %v", res)
			}
			checkAxe(t, v, "/kampagne/"+slug+" 404 ("+lang+")")
			release := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 9, 0, 0, 0, loc)
			clock.Advance(release.Sub(clock.Now()) + time.Minute)
			navigate(t, v, withLang(env.URL+"/kampagne", lang))
			checkAxe(t, v, "/kampagne ("+lang+")")
			click(t, v, sel("site-menu")+` a[href="/kampagne/`+slug+`"]`)
			wantPath(t, v, "/kampagne/"+slug)
			if got := text(t, v, sel("site-title")); got != titles[lang] {
				t.Errorf("the visitor reads %q, want %q", got, titles[lang])
			}
			waitFor(t, v, `(i => i && i.complete && i.naturalWidth > 0)(document.querySelector('[data-testid="site-body"] img'))`, 10*time.Second)
			if got := eval[string](t, v, `document.querySelector('[data-testid="site-body"] img').alt`); got != alt {
				t.Errorf("the image's alt text is %q", got)
			}
			checkAxe(t, v, "/kampagne/"+slug+" ("+lang+")")
			for _, p := range vProblems() {
				if p.Kind == "network" && strings.Contains(p.Text, "404") && strings.Contains(p.URL, "/kampagne/"+slug) {
					continue // the 404 asked for above
				}
				t.Errorf("the visitor's pages reported: %s", p)
			}
		})
	}
}
