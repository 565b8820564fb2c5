"""Rasa's command line with this project's speed-ups; `make run`, `make production`, the tests
and the benchmark start the Rasa server with it (`python -m backpain_assistant.rasa_cli run ...`).

1. skops is imported before TensorFlow. Rasa loads the trained LogisticRegressionClassifier with
   skops, whose first import looks up the module of each of its ~750 trusted types by walking
   `sys.modules` (`skops.io._utils.whichmodule`). Once Rasa has imported TensorFlow, that walk
   takes 8 to 10 s; before, 1.5 s.
2. The modules of `backpain_assistant.rasa_speedups`, each tested to give Rasa's results:
   models served with a sequential graph runner instead of Dask (graph_runner), the action
   server's replies checked against a schema compiled once (action_responses), the rule
   policy's search pre-filtered and its states made once per prediction (rule_policy), the
   empty domain that every message is compared with built once (domain), the action
   server called over kept-alive connections (endpoint_sessions), at most two turns in
   progress per process, so that a turn back from the action server finishes before new ones
   start (turn_slots), the spaCy pipeline loaded once, not once per graph node
   (spacy_model), the objects loaded at start-up left out of full garbage collections
   (frozen_startup_objects), and, with several Sanic workers, a listening socket for each
   worker, so that new connections are spread over them (worker_sockets).
3. Rasa's warning about a message that looks like an intent payload keeps its event name but
   not the message's text (backpain_assistant.log_privacy).
4. The action server is waited for ACTION_SERVER_SECONDS, not Rasa's 300 s
   (backpain_assistant.time_limits).
5. Request bodies are capped (Sanic's default is 100 MB) unless SANIC_REQUEST_MAX_SIZE says
   otherwise: a larger body gets a 413 before any channel reads it.
"""

import skops.io  # noqa: F401  (first: see above)

import os

from backpain_assistant.channels.validation import MAX_REQUEST_BYTES
from backpain_assistant.log_privacy import withhold_message_text_in_rasa_warnings
from backpain_assistant.time_limits import limit_action_server_wait
from backpain_assistant.rasa_speedups.action_responses import use_compiled_action_response_schema
from backpain_assistant.rasa_speedups.domain import use_cached_empty_domain
from backpain_assistant.rasa_speedups.endpoint_sessions import use_kept_alive_endpoint_sessions
from backpain_assistant.rasa_speedups.frozen_startup_objects import use_frozen_startup_objects
from backpain_assistant.rasa_speedups.graph_runner import use_sequential_graph_runner
from backpain_assistant.rasa_speedups.rule_policy import use_lean_rule_policy
from backpain_assistant.rasa_speedups.spacy_model import use_one_spacy_load
from backpain_assistant.rasa_speedups.turn_slots import use_turn_slots
from backpain_assistant.rasa_speedups.worker_sockets import use_worker_sockets


def apply_speedups() -> None:
    use_sequential_graph_runner()
    use_compiled_action_response_schema()
    use_lean_rule_policy()
    use_cached_empty_domain()
    use_kept_alive_endpoint_sessions()
    use_turn_slots()
    use_one_spacy_load()
    use_frozen_startup_objects()
    use_worker_sockets()


def cap_request_bodies() -> None:
    """Sanic reads SANIC_-prefixed variables into the config of the app Rasa creates."""
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))


def main() -> None:
    cap_request_bodies()
    withhold_message_text_in_rasa_warnings()
    limit_action_server_wait()
    apply_speedups()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
