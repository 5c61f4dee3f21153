"""Every interview test runs on Monday 7 December 2026 at 09:00 UTC, the clock still
unless a test moves it (``clock.move_to``)."""

import pytest
import time_machine
from helpers.interviews import MONDAY


@pytest.fixture(autouse=True)
def clock():
    """The frozen clock of the test: ``clock.move_to(...)`` travels."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller
