package demofiles

import "mitidportal/campaign"

// both is a file's words in Danish and English.
func both(da, en Text) map[string]Text { return map[string]Text{"da": da, "en": en} }

var (
	da     = []string{"da"}
	daEN   = []string{"da", "en"}
	public = campaign.VisiblePublic
)

// securityDA and securityEN are the safety rules every pack repeats in its own words.
var (
	securityDA = Section{Heading: "Brug MitID sikkert", Bullets: []string{
		"Del aldrig dit bruger-ID, din adgangskode eller dine koder med andre - heller ikke med familie.",
		"Godkend kun det, du selv har sat i gang. Læs teksten i appen, før du godkender.",
		"Hverken MitID, banken eller det offentlige ringer og beder dig godkende noget eller oplyse koder.",
		"Er du i tvivl, så afvis. Du kan altid starte forfra.",
		"Tror du, at andre kender dine oplysninger, så spær dit MitID straks på 33 98 00 10 (døgnåbent).",
	}}
	securityEN = Section{Heading: "Using MitID safely", Bullets: []string{
		"Never share your user ID, password or codes with anyone - not even family.",
		"Only approve what you started yourself. Read the text in the app before you approve.",
		"Neither MitID, your bank nor a public authority will call and ask you to approve anything or give a code.",
		"If in doubt, reject. You can always start again.",
		"If you think someone knows your details, block your MitID at once on +45 33 98 00 10 (open 24/7).",
	}}
	meansDA = Section{Heading: "Fire måder at bruge MitID på", Bullets: []string{
		"MitID-appen på din smartphone eller tablet: du godkender med et swipe.",
		"Kodeviser: en lille dims, der viser en kode, som du taster på skærmen.",
		"Kodeoplæser: en kodeviser, der læser koden højt - lavet til dig, der ser dårligt.",
		"MitID-chip: en lille nøgle, du sætter i computeren eller holder op mod telefonen.",
	}}
	meansEN = Section{Heading: "Four ways to use MitID", Bullets: []string{
		"The MitID app on your smartphone or tablet: you approve with a swipe.",
		"Code display: a small device that shows a code you type on the screen.",
		"Audio code reader: a code display that reads the code aloud - made for people with poor sight.",
		"MitID chip: a small key you plug into the computer or hold against your phone.",
	}}
)

func privatePack() Pack {
	return Pack{Slug: "privat", Audience: campaign.AudiencePrivate,
		TitleDA: "Kommunikationspakke - privat", TitleEN: "Communication pack - private",
		SummaryDA: "Til interesseorganisationer, foreninger, skoler, borgerservice og biblioteker: undervisningsmateriale, spørgsmål og svar, filmvejledninger, flyer, materiale til sociale medier og plakat.",
		SummaryEN: "For interest organisations, associations, schools, citizen service centres and libraries: teaching material, questions and answers, film guides, a flyer, social-media material and a poster.",
		Items: []Item{
			{File: teaching, Langs: daEN, Visibility: public},
			{File: privateQA(false), Langs: daEN, Visibility: public, Revision: &Revision{File: privateQA(true),
				Note: map[string]string{
					"da": "Nyt svar om MitID-chippen. Spærrelinjens nummer skrives nu 33 98 00 10, og at den er døgnåben.",
					"en": "New answer about the MitID chip. The blocking line's number is now written +45 33 98 00 10, and it says the line is open 24/7.",
				}}},
			{File: privateFilms, Langs: da, Visibility: public},
			{File: privateFlyer, Langs: daEN, Visibility: public},
			{File: privateSoMe, Langs: daEN, Visibility: public},
			{File: privatePoster, Langs: da, Visibility: public},
			{File: launchSoMe, Langs: da, Visibility: public, Embargo: true},
		},
	}
}

