"""The database: its handle, the tables, schema upgrades and backups."""
