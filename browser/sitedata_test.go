package browser_test

import (
	"context"
	"strings"
	"testing"

	"mitidportal/app"
	"mitidportal/app/apptest"
)

// TestSiteDataStory: a visitor without JavaScript searches the questions and answers in their
// language (Danish stemming: "spærre" finds "spærring"), filters by a topic through its link,
// and follows the links to the page for service providers and the timeline; a campaign editor
// adds a question (an empty form first shows the error summary), publishes it, and the visitor
// finds it. Both languages side by side, axe on every page.
func TestSiteDataStory(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	seeder, _, err := env.App.Server.Staff.Create(context.Background(), "seed-redaktoer@styrelsen.dk", "Sofie Seed", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.SeedSiteData(context.Background(), env.App.SiteData, seeder.ID); err != nil {
		t.Fatal(err)
	}
	words := map[string]struct{ search, found, topic, topicQ, newQ, newA string }{
		"da": {"spærre", "Hvordan ophæver jeg en spærring?", "MitID-appen", "Jeg har fået en ny telefon. Hvad gør jeg?",
			"Kan jeg låne en kodeviser i borgerservice?", "Nej, men du kan bestille en der."},
		"en": {"blocking", "How do I lift a block?", "The MitID app", "I have a new phone. What do I do?",
			"Can I borrow a code display at borgerservice?", "No, but you can order one there."},
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			w := words[lang]
			// Story tabs: the machine the suite runs on is shared, and this walk is long.
			visitor := storyTab(t)
			pageScripts(t, visitor, false)
			vProblems := pageProblems(t, visitor)
			navigate(t, visitor, withLang(env.URL+"/kampagne/spoergsmaal", lang))
			wantNoScript(t, visitor)
			axeWithoutScripts(t, visitor, "questions ("+lang+")")
			fill(t, visitor, "#q", w.search)
			click(t, visitor, `[data-testid="qa-search-button"]`)
			if text := mainText(t, visitor); !strings.Contains(text, w.found) || strings.Contains(text, w.topicQ) {
				t.Fatalf("searching %q: %s", w.search, clip(text, 400))
			}
			axeWithoutScripts(t, visitor, "questions searched ("+lang+")")
			// The topic's link keeps the search; "All topics" with the search cleared shows the topic alone.
			navigate(t, visitor, withLang(env.URL+"/kampagne/spoergsmaal", lang))
			click(t, visitor, `[data-testid="qa-filters"] li:nth-child(3) a`)
			if text := mainText(t, visitor); !strings.Contains(text, w.topicQ) || strings.Contains(text, w.found) {
				t.Fatalf("the topic %s: %s", w.topic, clip(text, 400))
			}
			axeWithoutScripts(t, visitor, "questions of a topic ("+lang+")")
			click(t, visitor, `[data-testid="sitedata-links"] a[href="/kampagne/tjenesteudbydere"]`)
			if text := mainText(t, visitor); !strings.Contains(text, "Criipto") || !strings.Contains(text, "signaturgruppen.dk") {
				t.Fatalf("service providers: %s", clip(text, 400))
			}
			axeWithoutScripts(t, visitor, "service providers ("+lang+")")
			click(t, visitor, `[data-testid="sitedata-links"] a[href="/kampagne/tidsplan"]`)
			if !has(t, visitor, `[data-testid="timeline-grid"] tbody th[scope="row"]`) {
				t.Fatalf("the timeline has no grid: %s", clip(mainText(t, visitor), 400))
			}
			axeWithoutScripts(t, visitor, "timeline ("+lang+")")

			editor := storyTab(t)
			desktopWindow(t, editor)
			eProblems := pageProblems(t, editor)
			loginStaffInTab(t, editor, env, "redaktoer-"+lang+"@styrelsen.dk", "Rasmus Redaktør "+lang, "campaign_editor")
			for _, p := range []string{"/redaktion/brokere", "/redaktion/tidsplan", "/redaktion/spoergsmaal"} {
				navigate(t, editor, withLang(env.URL+p, lang))
				checkAxe(t, editor, p+" ("+lang+")")
			}
			click(t, editor, `[data-testid="qa-new"]`)
			checkAxe(t, editor, "new question ("+lang+")")
			click(t, editor, `[data-testid="qa-save"]`)
			wantErrorSummary(t, editor, "an empty question")
			checkAxe(t, editor, "new question with errors ("+lang+")")
			setSelect(t, editor, "#qa_category", eval[string](t, editor, `document.querySelector('#qa_category option:nth-child(3)').value`))
			fill(t, editor, "#qa_question_da", words["da"].newQ)
			setText(t, editor, "#qa_answer_da", words["da"].newA)
			fill(t, editor, "#qa_question_en", words["en"].newQ)
			setText(t, editor, "#qa_answer_en", words["en"].newA)
			click(t, editor, `[data-testid="qa-save"]`)
			entry := currentPath(t, editor)
			if !strings.HasPrefix(entry, "/redaktion/spoergsmaal/") {
				t.Fatalf("after saving: %s: %s", entry, clip(mainText(t, editor), 300))
			}
			checkAxe(t, editor, "saved question ("+lang+")")
			navigate(t, editor, withLang(env.URL+"/redaktion/spoergsmaal", lang))
			click(t, editor, `[data-testid="qa-row-`+strings.TrimPrefix(entry, "/redaktion/spoergsmaal/")+`"] [data-testid="qa-publish"]`)
			if !has(t, editor, `[data-testid="notice"]`) {
				t.Fatalf("no notice after publishing: %s", clip(mainText(t, editor), 300))
			}
			checkAxe(t, editor, "published ("+lang+")")

			navigate(t, visitor, withLang(env.URL+"/kampagne/spoergsmaal", lang))
			if !strings.Contains(mainText(t, visitor), w.newQ) {
				t.Errorf("the published question is not shown to visitors")
			}
			for _, p := range append(vProblems(), eProblems()...) {
				// The empty form's 422 is the answer the story asks for.
				if p.Kind == "network" && strings.Contains(p.Text, "status of 422") && strings.Contains(p.URL, "/redaktion/spoergsmaal/ny") {
					continue
				}
				t.Errorf("the pages reported: %s", p)
			}
		})
	}
}
