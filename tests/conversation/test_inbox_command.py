"""`portal inbox`, the command: its help, its refusal without a reply domain, and the real
console script filing a reply over LMTP until SIGTERM stops it."""

import signal
import subprocess

from conversation.emails import Client
from conversation.emails import DOMAIN
from conversation.emails import questions
from conversation.emails import reply
from helpers.ports import free_port
from helpers.serving import environment
from helpers.serving import ROOT

from portal.cli import cli


def test_the_inbox_has_help(runner):
    result = runner.invoke(cli, prog_name="portal", args=["inbox", "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: portal inbox [OPTIONS]")
    assert "--lmtp" in result.output and "--port" in result.output


def test_the_inbox_refuses_to_start_without_a_reply_domain(app, runner):
    app.config["REPLY_DOMAIN"] = ""
    result = runner.invoke(cli, prog_name="portal", args=["inbox"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: PORTAL_REPLY_DOMAIN is not set")


def test_portal_inbox_files_replies_until_sigterm(app, application, reply_address):
    """The real command, as systemd runs it: it files a reply, and SIGTERM stops it."""
    app.config["REPLY_DOMAIN"] = DOMAIN
    address = reply_address(application)
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "portal"), "inbox", "--port", str(port), "--lmtp"],
        env=environment(app, PORTAL_REPLY_DOMAIN=DOMAIN),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = [process.stdout.readline()]
        while "portal inbox:" not in started[-1] and started[-1] and len(started) < 20:
            started.append(process.stdout.readline())  # log lines may come first
        assert f"LMTP on 127.0.0.1:{port}" in started[-1], started
        answer = Client(port, lmtp=True).deliver(address, reply("Through the real command."))
        assert (answer.stage, answer.code) == ("DATA", 250)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode == 0
    assert out.strip().endswith("portal inbox: stopped")
    assert [q.message for q in questions(application)] == ["Through the real command."]
