package demofiles

import "mitidportal/campaign"

func businessPack() Pack {
	return Pack{Slug: "erhverv", Audience: campaign.AudienceBusiness,
		TitleDA: "Kommunikationspakke - erhverv", TitleEN: "Communication pack - business",
		SummaryDA: "Til interesseorganisationer, revisorer, advokater og erhvervshuse: trin-for-trin-guide, spørgsmål og svar, filmvejledninger, materiale til sociale medier, flyer og plakat om MitID Erhverv.",
		SummaryEN: "For interest organisations, accountants, lawyers and business centres: a step-by-step guide, questions and answers, film guides, social-media material, a flyer and a poster about MitID Erhverv.",
		Items: []Item{
			{File: businessSteps, Langs: daEN, Visibility: public},
			{File: businessQA, Langs: da, Visibility: campaign.VisibleMembers},
			{File: businessFilms, Langs: da, Visibility: public},
			{File: businessSoMe, Langs: daEN, Visibility: public},
			{File: businessFlyer, Langs: da, Visibility: public},
			{File: businessPoster, Langs: da, Visibility: public},
		},
	}
}

var businessSteps = File{Name: "mitid-erhverv-trin-for-trin", Kind: campaign.ItemStepGuide, Audience: campaign.ForBusinesses,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Trin for trin: Virksomheden skifter til MitID Erhverv",
		Description: "Guide til virksomhedens administrator: fra registrering af virksomheden til medarbejdernes første login.",
		Lead:        "MitID Erhverv afløser NemID medarbejdersignatur. Virksomheden registrerer sig én gang, og derefter opretter administratoren medarbejderne.",
		Sections: []Section{
			{Heading: "Før I starter", Bullets: []string{
				"Find virksomhedens CVR-nummer.",
				"Den, der tegner virksomheden, skal have sit eget private MitID.",
				"Beslut, hvem der skal være administrator - gerne to, så I ikke står uden.",
			}},
			{Heading: "Sådan gør I", Steps: []string{
				"Gå til mitid-erhverv.dk, og vælg at registrere virksomheden.",
				"Log ind med dit private MitID, og bekræft, at du tegner virksomheden.",
				"Udpeg en eller flere administratorer.",
				"Administratoren opretter medarbejderne med navn og e-mailadresse og giver dem de rettigheder, de skal bruge.",
				"Hver medarbejder får en e-mail og tilknytter sit MitID til virksomheden.",
				"Ryd op: fjern adgang for medarbejdere, der er stoppet.",
			}},
			{Heading: "Enkeltmandsvirksomheder", Paras: []string{"Ejer du en enkeltmandsvirksomhed, kan du bruge dit private MitID til virksomheden, når du har registreret den i MitID Erhverv."}},
		},
		Call: "Hjælp til virksomheder: mitid-erhverv.dk",
	}, Text{
		Title:       "Step by step: The company switches to MitID Erhverv",
		Description: "A guide for the company's administrator: from registering the company to the employees' first login.",
		Lead:        "MitID Erhverv (MitID for business) replaces the NemID employee signature. The company registers once, and then the administrator adds the employees.",
		Sections: []Section{
			{Heading: "Before you start", Bullets: []string{
				"Find the company's CVR number.",
				"The person who can sign for the company needs their own private MitID.",
				"Decide who will be administrator - preferably two, so you are never left without one.",
			}},
			{Heading: "What to do", Steps: []string{
				"Go to mitid-erhverv.dk and choose to register the company.",
				"Log in with your private MitID and confirm that you sign for the company.",
				"Appoint one or more administrators.",
				"The administrator adds the employees with name and e-mail address and gives them the rights they need.",
				"Each employee receives an e-mail and links their MitID to the company.",
				"Tidy up: remove access for employees who have left.",
			}},
			{Heading: "Sole proprietorships", Paras: []string{"If you own a sole proprietorship, you can use your private MitID for the business once you have registered it in MitID Erhverv."}},
		},
		Call: "Help for businesses: mitid-erhverv.dk",
	})}

var businessQA = File{Name: "mitid-erhverv-spoergsmaal-og-svar", Kind: campaign.ItemQA, Audience: campaign.ForAdvisers,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Spørgsmål og svar om MitID Erhverv",
		Description: "Svar til revisorer, advokater og erhvervshuse, der rådgiver virksomheder om skiftet.",
		Lead:        "De spørgsmål, rådgivere oftest får fra deres kunder.",
		Sections: []Section{
			{Heading: "Skal medarbejderne have et nyt MitID?", Paras: []string{"Nej. Medarbejderne kan bruge deres private MitID, som tilknyttes virksomheden. Virksomheden ser ikke deres private oplysninger."}},
			{Heading: "Hvad hvis en medarbejder ikke vil bruge sit private MitID?", Paras: []string{"Virksomheden kan give medarbejderen en MitID-kodeviser eller -chip, der kun bruges til arbejdet."}},
			{Heading: "Kan vi som revisor handle for vores kunder?", Paras: []string{"Ja, med en fuldmagt fra kunden. Fuldmagten giver adgang med jeres egen MitID Erhverv, så I aldrig skal bruge kundens."}},
			{Heading: "Hvad sker der, når en medarbejder stopper?", Paras: []string{"Administratoren fjerner medarbejderens tilknytning. Medarbejderens private MitID virker fortsat privat."}},
		},
		Call: "Mere på mitid-erhverv.dk",
	}, Text{
		Title:       "Questions and answers about MitID Erhverv",
		Description: "Answers for accountants, lawyers and business centres that advise companies on the switch.",
		Lead:        "The questions advisers hear most from their clients.",
		Sections: []Section{
			{Heading: "Do employees need a new MitID?", Paras: []string{"No. Employees can use their private MitID, linked to the company. The company does not see their private details."}},
			{Heading: "What if an employee does not want to use their private MitID?", Paras: []string{"The company can give the employee a MitID code display or chip used only for work."}},
			{Heading: "Can we as accountants act for our clients?", Paras: []string{"Yes, with a power of attorney from the client. It gives access with your own MitID Erhverv, so you never use the client's."}},
			{Heading: "What happens when an employee leaves?", Paras: []string{"The administrator removes the employee's link. The employee's private MitID keeps working privately."}},
		},
		Call: "More at mitid-erhverv.dk",
	})}

