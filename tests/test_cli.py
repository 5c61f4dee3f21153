"""The `portal` command line: help everywhere, one-line errors, and the real console script."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.cli import cli
from portal.store.models import User

PORTAL = Path(sys.executable).parent / "portal"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(runner, command):
    result = runner.invoke(cli, prog_name="portal", args=[command, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: portal {command}")
    summary = cli.commands[command].get_short_help_str(limit=200)
    assert len(summary) > 15 and summary.split()[0] in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import"], "Missing argument 'FILE'. Try 'portal import --help'."),
        (["import", "-x", "f"], "No such option '-x'. Try 'portal import --help'."),
        (["frobnicate"], "No such command 'frobnicate'. Try 'portal --help'."),
        (
            ["create-user", "--email", "a@example.com", "--name", "A", "--role", "boss",
             "--password", "long enough"],
            "Invalid value for '--role': 'boss' is not one of 'admin', 'recruiter', 'manager'. "
            "Try 'portal create-user --help'.",
        ),
    ],
)  # fmt: skip
def test_a_usage_error_is_one_line(runner, args, message):
    result = runner.invoke(cli, prog_name="portal", args=args)
    assert (result.exit_code, result.output) == (2, f"Error: {message}\n")


def test_create_user_refuses_a_duplicate_in_one_line(runner, make_user):
    make_user("admin", email="grace@example.com")
    args = ["--email", "Grace@example.com", "--name", "G", "--role", "admin"]
    result = runner.invoke(
        cli, prog_name="portal", args=["create-user", *args, "--password", "long enough"]
    )
    assert (result.exit_code, result.output) == (
        1,
        "Error: A user with the email grace@example.com already exists.\n",
    )


def test_an_imported_user_without_password_signs_in_once_one_is_set(runner, tmp_path, auth):
    path = tmp_path / "users.json"
    path.write_text(
        json.dumps({"users": [{"email": "ann@example.com", "name": "Ann", "role": "admin"}]})
    )
    assert (
        "cannot sign in"
        in runner.invoke(cli, prog_name="portal", args=["import", str(path)]).stdout
    )
    ann = User.get(User.email == "ann@example.com")
    assert "Location" not in auth.login(ann, "anything at all").headers  # refused
    result = runner.invoke(
        cli,
        prog_name="portal",
        args=["set-password", "ANN@example.com", "--password", "new password"],
    )
    assert (result.exit_code, result.output) == (0, "Password set for ann@example.com.\n")
    assert auth.login(ann, "new password").headers["Location"].endswith("/admin/")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.com", "--password", "long enough"],
         "There is no user with the email nobody@example.com."),
        (["ann@example.com", "--password", "short"],
         "The password needs at least 8 characters."),
    ],
)  # fmt: skip
def test_set_password_errors(runner, make_user, args, message):
    make_user("admin", email="ann@example.com")
    result = runner.invoke(cli, prog_name="portal", args=["set-password", *args])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")


def test_export_to_a_file_matches_standard_output(runner, tmp_path, make_application):
    make_application()
    target = tmp_path / "exports" / "out.json"
    target.parent.mkdir()
    result = runner.invoke(cli, prog_name="portal", args=["export", "--output", str(target)])
    assert result.exit_code == 0
    assert result.stderr == f"Exported 1 user, 1 job, 1 application to {target}.\n"
    assert target.read_text() == runner.invoke(cli, prog_name="portal", args=["export"]).stdout
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]  # no partial file left


def test_export_to_a_folder_that_does_not_exist_is_one_line(runner, tmp_path):
    target = tmp_path / "missing" / "out.json"
    result = runner.invoke(cli, prog_name="portal", args=["export", "-o", str(target)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {target}: cannot write: No such file or directory\n",
    )


def run(database_url, *args, **env):
    """The installed console script, as a person would run it."""
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": "k7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9UoKiP",
        **env,
    }
    return subprocess.run(
        [str(PORTAL), *args], capture_output=True, text=True, env=environment, timeout=60
    )


def test_the_console_script_imports_and_exports_end_to_end(app, database_url, tmp_path):
    document = {
        "users": [{"email": "rita@example.com", "name": "Rita", "role": "recruiter"}],
        "jobs": [{"ref": "J-1", "title": "Designer", "recruiter": "rita@example.com"}],
        "applications": [
            {"ref": "A-1", "job": "J-1", "candidate": {"name": "Ada", "email": "ada@example.org"}}
        ],
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps(document))
    assert run(database_url, "init-db").returncode == 0
    imported = run(database_url, "import", str(path))
    assert imported.returncode == 0, imported.stderr
    assert "1 user, 1 job, 1 application" in imported.stdout
    exported = run(database_url, "export")
    assert exported.returncode == 0
    assert json.loads(exported.stdout)["applications"][0]["stage"] == "Applied"

    document["applications"][0].update(ref="A-2", job="J-9")
    path.write_text(json.dumps(document))
    failed = run(database_url, "import", str(path))
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr == f"Error: {path}: applications[0] (ref A-2): unknown job 'J-9'\n"


def test_an_unreachable_database_is_one_line(tmp_path):
    result = run("postgresql://postgres@127.0.0.1:9/nowhere", "export")
    assert result.returncode == 1
    assert result.stderr.startswith(
        'Error: database: connection failed: connection to server at "127.0.0.1", port 9 failed'
    )
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_missing_secret_key_is_one_line(tmp_path):
    result = run(f"sqlite:///{tmp_path / 'x.sqlite3'}", "export", PORTAL_SECRET_KEY="")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: PORTAL_SECRET_KEY is not set.")
    assert len(result.stderr.splitlines()) == 1


def test_wrong_settings_stop_the_command_with_a_line_each(tmp_path):
    """A mistyped time zone used to start, then make every candidate page a 500."""
    result = run(
        f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "export",
        PORTAL_TIMEZONE="Europe/Londn",
        PORTAL_LINK_DAYS="180 days",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    first, second = result.stderr.splitlines()
    assert first == (
        "Error: PORTAL_LINK_DAYS: '180 days' is not a whole number; use a whole number from 1 "
        "to 36500, such as 180"
    )
    assert second.startswith(
        "PORTAL_TIMEZONE: 'Europe/Londn' is not a time zone; use an IANA name such as Europe/London"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["people.csv"], "people.csv: a CSV of candidates needs --job REF, the job."),
        (["--job", "J-1", "data.JSON"],
         "data.JSON: --job is for a CSV of candidates; drop it for JSON."),
    ],
)  # fmt: skip
def test_csv_and_json_are_not_confused(runner, args, message):
    result = runner.invoke(cli, prog_name="portal", args=["import", *args])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")


STAFF_AND_JOB = {
    "users": [{"email": "rita@example.com", "name": "Rita", "role": "recruiter"}],
    "jobs": [{"ref": "J-1", "title": "Designer", "recruiter": "rita@example.com"}],
}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000, "not valid JSON: lists or objects nested too deeply"),
        ('{"jobs": [{"ref": "J-2", "title": "T", "recruiter": "rita@example.com", '
         f'"stale_days": {10**30}}}]}}',
         "jobs[0] (ref J-2): Job J-2: stale days must be a whole number between 1 and 365 "
         "(or empty for the default)."),
        ('{"applications": [{"ref": "A-1", "job": "J-1", "candidate": {"name": "Ada", '
         '"email": "ada@example.org"}, "created": "0001-01-01T00:00:00+01:00"}]}',
         "applications[0] (ref A-1): created: '0001-01-01T00:00:00+01:00' is out of range "
         "(years 1970 to 2200)"),
    ],
)  # fmt: skip
def test_hostile_files_are_one_line_from_the_console_script(
    app, database_url, tmp_path, content, message
):
    """No traceback, whatever the file: what overflowed or recursed is one line too."""
    staff = tmp_path / "staff.json"
    staff.write_text(json.dumps(STAFF_AND_JOB))
    assert run(database_url, "init-db").returncode == 0
    assert run(database_url, "import", str(staff)).returncode == 0
    path = tmp_path / "hostile.json"
    path.write_text(content)
    failed = run(database_url, "import", str(path))
    assert (failed.returncode, failed.stderr) == (1, f"Error: {path}: {message}\n")


FLASK = Path(sys.executable).parent / "flask"
HELP = {"portal": [str(PORTAL), "--help"], "flask": [str(FLASK), "--app", "portal", "--help"]}


@pytest.mark.parametrize("script", HELP)
def test_help_needs_no_settings_and_leaves_the_database_alone(tmp_path, script):
    """Help lists every command without a secret key, and makes no database or folder."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    database = tmp_path / "var" / "portal.sqlite3"
    environment["PORTAL_DATABASE_URL"] = f"sqlite:///{database}"
    result = subprocess.run(
        HELP[script], capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=60
    )
    assert (result.returncode, result.stderr) == (0, "")
    listed = result.stdout.split("Commands:", 1)[1].split()
    assert set(cli.commands) <= set(listed)
    assert list(tmp_path.iterdir()) == []


def test_the_commands_are_the_apps_own_too(app, database_url, tmp_path):
    """`flask --app portal <command>` is `portal <command>`, one-line errors included."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": database_url,
    }

    def flask(*args, **env):
        return subprocess.run(
            [str(FLASK), "--app", "portal", *args],
            capture_output=True,
            text=True,
            env={**environment, **env},
            cwd=tmp_path,
            timeout=60,
        )

    refused = flask("export")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("Error: PORTAL_SECRET_KEY is not set.")
    assert len(refused.stderr.splitlines()) == 1
    key = {"PORTAL_SECRET_KEY": "k7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9UoKiP"}
    assert flask("init-db", **key).stdout.startswith("Database ready (schema version")
    exported = flask("export", **key)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == run(database_url, "export").stdout
    assert flask("export", "--help", **key).stdout.startswith("Usage: flask export")
    # One command's help needs no key either, as the group's does.
    described = flask("import", "--help")
    assert described.returncode == 0 and described.stdout.startswith("Usage: flask import")
    assert "--sync" in described.stdout
