"""The README documents every setting and every command (datasette's test_docs idea)."""

from pathlib import Path

import pytest

from portal import settings
from portal.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", settings())
def test_every_setting_is_documented(name):
    assert f"`PORTAL_{name}`" in README


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command):
    assert f"portal {command}" in README


def test_the_two_commands_are_on_the_first_screen():
    first_screen = "\n".join(README.splitlines()[:20])
    assert "make demo" in first_screen and "make test" in first_screen