var businessFilms = File{Name: "mitid-erhverv-filmvejledninger", Kind: campaign.ItemFilmGuide, Audience: campaign.ForBusinesses,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Filmvejledninger: MitID Erhverv",
		Description: "Oversigt over de korte film til virksomheder, og hvor de gør mest gavn.",
		Lead:        "Filmene viser de vigtigste trin på skærmen. Del dem i jeres nyhedsbrev til medlemmer eller kunder.",
		Sections: []Section{
			{Heading: "Filmene", Bullets: []string{
				"Registrér virksomheden (2 min.): til den, der tegner virksomheden.",
				"Opret medarbejdere (1 min. 30 sek.): til administratoren.",
				"Tilknyt dit MitID (1 min.): til medarbejderen, der får en e-mail.",
			}},
			{Heading: "Sådan bruger I dem", Bullets: []string{
				"Send filmen til den rolle, den handler om - ikke alle film til alle.",
				"Vis 'Registrér virksomheden' på medlemsmøder og webinarer.",
			}},
		},
		Call: "Filmene har undertekster på dansk og engelsk",
	}, Text{
		Title:       "Film guide: MitID Erhverv",
		Description: "An overview of the short films for companies and where they help most.",
		Lead:        "The films show the main steps on screen. Share them in your newsletter to members or clients.",
		Sections: []Section{
			{Heading: "The films", Bullets: []string{
				"Register the company (2 min): for the person who signs for the company.",
				"Add employees (1 min 30 s): for the administrator.",
				"Link your MitID (1 min): for the employee who receives an e-mail.",
			}},
			{Heading: "How to use them", Bullets: []string{
				"Send each film to the role it is about - not every film to everyone.",
				"Show 'Register the company' at member meetings and webinars.",
			}},
		},
		Call: "The films have Danish and English subtitles",
	})}

var businessSoMe = File{Name: "mitid-erhverv-some", Kind: campaign.ItemSocialMedia, Audience: campaign.ForBusinesses,
	Layout: LayoutSquare, Text: both(Text{
		Title:       "Er virksomheden klar til MitID Erhverv?",
		Description: "Opslag til LinkedIn og Facebook (1080 × 1080). Forslag til tekst: Registrér virksomheden i god tid, og udpeg to administratorer.",
		Lead:        "Registrér virksomheden, udpeg to administratorer, og opret medarbejderne i god tid.",
		Call:        "Se hvordan på mitid-erhverv.dk",
	}, Text{
		Title:       "Is your company ready for MitID Erhverv?",
		Description: "A post for LinkedIn and Facebook (1080 × 1080). Suggested text: Register the company in good time and appoint two administrators.",
		Lead:        "Register the company, appoint two administrators and add the employees in good time.",
		Call:        "See how at mitid-erhverv.dk",
	})}

var businessFlyer = File{Name: "mitid-erhverv-flyer", Kind: campaign.ItemFlyer, Audience: campaign.ForBusinesses,
	Layout: LayoutFlyer, Text: both(Text{
		Title:       "MitID Erhverv afløser NemID medarbejdersignatur",
		Description: "En flyer i A4 til erhvervshuse, revisorer og brancheforeninger.",
		Lead:        "Virksomheder skal registrere sig i MitID Erhverv for at medarbejderne kan logge på fx Virk og skat.dk på vegne af virksomheden.",
		Sections: []Section{
			{Heading: "Tre trin", Steps: []string{
				"Registrér virksomheden på mitid-erhverv.dk.",
				"Udpeg administratorer.",
				"Opret medarbejderne.",
			}},
		},
		Call: "Kom i gang på mitid-erhverv.dk",
	}, Text{
		Title:       "MitID Erhverv replaces the NemID employee signature",
		Description: "An A4 flyer for business centres, accountants and trade associations.",
		Lead:        "Companies must register in MitID Erhverv so that employees can log in to e.g. Virk and skat.dk on the company's behalf.",
		Sections: []Section{
			{Heading: "Three steps", Steps: []string{
				"Register the company at mitid-erhverv.dk.",
				"Appoint administrators.",
				"Add the employees.",
			}},
		},
		Call: "Get started at mitid-erhverv.dk",
	})}

var businessPoster = File{Name: "mitid-erhverv-plakat", Kind: campaign.ItemPoster, Audience: campaign.ForBusinesses,
	Layout: LayoutPoster, Text: both(Text{
		Title:       "Din virksomhed skal have MitID Erhverv",
		Description: "Plakat i A-format til erhvervshuse og kontorer.",
		Lead:        "Registrér virksomheden, udpeg en administrator, og giv medarbejderne adgang. Spørg din revisor eller dit erhvervshus, hvis du vil have hjælp.",
		Call:        "mitid-erhverv.dk",
	}, Text{
		Title:       "Your company needs MitID Erhverv",
		Description: "An A-format poster for business centres and offices.",
		Lead:        "Register the company, appoint an administrator and give the employees access. Ask your accountant or business centre if you would like help.",
		Call:        "mitid-erhverv.dk",
	})}
