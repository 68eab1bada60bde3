package browser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/support"
)

// TestCannedReplySharedAndPicked: a supervisor writes a shared reply (an empty form first shows
// the error summary); an agent picks it on a case in the case's language and finds the
// citizen's name and the reference filled in. Both languages, axe on every page.
func TestCannedReplySharedAndPicked(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			sup := newTab(t)
			desktopWindow(t, sup)
			supProblems := pageProblems(t, sup)
			loginStaffInTab(t, sup, env, "sif-"+lang+"@styrelsen.dk", "Sif Supervisor "+lang, "supervisor")

			navigate(t, sup, withLang(env.URL+"/medarbejder/svar", lang))
			checkAxe(t, sup, "/medarbejder/svar ("+lang+")")
			click(t, sup, `[data-testid="canned-new"]`)
			wantPath(t, sup, "/medarbejder/svar/ny")
			checkAxe(t, sup, "/medarbejder/svar/ny ("+lang+")")
			click(t, sup, `[data-testid="canned-save"]`)
			wantErrorSummary(t, sup, "an empty canned reply")
			checkAxe(t, sup, "/medarbejder/svar/ny with errors ("+lang+")")

			title := map[string]string{"da": "Spærring bekræftet", "en": "Block confirmed"}[lang]
			chooseFirst(t, sup, `input[name="kind"]`) // shared
			fill(t, sup, "#title_da", title+" (da)")
			setText(t, sup, "#body_da", "Hej {{navn}}\nDit MitID er spærret. Sag {{reference}}.")
			fill(t, sup, "#title_en", title)
			setText(t, sup, "#body_en", "Hello {{name}}\nYour MitID is blocked. Case {{ref}}.")
			click(t, sup, `[data-testid="canned-save"]`)
			wantPath(t, sup, "/medarbejder/svar")
			if !has(t, sup, `[data-testid="notice"]`) || !strings.Contains(mainText(t, sup), title) {
				t.Errorf("the new reply is not listed: %s", clip(mainText(t, sup), 300))
			}
			checkAxe(t, sup, "/medarbejder/svar after saving ("+lang+")")
			for _, p := range supProblems() {
				if !(p.Kind == "network" && strings.Contains(p.Text, "status of 422")) {
					t.Errorf("the supervisor's pages reported: %s", p)
				}
			}

			// An agent picks it on a case in the case's language.
			cs, err := env.App.Server.Cases.Open(context.Background(), support.NewCase{Channel: support.ChannelWeb,
				System: support.SystemMitID, Category: support.CategoryIdentityTheft, Subject: "Spærring " + lang,
				Name: "Carla Borger", Email: "carla@example.dk", Lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			tab := newTab(t)
			desktopWindow(t, tab)
			problems := pageProblems(t, tab)
			loginStaffInTab(t, tab, env, "alma-"+lang+"@styrelsen.dk", "Alma Agent "+lang, "agent")
			navigate(t, tab, withLang(env.URL+"/medarbejder/sager/"+cs.Ref, lang))
			label := title
			if lang == "da" {
				label += " (da)"
			}
			value := eval[string](t, tab, `([...document.querySelectorAll('#svar option')].find(o => o.text === '`+label+`') || {value: ''}).value`)
			if value == "" {
				t.Fatalf("the picker does not offer %q", label)
			}
			setSelect(t, tab, "#svar", value)
			want := map[string]string{"da": "Hej Carla Borger\nDit MitID er spærret. Sag " + cs.Ref + ".",
				"en": "Hello Carla Borger\nYour MitID is blocked. Case " + cs.Ref + "."}[lang]
			waitFor(t, tab, `(document.querySelector('#reply_body') || {}).value === `+jsString(want), 10*time.Second)
			checkAxe(t, tab, "case page with the canned reply ("+lang+")")
			for _, p := range problems() {
				t.Errorf("the agent's pages reported: %s", p)
			}
		})
	}
}

// setText types value into the text area matching css, as a person's typing ends up.
func setText(t testing.TB, ctx context.Context, css, value string) {
	t.Helper()
	if !eval[bool](t, ctx, `(a => { if (!a) return false; a.value = `+jsString(value)+`;
		a.dispatchEvent(new Event('input', {bubbles: true})); return true; })(document.querySelector('`+css+`'))`) {
		t.Fatalf("no text area %s", css)
	}
}

// jsString quotes s for a script.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
