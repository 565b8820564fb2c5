"""Whole conversations with the running assistant over the REST channel, as a client sees them."""

import re

import pytest

from tests.support.chat import Chat, answer, sources


@pytest.fixture
def chat(assistant: str) -> Chat:
    return Chat(assistant)


def test_greeting_carries_the_disclaimer(chat: Chat) -> None:
    [turn] = chat.say("hi there")
    assert turn["metadata"] == {"kind": "greeting"}
    assert "not medical advice" in turn["text"] and "emergency" in turn["text"]
    assert turn["buttons"][0] == {
        "title": "Does trazodone help back pain?",
        "payload": '/ask_effectiveness{"medication":"trazodone"}',
    }


def test_a_first_question_gets_the_disclaimer_then_the_answer(chat: Chat) -> None:
    turns = chat.say("does trazodone help back pain?")
    assert [t["metadata"]["kind"] for t in turns] == ["greeting", "answer"]
    assert answer(turns)["metadata"]["source"] == {"article": "trazodone", "section": "conclusion"}


def test_it_remembers_the_medication_and_switches_on_a_follow_up(chat: Chat) -> None:
    chat.say("hello")
    assert sources(chat.say("does trazodone help back pain?")) == [
        {"article": "trazodone", "section": "conclusion"}
    ]
    assert sources(chat.say("what are its side effects?")) == [
        {"article": "trazodone", "section": "recovery"}
    ]
    assert sources(chat.say("and Xanax?")) == [{"article": "xanax", "section": "conclusion"}]


def test_tell_me_more_continues_a_long_section(chat: Chat) -> None:
    chat.say("hi")
    first = answer(chat.say("what causes back pain according to the xanax article?"))
    assert {"title": "Tell me more", "payload": "/tell_me_more"} in first["buttons"]
    more = answer(chat.say("tell me more"))
    assert more["metadata"]["source"] == {"article": "xanax", "section": "causes"}
    assert more["text"] != first["text"]


def test_a_comparison_answers_from_both_articles(chat: Chat) -> None:
    chat.say("hi")
    turn = answer(chat.say("trazodone or Xanax for my back?"))
    assert turn["metadata"]["sources"] == [
        {"article": "trazodone", "section": "conclusion"},
        {"article": "xanax", "section": "conclusion"},
    ]


def test_a_comparison_can_pair_the_medication_discussed_with_a_new_one(chat: Chat) -> None:
    chat.say("hi")
    chat.say("do antidepressants help back pain?")
    turn = answer(chat.say("is it better than xanax?"))
    assert turn["metadata"]["sources"] == [
        {"article": "xanax", "section": "conclusion"},
        {"article": "antidepressants", "section": "introduction"},
    ]


@pytest.mark.parametrize(
    "question",
    [
        "how many mg of xanax should i take for my back",
        "can I drink wine while on trazodone?",
        "can i stop my antidepressant now that my back feels better",
    ],
)
def test_personal_questions_get_a_referral_without_numbers(chat: Chat, question: str) -> None:
    chat.say("hi")
    [turn] = chat.say(question)
    assert turn["metadata"]["kind"] == "referral"
    assert "doctor or pharmacist" in turn["text"]
    assert not re.search(r"\d", turn["text"])


def test_xanax_referral_quotes_the_article_s_tapering_caution(chat: Chat) -> None:
    chat.say("hi")
    [turn] = chat.say("I want to stop taking xanax, how should I do it?")
    assert turn["metadata"] == {
        "kind": "referral",
        "source": {"article": "xanax", "section": "recovery"},
    }
    assert "tapered off under medical supervision" in turn["text"]


def test_brand_names_map_to_the_antidepressants_article_which_speaks_in_general(chat: Chat) -> None:
    chat.say("hi")
    turn = answer(chat.say("is cymbalta good for back pain?"))
    assert turn["metadata"]["source"] == {"article": "antidepressants", "section": "introduction"}
    assert "in general" in turn["text"]


def test_misspelt_drug_names_are_understood(chat: Chat) -> None:
    chat.say("hi")
    assert sources(chat.say("side effects of xanex?")) == [
        {"article": "xanax", "section": "conclusion"}
    ]
    assert sources(chat.say("what is trazadone")) == [
        {"article": "trazodone", "section": "introduction"}
    ]


def test_a_question_without_a_medication_asks_which_one(chat: Chat) -> None:
    chat.say("hi")
    [turn] = chat.say("what are the side effects?")
    assert turn["metadata"]["kind"] == "clarify"
    assert [b["title"] for b in turn["buttons"]] == [
        "Trazodone",
        "Xanax (alprazolam)",
        "Antidepressants",
    ]
    assert sources(chat.say(turn["buttons"][2]["payload"])) == [
        {"article": "antidepressants", "section": "side_effects"}
    ]


