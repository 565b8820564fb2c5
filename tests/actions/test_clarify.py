from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import DATA_DIR, ActionClarify, guess_buttons
from backpain_assistant.yaml_data import load_file


def parse(ranking, entities=()):
    return {
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": list(entities),
    }


def test_the_top_guesses_become_buttons_keeping_the_medication() -> None:
    buttons = guess_buttons(
        parse(
            [
                ("nlu_fallback", 0.3),
                ("ask_side_effects", 0.2),
                ("ask_dependency", 0.19),
                ("greet", 0.1),
                ("ask_recovery", 0.05),
            ],
            [{"entity": "medication", "value": "xanax"}],
        ),
        load_file(DATA_DIR / "clarify.yml"),
    )
    assert buttons == [
        {"title": "Side effects", "payload": '/ask_side_effects{"medication":"xanax"}'},
        {"title": "Dependency and withdrawal", "payload": '/ask_dependency{"medication":"xanax"}'},
        {"title": "Recovery", "payload": '/ask_recovery{"medication":"xanax"}'},
    ]


async def test_without_guesses_it_asks_to_rephrase() -> None:
    dispatcher = CollectingDispatcher()
    tracker = Tracker("p", {}, parse([("nlu_fallback", 0.3)]), [], False, None, {}, "action_listen")
    await ActionClarify().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert "rephrase" in message["text"] and message["metadata"] == {"kind": "clarify"}


async def run_clarify(ranking):
    dispatcher = CollectingDispatcher()
    tracker = Tracker("p", {}, parse(ranking), [], False, None, {}, "action_listen")
    await ActionClarify().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    return message


async def test_two_competing_readings_get_a_clarifying_question() -> None:
    message = await run_clarify(
        [("nlu_fallback", 0.4), ("ask_side_effects", 0.35), ("ask_dependency", 0.3)]
    )
    assert message["metadata"] == {"kind": "clarify"} and len(message["buttons"]) == 2


async def test_a_lone_guess_gets_an_honest_decline_with_the_nearest_sections() -> None:
    message = await run_clarify(
        [("nlu_fallback", 0.4), ("ask_side_effects", 0.3), ("greet", 0.2), ("ask_dependency", 0.05)]
    )
    assert message["metadata"] == {"kind": "out_of_scope"}
    assert "couldn't find" in message["text"] and "doctor or pharmacist" in message["text"]
    assert [b["title"] for b in message["buttons"]] == ["Side effects", "Dependency and withdrawal"]
