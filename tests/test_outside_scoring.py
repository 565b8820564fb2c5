"""The outside sets' scoring rules, on made-up replies (no item of the sets is read)."""

from tests.support.outside import Item, Reply, acceptable, answered_acceptably, score


def item(acceptable_behaviours, escalate="must_not", tiers=()):
    return Item(
        "x", "text", "https://example.org", list(acceptable_behaviours), escalate, list(tiers), None
    )


def answer(*sources):
    return [
        {
            "metadata": {
                "kind": "answer",
                "sources": [{"article": a, "section": s} for a, s in sources],
            }
        }
    ]


def test_a_reply_is_reduced_to_its_kind_sources_and_most_severe_tier() -> None:
    turns = [
        {"metadata": {"kind": "red_flag", "red_flag": {"tier": "urgent"}}},
        {"metadata": {"kind": "red_flag", "red_flag": {"tier": "emergency"}}},
        *answer(("xanax", "recovery"), ("trazodone", "recovery")),
    ]
    reply = Reply.from_turns(turns)
    assert reply.tier == "emergency" and reply.behaviour == "answer"
    assert reply.sources == ["xanax/recovery", "trazodone/recovery"]


def test_an_answer_counts_only_from_an_accepted_section() -> None:
    wanted = item(["answer:xanax/recovery", "referral"])
    assert answered_acceptably(wanted, Reply.from_turns(answer(("xanax", "recovery"))))
    assert not acceptable(wanted, Reply.from_turns(answer(("xanax", "causes"))))
    assert acceptable(wanted, Reply(["referral"], [], None))


def test_escalation_rules() -> None:
    must = item(["emergency"], "must", ["emergency"])
    assert acceptable(must, Reply(["red_flag"], [], "emergency"))
    assert not acceptable(
        must, Reply(["red_flag"], [], "urgent")
    ), "an emergency needs the emergency tier"
    assert not acceptable(
        item(["out_of_scope"]), Reply(["red_flag", "out_of_scope"], [], "urgent")
    ), "a false alarm"
    assert acceptable(
        item(["out_of_scope"], "either", ["urgent"]), Reply(["red_flag"], [], "urgent")
    )


def test_the_figures_count_each_kind_of_message() -> None:
    items = [item(["answer:xanax/recovery"]), item(["emergency"], "must", ["emergency"])]
    figures = score(items, [Reply.from_turns(answer(("xanax", "recovery"))), Reply([], [], None)])
    assert figures.counts["acceptable behaviour"] == [1, 2]
    assert figures.counts["answerable answered from an acceptable section"] == [1, 1]
    assert figures.counts["emergencies at emergency tier"] == [0, 1]
    assert figures.counts["benign escalated (lower is better)"] == [0, 1]
