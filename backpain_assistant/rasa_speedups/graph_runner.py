"""A graph runner that calls the model's nodes one after another, for Rasa's message processor.

Rasa 3.6 runs its prediction graphs with `DaskGraphRunner`, which, on every call (three a
message), copies the graph's minimal schema, builds a Dask task graph from it and lets Dask's
synchronous scheduler order and run it. The graphs are small chains (about 15 nodes) and always
run to the same targets, so this runner computes each target set's order once and then only
calls the nodes. The nodes, their inputs and outputs are Rasa's own `GraphNode`s, unchanged.

Rasa has no setting for the runner of a served model: `MessageProcessor._load_model` names
`DaskGraphRunner` (rasa/core/processor.py). `use_sequential_graph_runner` replaces that name;
`backpain_assistant.rasa_cli` does it before running Rasa's command line.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner


class SequentialGraphRunner(DaskGraphRunner):
    """Runs a graph in a topological order computed once per set of targets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orders: Dict[Tuple[Text, ...], List[Text]] = {}

    def run(
        self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
    ) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        outputs: Dict[Text, Any] = {name: (name, value) for name, value in (inputs or {}).items()}
        clashes = outputs.keys() & self._graph_schema.nodes.keys()
        if clashes:
            raise GraphRunError(f"Inputs {sorted(clashes)} clash with node names of the graph.")
        try:
            for node_name in self._order_for(run_targets):
                needs = self._graph_schema.nodes[node_name].needs.values()
                # As with Dask, a need nothing provides reaches the node as its bare name.
                outputs[node_name] = self._instantiated_nodes[node_name](
                    *(outputs.get(need, need) for need in needs)
                )
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(outputs[target] for target in run_targets)

    def _order_for(self, targets: Sequence[Text]) -> List[Text]:
        key = tuple(targets)
        if key not in self._orders:
            self._orders[key] = topological_order(
                self._graph_schema.minimal_graph_schema(list(targets))
            )
        return self._orders[key]


def topological_order(schema: GraphSchema) -> List[Text]:
    """The schema's node names, each after every node it needs (inputs are not nodes)."""
    order: List[Text] = []
    placed: set = set()

    def place(node_name: Text, path: Tuple[Text, ...]) -> None:
        if node_name in placed or node_name not in schema.nodes:
            return
        if node_name in path:
            raise GraphRunError(f"The graph has a cycle through '{node_name}'.")
        for need in schema.nodes[node_name].needs.values():
            place(need, path + (node_name,))
        placed.add(node_name)
        order.append(node_name)

    for node_name in schema.nodes:
        place(node_name, ())
    return order


def use_sequential_graph_runner() -> None:
    """Makes Rasa's message processor load models with `SequentialGraphRunner`."""
    if getattr(rasa.core.processor, "DaskGraphRunner", None) is None:
        raise RuntimeError(
            "rasa.core.processor no longer names DaskGraphRunner; this Rasa version loads "
            "models differently, so SequentialGraphRunner cannot be installed."
        )
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
