"""`portal worker`: the one long-running process for queued tasks, mail and the daily
schedules (reminders, retention)."""
