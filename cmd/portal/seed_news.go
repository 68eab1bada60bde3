package main

import (
	"context"
	"fmt"

	"mitidportal/app"
	"mitidportal/campaign/newsletter"
)

// demoNewsSubscribers are the demo's newsletter subscribers: one in each language.
var demoNewsSubscribers = [][2]string{{"nyhedsbrev.dansk@demo.mitid.example", "da"}, {"newsletter.english@demo.mitid.example", "en"}}

// demoNewsSent is the demo's issue that has gone out; demoNewsDraft waits for an editor.
var (
	demoNewsSent = newsletter.Text{
		SubjectDA: "Alle med NemID skal have MitID – sådan kommer du i gang",
		BodyDA: `NemID bliver afløst af MitID. Alle, der i dag bruger NemID, skal skifte – og det er nemmere, end mange tror.

## To veje til MitID

- **På eget initiativ:** Du kan skifte nu gennem din netbank eller på [MitID.dk](https://www.mitid.dk).
- **Når din bank vælger dig:** Ved et log-in i netbanken kan du blive bedt om at skifte. Så har du 30 dage til at gøre det færdigt, og fristen kan forlænges, hvis du har brug for det.

## Vælg det, der passer dig

MitID findes som app, kodeviser, kodeoplæser og chip. Appen er den nemmeste for de fleste. Har du ikke en smartphone, kan du bruge en kodeviser eller en kodeoplæser, og til de tre enheder hører en adgangskode.

## Hjælp en, du kender

Kender du en, der har svært ved det digitale – et barn, en ældre eller en, der har det svært – så vis dem guiderne på MitID.dk. Vi har lavet tre guides samlet ét sted.`,
		SubjectEN: "Everyone with NemID must have MitID – how to get started",
		BodyEN: `NemID is being replaced by MitID. Everyone who uses NemID today must switch – and it is easier than many think.

## Two ways to MitID

- **On your own initiative:** You can switch now through your online bank or at [MitID.dk](https://www.mitid.dk).
- **When your bank selects you:** When you log in to your online bank, you may be asked to switch. You then have 30 days to finish, and the deadline can be extended if you need more time.

## Choose what suits you

MitID comes as an app, a code display, a code reader and a chip. The app is the easiest for most people. Without a smartphone you can use a code display or a code reader, together with a password.

## Help someone you know

If you know someone who finds digital things hard – a child, an older person or someone going through a difficult time – show them the guides at MitID.dk. We have gathered three guides in one place.`,
	}
	demoNewsDraft = newsletter.Text{
		SubjectDA: "Nyt materiale til foreninger, biblioteker og borgerservice",
		BodyDA: `Kommunikationspakken til private har fået nyt materiale: en flyer, en plakat og spørgsmål og svar, som I frit kan bruge, når I hjælper borgere over på MitID.

Find det hele på portalens side Kommunikation. Er jeres organisation med i interessentforummet, kan I også give feedback på materialet, før det bliver udgivet.`,
		SubjectEN: "New material for associations, libraries and citizen service",
		BodyEN: `The communication pack for private users has new material: a flyer, a poster and questions and answers that you are free to use when you help citizens move to MitID.

Find it all on the portal's Communication page. If your organisation is part of the stakeholder forum, you can also give feedback on the material before it is published.`,
	}
)

// seedNews adds the demo's newsletter: two confirmed subscribers, an issue sent to them (in the
// demo mailbox with its unsubscribe link) and a draft, written and sent as the demo campaign
// editor through the newsletter domain, so every step is audited. A second run adds nothing.
func seedNews(ctx context.Context, env *environment, a *app.App, editorID int64) error {
	for _, s := range demoNewsSubscribers {
		if _, err := a.Newsletter.AddConfirmed(ctx, s[0], s[1]); err != nil {
			return fmt.Errorf("demo newsletter subscriber: %w", err)
		}
	}
	issues, err := a.Newsletter.Issues(ctx)
	if err != nil {
		return err
	}
	if len(issues) == 0 {
		sent, err := a.Newsletter.Create(ctx, editorID, demoNewsSent)
		if err != nil {
			return fmt.Errorf("demo newsletter: %w", err)
		}
		if err := a.Newsletter.Send(ctx, editorID, sent.ID); err != nil {
			return fmt.Errorf("demo newsletter: %w", err)
		}
		if _, err := a.SendNewsletter(ctx); err != nil {
			return fmt.Errorf("demo newsletter: %w", err)
		}
		if _, err := a.Newsletter.Create(ctx, editorID, demoNewsDraft); err != nil {
			return fmt.Errorf("demo newsletter draft: %w", err)
		}
	}
	fmt.Fprintf(env.stdout, "Demo newsletter: /nyhedsbrev; %d subscribers (%s, %s), one issue sent and one draft at /redaktion/nyhedsbreve.\n",
		len(demoNewsSubscribers), demoNewsSubscribers[0][0], demoNewsSubscribers[1][0])
	return nil
}
