"""Placeholders in the words a candidate is sent, such as ``{first_name}``: which ones a
closure note may carry, and the check that refuses any other before it can reach them.

A placeholder is a word in one pair of braces. A brace that touches a word on its inner
side is taken for a placeholder too, mistyped (``{reason``, ``reason}``, ``{{job}}``,
``{first name}``) and refused, naming it. Any other brace is the writer's own text and
stays as typed: ``{ }``, ``{}``, ``{1, 2}``, ``:-}``.
"""

import re

from portal.errors import Invalid

#: What a closure note may carry, as the templates page documents it: the candidate's
#: first name, the job, the recruiter, and the chosen reason's words for the candidate.
CLOSURE_NOTE = ("first_name", "job", "recruiter", "reason", "next_steps")

#: A brace touching a word on its inner side: a placeholder, well formed or not.
_ATTEMPT = re.compile(r"\{+[A-Za-z_]\w*\}*|(?<![\w{])[A-Za-z_]\w*\}+")
#: A placeholder as it should be written.
_WELL_FORMED = re.compile(r"\{([A-Za-z_]\w*)\}")


def names(allowed) -> str:
    """``allowed`` as a sentence lists them: "{first_name}, {job} or {reason}"."""
    written = [f"{{{name}}}" for name in allowed]
    return ", ".join(written[:-1]) + f" or {written[-1]}" if len(written) > 1 else written[0]


def check(text: str, allowed, what: str) -> None:
    """Refuse ``text`` (``what`` names it: "The closure note") when it has a placeholder
    that is not one of ``allowed``, or one mistyped; every other brace is left alone."""
    for attempt in _ATTEMPT.finditer(text or ""):
        found = attempt.group(0)
        placeholder = _WELL_FORMED.fullmatch(found)
        if placeholder is None:
            word = re.search(r"[A-Za-z_]\w*", found).group(0)
            fix = f"write {{{word}}}" if word in allowed else f"use {names(allowed)}"
            raise Invalid(
                f"{what} has a broken placeholder “{found}”: {fix}, or leave out the braces."
            )
        if placeholder.group(1) not in allowed:
            raise Invalid(
                f"{what} has an unknown placeholder “{found}”: use {names(allowed)}, or "
                "leave out the braces."
            )
