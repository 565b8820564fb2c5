"""Builds the sentence encoder's ONNX graph from the verified upstream files.

    python -m backpain_assistant.sentence_encoder.build OUTPUT_DIR

The weight matrices are then quantised to int8 per output channel (ONNX Runtime's dynamic
quantisation; the attention products between activations stay float): a float graph takes
about twice the time budget of a message on one core. The tests bound how far the result may
move from the float model.

Refuses (exit status 1, nothing written) when any upstream file is missing or its sha256 is not
the one upstream publishes. The output directory gets model.onnx, tokenizer.json and a manifest
that records both files' hashes, which the encoder checks again when it loads.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

import onnx
from onnxruntime.quantization import QuantType, quantize_dynamic
from safetensors.numpy import load_file

from backpain_assistant.sentence_encoder import model_files, onnx_graph
from backpain_assistant.sentence_encoder.encoder import MANIFEST, MODEL_FILE, TOKENIZER_FILE


def build(output_dir: Path) -> None:
    upstream = model_files.verified_upstream_files()
    settings = model_files.spec()
    config = json.loads(upstream["config.json"].read_text("utf-8"))
    weights = onnx_graph.weights_as_arrays(load_file(str(upstream["model.safetensors"])))
    model = onnx_graph.build_model(weights, config)
    staging = output_dir.with_name(output_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    float_model = staging / "float.onnx"
    onnx.save_model(model, str(float_model))
    quantize_dynamic(
        str(float_model),
        str(staging / MODEL_FILE),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=onnx_graph.activation_matmuls(model),
    )
    float_model.unlink()
    shutil.copyfile(upstream["tokenizer.json"], staging / TOKENIZER_FILE)
    manifest = {
        "model": settings["model"],
        "revision": settings["revision"],
        "licence": settings["licence"],
        "max_tokens": settings["max_tokens"],
        "upstream_sha256": settings["files"],
        "sha256": {
            name: model_files.sha256_of(staging / name) for name in (MODEL_FILE, TOKENIZER_FILE)
        },
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    shutil.rmtree(output_dir, ignore_errors=True)
    staging.rename(output_dir)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("output_dir", type=Path)
    output_dir = parser.parse_args().output_dir
    try:
        build(output_dir)
    except model_files.ModelFileMismatch as error:
        sys.exit(f"sentence encoder not built: {error}")
    print(f"sentence encoder written to {output_dir}")


if __name__ == "__main__":
    main()
