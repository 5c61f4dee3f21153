"""Personal data: erasure, subject-access export, retention, the candidate's erasure request."""