var teaching = File{Name: "mitid-undervisning", Kind: campaign.ItemTeaching, Audience: campaign.ForCitizens,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Undervisningsmateriale: Kom godt i gang med MitID",
		Description: "Et lektionsforløb på 45-60 minutter til foreninger, biblioteker og skoler, med oplæg, øvelser og samtalespørgsmål.",
		Lead:        "MitID er din digitale identitet. Du bruger den til netbank, borger.dk, Digital Post, sundhed.dk og meget andet. Dette materiale hjælper dig med at vise andre, hvordan de kommer i gang - trygt og i deres eget tempo.",
		Sections: []Section{
			{Heading: "Til dig, der underviser", Paras: []string{
				"Forløbet passer til et hold på 5-15 deltagere. Deltagerne skal have deres telefon, NemID eller MitID og pas eller kørekort med. Ingen skal vise deres koder til andre: lad deltagerne selv taste, mens du forklarer.",
			}},
			meansDA,
			{Heading: "Sådan får man MitID", Steps: []string{
				"Hent MitID-appen i App Store eller Google Play.",
				"Følg vejledningen i appen. Har du pas, kan appen læse chippen i passet.",
				"Vælg et bruger-ID og en adgangskode, som kun du kender.",
				"Har du ikke smartphone eller pas, så bestil tid i borgerservice og tag billedlegitimation med.",
			}},
			securityDA,
			{Heading: "Øvelser", Steps: []string{
				"Log ind på borger.dk med MitID og find din Digitale Post.",
				"Tal om forskellen på en ægte besked i appen og et opkald fra en svindler.",
				"Find ud af, hvor du spærrer dit MitID, hvis telefonen bliver væk.",
			}},
		},
		Call: "Hjælp og vejledning: mitid.dk eller MitID-support på 33 98 00 10",
	}, Text{
		Title:       "Teaching material: Getting started with MitID",
		Description: "A 45-60 minute session for associations, libraries and schools, with talking points, exercises and discussion questions.",
		Lead:        "MitID is your digital identity. You use it for online banking, borger.dk, Digital Post, sundhed.dk and much more. This material helps you show others how to get started - safely and at their own pace.",
		Sections: []Section{
			{Heading: "For you who teach", Paras: []string{
				"The session suits a group of 5-15 people. Participants bring their phone, NemID or MitID and passport or driving licence. Nobody should show their codes to others: let participants type themselves while you explain.",
			}},
			meansEN,
			{Heading: "How to get MitID", Steps: []string{
				"Download the MitID app from the App Store or Google Play.",
				"Follow the guide in the app. With a passport, the app can read the chip in it.",
				"Choose a user ID and a password only you know.",
				"Without a smartphone or passport, book a visit to citizen service and bring photo ID.",
			}},
			securityEN,
			{Heading: "Exercises", Steps: []string{
				"Log in to borger.dk with MitID and find your Digital Post.",
				"Talk about the difference between a genuine request in the app and a call from a fraudster.",
				"Find out where to block your MitID if your phone is lost.",
			}},
		},
		Call: "Help and guidance: mitid.dk or MitID support on +45 33 98 00 10",
	})}

