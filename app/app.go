// Package app wires the portal together: one Config in, the database pool, migrations, i18n,
// sessions, mail, job queue and HTTP handlers out. cmd/portal and the browser tests build the
// portal through New, so tests run the production wiring.
package app

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"mitidportal/assets"
	"mitidportal/audit"
	"mitidportal/blob"
	"mitidportal/campaign"
	"mitidportal/campaign/forum"
	"mitidportal/campaign/newsletter"
	"mitidportal/campaign/site"
	"mitidportal/campaign/sitedata"
	"mitidportal/db"
	"mitidportal/handlers"
	"mitidportal/identity"
	"mitidportal/identity/idapp"
	"mitidportal/inbound"
	"mitidportal/jobqueue"
	"mitidportal/locales"
	"mitidportal/mail"
	"mitidportal/mail/demobox"
	"mitidportal/session"
	"mitidportal/staff"
	"mitidportal/support"
)

// Config is the whole configuration of the portal. cmd/portal reads it from the environment;
// nothing else reads the environment.
type Config struct {
	DatabaseURL string
	// BaseURL is where people reach the portal (https://... in production). Its scheme decides
	// secure cookies and HSTS; its host is the WebAuthn relying party and the mail domain.
	BaseURL         string
	SMTP            mail.SMTPConfig
	SupportPhone    string
	BlockPhone      string
	Demo            bool
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	MetricsToken    string
	// MetricsAddr, when set, is the separate address `portal serve` serves /metrics on
	// (MetricsHandler); the portal's address then has none.
	MetricsAddr string
	// MaxConns bounds the database pool; 0 uses pgx's default.
	MaxConns int32
	// MailRetry overrides the job queue's retry schedule, which is mail.Backoff in seconds
	// (tests use a short one).
	MailRetry river.ClientRetryPolicy
	// TokenKey is the 32-byte AES key that encrypts the hardware tokens' TOTP seeds at rest.
	TokenKey []byte
	// CSRFKey is the 32-byte HMAC key that signs the CSRF cookie of visitors who have no
	// session yet (handlers.Config.CSRFKey).
	CSRFKey []byte
	// TrustProxy takes client addresses from X-Forwarded-For (behind a load balancer).
	TrustProxy bool
	// SMTPInboundAddr, when set, is where `portal serve` listens for citizens' mail replies to
	// support cases (package inbound).
	SMTPInboundAddr string
	// Limits bound consecutive failed logins of a citizen username or staff address; zero
	// fields take the identity package's defaults.
	Limits identity.Limits
	// HashConcurrency bounds the argon2id computations running at once (citizen and staff
	// logins, activation codes); 0 derives it from the memory parameter.
	HashConcurrency int
	// Argon sets the argon2id parameters of new hashes; zero takes identity.DefaultArgonParams.
	// Tests use cheap ones.
	Argon identity.ArgonParams
	// AuditKeys seal the audit log (the first key signs new seals; all verify).
	AuditKeys audit.Keyring
	// AuditAnchorFile, when set, is where the audit anchor job appends the chain's head as a
	// JSON line; it belongs on storage the database's owner cannot rewrite. Empty: log only.
	AuditAnchorFile string
	// AuditAnchorInterval is how often the anchor job runs; 0 is once a minute. ShutdownDrain is
	// how long `portal serve` drains before it stops (docs/operations.md, several instances).
	AuditAnchorInterval time.Duration
	ShutdownDrain       time.Duration
	// DemoMail, in demo mode, is the in-process mail server SMTP points at; /demo/post shows
	// what it received. Nil elsewhere: the demo mailbox then lists the outbox.
	DemoMail *demobox.Box
	// IDAppKeys are the identification service's public keys by key id (IDAPP_KEYS). Demo mode
	// adds the demo key; outside it the demo key is refused. None outside demo mode: the
	// identification app is not offered.
	IDAppKeys map[string]*ecdsa.PublicKey
	// ActivationValidity is how long an activation code can be used; 0 takes
	// identity.DefaultActivationValidity (14 days: a letter takes days to arrive).
	ActivationValidity time.Duration
	// Files keeps the files citizens send the desk (mail attachments, the contact form's file
	// field); nil refuses every file.
	Files blob.Store
	// NemIDExtensionDays is what the one extension of a NemID deadline adds; 0 takes
	// identity.DefaultNemIDExtensionDays.
	NemIDExtensionDays int
	// Now is the clock of the identity domain (MitIDs, means, activation codes, letters); nil is
	// time.Now. Browser tests move it to use a letter's code days later.
	Now func() time.Time
}

