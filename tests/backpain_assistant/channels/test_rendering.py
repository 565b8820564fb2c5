from backpain_assistant.channels.rendering import turn_of


def test_the_citation_line_is_split_from_the_text() -> None:
    turn = turn_of(
        {"text": "Answer.\n(Source: trazodone article, Conclusion)", "metadata": {"kind": "answer"}}
    )
    assert (turn.text, turn.citation, turn.heading) == (
        "Answer.",
        "Source: trazodone article, Conclusion",
        None,
    )


def test_a_red_flag_gets_the_heading_of_its_tier() -> None:
    emergency = turn_of(
        {"text": "Call now.", "metadata": {"kind": "red_flag", "red_flag": {"tier": "emergency"}}}
    )
    urgent = turn_of(
        {"text": "See a doctor.", "metadata": {"kind": "red_flag", "red_flag": {"tier": "urgent"}}}
    )
    assert "emergency" in emergency.heading and "doctor" in urgent.heading


def test_buttons_without_a_title_or_payload_are_dropped() -> None:
    turn = turn_of(
        {
            "text": "pick",
            "buttons": [{"title": "A", "payload": "/a"}, {"title": "", "payload": "/b"}],
        }
    )
    assert turn.buttons == [{"title": "A", "payload": "/a"}]
