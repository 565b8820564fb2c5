"""Embeds messages with the ONNX sentence encoder that `build` wrote.

One ONNX Runtime session per process and directory, shared by every component that embeds
(the featurizer, the answer chooser, the red-flag detector), on one intra-op thread: a Rasa
worker serves many conversations at once, so parallelism comes from processes, not threads.
Messages run one at a time without padding, so [PAD] tokens never enter the mean.
"""

import json
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from backpain_assistant.sentence_encoder.model_files import verify

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST = "manifest.json"
DIMENSIONS = 384
# Components of one turn embed the same message; a few entries are enough, and keep no long
# record of what people wrote in memory.
CACHE_SIZE = 32


class SentenceEncoder:
    def __init__(self, directory: Path) -> None:
        manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
        paths = verify(directory, manifest["sha256"])
        self._tokenizer = Tokenizer.from_file(str(paths[TOKENIZER_FILE]))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(int(manifest["max_tokens"]))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(
            str(paths[MODEL_FILE]), options, providers=["CPUExecutionProvider"]
        )
        self._cache: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, text: str) -> np.ndarray:
        """The unit-length embedding of one text (cached: a message is embedded once)."""
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector = self.embed_many([text])[0]
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of many texts (training, indexes), each run alone as a message is.

        The int8 graph quantises activations per batch, so a padded batch would give vectors a
        little different from the ones served; training on the served ones keeps them equal.
        """
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, encoding in enumerate(self._tokenizer.encode_batch(list(texts))):
            ids = np.array([encoding.ids], dtype=np.int64)
            (vectors,) = self._session.run(
                None, {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            )
            result[row] = vectors[0]
        return result


@lru_cache(maxsize=None)
def load(directory: str) -> SentenceEncoder:
    """The process's encoder for a build directory, loaded once."""
    return SentenceEncoder(Path(directory))