// App is a built portal.
type App struct {
	cfg      Config
	log      *slog.Logger
	Pool     *pgxpool.Pool
	Server   *handlers.Server
	Sessions *session.Store
	Outbox   *mail.Outbox
	jobs     *river.Client[pgx.Tx]
	// stopSealer ends the audit sealer that Start runs; sealerDone closes when it has.
	stopSealer context.CancelFunc
	sealerDone chan struct{}

	Identity    *identity.Store
	Persons     *identity.Persons
	Tokens      *identity.Tokens
	Activations *identity.Activations
	Throttle    *identity.AddressThrottle
	Letters     *identity.Letters
	// Hasher bounds every argon2id computation of the process (the burst test reads its peak).
	Hasher *identity.Hasher
	// Registrations is registration in person at borgerservice.
	Registrations *identity.Registrations
	Orders        *identity.Orders
	Cases         *support.Cases
	Contacts      *inbound.Contacts
	Audit         *audit.Log
	AuditChain    *audit.Chain
	// Inbound puts mail to the desk on its case or opens one (served by inbound.Server).
	Inbound *inbound.Receiver
	// The campaign (DESIGN.md §6): stakeholder organisations and the communication packs.
	Orgs  *campaign.Orgs
	Packs *campaign.Packs
	// Downloads counts pack downloads in memory; Start flushes them in batches, Close once more.
	Downloads *campaign.Downloads
	// stopDownloads ends the counter's flushing; downloadsDone closes after its last flush.
	stopDownloads context.CancelFunc
	downloadsDone chan struct{}
	// Notices mails subscribed organisations' members about packs (the pack_notices job).
	Notices *campaign.Notices
	// SiteData is the campaign site's Q&A, brokers and timeline (package campaign/sitedata).
	SiteData *sitedata.Store
	// Pages are the campaign site's pages written by editors (campaign/site, app/siteaudit.go).
	Pages *site.Pages
	// Newsletter is the campaign's newsletter (the newsletter_send job sends its issues).
	Newsletter *newsletter.Newsletter
	// Forum is the stakeholder forum: meetings, the plan and input questions.
	Forum *forum.Forum
	// Rounds are the forum's feedback rounds on draft items (app/roundsaudit.go).
	Rounds *campaign.Rounds
}

