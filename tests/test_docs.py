"""The README documents every setting and every command (datasette's test_docs idea)."""

from pathlib import Path

import pytest

from portal import settings
from portal.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_the_settings_table_is_the_declarations():
    table = settings.readme_table()
    assert table in README, f"README.md's settings table should read:\n{table}"


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_has_one_line_of_help(setting):
    assert setting.help and "\n" not in setting.help and "|" not in setting.help


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command):
    assert f"portal {command}" in README


def test_the_two_commands_are_on_the_first_screen():
    first_screen = "\n".join(README.splitlines()[:20])
    assert "make demo" in first_screen and "make test" in first_screen
