"""The sequential runner must give Rasa exactly what Dask gives it, only sooner."""

import asyncio
import subprocess
import sys
from typing import Any, Dict, List

import pytest
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.rasa_speedups.graph_runner import (
    SequentialGraphRunner,
    topological_order,
    use_sequential_graph_runner,
)
from tests.conftest import MODEL, ROOT
from tests.support.long_conversation import SCRIPT

_LOOP = asyncio.new_event_loop()


def run(coroutine: Any) -> Any:
    return _LOOP.run_until_complete(coroutine)


def load_agent(action_url: str) -> Agent:
    tracker_store = InMemoryTrackerStore(Domain.load(ROOT / "domain.yml"))
    return Agent.load(
        str(MODEL), tracker_store=tracker_store, action_endpoint=EndpointConfig(action_url)
    )


@pytest.fixture(scope="module")
def agents(action_url: str) -> Dict[str, Agent]:
    dask = load_agent(action_url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
        use_sequential_graph_runner()
        sequential = load_agent(action_url)
    return {"dask": dask, "sequential": sequential}


def test_use_sequential_graph_runner_makes_rasa_serve_models_with_it(
    agents: Dict[str, Agent],
) -> None:
    assert type(agents["sequential"].processor.graph_runner) is SequentialGraphRunner
    assert type(agents["dask"].processor.graph_runner) is DaskGraphRunner


def conversation(agent: Agent, sender: str) -> List[Dict[str, Any]]:
    turns = []
    for text in SCRIPT * 2:
        parse = run(agent.parse_message(text))
        replies = run(agent.handle_text(text, sender_id=sender))
        turns.append({"text": text, "parse": parse, "replies": replies})
    return turns


def test_answers_parses_and_stored_events_are_the_same_as_with_dask(
    agents: Dict[str, Agent],
) -> None:
    dask, sequential = (
        conversation(agents["dask"], "same"),
        conversation(agents["sequential"], "same"),
    )
    for expected, actual in zip(dask, sequential):
        assert actual == expected, expected["text"]
    events = {
        name: [event.as_dict() for event in run(agent.tracker_store.retrieve("same")).events]
        for name, agent in agents.items()
    }
    assert [without_ids(e) for e in events["sequential"]] == [
        without_ids(e) for e in events["dask"]
    ]
    assert len(events["dask"]) > 2 * len(SCRIPT)


def without_ids(event: Dict[str, Any]) -> Dict[str, Any]:
    """The event without what differs between any two runs: its time and random message id."""
    event = {key: value for key, value in event.items() if key not in ("timestamp", "message_id")}
    if "parse_data" in event:
        event["parse_data"] = {
            key: value for key, value in event["parse_data"].items() if key != "message_id"
        }
    return event


def schema(needs: Dict[str, Dict[str, str]]) -> GraphSchema:
    return GraphSchema(
        {
            name: SchemaNode(
                needs=node_needs,
                uses=DaskGraphRunner,
                constructor_name="create",
                fn="run",
                config={},
            )
            for name, node_needs in needs.items()
        }
    )


def test_every_node_comes_after_the_nodes_it_needs_and_inputs_are_not_nodes() -> None:
    graph = schema(
        {"c": {"x": "b", "y": "a"}, "b": {"x": "a", "m": "__message__"}, "a": {}, "d": {"x": "c"}}
    )
    order = topological_order(graph)
    assert sorted(order) == ["a", "b", "c", "d"]
    for name, node in graph.nodes.items():
        assert all(
            order.index(need) < order.index(name)
            for need in node.needs.values()
            if need in graph.nodes
        )


def test_a_cycle_is_refused() -> None:
    with pytest.raises(GraphRunError, match="cycle"):
        topological_order(schema({"a": {"x": "b"}, "b": {"x": "a"}}))


def test_an_input_named_like_a_node_is_refused(agents: Dict[str, Agent]) -> None:
    runner = agents["sequential"].processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError, match="clash"):
        runner.run(inputs={node: "anything"})


def test_installing_fails_loudly_when_rasa_no_longer_names_the_dask_runner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(rasa.core.processor, "DaskGraphRunner")
    with pytest.raises(RuntimeError, match="no longer names DaskGraphRunner"):
        use_sequential_graph_runner()


def test_the_launcher_imports_skops_before_tensorflow() -> None:
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import backpain_assistant.rasa_cli"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    modules = [
        line.split("|")[-1].strip()
        for line in imports.splitlines()
        if line.startswith("import time:")
    ]
    assert "skops.io._trusted_types" in modules and "tensorflow" in modules
    assert modules.index("skops.io._trusted_types") < modules.index("tensorflow")
