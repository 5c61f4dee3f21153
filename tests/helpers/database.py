"""Which database the tests run on: SQLite, or PostgreSQL when PORTAL_TEST_DATABASE=postgres."""

import os

BACKEND = os.environ.get("PORTAL_TEST_DATABASE", "sqlite")
PG_DSN = os.environ.get("PORTAL_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
