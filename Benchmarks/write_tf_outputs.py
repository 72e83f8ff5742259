#!/usr/bin/env python3
"""Writes TensorFlow's output for each benchmark model in tools/.bench-models/.

For every <name>/ folder with model.pb, input.f32 and meta.json (written by
tools/make_bench_models.py), runs the frozen graph in TensorFlow (one thread) on
input.f32 and writes <name>/output_0.f32 (raw little-endian float32), which the
model benchmarks compare TinyGraph's output with before timing. Run it again after
regenerating the models. From the repository root:

    tools/.venv/bin/python Benchmarks/write_tf_outputs.py
"""
import json
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

root = pathlib.Path(__file__).resolve().parent.parent / "tools" / ".bench-models"
folders = sorted(p.parent for p in root.glob("*/model.pb")) if root.is_dir() else []
if not folders:
    sys.exit(f"no models in {root}: run tools/make_bench_models.py first")
v1 = tf.compat.v1
for folder in folders:
    meta = json.loads((folder / "meta.json").read_text())
    graph_def = v1.GraphDef.FromString((folder / "model.pb").read_bytes())
    graph = tf.Graph()
    with graph.as_default():
        v1.import_graph_def(graph_def, name="")
    config = v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    with v1.Session(graph=graph, config=config) as session:
        x = np.fromfile(folder / "input.f32", dtype="<f4").reshape(meta["input_shape"])
        y = session.run(graph.get_tensor_by_name(meta["output"] + ":0"), {graph.get_tensor_by_name(meta["input"] + ":0"): x})
    np.asarray(y, dtype="<f4").tofile(folder / "output_0.f32")
    print(f"{folder.name}: wrote output_0.f32 {list(np.shape(y))}")
