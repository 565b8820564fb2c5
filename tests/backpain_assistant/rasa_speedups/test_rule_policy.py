"""The lean rule policy must find Rasa's rules and make Rasa's predictions, turn by turn."""

import asyncio
import copy
import json
from typing import Any, List, NamedTuple, Optional

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.rasa_speedups.rule_policy import possible_rule_keys, use_lean_rule_policy
from tests.conftest import MODEL, ROOT
from tests.support.long_conversation import SCRIPT
from tests.test_nlu_quality import TEST_SET, examples

RASAS = {
    name: getattr(RulePolicy, name)
    for name in ("_get_possible_keys", "_predict", "_prediction_states")
}
PAYLOADS = [
    "/restart",
    "/greet",
    "/tell_me_more",
    '/ask_side_effects{"medication": "xanax"}',
    "/red_flag",
    "/session_start",
    "forget me",
    "yes",
    "/nlu_fallback",
    "/out_of_scope",
]


class Prediction(NamedTuple):
    policy: RulePolicy
    tracker: DialogueStateTracker
    domain: Domain
    rule_only_data: Optional[dict]
    made_by_rasa: PolicyPrediction


def messages() -> List[str]:
    texts = [text for _, text in examples(TEST_SET)]
    return SCRIPT * 3 + texts[::3] + PAYLOADS


@pytest.fixture(scope="module")
def predictions(action_url: str) -> List[Prediction]:
    """Every prediction Rasa's own rule policy makes over a few hundred messages."""
    made: List[Prediction] = []
    predict = RulePolicy.predict_action_probabilities

    def recording(
        policy: RulePolicy,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Any = None,
        **kwargs: Any,
    ):
        prediction = predict(policy, tracker, domain, rule_only_data=rule_only_data, **kwargs)
        made.append(Prediction(policy, copy.deepcopy(tracker), domain, rule_only_data, prediction))
        return prediction

    loop = asyncio.new_event_loop()
    with pytest.MonkeyPatch.context() as patch:
        for name, method in RASAS.items():
            patch.setattr(RulePolicy, name, method)
        patch.setattr(RulePolicy, "predict_action_probabilities", recording)
        store = InMemoryTrackerStore(Domain.load(ROOT / "domain.yml"))
        agent = Agent.load(
            str(MODEL), tracker_store=store, action_endpoint=EndpointConfig(action_url)
        )
        for number, text in enumerate(messages()):
            loop.run_until_complete(agent.handle_text(text, sender_id=f"person-{number % 5}"))
    loop.close()
    return made


@pytest.fixture
def lean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, method in RASAS.items():
        monkeypatch.setattr(RulePolicy, name, method)
    use_lean_rule_policy()


def test_the_recording_covers_many_and_varied_predictions(predictions: List[Prediction]) -> None:
    assert len(predictions) > 500
    assert len({json.dumps(p.made_by_rasa.probabilities) for p in predictions}) > 12


def test_every_prediction_is_rasas(predictions: List[Prediction], lean: None) -> None:
    for prediction in predictions:
        made = prediction.policy.predict_action_probabilities(
            prediction.tracker, prediction.domain, rule_only_data=prediction.rule_only_data
        )
        assert (
            made.__dict__ == prediction.made_by_rasa.__dict__
        ), prediction.tracker.latest_message.text


@pytest.mark.parametrize("use_text", [False, True])
def test_the_rules_found_are_rasas(predictions: List[Prediction], use_text: bool) -> None:
    for prediction in predictions:
        policy = prediction.policy
        states = RASAS["_prediction_states"](
            policy, prediction.tracker, prediction.domain, use_text, prediction.rule_only_data
        )
        expected = RASAS["_get_possible_keys"](policy, policy.lookup[RULES], states)
        assert possible_rule_keys(policy, policy.lookup[RULES], states) == expected


def test_outside_a_prediction_states_are_made_as_rasa_makes_them(
    predictions: List[Prediction], lean: None
) -> None:
    prediction = predictions[-1]
    args = (prediction.tracker, prediction.domain, False, prediction.rule_only_data)
    assert prediction.policy._prediction_states(*args) == RASAS["_prediction_states"](
        prediction.policy, *args
    )


def test_installing_twice_wraps_once(lean: None) -> None:
    wrapped = RulePolicy._predict
    use_lean_rule_policy()
    assert RulePolicy._predict is wrapped


def test_installing_fails_loudly_when_rasa_no_longer_has_the_methods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(RulePolicy, "_get_possible_keys")
    with pytest.raises(RuntimeError, match="no longer has"):
        use_lean_rule_policy()