// New opens the database, migrates it and builds every part of the portal. It does not start
// background work; Start does.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("PORTAL_BASE_URL %q is not an absolute URL", cfg.BaseURL)
	}
	// Refused before anything starts: a demo key outside demo mode is a configuration error.
	idappKeys, err := idapp.TrustedKeys(cfg.IDAppKeys, cfg.Demo)
	if err != nil {
		return nil, fmt.Errorf("IDAPP_KEYS: %w", err)
	}
	catalog, err := locales.Load()
	if err != nil {
		return nil, err
	}
	static, err := assets.Load()
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, cfg.MaxConns)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, Pool: pool}
	if err := db.Migrate(ctx, pool, log); err != nil {
		pool.Close()
		return nil, err
	}
	secure := base.Scheme == "https"
	a.Sessions = session.NewStore(pool, session.Config{
		Secure: secure, Idle: cfg.SessionIdle, Absolute: cfg.SessionAbsolute,
	})

	workers := river.NewWorkers()
	mail.AddWorkers(workers, pool, mail.NewSender(cfg.SMTP), log)
	rules := maps.Clone(identity.DefaultThrottleRules)
	rules[idapp.ThrottleStart] = idapp.StartThrottle
	rules[inbound.ThrottleReceipt] = identity.ThrottleRule{Max: inbound.ReceiptLimit, Window: inbound.ReceiptWindow}
	rules[campaign.ThrottleApply] = identity.ThrottleRule{Max: campaign.ApplyLimit, Window: campaign.ApplyWindow}
	rules[newsletter.ThrottleSubscribe] = identity.ThrottleRule{Max: newsletter.Limit, Window: newsletter.Window}
	rules[campaign.ThrottleRoundComment] = identity.ThrottleRule{Max: campaign.CommentLimit, Window: campaign.CommentWindow}
	a.Throttle = identity.NewAddressThrottle(pool, rules)
	if a.AuditChain, err = audit.NewChain(pool, cfg.AuditKeys); err != nil {
		pool.Close()
		return nil, errors.New("AUDIT_KEYS must be set: id:64hexdigits, e.g. 2026-1:$(openssl rand -hex 32)")
	}
	river.AddWorker(workers, &auditAnchorWorker{chain: a.AuditChain, file: cfg.AuditAnchorFile, log: log})
	river.AddWorker(workers, &sessionCleanupWorker{sessions: a.Sessions, throttle: a.Throttle,
		lockouts: identity.NewLockouts(pool, cfg.Limits, nil), contacts: inbound.NewPending(pool), formKeys: pool, log: log})
	// Its store is set below, once a.Identity is built; no job runs before Start.
	unfinished := &unfinishedCleanupWorker{log: log}
	river.AddWorker(workers, unfinished)
	packNotices := &packNoticeWorker{log: log}
	river.AddWorker(workers, packNotices)
	newsWorker := &newsletterWorker{log: log}
	river.AddWorker(workers, newsWorker)
	retry := cfg.MailRetry
	if retry == nil {
		retry = mail.Backoff{Unit: time.Second}
	}
	a.jobs, err = river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}},
		Workers:      workers,
		Logger:       log.With("component", "jobs"),
		RetryPolicy:  retry,
		PeriodicJobs: []*river.PeriodicJob{sessionCleanupJob(), auditAnchorJob(cfg.AuditAnchorInterval), unfinishedCleanupJob(), packNoticeJob(), newsletterJob()},
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	a.Outbox = mail.NewOutbox(a.jobs, base.Hostname())

	if len(cfg.TokenKey) != 32 {
		pool.Close()
		return nil, errors.New("TOKEN_KEY must be set to 64 hexadecimal digits (32 random bytes, e.g. `openssl rand -hex 32`)")
	}
	if len(cfg.CSRFKey) != 32 {
		pool.Close()
		return nil, errors.New("CSRF_KEY must be set to 64 hexadecimal digits (32 random bytes, e.g. `openssl rand -hex 32`)")
	}
	a.Persons = identity.NewPersons(pool)
	a.Letters = identity.NewLetters(pool)
	desk := &deskMail{outbox: a.Outbox, catalog: catalog, baseURL: cfg.BaseURL, supportPhone: cfg.SupportPhone}
	a.Cases = support.NewCases(pool, support.DefaultSchedule(loc),
		support.WithHooks(support.Hooks{Receipt: desk.receipt, ReplyMail: desk.reply, Audit: a.caseAudit, CitizenWrote: desk.citizenWrote}),
		support.WithCannedAudit(cannedAuditor{log: audit.NewLog(pool)}.change),
		// a.Identity and a.Audit are built below; the hook reads them when a citizen is looked up.
		support.WithLookupHook(a.deskLookup))
	a.Contacts = inbound.NewContacts(pool, a.Cases, desk.contactConfirm)
	a.Inbound = inbound.NewReceiver(pool, a.Cases, inbound.WithFiles(cfg.Files),
		inbound.WithReceipts(a.Throttle, desk.mailReceipt))
	a.Audit = audit.NewLog(pool)
	campaignAudit := campaignAuditor{log: a.Audit}
	// Organisations' invitations go out by mail in the invitee's language (app/orgmail.go).
	orgMail := &orgMail{outbox: a.Outbox, catalog: catalog, baseURL: cfg.BaseURL, loc: loc}
	a.Orgs = campaign.NewOrgs(pool, campaign.Hooks{Audit: campaignAudit.org, Invite: orgMail.invite})
	a.Orgs.SetThrottle(a.Throttle)
	a.Packs = campaign.NewPacks(pool, cfg.Files, campaign.PackHooks{Audit: campaignAudit.pack})
	// Participants hear of a moved or cancelled meeting by mail (app/forummail.go).
	fm := &forumMail{outbox: a.Outbox, catalog: catalog, baseURL: cfg.BaseURL, loc: loc}
	a.Forum = forum.New(pool, cfg.Files, forum.Hooks{Audit: forumAuditor{log: a.Audit}.change, Notify: fm.meeting})
	if a.Tokens, err = identity.NewTokens(pool, cfg.TokenKey); err != nil {
		pool.Close()
		return nil, err
	}
	// One hasher for every argon2id computation of the process, so that one bound covers them.
	hasher := identity.NewHasher(identity.HasherConfig{Params: cfg.Argon, MaxConcurrent: cfg.HashConcurrency})
	a.Hasher = hasher
	clock := cfg.Now
	if clock == nil {
		clock = time.Now
	}
	// Embargoes and invitations follow the same clock (browser tests move it past a release).
	a.Orgs.SetClock(clock)
	a.Packs.SetClock(clock)
	a.Forum.SetClock(clock)
	a.Downloads = campaign.NewDownloads(a.Packs, loc)
	pm := &packMail{outbox: a.Outbox, catalog: catalog, baseURL: cfg.BaseURL}
	if a.Notices, err = campaign.NewNotices(pool, cfg.TokenKey, pm.notice); err != nil {
		pool.Close()
		return nil, err
	}
	a.Notices.SetClock(clock)
	// Campaign pages: scheduled pages appear when the clock passes their release time.
	a.Pages = site.New(pool, cfg.Files, site.Hooks{Audit: siteAuditor{log: a.Audit}.event})
	a.Pages.SetClock(clock)
	rh := roundsHooks{log: a.Audit, outbox: a.Outbox, catalog: catalog, baseURL: cfg.BaseURL, loc: loc}
	a.Rounds = campaign.NewRounds(pool, a.Packs, campaign.RoundHooks{Audit: rh.audit, Opened: rh.opened}, a.Throttle)
	packNotices.notices = a.Notices
	a.SiteData = sitedata.New(pool, sitedata.Hooks{Audit: siteDataAuditor{log: a.Audit}.change})
	a.SiteData.SetClock(clock)
	// The newsletter: its mails through the outbox (app/newsmail.go), editors' actions audited
	// (app/newsaudit.go), a send queued in the editor's transaction.
	nm := &newsMail{outbox: a.Outbox, catalog: catalog, baseURL: cfg.BaseURL, loc: loc}
	if a.Newsletter, err = newsletter.New(pool, cfg.TokenKey, a.Throttle, newsletter.Hooks{
		Audit: newsAuditor{log: a.Audit}.issue, Mail: nm.subscription, Issue: nm.issue, Compose: nm.compose,
		Queue: func(ctx context.Context, tx pgx.Tx, _ int64) error {
			_, err := a.jobs.InsertTx(ctx, tx, newsletterArgs{}, nil)
			return err
		}}); err != nil {
		pool.Close()
		return nil, err
	}
	a.Newsletter.SetClock(clock)
	newsWorker.news = a.Newsletter
	deliver := &deliverer{letters: a.Letters, outbox: a.Outbox, catalog: catalog, baseURL: cfg.BaseURL,
		supportPhone: cfg.SupportPhone, loc: loc, now: clock}
	a.Activations = identity.NewActivations(pool, identity.ActivationConfig{Hasher: hasher,
		Validity: cfg.ActivationValidity, Now: clock,
		Deliver: deliver.activation,
		// a.Identity is built below; the hook reads it when a code is issued.
		Record: func(ctx context.Context, tx pgx.Tx, act identity.Activity) error {
			return a.Identity.RecordActivity(ctx, tx, act)
		}})
	notify := &notifier{outbox: a.Outbox, catalog: catalog, baseURL: cfg.BaseURL,
		blockPhone: cfg.BlockPhone, loc: loc}
	auditor := &staffAuditor{log: a.Audit}
	a.Identity = identity.NewStore(pool, a.Tokens, identity.Config{
		Limits: cfg.Limits, Throttle: a.Throttle, Hasher: hasher, Now: clock,
		NemIDExtensionDays: cfg.NemIDExtensionDays,
		OnActivity:         both(notify.activity, auditor.activity),
		EndSessions: func(ctx context.Context, tx pgx.Tx, mitidID int64, keep string) error {
			var err error
			if keep == "" {
				_, err = a.Sessions.EndAllTx(ctx, tx, session.KindCitizen, mitidID)
			} else {
				_, err = a.Sessions.EndOthersTx(ctx, tx, session.KindCitizen, mitidID, keep)
			}
			return err
		},
	})
	a.Registrations = identity.NewRegistrations(pool, a.Identity, a.Activations,
		identity.RegistrationConfig{Audit: auditor.registration, Location: loc})
	var idappFlow *idapp.Flow
	if len(idappKeys) > 0 {
		v, err := idapp.NewVerifierFor(idappKeys, cfg.Demo)
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("IDAPP_KEYS: %w", err)
		}
		idappFlow = &idapp.Flow{Verifier: v, Nonces: idapp.NewNonces(pool, nil), Register: a.Persons,
			Identity: a.Identity, Activations: a.Activations}
	}
	// Orders of code devices: the letter with a sent unit's serial goes in the letter box in the
	// sending transaction.
	a.Orders = identity.NewOrders(a.Identity, identity.OrdersConfig{Dispatch: deliver.shipment})
	unfinished.identity = a.Identity
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          base.Hostname(),
		RPDisplayName: "MitID",
		RPOrigins:     []string{base.Scheme + "://" + base.Host},
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("webauthn: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Server = handlers.New(handlers.Deps{
		Config: handlers.Config{
			Secure: secure, SupportPhone: cfg.SupportPhone, BlockPhone: cfg.BlockPhone,
			Demo: cfg.Demo, MetricsToken: cfg.MetricsToken, MetricsOwnAddr: cfg.MetricsAddr != "",
			BaseURL: cfg.BaseURL, TrustProxy: cfg.TrustProxy, CSRFKey: cfg.CSRFKey,
		},
		Log:      log,
		Ready:    pool.Ping,
		Archive:  mail.NewArchive(pool),
		Sessions: a.Sessions,
		Catalog:  catalog,
		Assets:   static,
		Schedule: support.DefaultSchedule(loc),
		Metrics:  reg,
		Outbox:   a.Outbox,
		DemoMail: cfg.DemoMail,

		Identity:    a.Identity,
		Persons:     a.Persons,
		Tokens:      a.Tokens,
		Activations: a.Activations,
		Throttle:    a.Throttle,
		Letters:     a.Letters,
		IDApp:       idappFlow,
		Orders:      a.Orders,
		WebAuthn:    wa,
		// Registration in person (handlers/desk/borgerservice.go).
		Registrations: a.Registrations,
		Staff:         staff.NewStore(pool, staff.Config{Hasher: hasher, Limits: cfg.Limits, EndSessions: a.Sessions.EndStaffTx}),
		Cases:         a.Cases,
		Contacts:      a.Contacts,
		Audit:         a.Audit,
		Files:         cfg.Files,
		// The admins' job queue page (handlers/desk/jobqueue.go).
		JobQueue: jobqueue.NewReader(pool),
		Orgs:     a.Orgs,
		Packs:    a.Packs,
		// Pack downloads are counted in memory and written by Start's flusher.
		Downloads: a.Downloads,
		Notices:   a.Notices,
		Stats:     campaign.NewStats(pool),
		SiteData:  a.SiteData,
		Pages:     a.Pages,

		// The newsletter (handlers/campaigns/news*.go).
		Newsletter: a.Newsletter,
		// The stakeholder forum (campaign/forum): editors' changes audited (app/forumaudit.go).
		Forum:  a.Forum,
		Rounds: a.Rounds,
	})
	return a, nil
}

