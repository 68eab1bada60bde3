package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"mitidportal/app"
	"mitidportal/campaign"
	"mitidportal/campaign/demofiles"
	"mitidportal/campaign/forum"
)

// seedForum gives the demo's stakeholder forum what the seed's December meeting describes: a
// held meeting with its agenda, presentation and minutes (small generated PDFs), a planned
// meeting with sign-up open, the plan's activities counted in months from now (the seed's
// 2021 plan moved to today), the seed's input questions, and the demo organisation's answer to
// one. It goes through package forum as the demo editor, so every change is audited; a second
// run finds meetings, activities and questions again by their Danish text and adds nothing.
func seedForum(ctx context.Context, env *environment, a *app.App, editor int64, org campaign.Organisation, now time.Time) error {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return err
	}
	everything := forum.Viewer{Editor: true}
	meetings, err := a.Forum.Meetings(ctx, everything, false)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, m := range meetings {
		have[m.TitleDA] = true
	}
	day := func(days, hour int) time.Time {
		d := now.In(loc).AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
	}
	held := forum.NewMeeting{TitleDA: "Møde i Interessentforum – status, kampagne og plan",
		TitleEN: "Stakeholder forum meeting – status, campaign and plan", Audience: forum.ForAll,
		Starts: day(-30, 13), Ends: day(-30, 15), Place: "Digitaliseringsstyrelsen, Landgreven 4, 1301 København K",
		VideoURL: "https://video.example.dk/interessentforum", AgendaDA: heldAgendaDA, AgendaEN: heldAgendaEN,
		Capacity: 60, SignupDeadline: day(-33, 12)}
	planned := forum.NewMeeting{TitleDA: "Møde (privat) – feedback på materialer",
		TitleEN: "Meeting (private) – feedback on material", Audience: forum.ForPrivate,
		Starts: day(21, 10), Ends: day(21, 12), VideoURL: "https://video.example.dk/interessentforum-privat",
		AgendaDA: plannedAgendaDA, AgendaEN: plannedAgendaEN, Capacity: 40, SignupDeadline: day(14, 12)}
	if !have[held.TitleDA] {
		m, err := a.Forum.CreateMeeting(ctx, editor, held)
		if err != nil {
			return fmt.Errorf("held meeting: %w", err)
		}
		if err := a.Forum.SetStatus(ctx, editor, m.ID, forum.Held); err != nil {
			return err
		}
		if a.Forum.Store() != nil {
			for _, f := range []struct {
				kind forum.FileKind
				file demofiles.File
			}{{forum.Presentation, forumPresentation}, {forum.Minutes, forumMinutes}} {
				body, err := f.file.Render("da")
				if err != nil {
					return err
				}
				if _, err := a.Forum.AddFile(ctx, editor, m.ID, f.kind, f.file.Filename("da"), bytes.NewReader(body)); err != nil {
					return fmt.Errorf("forum file %s: %w", f.file.Name, err)
				}
			}
		}
	}
	if !have[planned.TitleDA] {
		if _, err := a.Forum.CreateMeeting(ctx, editor, planned); err != nil {
			return fmt.Errorf("planned meeting: %w", err)
		}
	}
	acts, err := a.Forum.Activities(ctx, everything, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	haveAct := map[string]bool{}
	for _, ac := range acts {
		haveAct[ac.TitleDA] = true
	}
	month := forum.Month(now.In(loc))
	for _, pa := range forumPlan {
		if haveAct[pa.da] {
			continue
		}
		if _, err := a.Forum.CreateActivity(ctx, editor, forum.Activity{TitleDA: pa.da, TitleEN: pa.en,
			FirstMonth: month.AddDate(0, pa.first, 0), LastMonth: month.AddDate(0, pa.last, 0)}); err != nil {
			return fmt.Errorf("plan activity %q: %w", pa.da, err)
		}
	}
	questions, err := a.Forum.Questions(ctx, everything, false)
	if err != nil {
		return err
	}
	haveQ := map[string]int64{}
	for _, q := range questions {
		haveQ[q.TextDA] = q.ID
	}
	for _, q := range forumQuestions {
		if _, ok := haveQ[q[0]]; ok {
			continue
		}
		made, err := a.Forum.CreateQuestion(ctx, editor, q[0], q[1], nil)
		if err != nil {
			return fmt.Errorf("input question: %w", err)
		}
		haveQ[q[0]] = made.ID
	}
	// The demo organisation's member answers the first question, as on the question's page.
	member, _, err := demoCitizen(ctx, a, demoOrgMember)
	if err != nil {
		return err
	}
	v, err := a.Forum.ViewerOf(ctx, member, false)
	if err != nil {
		return err
	}
	mine, err := a.Forum.AnswersOf(ctx, v, haveQ[forumQuestions[0][0]])
	if err != nil {
		return err
	}
	if _, ok := mine[org.ID]; !ok {
		if err := a.Forum.SaveAnswer(ctx, v, haveQ[forumQuestions[0][0]], org.ID, demoAnswer); err != nil {
			return fmt.Errorf("demo answer: %w", err)
		}
	}
	fmt.Fprintln(env.stdout, "Demo forum: a held meeting with presentation and minutes, a planned one open for sign-up,")
	fmt.Fprintf(env.stdout, "  the plan's activities from this month and three input questions (%s has answered one).\n", org.Name)
	return nil
}

