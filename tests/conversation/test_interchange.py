"""Conversations in `portal export` and `portal import`: the words, how they came, and who
is still owed an answer; the subject-access export holds them; erasure takes them."""

import json

import pytest
import time_machine

from portal.cli import cli
from portal.conversation import actions as conversation
from portal.privacy import actions as privacy
from portal.privacy.export import export_candidate
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import MODELS


def export(runner) -> str:
    result = runner.invoke(cli, ["export"])
    assert result.exit_code == 0, result.output
    return result.stdout


def load(runner, tmp_path, document: dict):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    return runner.invoke(cli, ["import", str(path)])


def wipe():
    for model in reversed(MODELS):
        if model.__name__ != "DbInfo":
            model.delete().execute()


@pytest.fixture
def talked(make_application):
    """Ada asked twice, by page then email, and was answered; Bob asked and waits."""
    ada = make_application(name="Ada Lovelace", email="ada@example.org")
    bob = make_application(job=ada.job, name="Bob Smith", email="bob@example.org")
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        conversation.ask(ada, "Is the role hybrid?")
        conversation.ask(ada, "And the hours?", via="email")
    with time_machine.travel("2026-11-24 10:00 +0000", tick=False):
        version = Application.get_by_id(ada.id).version
        conversation.answer(None, ada, version, "Hybrid, 9 to 5.", tell=False)
        conversation.ask(bob, "Can I start in March?")
    return ada, bob


def test_export_import_keeps_the_conversation_and_who_waits(runner, tmp_path, talked):
    ada, bob = talked
    first = export(runner)
    waiting = Application.get_by_id(bob.id).asked
    wipe()
    result = load(runner, tmp_path, json.loads(first))
    assert result.exit_code == 0, result.output
    assert export(runner) == first
    ada, bob = (Application.get(Application.ref == a.ref) for a in (ada, bob))
    assert (ada.asked, bob.asked) == (None, waiting)
    talk = ada.events.where(Event.kind.in_(conversation.CONVERSATION_KINDS))
    said = [(e.kind, e.via, e.visible) for e in talk.order_by(Event.created, Event.id)]
    assert said == [("question", "page", True), ("question", "email", True), ("answer", "", True)]
    # a candidate's own words are no word given them
    assert ada.last_word == ada.events.where(Event.kind == "answer").get().created


def test_an_import_refuses_a_staff_event_that_came_by_email(runner, tmp_path, talked):
    document = json.loads(export(runner))
    events = [e for a in document["applications"] for e in a["events"]]
    answer = next(e for e in events if e["kind"] == "answer")
    answer["via"] = "email"
    wipe()
    result = load(runner, tmp_path, document)
    assert result.exit_code != 0
    assert "cannot have come by 'email'" in result.output


def test_the_subject_access_export_holds_their_words_and_erasure_takes_them(app, talked):
    ada, _ = talked
    exported = json.dumps(export_candidate(None, ada.candidate))
    assert "Is the role hybrid?" in exported and "Hybrid, 9 to 5." in exported
    privacy.erase_application(None, ada, "request")
    left = [e.message for e in Event.select().where(Event.application == ada.id)]
    assert not any("hybrid" in m.lower() for m in left)