// Handler is the portal's HTTP handler.
func (a *App) Handler() http.Handler { return a.Server.Handler() }

// MetricsHandler serves /metrics for the separate address Config.MetricsAddr.
func (a *App) MetricsHandler() http.Handler { return a.Server.MetricsHandler() }

// sealInterval is how often every instance tries to seal committed audit entries: the time an
// entry stays unsealed after its commit.
const sealInterval = time.Second

// downloadFlushInterval is how often counted pack downloads are written: at most this much of
// the statistics is lost when the process dies without shutting down.
const downloadFlushInterval = 5 * time.Second

// Start starts the background workers (mail delivery, periodic clean-up and audit anchor, the
// audit sealer).
func (a *App) Start(ctx context.Context) error {
	if err := a.jobs.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	// The sealer runs until Close, not until ctx ends: Close seals once more after it stops.
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stopSealer, a.sealerDone = stop, make(chan struct{})
	go func() {
		defer close(a.sealerDone)
		a.AuditChain.Run(sctx, sealInterval, a.log.With("component", "audit"))
	}()
	// Like the sealer, the download counter flushes until Close, which flushes once more.
	dctx, stopDL := context.WithCancel(context.WithoutCancel(ctx))
	a.stopDownloads, a.downloadsDone = stopDL, make(chan struct{})
	go func() {
		defer close(a.downloadsDone)
		a.Downloads.Run(dctx, downloadFlushInterval, a.log.With("component", "downloads"))
	}()
	return nil
}

// Close stops the workers, letting running jobs finish within ctx, seals the audit entries
// committed last, and closes the pool.
func (a *App) Close(ctx context.Context) {
	if err := a.jobs.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		a.log.Warn("stop job queue", "error", err.Error())
	}
	if a.stopSealer != nil {
		a.stopSealer()
		<-a.sealerDone
		if _, err := a.AuditChain.Seal(ctx); err != nil {
			a.log.Warn("audit: final seal", "error", err.Error())
		}
	}
	if a.stopDownloads != nil {
		a.stopDownloads()
		<-a.downloadsDone
	}
	a.Pool.Close()
}
