"""Email: the queue in the database, the SMTP or outbox transport, and `portal send`."""