def test_out_of_scope_is_honest_and_suggests_questions(chat: Chat) -> None:
    chat.say("hi")
    [turn] = chat.say("what's the best medicine for migraines?")
    assert turn["metadata"]["kind"] == "out_of_scope"
    assert "can't help" in turn["text"] and turn["buttons"]


def test_gibberish_gets_a_clarifying_question_not_an_answer(chat: Chat) -> None:
    chat.say("hi")
    [turn] = chat.say("blorf snazzle quibbit")
    assert turn["metadata"]["kind"] in {"clarify", "out_of_scope"}
    assert turn["buttons"]


def test_help_and_restart(chat: Chat) -> None:
    assert chat.kinds("what can you do?") == ["help"]
    chat.say("does xanax help back pain")
    assert chat.kinds("restart") == ["greeting"]
    assert chat.kinds("what are the side effects?") == [
        "greeting",
        "clarify",
    ], "a new start, medication forgotten"


def test_a_red_flag_is_escalated_with_what_to_do_now_and_staff_told_once(
    chat: Chat, staff_webhook
) -> None:
    conversation = f"rest:{chat.sender}"  # what staff see: the channel and the REST client's sender
    chat.say("hi")
    chat.say("does xanax help back pain?")
    assert staff_webhook.notices_for(conversation) == [], "ordinary messages must not notify staff"
    turns = chat.say("since this morning I can't control my bladder and my back is killing me")
    assert [t["metadata"]["kind"] for t in turns] == ["red_flag", "red_flag"]
    for turn in turns:
        assert turn["metadata"]["red_flag"] == {"category": "cauda_equina", "tier": "emergency"}
    assert "emergency" in turns[1]["text"]
    assert staff_webhook.notices_for(conversation) == [
        f"Red flag (emergency): cauda_equina in conversation {conversation}. Please review."
    ]
    chat.say("what are home remedies?")
    assert len(staff_webhook.notices_for(conversation)) == 1


def test_a_question_with_a_red_flag_inside_is_answered_after_the_warning(chat: Chat) -> None:
    chat.say("hi")
    turns = chat.say("does trazodone help back pain? also my groin has been numb since yesterday")
    assert [t["metadata"]["kind"] for t in turns] == ["red_flag", "red_flag", "answer"]
    assert turns[2]["metadata"]["source"] == {"article": "trazodone", "section": "conclusion"}


def test_the_conversation_goes_on_after_a_red_flag(chat: Chat) -> None:
    chat.say("hi")
    chat.say("my back hurts and I have a fever and chills")
    assert chat.kinds("what are home remedies for back pain?") == ["answer"]


@pytest.mark.parametrize(
    "body, status",
    [
        ('{"sender": "x", "message": ""}', 400),
        ('{"sender": "x", "message": "   "}', 400),
        ('{"sender": "x"}', 400),
        ('{"message": "hi"}', 400),
        ('{"sender": "x", "message": 42}', 400),
        ("not json", 400),
        ("[1, 2]", 400),
    ],
)
def test_malformed_requests_get_a_clear_4xx(assistant: str, body: str, status: int) -> None:
    import requests

    reply = requests.post(
        f"{assistant}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == status
    assert reply.json()["error"]


def test_a_huge_message_is_refused_clearly(assistant: str) -> None:
    import requests

    reply = requests.post(
        f"{assistant}/webhooks/rest/webhook",
        json={"sender": "x", "message": "a" * 100_000},
        timeout=10,
    )
    assert reply.status_code == 413 and "shorten" in reply.json()["error"]


@pytest.mark.parametrize(
    "text",
    [
        "😀😀😀",
        "¿el trazodone ayuda con el dolor de espalda?",
        "<img src=x onerror=alert(1)>",
        "tab\tbell\x07null\x00",
        "?!?!",
        "a" * 4_999,
    ],
)
def test_odd_but_valid_messages_get_a_reply(chat: Chat, text: str) -> None:
    turns = chat.say(text)
    assert turns and all(turn["metadata"].get("kind") for turn in turns)


def test_invalid_utf8_and_a_wrong_content_type_get_a_clear_4xx(assistant: str) -> None:
    import requests

    url = f"{assistant}/webhooks/rest/webhook"
    invalid = requests.post(
        url,
        data=b'{"sender": "x", "message": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert invalid.status_code == 400 and invalid.json()["error"]
    form = requests.post(url, data={"sender": "x", "message": "hi"}, timeout=10)
    assert form.status_code == 415 and "application/json" in form.json()["error"]


def test_the_restart_payload_is_answered_like_the_word(chat: Chat) -> None:
    """`/restart` is Rasa's own restart intent; its action says utter_restart, or nothing."""
    chat.say("does xanax help back pain")
    assert chat.kinds("/restart") == ["greeting"]
    assert chat.kinds("what are the side effects?") == ["greeting", "clarify"]


def test_a_payload_that_makes_no_reply_is_still_answered(chat: Chat) -> None:
    """`/session_start` is one of Rasa's own intents: its action says nothing."""
    assert chat.kinds("/session_start") == ["out_of_scope"]
