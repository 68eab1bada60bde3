package app

import (
	"context"
	"fmt"

	"mitidportal/campaign/sitedata"
)

// SeedSiteData fills the campaign site's questions and answers, brokers, timeline and the
// brokers page's introduction, as editor would through the editors' pages (audited). It adds
// nothing when any category exists, so a second seed changes nothing. The timeline is placed
// relative to the store's clock: the seed's plan, not its 2021 dates.
func SeedSiteData(ctx context.Context, s *sitedata.Store, editor int64) (bool, error) {
	cats, err := s.Categories(ctx)
	if err != nil || len(cats) > 0 {
		return false, err
	}
	for _, sc := range seedQA {
		ct, err := s.SaveCategory(ctx, editor, sitedata.Category{NameDA: sc.da, NameEN: sc.en})
		if err != nil {
			return false, fmt.Errorf("seed category %s: %w", sc.da, err)
		}
		for _, q := range sc.entries {
			e, err := s.SaveEntry(ctx, editor, sitedata.Entry{CategoryID: ct.ID, QuestionDA: q[0], AnswerDA: q[1],
				QuestionEN: q[2], AnswerEN: q[3]})
			if err != nil {
				return false, fmt.Errorf("seed question %q: %w", q[0], err)
			}
			if err := s.SetPublished(ctx, editor, e.ID, true); err != nil {
				return false, err
			}
		}
	}
	for _, b := range seedBrokers {
		b.Certified = true
		if _, err := s.SaveBroker(ctx, editor, b); err != nil {
			return false, fmt.Errorf("seed broker %s: %w", b.Name, err)
		}
	}
	if err := s.SaveText(ctx, editor, sitedata.Text{Name: sitedata.TextBrokersIntro, BodyDA: brokersIntroDA, BodyEN: brokersIntroEN}); err != nil {
		return false, err
	}
	now := sitedata.MonthOf(s.Now())
	for _, a := range seedTimeline {
		_, err := s.SaveActivity(ctx, editor, sitedata.Activity{TitleDA: a.da, TitleEN: a.en, Audience: a.audience,
			Start: now.AddMonths(a.from), End: now.AddMonths(a.to)})
		if err != nil {
			return false, fmt.Errorf("seed activity %s: %w", a.da, err)
		}
	}
	return true, nil
}

// seedTimeline is the seed's plan for the stakeholder forum and the campaign: first private
// users, then businesses, months counted from the seed day.
var seedTimeline = []struct {
	da, en   string
	audience sitedata.Audience
	from, to int
}{
	{"Møde i interessentforum: feedback på materiale", "Stakeholder forum meeting: feedback on material", sitedata.AudiencePrivate, 1, 1},
	{"Tilgængelighedstest af materialet (dato ikke endelig)", "Accessibility test of the material (date not final)", sitedata.AudienceAll, 1, 1},
	{"Møde i interessentforum: feedback på materiale", "Stakeholder forum meeting: feedback on material", sitedata.AudiencePrivate, 3, 3},
	{"Møde: præsentation af kampagnen", "Meeting: presentation of the campaign", sitedata.AudiencePrivate, 4, 4},
	{"Distribution af understøttende materiale", "Distribution of supporting material", sitedata.AudiencePrivate, 4, 6},
	{"Pressesamarbejder", "Press cooperation", sitedata.AudienceAll, 5, 7},
	{"Distribution af kampagneelementer", "Distribution of campaign elements", sitedata.AudiencePrivate, 7, 7},
	{"Møde i interessentforum: feedback på materiale", "Stakeholder forum meeting: feedback on material", sitedata.AudienceBusiness, 8, 8},
	{"Distribution af understøttende materiale", "Distribution of supporting material", sitedata.AudienceBusiness, 8, 8},
	{"Møde: præsentation af kampagnen", "Meeting: presentation of the campaign", sitedata.AudienceBusiness, 10, 10},
	{"Distribution af kampagneelementer", "Distribution of campaign elements", sitedata.AudienceBusiness, 12, 12},
}

// seedBrokers are the brokers the seed names as certified.
var seedBrokers = []sitedata.Broker{
	{Name: "Criipto", URL: "https://criipto.com",
		DescriptionDA: "Certificeret MitID-broker, der tilbyder login og underskrift til tjenesteudbydere.",
		DescriptionEN: "Certified MitID broker offering login and signing to service providers."},
	{Name: "Signicat", URL: "https://signicat.com",
		DescriptionDA: "Certificeret MitID-broker med løsninger til digital identitet og underskrift.",
		DescriptionEN: "Certified MitID broker with solutions for digital identity and signing."},
	{Name: "Signaturgruppen", URL: "https://signaturgruppen.dk",
		DescriptionDA: "Certificeret MitID-broker, der tilslutter tjenesteudbydere til MitID.",
		DescriptionEN: "Certified MitID broker connecting service providers to MitID."},
}

const brokersIntroDA = `Alle tjenesteudbydere, der i dag lader private brugere logge ind med NemID, skal have MitID for fortsat at kunne identificere deres brugere.

En tjenesteudbyder kobler sig ikke direkte på MitID. Adgangen går gennem en **broker**, som tjenesteudbyderen selv vælger:

- Brokeren gør det lettere at bruge MitID, for eksempel med færdige løsninger til login og underskrift.
- Brokeren varetager vedligeholdelsen op imod MitID-kernen, så tjenesteudbyderen ikke selv skal følge hver ændring.
- En broker skal overholde MitID's regelsæt og gennemgå en formel certificering. Det er et åbent marked, og nye brokere kan komme til.

Prisen for at blive tilsluttet fastsættes af den enkelte broker. Herunder står de brokere, der er certificerede nu.`

const brokersIntroEN = `Every service provider that lets private users log in with NemID today must have MitID to keep identifying its users.

A service provider does not connect to MitID directly. Access goes through a **broker** that the service provider chooses itself:

- The broker makes MitID easier to use, for example with ready-made solutions for login and signing.
- The broker maintains the connection to the MitID core, so the service provider does not have to follow every change itself.
- A broker must follow the MitID rules and pass a formal certification. It is an open market, and new brokers may join.

Each broker sets its own price for connecting. The brokers certified now are listed below.`
