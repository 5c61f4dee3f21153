"""The JSON API under /api/v1 for applicant tracking systems and scripts: integration
tokens (tokens), the operations (views) and what they share (operations), the records
they read (queries), their schemas and the OpenAPI document made of them (spec), and
errors as problem documents (problems). docs/api.md is the guide."""
