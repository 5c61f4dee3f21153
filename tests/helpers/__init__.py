"""What the tests share that is not a fixture, imported as ``helpers.<module>`` (pytest puts
tests/ on the path; see pyproject.toml)."""

import pkgutil

import pytest

# Their assertions explain themselves when they fail, as the tests' own do.
pytest.register_assert_rewrite(*(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__)))