// forumPlan is the seed's "Plan for Interessentforum", in months from now.
var forumPlan = []struct {
	da, en      string
	first, last int
}{
	{"Tilgængelighedstest (dato ikke endelig)", "Accessibility test (date not final)", 1, 1},
	{"Møde – præsentation af kampagne (dato følger)", "Meeting – presentation of the campaign (date to follow)", 4, 4},
	{"Distribution – understøttende materiale (privat)", "Distribution – supporting material (private)", 4, 6},
	{"Pressesamarbejder", "Press partnerships", 5, 7},
	{"Distribution – kampagneelementer (privat)", "Distribution – campaign elements (private)", 7, 7},
	{"Møde (erhverv) – feedback på materialer (dato følger)", "Meeting (business) – feedback on material (date to follow)", 8, 8},
	{"Distribution – understøttende materiale (erhverv)", "Distribution – supporting material (business)", 8, 8},
	{"Møde (erhverv) – præsentation af kampagne (dato følger)", "Meeting (business) – presentation of the campaign (date to follow)", 10, 10},
	{"Distribution – kampagneelementer (erhverv)", "Distribution – campaign elements (business)", 11, 11},
}

// forumQuestions are the seed's input questions in Danish and English.
var forumQuestions = [][2]string{
	{"Hvad er jeres største udfordringer i relation til jeres medlemmer/brugere i forhold til MitID og MitID Erhverv?",
		"What are your biggest challenges with your members/users when it comes to MitID and MitID Erhverv?"},
	{"Hvordan kan vi understøtte jeres dialog/interaktion med jeres medlemmer/brugere bedst muligt i forhold til MitID og MitID Erhverv?",
		"How can we best support your dialogue/interaction with your members/users about MitID and MitID Erhverv?"},
	{"Mangler der noget på planen?", "Is anything missing from the plan?"},
}

const demoAnswer = "Mange af vores ældre medlemmer er usikre på, hvornår de skal skifte fra NemID, og hvad de skal gøre, hvis de ikke har en smartphone. " +
	"Vi får også spørgsmål om, hvordan pårørende kan hjælpe uden at overtage login. Korte trin-for-trin-guides på papir og et telefonnummer, vi kan henvise til, vil hjælpe os mest."

const heldAgendaDA = `1. Præsentation, praktik og dagsorden
2. Status og overordnede milepæle
3. Opmærksomhedspunkter og nye tiltag
4. Kampagne og kommunikation
5. Plan for interessentforum
6. Tak for i dag

Vi sender jer mødets præsentation og lægger den desuden her på siden.`

const heldAgendaEN = `1. Introduction, practical matters and agenda
2. Status and main milestones
3. Points of attention and new initiatives
4. Campaign and communication
5. Plan for the stakeholder forum
6. Thank you for today

We send you the meeting's presentation and also put it on this page.`

const plannedAgendaDA = `1. Velkomst
2. Gennemgang af udkast til materialer til private målgrupper
3. Jeres feedback: hvad virker, hvad mangler?
4. Næste skridt`

const plannedAgendaEN = `1. Welcome
2. Walk-through of draft material for private audiences
3. Your feedback: what works, what is missing?
4. Next steps`

var forumPresentation = demofiles.File{Name: "interessentforum-praesentation", Kind: campaign.ItemGuidelines,
	Audience: campaign.ForPartners, Layout: demofiles.LayoutGuide, Text: map[string]demofiles.Text{
		"da": {Title: "Møde i Interessentforum", Lead: "MitID – af partnerskabet mellem Digitaliseringsstyrelsen og de danske pengeinstitutter.",
			Sections: []demofiles.Section{
				{Heading: "Mødets indhold", Bullets: []string{"Præsentation, praktik og agenda", "Status og overordnede milepæle",
					"Opmærksomhedspunkter og nye tiltag", "Kampagne og kommunikation", "Plan for Interessentforum"}},
				{Heading: "Kampagne og kommunikation", Paras: []string{"Kampagnen \"Alle med NemID skal have MitID\" forklarer hvorfor og hvad, og hvordan man får MitID: på eget initiativ i banken eller på MitID.dk, eller når man udvælges ved login i banken."}},
				{Heading: "Input", Steps: []string{"Hvad er jeres største udfordringer?", "Hvordan kan vi understøtte jeres dialog med medlemmerne?", "Mangler der noget på planen?"}},
			}, Call: "Tak for i dag"},
		"en": {Title: "Stakeholder forum meeting", Lead: "MitID – by the partnership of the Danish Agency for Digital Government and the Danish banks.",
			Sections: []demofiles.Section{{Heading: "Agenda", Bullets: []string{"Status and milestones", "Campaign and communication", "Plan for the forum"}}},
			Call:     "Thank you for today"},
	}}

var forumMinutes = demofiles.File{Name: "interessentforum-referat", Kind: campaign.ItemGuidelines,
	Audience: campaign.ForPartners, Layout: demofiles.LayoutGuide, Text: map[string]demofiles.Text{
		"da": {Title: "Referat: Møde i Interessentforum", Lead: "Referat af forummets møde om status, kampagne og plan.",
			Sections: []demofiles.Section{
				{Heading: "Status", Paras: []string{"Partnerskabet gennemgik status og de overordnede milepæle for MitID og NemLog-in."}},
				{Heading: "Kampagne", Paras: []string{"Materialerne til private og erhverv blev præsenteret. Forummets medlemmer giver feedback på udkast i de kommende feedbackrunder."}},
				{Heading: "Aftaler", Bullets: []string{"Præsentationen lægges på forummets side.", "Inputspørgsmålene besvares på forummets side, ét svar pr. organisation.", "Næste møde: feedback på materialer til private målgrupper."}},
			}, Call: "Spørgsmål til referatet kan sendes til sekretariatet."},
		"en": {Title: "Minutes: stakeholder forum meeting", Lead: "Minutes of the forum's meeting on status, campaign and plan.",
			Sections: []demofiles.Section{{Heading: "Agreements", Bullets: []string{"The presentation is put on the forum's page.", "Input questions are answered on the forum's page, one answer per organisation."}}},
			Call:     "Questions about the minutes can be sent to the secretariat."},
	}}
