#!/usr/bin/env python3
"""Fixtures for TinyGraph's classifier-head writer: Tests/Fixtures/heads/.

For each case, a model (a .pb or a .tflite) gets a new head: seeded random weights
and bias, sometimes for another number of classes. `tinygraph head MODEL --weights
--bias --out` writes the new model (TinyGraph's own writer, the code under test);
then TensorFlow (for a .pb) or LiteRT (for a .tflite) loads that file from disk and
runs it on the case's input. Its output is the golden. The script also checks the
written file's meaning without TinyGraph: the reference engine's output on the
written model must equal the new head applied by numpy to the embedding the
reference engine computes on the original model (within 1e-5).

Each folder holds meta.json (base model, output name, input, classes, the written
file's size and FNV-1a 64 hash, the embedding tensor), weights.f32 (classes x
embedding size, class-major), bias.f32 and output_0.f32; the small synthetic base
models live in their folder as base.pb / base.tflite. The Swift tests
(HeadWriterFixtureTests) write the same file through the API, check it hashes the
same (so TensorFlow ran exactly those bytes), and compare TinyGraph's output on it
with the golden.

    tools/.venv/bin/python tools/make_head_fixtures.py --tinygraph .build/debug/tinygraph

Deterministic: the same tinygraph writes the same bytes, and the weights are seeded.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from ai_edge_litert.interpreter import Interpreter  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agreement import compare  # noqa: E402
from fixture_index import write_index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/heads"

# name: (base model, relative to the repository; output; input file; new class count; seed)
CASES = [
    ("lock-demo-pb", "Models/lock-demo/model.pb", None, "Tests/Fixtures/lock-demo/input.f32", 2, 1),
    ("lock-demo-pb-3-classes", "Models/lock-demo/model.pb", None, "Tests/Fixtures/lock-demo/input.f32", 3, 2),
    ("customvision-fruits-pb-5-classes", "Tests/Fixtures/models/customvision-fruits/model.pb", None,
     "Tests/Fixtures/models/customvision-fruits/input.f32", 5, 3),
    ("squeezenet-databn-pb-3-classes", "Tests/Fixtures/models/squeezenet-databn/model.pb", "model_outputs",
     "Tests/Fixtures/models/squeezenet-databn/input.f32", 3, 4),
    ("mobilenetv2-035-pb-4-classes", "Tests/Fixtures/models/mobilenetv2-035/model.pb",
     "mobilenetv2_0.35_96_1/predictions_1/Softmax", "Tests/Fixtures/models/mobilenetv2-035/input.f32", 4, 5),
    ("conv-head-pb-5-classes", "Tests/Fixtures/heads/conv-head-pb-5-classes/base.pb", None,
     "Tests/Fixtures/heads/conv-head-pb-5-classes/input.f32", 5, 6),
    ("transposed-head-pb-2-classes", "Tests/Fixtures/heads/transposed-head-pb-2-classes/base.pb", None,
     "Tests/Fixtures/heads/transposed-head-pb-2-classes/input.f32", 2, 7),
    ("lock-demo-tflite", "Tests/Fixtures/heads/lock-demo-tflite/base.tflite", None,
     "Tests/Fixtures/lock-demo/input.f32", 2, 8),
    ("lock-demo-tflite-3-classes", "Tests/Fixtures/heads/lock-demo-tflite/base.tflite", None,
     "Tests/Fixtures/lock-demo/input.f32", 3, 9),
    ("customvision-fruits-tflite-5-classes", "Tests/Fixtures/tflite/customvision-fruits/model.tflite", None,
     "Tests/Fixtures/models/customvision-fruits/input.f32", 5, 10),
    ("conv-head-tflite-5-classes", "Tests/Fixtures/heads/conv-head-tflite-5-classes/base.tflite", None,
     "Tests/Fixtures/heads/conv-head-pb-5-classes/input.f32", 5, 11),
]


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


# ---------------------------------------------------------------- synthetic bases

def frozen(fn, spec):
    concrete = tf.function(fn).get_concrete_function(spec)
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    return convert_variables_to_constants_v2(concrete).graph.as_graph_def()


def conv_head_graph():
    """A 1x1 Conv2D head on a pooled 1x1 map, BiasAdd, a Reshape to [-1, 4] by a
    constant shape (which must follow the class count), Softmax."""
    rng = np.random.default_rng(60)
    k1 = tf.constant(rng.normal(0, 0.3, (3, 3, 3, 12)).astype(np.float32))
    head = tf.constant(rng.normal(0, 0.4, (1, 1, 12, 4)).astype(np.float32))
    bias = tf.constant(rng.normal(0, 0.2, (4,)).astype(np.float32))

    def fn(x):
        y = tf.nn.relu(tf.nn.conv2d(x, k1, 1, "SAME"))
        y = tf.reduce_mean(y, axis=[1, 2], keepdims=True, name="pool")
        y = tf.nn.bias_add(tf.nn.conv2d(y, head, 1, "VALID", name="head"), bias, name="head_bias")
        y = tf.reshape(y, tf.constant([-1, 4]), name="flatten")
        return tf.nn.softmax(y, name="probabilities")
    return frozen(fn, tf.TensorSpec([1, 10, 10, 3], tf.float32, name="Placeholder")), (1, 10, 10, 3)


def transposed_head_graph():
    """MatMul with transpose_b (weights [N, C]), AddV2 with the bias first, Sigmoid, Identity."""
    rng = np.random.default_rng(70)
    k1 = tf.constant(rng.normal(0, 0.3, (3, 3, 3, 8)).astype(np.float32))
    head = tf.constant(rng.normal(0, 0.4, (3, 8)).astype(np.float32))
    bias = tf.constant(rng.normal(0, 0.2, (3,)).astype(np.float32))

    def fn(x):
        y = tf.nn.relu(tf.nn.conv2d(x, k1, 2, "VALID"))
        y = tf.reduce_mean(y, axis=[1, 2], name="pool")
        y = tf.add(bias, tf.matmul(y, head, transpose_b=True, name="head"), name="head_bias")
        return tf.identity(tf.sigmoid(y, name="loss"), name="model_outputs")
    return frozen(fn, tf.TensorSpec([1, 9, 9, 3], tf.float32, name="Placeholder")), (1, 9, 9, 3)


def to_tflite(pb_path, input_shape, output):
    def make():
        return tf.compat.v1.lite.TFLiteConverter.from_frozen_graph(str(pb_path), ["Placeholder"], [output],
                                                                  {"Placeholder": list(input_shape)})
    first, second = make().convert(), make().convert()
    assert first == second, "the converter's output is not deterministic"
    return first


def write_bases():
    for seed, (name, build) in enumerate((("conv-head-pb-5-classes", conv_head_graph),
                                          ("transposed-head-pb-2-classes", transposed_head_graph)), 61):
        folder = OUT / name
        folder.mkdir(parents=True, exist_ok=True)
        graph, shape = build()
        (folder / "base.pb").write_bytes(graph.SerializeToString())
        x = np.random.default_rng(seed).uniform(0, 1, shape).astype(np.float32)
        x.tofile(folder / "input.f32")
    tfl = OUT / "conv-head-tflite-5-classes"
    tfl.mkdir(parents=True, exist_ok=True)
    (tfl / "base.tflite").write_bytes(to_tflite(OUT / "conv-head-pb-5-classes/base.pb", (1, 10, 10, 3), "probabilities"))
    lock = OUT / "lock-demo-tflite"
    lock.mkdir(parents=True, exist_ok=True)
    (lock / "base.tflite").write_bytes(to_tflite(ROOT / "Models/lock-demo/model.pb", (1, 128, 128, 3), "loss"))


# ---------------------------------------------------------------- reference engines

def run_pb(path, input_name, x, outputs):
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(Path(path).read_bytes())
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        names = [o if ":" in o else o + ":0" for o in outputs]
        return session.run(names, {input_name + ":0": x})


def run_tflite(path, x, tensor_names):
    interpreter = Interpreter(model_path=str(path), num_threads=1, experimental_preserve_all_tensors=True)
    interpreter.allocate_tensors()
    (detail,) = interpreter.get_input_details()
    interpreter.set_tensor(detail["index"], x.reshape(detail["shape"]))
    interpreter.invoke()
    by_name = {t["name"]: t["index"] for t in interpreter.get_tensor_details()}
    return [interpreter.get_tensor(by_name[n]).copy() for n in tensor_names]


def apply_head(embedding, weights, bias, activation):
    logits = embedding.reshape(-1).astype(np.float64) @ weights.astype(np.float64).T + bias
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-logits))
    e = np.exp(logits - logits.max())
    return e / e.sum()


def make_case(tinygraph, name, base, output, input_file, classes, seed):
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    base_path = ROOT / base
    args = [tinygraph, "head", str(base_path), "--json"] + (["--output-node", output] if output else [])
    head = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    rng = np.random.default_rng(seed)
    size = head["embedding_size"]
    weights = (rng.normal(0, 1, (classes, size)) * (2.0 / np.sqrt(size))).astype(np.float32)
    bias = rng.normal(0, 0.5, classes).astype(np.float32)
    weights.tofile(folder / "weights.f32")
    bias.tofile(folder / "bias.f32")
    written = folder / ("written" + base_path.suffix)
    subprocess.run([tinygraph, "head", str(base_path), "--weights", str(folder / "weights.f32"),
                    "--bias", str(folder / "bias.f32"), "--out", str(written)] + (["--output-node", output] if output else []),
                   check=True, capture_output=True)
    data = written.read_bytes()
    x = np.fromfile(ROOT / input_file, dtype=np.float32)
    if base_path.suffix == ".pb":
        shape = [d.size for d in _placeholder_shape(base_path)]
        x = x.reshape([1] + shape[1:])
        (got,) = run_pb(written, "Placeholder", x, [head["output"]])
        (embedding,) = run_pb(base_path, "Placeholder", x, [head["embedding"]])
    else:
        (got,) = run_tflite(written, x, [head["output"]])
        (embedding,) = run_tflite(base_path, x, [head["embedding"]])
    expected = apply_head(embedding, weights, bias, head["activation"])
    check = compare(got.reshape(-1), expected)
    if not check.within(1e-5):
        raise SystemExit(f"{name}: the reference engine's output on the written model is not the new head's: {check.describe()}")
    got.astype(np.float32).tofile(folder / "output_0.f32")
    written.unlink()
    meta = {
        "description": f"{base} with a new {head['activation']} head of {classes} classes (was {head['classes']}), "
                       f"written by tinygraph head; output_0.f32 from {'TensorFlow' if base_path.suffix == '.pb' else 'LiteRT'}.",
        "base": base,
        "output": head["output"],
        "output_name": output,
        "embedding": head["embedding"],
        "embedding_size": size,
        "classes_before": head["classes"],
        "classes": classes,
        "activation": head["activation"],
        "input_file": input_file,
        "written_bytes": len(data),
        "written_fnv1a64": fnv1a64(data),
        "outputs": [{"name": head["output"], "shape": [1, classes], "kind": "probabilities", "file": "output_0.f32"}],
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"{name}: {head['layer']} {head['classes']} -> {classes} classes, {len(data)} bytes; "
          f"reference engine vs numpy head: {check.describe()}")


def _placeholder_shape(path):
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(Path(path).read_bytes())
    (node,) = [n for n in graph_def.node if n.name == "Placeholder"]
    return node.attr["shape"].shape.dim


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tinygraph", default=str(ROOT / ".build/debug/tinygraph"), help="the tinygraph CLI to write with")
    args = ap.parse_args(argv)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    write_bases()
    for case in CASES:
        make_case(args.tinygraph, *case)
    fixtures = write_index(OUT)
    print(f"wrote {len(fixtures)} fixtures to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
