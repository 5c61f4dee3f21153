"""Interviews arranged on an application: scheduled, moved and cancelled by the team,
sent to the candidate with a calendar file, and shown on their page."""
