"""The conversation on an application: the candidate's questions and replies (from
their page, or by email through `portal inbox`), requests to move an interview, and the
team's answers. A question leaves the application owed an answer until it is given."""
