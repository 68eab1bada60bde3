package browser_test

import (
	"context"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/support"
)

// TestDeskMergeFlow walks bulk assignment and a merge in both languages, with axe on every
// page: the agent ticks two cases on the queue list and assigns them to themself in one go,
// then merges one into the other and sees the joined timeline on the survivor, while the
// merged case points to it.
func TestDeskMergeFlow(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			tab := newTab(t)
			desktopWindow(t, tab)
			problems := pageProblems(t, tab)
			me := loginAgentInTab(t, tab, env, "merge-"+lang+"@styrelsen.dk", "Mette Merge "+lang)
			open := func(subject, message string) support.Case {
				c, err := env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelWeb,
					System: support.SystemMitID, Category: support.CategoryLostMeans, Subject: subject,
					Name: "Bo Borger", Email: "bo@example.dk", Message: message})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			sur := open("Mistet kodeviser "+lang, "Overlevende besked "+lang)
			dup := open("Kodeviser væk "+lang, "Dublet besked "+lang)

			// Bulk: tick both cases on the list and assign them to me.
			navigate(t, tab, withLang(env.URL+"/medarbejder/sager", lang))
			checkAxe(t, tab, "queue list with bulk controls ("+lang+")")
			for _, c := range []support.Case{sur, dup} {
				chooseFirst(t, tab, `[data-ref="`+c.Ref+`"] input[name="sag"]`)
			}
			setSelect(t, tab, "#bulk_assign", "me")
			click(t, tab, sel("desk-bulk-submit"))
			wantPath(t, tab, "/medarbejder/sager/masse")
			if got := text(t, tab, sel("desk-bulk-changed")); !strings.Contains(got, "2") {
				t.Fatalf("bulk result: %q; the page says %s", got, clip(mainText(t, tab), 400))
			}
			checkAxe(t, tab, "bulk result ("+lang+")")
			for _, c := range []support.Case{sur, dup} {
				if got, _ := env.App.Server.Cases.Get(ctx, c.ID); got.AssigneeID != me {
					t.Errorf("%s is assigned to %d, want me (%d)", c.Ref, got.AssigneeID, me)
				}
			}

			// Merge the duplicate into the other case: the survivor shows both timelines.
			navigate(t, tab, withLang(env.URL+"/medarbejder/sager/"+dup.Ref, lang))
			fill(t, tab, "#merge_into", sur.Ref)
			click(t, tab, sel("desk-merge-submit"))
			wantPath(t, tab, "/medarbejder/sager/"+sur.Ref)
			timeline := text(t, tab, sel("desk-timeline"))
			for _, want := range []string{"Overlevende besked " + lang, "Dublet besked " + lang, dup.Ref} {
				if !strings.Contains(timeline, want) {
					t.Errorf("the survivor's timeline lacks %q: %s", want, clip(timeline, 400))
				}
			}
			if !has(t, tab, sel("notice")) || !has(t, tab, sel("desk-merged-from")) {
				t.Error("no notice or list of merged cases on the survivor")
			}
			checkAxe(t, tab, "survivor after the merge ("+lang+")")

			// The merged case points to the survivor.
			navigate(t, tab, withLang(env.URL+"/medarbejder/sager/"+dup.Ref, lang))
			if got := text(t, tab, sel("desk-merged-into-link")); got != sur.Ref {
				t.Errorf("the merged case points to %q, want %s", got, sur.Ref)
			}
			checkAxe(t, tab, "merged case ("+lang+")")
			deskProblems(t, problems())
		})
	}
}