// privateQA is the private pack's questions and answers; revised is its second version.
func privateQA(revised bool) File {
	blockDA := "Ring til MitID-support på 33 98 00 10 med det samme. Linjen er åben hele døgnet. Du kan også spærre på mitid.dk."
	blockEN := "Call MitID support on +45 33 98 00 10 at once. The line is open day and night. You can also block at mitid.dk."
	if !revised {
		// The first version writes the number without spaces and does not say the line never closes
		// (the change note says what changed).
		blockDA = "Ring til MitID-support på 33980010 med det samme. Du kan også spærre på mitid.dk."
		blockEN = "Call MitID support on 33980010 at once. You can also block at mitid.dk."
	}
	qaDA := []Section{
		{Heading: "Hvad er MitID?", Paras: []string{"MitID er Danmarks digitale ID. Det har afløst NemID, og du bruger det til at logge på offentlige og private selvbetjeningsløsninger og til at godkende betalinger i netbanken."}},
		{Heading: "Skal jeg betale for MitID?", Paras: []string{"Nej. MitID er gratis for borgere, også kodeviser og kodeoplæser."}},
		{Heading: "Jeg har ikke en smartphone. Kan jeg få MitID?", Paras: []string{"Ja. Du kan bruge en kodeviser eller en kodeoplæser i stedet for appen. Du bestiller den, når du opretter MitID, eller i borgerservice."}},
		{Heading: "Hvad gør jeg, hvis jeg mister min telefon eller kodeviser?", Paras: []string{blockDA}},
		{Heading: "Må andre bruge mit MitID for mig?", Paras: []string{"Nej. Dit MitID er personligt. Vil du have hjælp fra en pårørende, kan de få en fuldmagt på borger.dk, så de kan handle for dig med deres eget MitID."}},
	}
	qaEN := []Section{
		{Heading: "What is MitID?", Paras: []string{"MitID is Denmark's digital ID. It has replaced NemID, and you use it to log in to public and private self-service and to approve payments in your online bank."}},
		{Heading: "Do I have to pay for MitID?", Paras: []string{"No. MitID is free for citizens, including code displays and audio code readers."}},
		{Heading: "I have no smartphone. Can I get MitID?", Paras: []string{"Yes. You can use a code display or an audio code reader instead of the app. You order it when you create your MitID, or at citizen service."}},
		{Heading: "What do I do if I lose my phone or code display?", Paras: []string{blockEN}},
		{Heading: "May others use my MitID for me?", Paras: []string{"No. Your MitID is personal. If you want help from a relative, they can get a power of attorney at borger.dk and act for you with their own MitID."}},
	}
	if revised {
		qaDA = append(qaDA, Section{Heading: "Hvad er MitID-chippen?", Paras: []string{"En lille fysisk nøgle, som du sætter i computeren eller holder mod telefonen i stedet for at taste en kode. Den er et godt valg, hvis du har svært ved at bruge app eller kodeviser."}})
		qaEN = append(qaEN, Section{Heading: "What is the MitID chip?", Paras: []string{"A small physical key you plug into the computer or hold against your phone instead of typing a code. It is a good choice if the app or a code display is hard for you to use."}})
	}
	return File{Name: "mitid-spoergsmaal-og-svar", Kind: campaign.ItemQA, Audience: campaign.ForCitizens,
		Layout: LayoutGuide, Text: both(Text{
			Title:       "Spørgsmål og svar om MitID",
			Description: "De spørgsmål, borgerservice og biblioteker oftest får om MitID, med korte svar til skranken og nyhedsbreve.",
			Lead:        "Brug svarene direkte i jeres nyhedsbrev, på jeres hjemmeside eller ved skranken.",
			Sections:    qaDA,
			Call:        "Flere svar på mitid.dk",
		}, Text{
			Title:       "Questions and answers about MitID",
			Description: "The questions citizen service and libraries hear most about MitID, with short answers for the counter and newsletters.",
			Lead:        "Use the answers as they are in your newsletter, on your website or at the counter.",
			Sections:    qaEN,
			Call:        "More answers at mitid.dk",
		})}
}

var privateFilms = File{Name: "mitid-filmvejledninger", Kind: campaign.ItemFilmGuide, Audience: campaign.ForSeniors,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Filmvejledninger: Sådan bruger I kampagnens film",
		Description: "Oversigt over kampagnens korte film om MitID med forslag til, hvordan I viser dem på møder, skærme og sociale medier.",
		Lead:        "Kampagnens film er korte og har undertekster. Vis dem på infoskærme, i undervisningen eller del dem på jeres sociale medier.",
		Sections: []Section{
			{Heading: "Filmene", Bullets: []string{
				"Kom i gang med MitID-appen (1 min. 30 sek.): fra download til første login.",
				"Kodeviser og kodeoplæser (1 min.): til dig uden smartphone.",
				"Godkend kun det, du selv har sat i gang (45 sek.): om svindel over telefonen.",
				"Hjælp en, du kender (1 min.): sådan hjælper du uden at overtage andres MitID.",
			}},
			{Heading: "Gode råd til visning", Bullets: []string{
				"Sluk lyden på infoskærme: underteksterne bærer budskabet.",
				"Stop filmen efter hvert trin, og lad deltagerne prøve selv.",
				"Link altid til mitid.dk, så seerne kan læse mere.",
			}},
		},
		Call: "Filmene må bruges frit i ikke-kommercielle sammenhænge",
	}, Text{
		Title:       "Film guide: How to use the campaign's films",
		Description: "An overview of the campaign's short films about MitID with suggestions for showing them at meetings, on screens and on social media.",
		Lead:        "The campaign's films are short and subtitled. Show them on information screens, in teaching or share them on your social media.",
		Sections: []Section{
			{Heading: "The films", Bullets: []string{
				"Getting started with the MitID app (1 min 30 s): from download to first login.",
				"Code display and audio code reader (1 min): for people without a smartphone.",
				"Only approve what you started yourself (45 s): about telephone fraud.",
				"Help someone you know (1 min): how to help without taking over someone's MitID.",
			}},
			{Heading: "Tips for showing them", Bullets: []string{
				"Mute information screens: the subtitles carry the message.",
				"Pause after each step and let participants try for themselves.",
				"Always link to mitid.dk so viewers can read more.",
			}},
		},
		Call: "The films may be used freely for non-commercial purposes",
	})}

