"""Rasa's RulePolicy, doing less work for the same predictions.

1. A cheap pre-check before the per-rule matching. To find the rules that fit a conversation,
   `RulePolicy._get_possible_keys` walks back over the tracker's states and, at each, runs
   `_is_rule_applicable` (a Python loop over the rule state's features) on every remaining
   rule: about 130 rules here, a tenth of a message's time. Most rules fail on a feature the
   rule requires and the conversation lacks (another intent, another previous action).
   `possible_rule_keys` first drops those with one set comparison and runs Rasa's own check on
   the rest; it also stops the walk once it is deeper than the longest remaining rule, where
   Rasa's check always passes.
2. The tracker's states computed once per prediction. After a user message, Rasa's `_predict`
   looks for a rule twice, with the message's text and with its intent, and turns the whole
   tracker into states for each (`_prediction_states`); the two differ only in what the last
   user turn keeps, which the featurizer decides afterwards, here on a copy.

The methods are replaced on Rasa's class rather than in a subclass: Rasa's config validation,
its test reports and every stored event recognise the rule policy by its class and name.
"""

import json
from functools import lru_cache, wraps
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import State
from rasa.shared.core.trackers import DialogueStateTracker

Feature = Tuple[Text, Text, Any]
STATES_OF_THIS_PREDICTION = "_states_of_this_prediction"


def possible_rule_keys(
    policy: RulePolicy, lookup: Dict[Text, Text], states: List[State]
) -> Set[Text]:
    """`RulePolicy._get_possible_keys`, with the pre-check."""
    possible_keys = list(lookup.keys())
    for turn_index, state in enumerate(reversed(states)):
        if not possible_keys or turn_index >= max(len(rule_states(key)) for key in possible_keys):
            break
        present = features_of(state)
        possible_keys = [
            key
            for key in possible_keys
            if may_apply(key, turn_index, present)
            and policy._is_rule_applicable(key, turn_index, state)
        ]
    return set(possible_keys)


@lru_cache(maxsize=None)
def rule_states(rule_key: Text) -> Tuple[State, ...]:
    """The rule's states, latest first."""
    return tuple(reversed(RulePolicy._rule_key_to_state(rule_key)))


@lru_cache(maxsize=None)
def required_features(rule_key: Text, turn_index: int) -> Optional[FrozenSet[Feature]]:
    """The features the conversation's state must have for the rule to apply at this turn, or
    None when Rasa applies it without comparing them (a rule starting the conversation)."""
    rule_state = rule_states(rule_key)[turn_index]
    if not rule_state.get(PREVIOUS_ACTION):
        return None
    return frozenset(
        (state_type, key, tuple(value) if isinstance(value, list) else value)
        for state_type, sub_state in rule_state.items()
        for key, value in sub_state.items()
        if value and value != SHOULD_NOT_BE_SET
    )


def features_of(state: State) -> Optional[FrozenSet[Feature]]:
    try:
        return frozenset(
            (state_type, key, value)
            for state_type, sub_state in state.items()
            for key, value in sub_state.items()
        )
    except TypeError:  # an unhashable value: leave every rule to Rasa's check
        return None


def may_apply(rule_key: Text, turn_index: int, present: Optional[FrozenSet[Feature]]) -> bool:
    if present is None or turn_index >= len(rule_states(rule_key)):
        return True
    required = required_features(rule_key, turn_index)
    return required is None or required <= present


def states_computed_once(predict: Callable) -> Callable:
    """Wraps `RulePolicy._predict`: the states made during one prediction are kept until it ends."""

    @wraps(predict)
    def predict_keeping_states(
        policy: RulePolicy, tracker: DialogueStateTracker, domain: Domain
    ) -> Any:
        setattr(policy, STATES_OF_THIS_PREDICTION, {})
        try:
            return predict(policy, tracker, domain)
        finally:
            setattr(policy, STATES_OF_THIS_PREDICTION, None)

    return predict_keeping_states


def prediction_states_from_kept(prediction_states: Callable) -> Callable:
    """Wraps `RulePolicy._prediction_states`: within a prediction, the tracker is turned into
    states once and each call gets its own copy to adapt."""

    @wraps(prediction_states)
    def from_kept(
        policy: RulePolicy,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: Optional[Dict[Text, Any]] = None,
    ) -> List[State]:
        kept = getattr(policy, STATES_OF_THIS_PREDICTION, None)
        if kept is None:
            return prediction_states(
                policy, tracker, domain, use_text_for_last_user_input, rule_only_data
            )
        key = json.dumps(rule_only_data, sort_keys=True, default=str)
        if key not in kept:
            kept[key] = policy.featurizer._create_states(
                tracker, domain, rule_only_data=rule_only_data
            )
        states = policy.featurizer.slice_state_history(
            copied(kept[key]), policy.featurizer.max_history
        )
        policy.featurizer._choose_last_user_input([states], use_text_for_last_user_input)
        return states

    return from_kept


def copied(states: List[State]) -> List[State]:
    """Copies deep enough for the featurizer, which deletes keys from the sub-states."""
    return [
        {state_type: dict(sub_state) for state_type, sub_state in state.items()} for state in states
    ]


def use_lean_rule_policy() -> None:
    missing = [
        name
        for name in ("_get_possible_keys", "_predict", "_prediction_states", "_is_rule_applicable")
        if not callable(getattr(RulePolicy, name, None))
    ]
    if missing:
        raise RuntimeError(
            f"RulePolicy no longer has {missing}; this Rasa version finds rules differently."
        )
    if getattr(RulePolicy._predict, "__wrapped__", None) is not None:
        return  # already installed
    RulePolicy._get_possible_keys = possible_rule_keys
    RulePolicy._predict = states_computed_once(RulePolicy._predict)
    RulePolicy._prediction_states = prediction_states_from_kept(RulePolicy._prediction_states)
