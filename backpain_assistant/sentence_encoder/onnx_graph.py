"""Writes a BERT encoder with mean pooling and L2 normalisation as an ONNX graph.

The upstream model is published as PyTorch-style safetensors; converting it usually needs
PyTorch. This builds the same computation (BertModel, then sentence-transformers' Pooling and
Normalize modules) from standard ONNX operators and the weights themselves, so ONNX Runtime can
run it. tests/backpain_assistant/sentence_encoder/ checks it against a NumPy forward pass.
"""

import math
from dataclasses import dataclass
from typing import Dict, List, Mapping

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
INPUT_IDS = "input_ids"
ATTENTION_MASK = "attention_mask"
OUTPUT = "sentence_embedding"


@dataclass(frozen=True)
class BertShape:
    layers: int
    hidden: int
    heads: int
    layer_norm_eps: float

    @classmethod
    def from_config(cls, config: Mapping) -> "BertShape":
        if (
            config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
        ):
            raise ValueError("only BERT with GELU and absolute positions is supported")
        return cls(
            config["num_hidden_layers"],
            config["hidden_size"],
            config["num_attention_heads"],
            config["layer_norm_eps"],
        )


class _Graph:
    """Collects nodes and initializers under unique names."""

    def __init__(self) -> None:
        self.nodes: List[onnx.NodeProto] = []
        self.initializers: List[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, **attributes) -> str:
        self._count += 1
        output = f"{op_type.lower()}_{self._count}"
        self.nodes.append(
            helper.make_node(op_type, list(inputs), [output], name=output, **attributes)
        )
        return output


def _dense(g: _Graph, x: str, weights: Mapping[str, np.ndarray], prefix: str) -> str:
    """x @ W.T + b, with W stored as PyTorch's Linear stores it (out, in)."""
    weight = g.const(f"{prefix}.weight_t", weights[f"{prefix}.weight"].T.copy())
    bias = g.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
    return g.op("Add", g.op("MatMul", x, weight), bias)


def _layer_norm(
    g: _Graph, x: str, weights: Mapping[str, np.ndarray], prefix: str, eps: float
) -> str:
    scale = g.const(f"{prefix}.weight", weights[f"{prefix}.weight"])
    bias = g.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
    return g.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=eps)


def _gelu(g: _Graph, x: str) -> str:
    """The exact (erf) GELU that BERT uses."""
    inner = g.op(
        "Erf",
        g.op("Div", x, g.const(f"sqrt2_{len(g.nodes)}", np.array(math.sqrt(2.0), np.float32))),
    )
    one_plus = g.op("Add", inner, g.const(f"one_{len(g.nodes)}", np.array(1.0, np.float32)))
    return g.op(
        "Mul", g.op("Mul", x, one_plus), g.const(f"half_{len(g.nodes)}", np.array(0.5, np.float32))
    )


def _heads(g: _Graph, x: str, shape: BertShape, head_shape: str) -> str:
    """[batch, seq, hidden] -> [batch, heads, seq, head_size]."""
    return g.op("Transpose", g.op("Reshape", x, head_shape), perm=[0, 2, 1, 3])


def _attention(
    g: _Graph,
    x: str,
    mask_bias: str,
    weights: Mapping[str, np.ndarray],
    prefix: str,
    shape: BertShape,
) -> str:
    head_size = shape.hidden // shape.heads
    head_shape = g.const(f"{prefix}.head_shape", np.array([0, 0, shape.heads, head_size], np.int64))
    query = _heads(g, _dense(g, x, weights, f"{prefix}.self.query"), shape, head_shape)
    key = _heads(g, _dense(g, x, weights, f"{prefix}.self.key"), shape, head_shape)
    value = _heads(g, _dense(g, x, weights, f"{prefix}.self.value"), shape, head_shape)
    scale = g.const(f"{prefix}.scale", np.array(1.0 / math.sqrt(head_size), np.float32))
    scores = g.op("Mul", g.op("MatMul", query, g.op("Transpose", key, perm=[0, 1, 3, 2])), scale)
    probabilities = g.op("Softmax", g.op("Add", scores, mask_bias), axis=-1)
    context = g.op("Transpose", g.op("MatMul", probabilities, value), perm=[0, 2, 1, 3])
    merged = g.op(
        "Reshape",
        context,
        g.const(f"{prefix}.merged_shape", np.array([0, 0, shape.hidden], np.int64)),
    )
    return _dense(g, merged, weights, f"{prefix}.output.dense")


