"""Plugged into the applicant tracking system a company already has: webhooks from
Greenhouse and Lever become domain operations (inbound, greenhouse, lever, mapping), and
what candidates do is sent, signed, to the endpoints an admin registers (outbound).
docs/integrations.md is the guide."""
