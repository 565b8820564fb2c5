"""SpacyNLP loads the spaCy pipeline once per process, not once per graph node.

A served Rasa 3.6 model builds `SpacyNLP` twice: the node that provides the pipeline to the
tokenizer and the other components (`provide_SpacyNLP0`) and the node that processes messages
(`run_SpacyNLP0`), which is handed the provided pipeline and never uses its own. Each build
calls `spacy.load`: the second one cost 0.6 s of start-up and 14 MB. `use_one_spacy_load` makes
`SpacyNLP.load_model` hand out the pipeline already loaded under the same name; a failed load
is not remembered.
"""

from functools import lru_cache

from rasa.nlu.utils.spacy_utils import SpacyNLP

from backpain_assistant.rasa_speedups.source_checks import require_source

RASAS_LOAD_MODEL = SpacyNLP.load_model
load_model_once = lru_cache(maxsize=4)(RASAS_LOAD_MODEL)


def use_one_spacy_load() -> None:
    method = SpacyNLP.__dict__.get("load_model")
    if isinstance(method, staticmethod) and method.__func__ is load_model_once:
        return
    changed = (
        "SpacyNLP.load_model has changed in this Rasa version; review rasa_speedups.spacy_model."
    )
    if not isinstance(method, staticmethod):
        raise RuntimeError(changed)
    require_source(method.__func__, "spacy.load(spacy_model_name", message=changed)
    SpacyNLP.load_model = staticmethod(load_model_once)
