"""The pretrained sentence encoder (all-MiniLM-L6-v2), run by ONNX Runtime without PyTorch.

`build` turns the verified upstream weights into an ONNX graph once; `encoder` loads that
graph and embeds messages. See docs/sentence-encoder.md.
"""