var privateFlyer = File{Name: "mitid-flyer", Kind: campaign.ItemFlyer, Audience: campaign.ForCitizens,
	Layout: LayoutFlyer, Text: both(Text{
		Title:       "Alle med NemID skal have MitID",
		Description: "En flyer i A4 til opslagstavler, skranker og venteværelser.",
		Lead:        "MitID afløser NemID. Du får adgang til netbank, Digital Post og borger.dk som før - men med en ny og mere sikker løsning.",
		Sections: []Section{
			{Heading: "Sådan gør du", Steps: []string{
				"Hent MitID-appen, eller bestil en kodeviser.",
				"Hav dit NemID og pas eller kørekort ved hånden.",
				"Følg vejledningen - det tager cirka 10 minutter.",
			}},
			{Heading: "Brug for hjælp?", Paras: []string{"Spørg på biblioteket eller i borgerservice, eller ring til MitID-support på 33 98 00 10."}},
		},
		Call: "Læs mere på mitid.dk",
	}, Text{
		Title:       "Everyone with NemID needs MitID",
		Description: "An A4 flyer for notice boards, counters and waiting rooms.",
		Lead:        "MitID replaces NemID. You get to your online bank, Digital Post and borger.dk as before - with a new and safer solution.",
		Sections: []Section{
			{Heading: "What to do", Steps: []string{
				"Download the MitID app, or order a code display.",
				"Have your NemID and passport or driving licence at hand.",
				"Follow the guide - it takes about 10 minutes.",
			}},
			{Heading: "Need help?", Paras: []string{"Ask at the library or citizen service, or call MitID support on +45 33 98 00 10."}},
		},
		Call: "Read more at mitid.dk",
	})}

var privateSoMe = File{Name: "mitid-some-godkend", Kind: campaign.ItemSocialMedia, Audience: campaign.ForCitizens,
	Layout: LayoutSquare, Text: both(Text{
		Title:       "Godkend kun det, du selv har sat i gang",
		Description: "Opslag til Facebook og Instagram (1080 × 1080) om svindel over telefonen. Forslag til tekst: Ringer nogen og beder dig godkende i MitID-appen? Læg på.",
		Lead:        "Ringer nogen og beder dig godkende noget i MitID-appen, så læg på. Hverken MitID eller banken ringer for at få dig til at godkende.",
		Call:        "Læs mere på mitid.dk",
	}, Text{
		Title:       "Only approve what you started yourself",
		Description: "A post for Facebook and Instagram (1080 × 1080) about telephone fraud. Suggested text: Someone calls and asks you to approve in the MitID app? Hang up.",
		Lead:        "If someone calls and asks you to approve something in the MitID app, hang up. Neither MitID nor your bank calls to make you approve.",
		Call:        "Read more at mitid.dk",
	})}

var privatePoster = File{Name: "mitid-plakat", Kind: campaign.ItemPoster, Audience: campaign.ForSeniors,
	Layout: LayoutPoster, Text: both(Text{
		Title:       "Har du fået MitID?",
		Description: "Plakat i A-format (A4 ved 150 dpi, kan skaleres til A3) til biblioteker, borgerservice og foreningslokaler.",
		Lead:        "MitID afløser NemID. Vi hjælper dig gerne i gang - spørg os her, eller læs mere på mitid.dk.",
		Call:        "MitID - din digitale identitet",
	}, Text{
		Title:       "Have you got MitID?",
		Description: "An A-format poster (A4 at 150 dpi, scales to A3) for libraries, citizen service and association premises.",
		Lead:        "MitID replaces NemID. We are happy to help you get started - ask us here, or read more at mitid.dk.",
		Call:        "MitID - your digital identity",
	})}

var launchSoMe = File{Name: "mitid-some-kampagnestart", Kind: campaign.ItemSocialMedia, Audience: campaign.ForCitizens,
	Layout: LayoutSquare, Text: both(Text{
		Title:       "Nu starter skiftet til MitID",
		Description: "Opslag til kampagnens start. Under embargo: må først deles, når kampagnen går i luften.",
		Lead:        "Fra i dag kan alle med NemID skifte til MitID. Det tager cirka 10 minutter.",
		Call:        "Kom i gang på mitid.dk",
	}, Text{
		Title:       "The switch to MitID starts now",
		Description: "A post for the campaign's launch. Under embargo: share only once the campaign is live.",
		Lead:        "From today everyone with NemID can switch to MitID. It takes about 10 minutes.",
		Call:        "Get started at mitid.dk",
	})}