def _layer(
    g: _Graph,
    x: str,
    mask_bias: str,
    weights: Mapping[str, np.ndarray],
    index: int,
    shape: BertShape,
) -> str:
    prefix = f"encoder.layer.{index}"
    attended = _attention(g, x, mask_bias, weights, f"{prefix}.attention", shape)
    x = _layer_norm(
        g,
        g.op("Add", attended, x),
        weights,
        f"{prefix}.attention.output.LayerNorm",
        shape.layer_norm_eps,
    )
    intermediate = _gelu(g, _dense(g, x, weights, f"{prefix}.intermediate.dense"))
    output = _dense(g, intermediate, weights, f"{prefix}.output.dense")
    return _layer_norm(
        g, g.op("Add", output, x), weights, f"{prefix}.output.LayerNorm", shape.layer_norm_eps
    )


def _embeddings(g: _Graph, weights: Mapping[str, np.ndarray], shape: BertShape) -> str:
    """Word + position + token-type-0 embeddings, normalised (every message is one segment)."""
    words = g.op(
        "Gather",
        g.const("word_embeddings", weights["embeddings.word_embeddings.weight"]),
        INPUT_IDS,
        axis=0,
    )
    length = g.op(
        "Gather", g.op("Shape", INPUT_IDS), g.const("seq_axis", np.array(1, np.int64)), axis=0
    )
    positions = g.op(
        "Range",
        g.const("zero", np.array(0, np.int64)),
        length,
        g.const("step", np.array(1, np.int64)),
    )
    position_vectors = g.op(
        "Gather",
        g.const("position_embeddings", weights["embeddings.position_embeddings.weight"]),
        positions,
        axis=0,
    )
    token_type = g.const("token_type_0", weights["embeddings.token_type_embeddings.weight"][0])
    summed = g.op("Add", g.op("Add", words, position_vectors), token_type)
    return _layer_norm(g, summed, weights, "embeddings.LayerNorm", shape.layer_norm_eps)


def _mean_pool_normalised(g: _Graph, hidden: str, mask: str) -> str:
    mask_3d = g.op("Unsqueeze", mask, g.const("last_axis", np.array([-1], np.int64)))
    summed = g.op(
        "ReduceSum",
        g.op("Mul", hidden, mask_3d),
        g.const("seq_axes", np.array([1], np.int64)),
        keepdims=0,
    )
    counts = g.op("ReduceSum", mask_3d, g.const("seq_axes_2", np.array([1], np.int64)), keepdims=0)
    mean = g.op(
        "Div", summed, g.op("Max", counts, g.const("min_count", np.array(1e-9, np.float32)))
    )
    norm = g.op("ReduceL2", mean, axes=[1], keepdims=1)  # axes an attribute until opset 18
    return g.op("Div", mean, g.op("Max", norm, g.const("min_norm", np.array(1e-12, np.float32))))


def build_model(weights: Mapping[str, np.ndarray], config: Mapping) -> onnx.ModelProto:
    shape = BertShape.from_config(config)
    g = _Graph()
    mask = g.op("Cast", ATTENTION_MASK, to=TensorProto.FLOAT)
    # 0 where a token is attended, a large negative number on padding, as BERT adds it.
    not_attended = g.op("Sub", g.const("one_mask", np.array(1.0, np.float32)), mask)
    mask_bias = g.op(
        "Unsqueeze",
        g.op(
            "Mul",
            not_attended,
            g.const("mask_fill", np.array(np.finfo(np.float32).min, np.float32)),
        ),
        g.const("mask_axes", np.array([1, 2], np.int64)),
    )
    x = _embeddings(g, weights, shape)
    for index in range(shape.layers):
        x = _layer(g, x, mask_bias, weights, index, shape)
    g.nodes.append(helper.make_node("Identity", [_mean_pool_normalised(g, x, mask)], [OUTPUT]))
    graph = helper.make_graph(
        g.nodes,
        "sentence_encoder",
        [
            helper.make_tensor_value_info(INPUT_IDS, TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(ATTENTION_MASK, TensorProto.INT64, ["batch", "sequence"]),
        ],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", shape.hidden])],
        initializer=g.initializers,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="backpain_assistant"
    )
    onnx.checker.check_model(model)
    return model


def activation_matmuls(model: onnx.ModelProto) -> List[str]:
    """The MatMul nodes that multiply two activations (attention scores and context), not a weight."""
    weights = {initializer.name for initializer in model.graph.initializer}
    return [
        n.name
        for n in model.graph.node
        if n.op_type == "MatMul" and not weights.intersection(n.input)
    ]


def weights_as_arrays(tensors: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    return {
        name: np.ascontiguousarray(value, dtype=np.float32)
        for name, value in tensors.items()
        if value.dtype != np.int64
    }
