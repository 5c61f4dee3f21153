"""Default settings: every one can be overridden by the instance config.py or a
``PORTAL_*`` environment variable of the same name. The README lists them all."""

#: Database URL (playhouse.db_url): ``sqlite:///path`` or ``postgresql://...``.
#: Empty means a SQLite file named portal.sqlite3 in the instance folder.
DATABASE_URL = ""

#: Secret key for sessions, CSRF and candidate links. Required outside demo/test.
SECRET_KEY = ""

#: Earlier secret keys, oldest first, still accepted for candidate links so keys
#: can rotate without killing links. Comma-separated in the environment.
SECRET_KEY_FALLBACKS: list[str] = []

#: Public address of the candidate pages; every link and email is built from it,
#: never from the request's Host header.
BASE_URL = "http://127.0.0.1:5000"

#: Where mail goes: ``smtp://host:port`` (``smtp+starttls://``, ``smtps://``,
#: user:password@ allowed), or ``outbox`` to write .eml files to the instance folder.
MAIL_URL = "outbox"

#: The From address of every email.
MAIL_FROM = "Hiring team <hiring@example.com>"

#: Days a candidate link lives after it is issued.
LINK_DAYS = 180

#: Days the candidate page stays readable after the process closes.
CLOSED_DAYS = 60

#: The company's name, shown to candidates and in emails.
COMPANY_NAME = "Example Ltd"

#: IANA time zone in which dates are shown and business days counted.
TIMEZONE = "Europe/London"

#: Country (ISO code, optionally ``GB-ENG`` style with a subdivision) whose public
#: holidays are skipped when counting business days. Empty: weekends only.
HOLIDAY_COUNTRY = "GB"

#: Extra company holidays, ISO dates, comma-separated in the environment.
EXTRA_HOLIDAYS: list[str] = []

#: The candidate pages are served only as static files, with no app behind BASE_URL
#: to take their forms: pages and the dead-link page then carry no forms.
STATIC_ONLY = False

#: Folder of the published static site (``portal build``); when set, revoking a
#: link also deletes its static page at once.
SITE_DIR = ""

#: Failed logins allowed per client address and per account.
LOGIN_RATE_LIMIT = "10 per 5 minutes"

#: Storage of rate-limit counters: ``memory://`` or ``redis://host:port``.
RATE_LIMIT_STORAGE = "memory://"

#: Applications per page in admin lists.
PAGE_SIZE = 50

#: Dead candidate links (bad, expired, revoked...) one client may open before it
#: gets 429; good links are never counted, so nobody else's page is affected.
DEAD_LINK_RATE_LIMIT = "30 per 10 minutes"

#: "Email me a fresh link" requests allowed per client address.
FRESH_LINK_RATE_LIMIT = "5 per hour"

#: Fresh links emailed per address; beyond it the request is silently ignored, so
#: the answer never tells whether the address is known.
FRESH_LINK_ADDRESS_LIMIT = "3 per day"

#: Seconds to wait for the mail server before keeping the mail queued for later.
MAIL_TIMEOUT = 10

#: Failed attempts after which a queued email is no longer retried automatically
#: (the admin lists it; `portal send --retry-failed` tries again).
MAIL_MAX_ATTEMPTS = 8

#: Business days an application may be overdue before the follow-up queue proposes
#: closing it with the humane default note (a job's own limit, when set, wins).
STALE_DAYS = 10

#: Business days overdue after which `portal remind` closes an application itself,
#: with the default "rejected" note. 0 (the default) turns automatic closure off;
#: otherwise it must be longer than the proposal limit.
AUTO_CLOSE_DAYS = 0

#: Demo mode: a fixed development key is allowed and the demo data may be loaded.
DEMO = False

#: Days after an application closes before `portal purge` erases it (the candidate's
#: name, address and every free text about them; anonymous counts stay). 0 keeps
#: closed applications forever.
RETENTION_DAYS = 365

#: Days a candidate's own erasure request waits for a recruiter (Admin › Privacy) before
#: `portal purge` carries it out. 0 erases at once, when the candidate confirms.
ERASURE_DAYS = 7

#: Redis for the rate-limit counters, so every gunicorn worker (and every server)
#: shares them: ``redis://host:6379/0``. Empty: RATE_LIMIT_STORAGE decides.
REDIS_URL = ""

#: Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto/-Host
#: headers are trusted that many hops deep, for client addresses (rate limits), https
#: detection (HSTS) and redirects. 0 trusts none: never set it higher than the real count.
PROXY_COUNT = 0
