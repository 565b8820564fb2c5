"""Rasa's command line with this project's speed-ups; `make run`, `make production`, the tests
and the benchmark start the Rasa server with it (`python -m backpain_assistant.rasa_cli run ...`).

1. skops is imported before TensorFlow. Rasa loads the trained LogisticRegressionClassifier with
   skops, whose first import looks up the module of each of its ~750 trusted types by walking
   `sys.modules` (`skops.io._utils.whichmodule`). Once Rasa has imported TensorFlow, that walk
   takes 8 to 10 s; before, 1.5 s.
2. Models are served with `SequentialGraphRunner` instead of Dask (see graph_runner).
3. The action server's replies are checked against a schema compiled once (see action_responses).
"""
import skops.io  # noqa: F401  (first: see above)

from backpain_assistant.action_responses import use_compiled_action_response_schema
from backpain_assistant.graph_runner import use_sequential_graph_runner


def apply_speedups() -> None:
    use_sequential_graph_runner()
    use_compiled_action_response_schema()


def main() -> None:
    apply_speedups()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
