"""The demo: sample staff, jobs and applications, loaded through the import."""
