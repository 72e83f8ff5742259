#!/usr/bin/env python3
"""Generate TinyGraph's TensorFlow reference fixtures.

Run from the repository root with the pinned virtualenv (see tools/README.md):

    tools/.venv/bin/python tools/make_fixtures.py

The script deletes and rewrites ``Tests/Fixtures/models/`` completely.  Every
fixture is a folder ``Tests/Fixtures/models/<name>/`` containing

* ``model.pb``      frozen GraphDef (binary protobuf).  Only ``Const`` weights,
                    no variables, exactly one float32 ``Placeholder`` input.
* ``input.f32``     raw little-endian float32 input tensor, NHWC, batch 1.
* ``output_<i>.f32`` raw little-endian float32 of output i (ArgMax int64/int32
                    results are cast to float32).
* ``meta.json``     ``{"description", "input", "input_shape", "outputs":
                    [{"name", "shape", "kind", "file"}], "ops"}``.

Outputs are produced by TensorFlow running *the same* ``model.pb`` that was
written: the file is read back from disk, imported with
``tf.compat.v1.import_graph_def`` inside ``tf.compat.v1.wrap_function`` and
pruned to (input -> outputs).  TensorFlow runs with its default CPU settings
(grappler + oneDNN on, exactly as the golden of the real Custom Vision export
was made) but with 1 inter-op and 1 intra-op thread.  At the end every fixture
is re-loaded from disk, re-run and compared with the files (bit-exact), the
layout contract is validated, op coverage is checked and a summary is printed.

Fixtures (see tools/README.md for details):

* ``customvision-fruits``  copy of the real Azure Custom Vision export (its
  golden output is TensorFlow's and is NOT regenerated, only verified).
* ``op-*``                 one graph per op family with awkward shapes.
* ``mobilenetv2-035``      Keras MobileNetV2 alpha 0.35, 96x96, randomised BN.
* ``squeezenet-databn``    Custom Vision "General (compact)"-style SqueezeNet,
                           TF1 variables frozen with ``*/read`` Identity nodes.
* ``shufflenet-block``     ShuffleNetV2-style stem + downsample + basic unit.
* ``tinyyolo-block``       Tiny-YOLOv2-style conv/leaky/maxpool stack.
* ``tf1-fusedbatchnorm``   TF1 graph with FusedBatchNorm V1/V2/V3.

Everything is deterministic: each fixture draws from its own
``numpy.random.default_rng(seed)``; Keras' own initialisation is overwritten.
Bit-exact output reproduction across different CPUs is not guaranteed (oneDNN
picks ISA-specific kernels); the graphs and inputs are.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from fixture_index import write_index  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework.convert_to_constants import (  # noqa: E402
    convert_variables_to_constants_v2,
)

tf.config.threading.set_inter_op_parallelism_threads(1)
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.get_logger().setLevel("ERROR")

v1 = tf.compat.v1
F32 = np.float32

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "Tests" / "Fixtures"
OUT = FIXTURES / "models"
CUSTOMVISION_SRC = Path(
    os.environ.get("CUSTOMVISION_DIR", REPO.parent / "shared" / "models" / "customvision-fruits")
)

# Op types that must appear in at least one fixture graph.
REQUIRED_OPS = """
Placeholder Const Identity NoOp Conv2D DepthwiseConv2dNative BiasAdd Relu Relu6
LeakyRelu Elu Sigmoid Tanh Softmax MaxPool AvgPool Mean Sum Max MatMul Add AddV2
Sub Mul RealDiv Maximum Minimum Rsqrt Sqrt Square Neg Exp FusedBatchNorm
FusedBatchNormV2 FusedBatchNormV3 ConcatV2 Pad PadV2 MirrorPad Reshape Squeeze
ExpandDims Transpose Slice StridedSlice Split SplitV Pack Shape Cast
ResizeBilinear ResizeNearestNeighbor ArgMax
""".split()

# Ops that must never be left in a frozen graph.
VARIABLE_OPS = {
    "VarHandleOp", "ReadVariableOp", "VariableV2", "Variable", "Assign",
    "AssignVariableOp", "VarIsInitializedOp", "PartitionedCall",
    "StatefulPartitionedCall",
}

PROBABILITY_OPS = {"Softmax", "Sigmoid"}


# --------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------

def distinct_uniform(rng, shape, lo, hi):
    """Uniform-looking values in [lo, hi) that are all distinct with a minimum
    gap of ~0.2*(hi-lo)/n, so ArgMax/MaxPool never see near-ties."""
    n = int(np.prod(shape))
    perm = rng.permutation(n).astype(np.float64)
    jitter = rng.uniform(0.1, 0.9, n)
    vals = lo + (perm + jitter) * (hi - lo) / n
    return vals.reshape(shape).astype(F32)


def he(rng, shape, fan_in=None):
    """He-normal weights (float32)."""
    if fan_in is None:
        fan_in = int(np.prod(shape[:-1]))
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(F32)


def small(rng, shape, scale=0.1):
    return (rng.standard_normal(shape) * scale).astype(F32)


def bn_params(rng, c):
    """(scale/gamma, offset/beta, mean, variance) as the brief asks for."""
    gamma = rng.uniform(0.8, 1.2, c).astype(F32)
    beta = rng.normal(0.0, 0.1, c).astype(F32)
    mean = rng.normal(0.0, 0.1, c).astype(F32)
    var = rng.uniform(0.5, 1.5, c).astype(F32)
    return gamma, beta, mean, var


def freeze_tf2(build, input_shape, input_name="Placeholder"):
    """Trace ``build(x) -> [tensors]`` in a tf.function with a Placeholder
    named ``input_name`` and freeze it with convert_variables_to_constants_v2.
    Returns (GraphDef, [node names of the returned tensors])."""
    names = []

    def fn(x):
        outs = list(build(x))
        names.clear()
        for t in outs:
            if t.value_index != 0:
                raise ValueError(f"output {t.name} is not output 0 of its op; wrap it in tf.identity")
            names.append(t.op.name)
        return outs

    spec = tf.TensorSpec(input_shape, tf.float32, name=input_name)
    concrete = tf.function(fn, input_signature=[spec], autograph=False).get_concrete_function()
    frozen = convert_variables_to_constants_v2(concrete)
    return frozen.graph.as_graph_def(), list(names)


def freeze_tf1(build, input_shape):
    """Build a TF1 graph (RefVariables, ``*/read`` snapshots) with a
    ``tf.compat.v1.placeholder`` (default name ``Placeholder``), initialise the
    variables and freeze with tf.compat.v1.graph_util.convert_variables_to_constants.
    ``build(x)`` returns the output tensors.  Returns (GraphDef, names)."""
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, input_shape)
        outs = list(build(x))
        names = [t.op.name for t in outs]
        for t in outs:
            assert t.value_index == 0, t.name
        init = v1.global_variables_initializer()
        cfg = v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
        with v1.Session(graph=g, config=cfg) as sess:
            sess.run(init)
            gd = v1.graph_util.convert_variables_to_constants(sess, g.as_graph_def(), names)
    return gd, names


def load_graph_def(path):
    gd = tf.compat.v1.GraphDef()
    gd.ParseFromString(Path(path).read_bytes())
    return gd


def run_graph_def(gd, input_name, x, output_names):
    """Run a GraphDef in TF: import into a wrapped function, prune to
    input -> outputs, feed ``x``.  Returns a list of numpy arrays."""

    def _import():
        v1.import_graph_def(gd, name="")

    wrapped = v1.wrap_function(_import, [])
    g = wrapped.graph
    fn = wrapped.prune(
        g.get_tensor_by_name(input_name + ":0"),
        [g.get_tensor_by_name(n + ":0") for n in output_names],
    )
    outs = fn(tf.constant(x))
    return [o.numpy() for o in outs]


def node_map(gd):
    return {n.name: n for n in gd.node}


def output_kind(gd, name):
    """'probabilities' for Softmax/Sigmoid (also through Identity chains)."""
    nodes = node_map(gd)
    n = nodes[name]
    while n.op == "Identity":
        n = nodes[n.input[0].lstrip("^").split(":")[0]]
    return "probabilities" if n.op in PROBABILITY_OPS else "logits"


def check_frozen(name, gd, input_name):
    placeholders = [n for n in gd.node if n.op == "Placeholder"]
    assert len(placeholders) == 1, f"{name}: expected exactly one Placeholder, got {[p.name for p in placeholders]}"
    ph = placeholders[0]
    assert ph.name == input_name, f"{name}: placeholder is {ph.name}, expected {input_name}"
    assert ph.attr["dtype"].type == tf.float32.as_datatype_enum, f"{name}: placeholder not float32"
    bad = sorted({n.op for n in gd.node} & VARIABLE_OPS)
    assert not bad, f"{name}: frozen graph still contains {bad}"
    assert len(gd.library.function) == 0, f"{name}: graph has a function library"


def expect_node(gd, op, **attrs):
    """Assert that some node of type ``op`` has all of ``attrs`` (attr values
    compared on their python form: ints, bytes, lists of ints, floats)."""

    def value(a):
        kind = a.WhichOneof("value")
        if kind == "list":
            return list(a.list.i) if a.list.i else list(a.list.s)
        return getattr(a, kind)

    for n in gd.node:
        if n.op != op:
            continue
        ok = True
        for k, want in attrs.items():
            if k not in n.attr:
                ok = False
                break
            got = value(n.attr[k])
            if isinstance(want, str):
                want = want.encode()
            if isinstance(want, float):
                ok = ok and abs(got - want) < 1e-6
            else:
                ok = ok and got == want
        if ok:
            return
    raise AssertionError(f"no {op} node with {attrs}")


def dir_size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def write_fixture(name, description, gd, input_name, x, output_names):
    """Write model.pb + input.f32, re-load model.pb from disk, run it in TF and
    write output_<i>.f32 + meta.json."""
    check_frozen(name, gd, input_name)
    d = OUT / name
    d.mkdir(parents=True, exist_ok=False)
    (d / "model.pb").write_bytes(gd.SerializeToString(deterministic=True))
    x = np.ascontiguousarray(x, dtype="<f4")
    x.tofile(d / "input.f32")

    gd_disk = load_graph_def(d / "model.pb")
    results = run_graph_def(gd_disk, input_name, x, output_names)
    outputs = []
    for i, (oname, r) in enumerate(zip(output_names, results)):
        if not np.issubdtype(r.dtype, np.floating):
            r = r.astype(np.float32)
        r = np.asarray(r, dtype="<f4")  # (ascontiguousarray would turn shape () into (1,))
        assert np.all(np.isfinite(r)), f"{name}/{oname}: non-finite output"
        fname = f"output_{i}.f32"
        r.tofile(d / fname)
        outputs.append({"name": oname, "shape": [int(s) for s in r.shape],
                        "kind": output_kind(gd_disk, oname), "file": fname})
    meta = {
        "description": description,
        "input": input_name,
        "input_shape": [int(s) for s in x.shape],
        "outputs": outputs,
        "ops": sorted({n.op for n in gd_disk.node}),
    }
    (d / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return results


# --------------------------------------------------------------------------
# Op-family fixtures (TF2 tf.function, weights built as Const directly)
# --------------------------------------------------------------------------

def K(arr, name):
    return tf.constant(arr, name=name)


def I32(vals, name):
    return tf.constant(np.asarray(vals, dtype=np.int32), name=name)


def fixture_op_conv():
    rng = np.random.default_rng(101)
    shape = [1, 13, 11, 5]
    x = distinct_uniform(rng, shape, -1, 1)
    w = {
        "same_s1": he(rng, (3, 3, 5, 7)), "b7": small(rng, 7),
        "same_s2": he(rng, (3, 3, 5, 7)),
        "same_s2_k4": he(rng, (4, 4, 5, 3)),
        "valid_s2": he(rng, (3, 5, 5, 7)),
        "valid_s12": he(rng, (2, 3, 5, 7)),
        "explicit": he(rng, (3, 3, 5, 7)),
        "explicit_s2": he(rng, (3, 3, 5, 19)),
        "dil2_same": he(rng, (3, 3, 5, 7)),
        "dil2_valid": he(rng, (3, 3, 5, 7)),
        "dil2_s2": he(rng, (3, 3, 5, 7)),
        "pw": he(rng, (1, 1, 5, 13)), "b13": small(rng, 13),
        "pw_s2": he(rng, (1, 1, 5, 13)),
    }

    def conv(x, key, name, strides=(1, 1), padding="SAME", dil=(1, 1), explicit=()):
        return tf.raw_ops.Conv2D(
            input=x, filter=K(w[key], name + "/filter"), strides=[1, *strides, 1],
            padding=padding, explicit_paddings=list(explicit), dilations=[1, *dil, 1],
            data_format="NHWC", name=name)

    def build(x):
        c1 = conv(x, "same_s1", "conv_same_s1")
        c1b = tf.raw_ops.BiasAdd(value=c1, bias=K(w["b7"], "conv_same_s1/bias"), name="conv_same_s1_bias")
        pw = conv(x, "pw", "conv_1x1")
        pwb = tf.raw_ops.BiasAdd(value=pw, bias=K(w["b13"], "conv_1x1/bias"), name="conv_1x1_bias")
        return [
            c1, c1b,
            conv(x, "same_s2", "conv_same_s2", strides=(2, 2)),
            conv(x, "same_s2_k4", "conv_same_s2_k4x4", strides=(2, 2)),
            conv(x, "valid_s2", "conv_valid_s2_k3x5", strides=(2, 2), padding="VALID"),
            conv(x, "valid_s12", "conv_valid_s1x2_k2x3", strides=(1, 2), padding="VALID"),
            conv(x, "explicit", "conv_explicit_s1", padding="EXPLICIT", explicit=(0, 0, 1, 2, 2, 0, 0, 0)),
            conv(x, "explicit_s2", "conv_explicit_s2", strides=(2, 2), padding="EXPLICIT",
                 explicit=(0, 0, 0, 1, 3, 1, 0, 0)),
            conv(x, "dil2_same", "conv_dil2_same", dil=(2, 2)),
            conv(x, "dil2_valid", "conv_dil2_valid", padding="VALID", dil=(2, 2)),
            conv(x, "dil2_s2", "conv_dil2_s2_same", strides=(2, 2), dil=(2, 2)),
            pwb,
            conv(x, "pw_s2", "conv_1x1_s2_same", strides=(2, 2)),
        ]

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "Conv2D", padding="EXPLICIT", explicit_paddings=[0, 0, 1, 2, 2, 0, 0, 0])
    expect_node(gd, "Conv2D", padding="SAME", strides=[1, 2, 2, 1])
    expect_node(gd, "Conv2D", padding="VALID", dilations=[1, 2, 2, 1])
    desc = ("Conv2D on a 13x11x5 input: SAME s1/s2 (3x3 and even 4x4 kernels -> asymmetric padding), "
            "VALID s2 with a 3x5 kernel, VALID with strides [1,2], EXPLICIT padding [[1,2],[2,0]] s1 and "
            "[[0,1],[3,1]] s2 (5->19 channels), dilations 2 (SAME, VALID, and SAME with stride 2), "
            "1x1 convs s1 (+BiasAdd) and s2 SAME; BiasAdd with rank-1 bias.")
    write_fixture("op-conv", desc, gd, "Placeholder", x, outs)


def fixture_op_depthwise():
    rng = np.random.default_rng(102)
    shape = [1, 13, 11, 7]
    x = distinct_uniform(rng, shape, -1, 1)
    w = {
        "m1": he(rng, (3, 3, 7, 1), 9), "b7": small(rng, 7),
        "m2_s2": he(rng, (3, 3, 7, 2), 9),
        "m1_valid_s2": he(rng, (3, 3, 7, 1), 9),
        "k5_s2": he(rng, (5, 5, 7, 1), 25),
        "m2_dil": he(rng, (3, 3, 7, 2), 9),
        "m1_dil_valid": he(rng, (3, 3, 7, 1), 9),
        "explicit": he(rng, (3, 3, 7, 1), 9),
        "m3": he(rng, (2, 2, 7, 3), 4),
    }

    def dw(x, key, name, strides=(1, 1), padding="SAME", dil=(1, 1), explicit=()):
        return tf.raw_ops.DepthwiseConv2dNative(
            input=x, filter=K(w[key], name + "/filter"), strides=[1, *strides, 1],
            padding=padding, explicit_paddings=list(explicit), dilations=[1, *dil, 1],
            data_format="NHWC", name=name)

    def build(x):
        d1 = dw(x, "m1", "dw_m1_same_s1")
        d1b = tf.raw_ops.BiasAdd(value=d1, bias=K(w["b7"], "dw_m1_same_s1/bias"), name="dw_m1_same_s1_bias")
        return [
            d1, d1b,
            dw(x, "m2_s2", "dw_m2_same_s2", strides=(2, 2)),
            dw(x, "m1_valid_s2", "dw_m1_valid_s2", strides=(2, 2), padding="VALID"),
            dw(x, "k5_s2", "dw_m1_k5_same_s2", strides=(2, 2)),
            dw(x, "m2_dil", "dw_m2_dil2_same", dil=(2, 2)),
            dw(x, "m1_dil_valid", "dw_m1_dil2_valid", padding="VALID", dil=(2, 2)),
            dw(x, "explicit", "dw_m1_explicit_s2", strides=(2, 2), padding="EXPLICIT",
               explicit=(0, 0, 1, 1, 0, 1, 0, 0)),
            dw(x, "m3", "dw_m3_k2_valid", padding="VALID"),
        ]

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "DepthwiseConv2dNative", dilations=[1, 2, 2, 1])
    expect_node(gd, "DepthwiseConv2dNative", padding="SAME", strides=[1, 2, 2, 1])
    desc = ("DepthwiseConv2dNative on a 13x11x7 input: multiplier 1 (+BiasAdd), 2 and 3, SAME stride 2 "
            "(3x3 and 5x5 kernels), VALID stride 2, dilations 2 (SAME with multiplier 2, VALID), "
            "EXPLICIT padding [[1,1],[0,1]] stride 2, 2x2 VALID with multiplier 3.")
    write_fixture("op-depthwise", desc, gd, "Placeholder", x, outs)


def fixture_op_pool():
    rng = np.random.default_rng(103)
    shape = [1, 13, 11, 7]
    x = distinct_uniform(rng, shape, -1, 1)

    def mp(x, k, s, pad, name):
        return tf.raw_ops.MaxPool(input=x, ksize=[1, *k, 1], strides=[1, *s, 1], padding=pad, name=name)

    def ap(x, k, s, pad, name):
        return tf.raw_ops.AvgPool(value=x, ksize=[1, *k, 1], strides=[1, *s, 1], padding=pad, name=name)

    def build(x):
        neg = tf.raw_ops.Sub(x=x, y=K(np.float32(2.0), "shift"), name="all_negative")
        return [
            mp(x, (3, 3), (2, 2), "SAME", "maxpool_3x3_s2_same"),
            mp(x, (3, 3), (2, 2), "VALID", "maxpool_3x3_s2_valid"),
            mp(x, (2, 2), (2, 2), "SAME", "maxpool_2x2_s2_same"),
            mp(x, (2, 2), (1, 1), "SAME", "maxpool_2x2_s1_same"),
            mp(x, (3, 2), (2, 1), "VALID", "maxpool_3x2_s2x1_valid"),
            mp(neg, (3, 3), (2, 2), "SAME", "maxpool_negative_3x3_s2_same"),
            ap(x, (3, 3), (2, 2), "SAME", "avgpool_3x3_s2_same"),
            ap(x, (2, 2), (2, 2), "SAME", "avgpool_2x2_s2_same"),
            ap(x, (3, 3), (2, 2), "VALID", "avgpool_3x3_s2_valid"),
            ap(x, (3, 3), (1, 1), "SAME", "avgpool_3x3_s1_same"),
            ap(x, (5, 4), (3, 2), "SAME", "avgpool_5x4_s3x2_same"),
            ap(x, (13, 11), (1, 1), "VALID", "avgpool_global_valid"),
        ]

    gd, outs = freeze_tf2(build, shape)
    desc = ("MaxPool/AvgPool on a 13x11x7 input: 3x3/2 SAME and VALID, 2x2/2 SAME (odd size -> padding "
            "only at the end), 2x2/1 SAME, 3x2 with strides [2,1] VALID, MaxPool SAME on an all-negative "
            "tensor (padding must act as -inf, not 0), AvgPool SAME (padding excluded from the divisor), "
            "5x4 window strides [3,2] SAME, and a global 13x11 VALID AvgPool.")
    write_fixture("op-pool", desc, gd, "Placeholder", x, outs)


def fixture_op_activations():
    rng = np.random.default_rng(104)
    shape = [1, 7, 9, 13]
    x = distinct_uniform(rng, shape, -8, 8)

    def build(x):
        flat = tf.raw_ops.Reshape(tensor=x, shape=I32([-1, 13], "flat/shape"), name="flat")
        big = tf.raw_ops.Mul(x=x, y=K(np.float32(20.0), "big/y"), name="big")
        return [
            tf.raw_ops.Relu(features=x, name="relu"),
            tf.raw_ops.Relu6(features=x, name="relu6"),
            tf.raw_ops.LeakyRelu(features=x, alpha=0.1, name="leaky_relu_0_1"),
            tf.raw_ops.LeakyRelu(features=x, alpha=0.2, name="leaky_relu_0_2"),
            tf.raw_ops.Elu(features=x, name="elu"),
            tf.raw_ops.Sigmoid(x=x, name="sigmoid"),
            tf.raw_ops.Tanh(x=x, name="tanh"),
            tf.raw_ops.Softmax(logits=x, name="softmax_rank4"),
            tf.raw_ops.Softmax(logits=flat, name="softmax_rank2"),
            tf.raw_ops.Softmax(logits=big, name="softmax_large_logits"),
            tf.raw_ops.Sigmoid(x=big, name="sigmoid_large"),
        ]

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "LeakyRelu", alpha=0.1)
    expect_node(gd, "LeakyRelu", alpha=0.2)
    desc = ("Activations on a 7x9x13 input in [-8,8]: Relu, Relu6, LeakyRelu alpha 0.1 and 0.2, Elu, "
            "Sigmoid, Tanh, Softmax over the last axis of a rank-4 and a rank-2 (Reshape -1) tensor, and "
            "Softmax/Sigmoid of logits scaled x20 (|x| up to 160: needs max-subtraction, no overflow).")
    write_fixture("op-activations", desc, gd, "Placeholder", x, outs)


def fixture_op_binary():
    rng = np.random.default_rng(105)
    shape = [1, 7, 9, 5]
    x = distinct_uniform(rng, shape, -2, 2)
    c = {
        "r1": rng.normal(0, 1, 5).astype(F32),
        "r4_h": rng.normal(0, 1, (1, 7, 1, 5)).astype(F32),
        "scalar": np.float32(0.75),
        "r2": rng.normal(0, 1, (9, 5)).astype(F32),
        "r4_w": rng.normal(0, 1, (1, 1, 9, 1)).astype(F32),
        "div": (rng.uniform(0.5, 2.0, (1, 7, 9, 1)) * rng.choice([-1.0, 1.0], (1, 7, 9, 1))).astype(F32),
        "num": rng.normal(0, 1, 5).astype(F32),
        "pos": rng.uniform(0.2, 1.0, 5).astype(F32),
    }

    def build(x):
        sq = tf.raw_ops.Square(x=x, name="square")
        mean_h = tf.raw_ops.Mean(input=x, axis=I32([1], "mean_h/axis"), keep_dims=True, name="mean_h")
        mean_w = tf.raw_ops.Mean(input=x, axis=I32([2], "mean_w/axis"), keep_dims=True, name="mean_w")
        max_hc = tf.raw_ops.Max(input=x, axis=I32([1, 3], "max_hc/axis"), keep_dims=True, name="max_hc")
        max_c = tf.raw_ops.Max(input=x, axis=I32([-1], "max_c/axis"), keep_dims=True, name="max_c")
        sq_plus1 = tf.raw_ops.AddV2(x=sq, y=K(np.float32(1.0), "one"), name="square_plus_1")
        sq_quarter = tf.raw_ops.AddV2(x=sq, y=K(np.float32(0.25), "quarter"), name="square_plus_quarter")
        sq_pos = tf.raw_ops.AddV2(x=sq, y=K(c["pos"], "pos"), name="square_plus_pos")
        centered = tf.raw_ops.Sub(x=x, y=max_c, name="minus_max_c")
        outs = [
            tf.raw_ops.Add(x=x, y=K(c["r1"], "add_rank1/y"), name="add_rank1"),
            tf.raw_ops.AddV2(x=x, y=K(c["r4_h"], "addv2_rank4/y"), name="addv2_rank4"),
            tf.raw_ops.Sub(x=K(c["scalar"], "sub_scalar_lhs/x"), y=x, name="sub_scalar_lhs"),
            tf.raw_ops.Mul(x=x, y=K(c["r2"], "mul_rank2/y"), name="mul_rank2"),
            tf.raw_ops.Mul(x=K(c["r4_w"], "mul_rank4_lhs/x"), y=x, name="mul_rank4_lhs"),
            tf.raw_ops.RealDiv(x=x, y=K(c["div"], "realdiv_rank4/y"), name="realdiv_rank4"),
            tf.raw_ops.RealDiv(x=K(c["num"], "realdiv_tensor/x"), y=sq_plus1, name="realdiv_tensor"),
            tf.raw_ops.Maximum(x=x, y=mean_h, name="maximum_bcast"),
            tf.raw_ops.Minimum(x=x, y=K(np.float32(0.3), "minimum_scalar/y"), name="minimum_scalar"),
            tf.raw_ops.AddV2(x=mean_w, y=max_hc, name="add_both_broadcast"),
            sq,
            tf.raw_ops.Rsqrt(x=sq_quarter, name="rsqrt"),
            tf.raw_ops.Sqrt(x=sq_pos, name="sqrt"),
            tf.raw_ops.Neg(x=x, name="neg"),
            tf.raw_ops.Exp(x=centered, name="exp_broadcast"),
            tf.raw_ops.Exp(x=x, name="exp"),
        ]
        # Explicit control dependency on a NoOp: `mul_after_barrier` gets the
        # input "^barrier".
        barrier = tf.no_op(name="barrier")
        with tf.control_dependencies([barrier]):
            outs.append(tf.raw_ops.Mul(x=x, y=x, name="mul_after_barrier"))
        return outs

    gd, outs = freeze_tf2(build, shape)
    nodes = node_map(gd)
    assert nodes["barrier"].op == "NoOp" and "^barrier" in nodes["mul_after_barrier"].input, "NoOp lost"
    desc = ("Element-wise ops on a 7x9x5 input in [-2,2] with broadcasting: Add (raw, rank-1 const), AddV2 "
            "(rank-4 const [1,7,1,5]), Sub (scalar const on the LEFT), Mul (rank-2 const [9,5]; rank-4 "
            "[1,1,9,1] on the left), RealDiv by a rank-4 const and const[5]/(x^2+1), Maximum with a keepdims "
            "Mean, Minimum with a scalar, AddV2 of [1,7,1,5]+[1,1,9,1] (both sides broadcast), Square, "
            "Rsqrt, Sqrt, Neg, Exp(x - max over channels) and Exp(x). `mul_after_barrier` has a control "
            "input ^barrier from a NoOp.")
    write_fixture("op-binary", desc, gd, "Placeholder", x, outs)


def fixture_op_reduce():
    rng = np.random.default_rng(106)
    shape = [1, 6, 7, 13]
    x = distinct_uniform(rng, shape, -1, 3)  # not zero-centred: sums do not cancel

    def red(op, x, axis, keep, name):
        ax = np.asarray(axis, dtype=np.int32)
        return getattr(tf.raw_ops, op)(input=x, axis=K(ax, name + "/axis"), keep_dims=keep, name=name)

    def build(x):
        return [
            red("Mean", x, [1, 2], False, "mean_12"),
            red("Mean", x, [1, 2], True, "mean_12_keep"),
            red("Mean", x, [-1], True, "mean_neg1_keep"),
            red("Mean", x, 3, False, "mean_scalar_axis3"),
            red("Mean", x, [0], False, "mean_batch"),
            red("Sum", x, [1], True, "sum_1_keep"),
            red("Sum", x, [2, -1], False, "sum_2_neg1"),
            red("Sum", x, [-3, -2], True, "sum_neg3_neg2_keep"),
            red("Sum", x, [0, 1, 2, 3], False, "sum_all"),
            red("Max", x, [-1], False, "max_neg1"),
            red("Max", x, [1, 2], True, "max_12_keep"),
            red("Max", x, [0, 2], False, "max_02"),
        ]

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "Mean", keep_dims=True)
    expect_node(gd, "Max", keep_dims=False)
    desc = ("Mean/Sum/Max on a 6x7x13 input in [-1,3] with keep_dims true and false, several axes, negative axes "
            "([-1], [2,-1], [-3,-2]), a scalar (rank-0) axis const, the batch axis, and all axes "
            "(sum_all has shape []).")
    write_fixture("op-reduce", desc, gd, "Placeholder", x, outs)


def fixture_op_matmul():
    rng = np.random.default_rng(107)
    shape = [1, 5, 7, 19]
    x = distinct_uniform(rng, shape, -1, 1)
    w = {
        "w": he(rng, (19, 13)), "b": small(rng, 13),
        "wt": he(rng, (13, 19), 19),
        "ba": rng.normal(0, 0.3, (35, 6)).astype(F32),
        "bat": rng.normal(0, 0.3, (6, 35)).astype(F32),
        "w2": he(rng, (13, 7)), "b2": small(rng, 7),
    }

    def build(x):
        xr = tf.raw_ops.Reshape(tensor=x, shape=I32([-1, 19], "rows/shape"), name="rows")
        mm = tf.raw_ops.MatMul(a=xr, b=K(w["w"], "mm/b"), name="mm")
        mm_bias = tf.raw_ops.BiasAdd(value=mm, bias=K(w["b"], "mm/bias"), name="mm_biasadd")
        mm2 = tf.raw_ops.MatMul(a=mm_bias, b=K(w["w2"], "mm2/b"), name="mm2")
        mm2_add = tf.raw_ops.Add(x=mm2, y=K(w["b2"], "mm2/bias"), name="mm2_add")
        return [
            mm, mm_bias, mm2_add,
            tf.raw_ops.MatMul(a=xr, b=K(w["wt"], "mm_tb/b"), transpose_b=True, name="mm_transpose_b"),
            tf.raw_ops.MatMul(a=xr, b=K(w["ba"], "mm_ta/b"), transpose_a=True, name="mm_transpose_a"),
            tf.raw_ops.MatMul(a=xr, b=K(w["bat"], "mm_tatb/b"), transpose_a=True, transpose_b=True,
                              name="mm_transpose_ab"),
            tf.raw_ops.MatMul(a=xr, b=xr, transpose_a=True, name="gram"),
        ]

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "MatMul", transpose_a=True, transpose_b=True)
    desc = ("MatMul on the 5x7x19 input reshaped to [35,19] (Reshape -1): plain [35,19]x[19,13] + BiasAdd, "
            "chained MatMul + Add (raw Add, rank-1 bias), transpose_b with a [13,19] const, transpose_a "
            "([19,35]x[35,6]), transpose_a+transpose_b, and a Gram matrix x^T x where both operands are the "
            "same computed tensor.")
    write_fixture("op-matmul", desc, gd, "Placeholder", x, outs)


def fixture_op_batchnorm():
    rng = np.random.default_rng(108)
    shape = [1, 9, 7, 5]
    x = distinct_uniform(rng, shape, -2, 2)
    params = []
    for _ in range(4):
        g, b, m, v = bn_params(rng, 5)
        m = (m + rng.normal(0, 0.5, 5)).astype(F32)
        v[2] = 1e-3  # tiny variance: epsilon matters
        params.append((g, b, m, v))

    def consts(i, prefix):
        g, b, m, v = params[i]
        return (K(g, prefix + "/scale"), K(b, prefix + "/offset"), K(m, prefix + "/mean"), K(v, prefix + "/variance"))

    def build(x):
        s, o, m, v = consts(0, "fbn_v1")
        y1 = tf.raw_ops.FusedBatchNorm(x=x, scale=s, offset=o, mean=m, variance=v, epsilon=0.001,
                                       is_training=False, name="fbn_v1")[0]
        s, o, m, v = consts(1, "fbn_v2")
        y2 = tf.raw_ops.FusedBatchNormV2(x=x, scale=s, offset=o, mean=m, variance=v, epsilon=1e-5,
                                         is_training=False, name="fbn_v2")[0]
        s, o, m, v = consts(2, "fbn_v3")
        y3 = tf.raw_ops.FusedBatchNormV3(x=x, scale=s, offset=o, mean=m, variance=v, epsilon=0.01,
                                         is_training=False, name="fbn_v3")[0]
        s, o, m, v = consts(3, "bn_unfused")
        with tf.name_scope("bn_unfused"):
            y4 = tf.nn.batch_normalization(x, m, v, o, s, 0.001)
        return [y1, y2, y3, y4]

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "FusedBatchNorm", is_training=False, epsilon=0.001)
    expect_node(gd, "FusedBatchNormV2", is_training=False)
    expect_node(gd, "FusedBatchNormV3", is_training=False)
    desc = ("Inference batch norm on a 9x7x5 input: FusedBatchNorm (V1, eps 1e-3), FusedBatchNormV2 "
            "(eps 1e-5), FusedBatchNormV3 (eps 1e-2), all is_training=false with one channel of variance "
            "1e-3 so epsilon matters; plus tf.nn.batch_normalization (Rsqrt/Mul/Sub/AddV2 chain on consts).")
    write_fixture("op-batchnorm", desc, gd, "Placeholder", x, outs)


def fixture_op_shape():
    rng = np.random.default_rng(109)
    shape = [1, 6, 10, 7]
    x = distinct_uniform(rng, shape, -2, 2)

    def build(x):
        s = tf.raw_ops.Shape(input=x, out_type=tf.int32, name="shape")

        def dim(i, name):
            return tf.raw_ops.StridedSlice(input=s, begin=I32([i], name + "/begin"), end=I32([i + 1], name + "/end"),
                                           strides=I32([1], name + "/strides"), shrink_axis_mask=1, name=name)

        b, h, w, c = dim(0, "dim_n"), dim(1, "dim_h"), dim(2, "dim_w"), dim(3, "dim_c")
        hw = tf.raw_ops.Mul(x=h, y=w, name="hw")
        packed = tf.raw_ops.Pack(values=[b, hw, c], axis=0, name="shape_nhw_c")
        packed2 = tf.raw_ops.Pack(values=[b, I32(-1, "minus_one")], axis=0, name="shape_n_rest")
        r1 = tf.raw_ops.Reshape(tensor=x, shape=packed, name="reshape_dynamic")
        exp0 = tf.raw_ops.ExpandDims(input=x, axis=I32(0, "expand_first/dim"), name="expand_first")
        scaled = tf.raw_ops.Mul(x=x, y=K(np.float32(3.0), "times3/y"), name="times3")
        as_int = tf.raw_ops.Cast(x=scaled, DstT=tf.int32, name="to_int32")
        return [
            r1,
            tf.raw_ops.Reshape(tensor=x, shape=packed2, name="reshape_dynamic_flat"),
            tf.raw_ops.Reshape(tensor=x, shape=I32([-1, 12], "reshape_neg1/shape"), name="reshape_neg1"),
            tf.raw_ops.Squeeze(input=r1, axis=[0], name="squeeze_axis0"),
            tf.raw_ops.Squeeze(input=exp0, name="squeeze_all"),
            tf.raw_ops.ExpandDims(input=x, axis=I32(-1, "expand_last/dim"), name="expand_last"),
            exp0,
            tf.raw_ops.Transpose(x=x, perm=I32([0, 3, 1, 2], "to_nchw/perm"), name="to_nchw"),
            tf.raw_ops.Transpose(x=x, perm=I32([2, 0, 3, 1], "transpose_2031/perm"), name="transpose_2031"),
            tf.raw_ops.Cast(x=as_int, DstT=tf.float32, name="trunc_via_cast"),
            tf.raw_ops.Cast(x=s, DstT=tf.float32, name="shape_as_float"),
        ]

    gd, outs = freeze_tf2(build, [None, 6, 10, 7])
    expect_node(gd, "StridedSlice", shrink_axis_mask=1)
    desc = ("Shape plumbing on a [-1,6,10,7] Placeholder (fed [1,6,10,7]): Shape -> StridedSlice "
            "(shrink) -> int32 Mul -> Pack feeding a computed Reshape, Pack([n,-1]) Reshape, Reshape with a "
            "const -1, Squeeze with squeeze_dims [0] and with none (drops 2 dims), ExpandDims at 0 and -1, "
            "Transpose [0,3,1,2] and [2,0,3,1], Cast float->int32->float of 3x (truncation toward zero, "
            "negatives included), and Cast(Shape) to float.")
    write_fixture("op-shape", desc, gd, "Placeholder", x, outs)


def fixture_op_slice():
    rng = np.random.default_rng(110)
    shape = [1, 8, 9, 6]
    x = distinct_uniform(rng, shape, -1, 1)

    def build(x):
        outs = [tf.raw_ops.Slice(input=x, begin=I32([0, 1, 2, 1], "slice/begin"),
                                 size=I32([-1, 5, -1, 3], "slice/size"), name="slice_size_neg1")]
        cases = [
            ("ss_steps_reverse", lambda t: t[:, 1:7:2, ::-1, 2:5]),
            ("ss_shrink_ellipsis", lambda t: t[0, ..., 3]),
            ("ss_newaxis", lambda t: t[:, tf.newaxis, 2:-1, :, ::2]),
            ("ss_neg_stride_neg_bounds", lambda t: t[..., -1:-5:-2]),
            ("ss_neg_begin_step3", lambda t: t[:, -3:, 1:8:3, :]),
            ("ss_reverse_range_shrink", lambda t: t[:, 6:1:-2, :, 1]),
            ("ss_out_of_range_clamp", lambda t: t[:, 2:100, -100:4, :]),
            ("ss_ellipsis_newaxis_end", lambda t: t[0, 3:, ..., tf.newaxis]),
        ]
        for name, fn in cases:
            with tf.name_scope(name):
                outs.append(fn(x))
        return outs

    gd, outs = freeze_tf2(build, shape)
    for attr in ("begin_mask", "end_mask", "shrink_axis_mask", "new_axis_mask", "ellipsis_mask"):
        assert any(n.op == "StridedSlice" and n.attr[attr].i != 0 for n in gd.node), attr
    desc = ("Slice with size -1 and StridedSlice on an 8x9x6 input, produced by Python indexing so TF "
            "sets the masks: steps and ::-1 (begin/end masks), shrink + ellipsis (x[0,...,3]), new_axis "
            "(x[:,newaxis,2:-1,:,::2]), negative strides with negative bounds (x[...,-1:-5:-2]), negative "
            "begin with step 3, reversed range with shrink, out-of-range bounds that clamp, and "
            "x[0,3:,...,newaxis].")
    write_fixture("op-slice", desc, gd, "Placeholder", x, outs)


def fixture_op_concat_split():
    rng = np.random.default_rng(111)
    shape = [1, 7, 5, 9]
    x = distinct_uniform(rng, shape, -1, 1)
    c1 = rng.normal(0, 1, (1, 7, 5, 3)).astype(F32)
    c2 = rng.normal(0, 1, (1, 7, 2, 9)).astype(F32)

    def build(x):
        sp = tf.raw_ops.Split(axis=I32(-1, "split3/axis"), value=x, num_split=3, name="split3")
        spv = tf.raw_ops.SplitV(value=x, size_splits=I32([2, 4, 3], "splitv/sizes"), axis=I32(3, "splitv/axis"),
                                num_split=3, name="splitv")
        spv2 = tf.raw_ops.SplitV(value=x, size_splits=I32([2, -1, 2], "splitv_neg1/sizes"),
                                 axis=I32(1, "splitv_neg1/axis"), num_split=3, name="splitv_neg1")
        ids = []
        for base, parts in (("split3", sp), ("splitv", spv), ("splitv_neg1", spv2)):
            ids += [tf.identity(p, name=f"{base}_out{i}") for i, p in enumerate(parts)]
        neg = tf.raw_ops.Neg(x=x, name="neg")
        return ids + [
            tf.raw_ops.ConcatV2(values=[x, K(c1, "concat_c/extra")], axis=I32(3, "concat_c/axis"), name="concat_c"),
            tf.raw_ops.ConcatV2(values=[x, neg], axis=I32(1, "concat_h/axis"), name="concat_h"),
            tf.raw_ops.ConcatV2(values=[x, K(c2, "concat_neg2/extra"), neg], axis=I32(-2, "concat_neg2/axis"),
                                name="concat_neg2"),
            tf.raw_ops.ConcatV2(values=[x, x], axis=I32(0, "concat_batch/axis"), name="concat_batch"),
            tf.raw_ops.ConcatV2(values=[sp[2], sp[0], spv[1]], axis=I32(3, "concat_pieces/axis"),
                                name="concat_pieces"),
            tf.raw_ops.Pack(values=[sp[0], sp[1]], axis=0, name="pack_axis0"),
            tf.raw_ops.Pack(values=[sp[0], sp[1], sp[2]], axis=-1, name="pack_axis_neg1"),
        ]

    gd, outs = freeze_tf2(build, shape)
    desc = ("Concat/split on a 7x5x9 input: Split into 3 on axis -1, SplitV [2,4,3] on axis 3 and "
            "[2,-1,2] on axis 1 (each piece exposed via an Identity `<op>_out<i>`), ConcatV2 on axis 3 with "
            "a const, axis 1, axis -2 with 3 inputs, axis 0 (batch 2), reordered split pieces, and Pack on "
            "axis 0 and -1 (rank-5 results).")
    write_fixture("op-concat-split", desc, gd, "Placeholder", x, outs)


def fixture_op_pad():
    rng = np.random.default_rng(112)
    shape = [1, 5, 7, 3]
    x = distinct_uniform(rng, shape, -1, 1)

    def P(vals, name):
        return I32(vals, name)

    def build(x):
        return [
            tf.raw_ops.Pad(input=x, paddings=P([[0, 0], [1, 2], [3, 0], [0, 1]], "pad_zero/paddings"), name="pad_zero"),
            tf.raw_ops.Pad(input=x, paddings=P([[1, 0], [0, 0], [2, 2], [0, 0]], "pad_batch/paddings"),
                           name="pad_batch"),
            tf.raw_ops.PadV2(input=x, paddings=P([[0, 0], [2, 1], [1, 1], [0, 0]], "padv2/paddings"),
                             constant_values=K(np.float32(1.5), "padv2/value"), name="padv2_1_5"),
            tf.raw_ops.PadV2(input=x, paddings=P([[0, 0], [0, 1], [0, 0], [2, 1]], "padv2_neg/paddings"),
                             constant_values=K(np.float32(-3.25), "padv2_neg/value"), name="padv2_channels_neg"),
            tf.raw_ops.MirrorPad(input=x, paddings=P([[0, 0], [2, 3], [1, 4], [0, 0]], "reflect/paddings"),
                                 mode="REFLECT", name="mirror_reflect"),
            tf.raw_ops.MirrorPad(input=x, paddings=P([[0, 0], [3, 5], [2, 0], [0, 2]], "symmetric/paddings"),
                                 mode="SYMMETRIC", name="mirror_symmetric"),
        ]

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "MirrorPad", mode="REFLECT")
    expect_node(gd, "MirrorPad", mode="SYMMETRIC")
    desc = ("Padding a 5x7x3 input: Pad (zero) with asymmetric spatial + channel padding and with batch "
            "padding (-> batch 2), PadV2 with constant 1.5 and -3.25 (channel padding), MirrorPad REFLECT "
            "[[2,3],[1,4]] (up to dim-1) and SYMMETRIC [[3,5],[2,0]] + channels [0,2] (up to dim).")
    write_fixture("op-pad", desc, gd, "Placeholder", x, outs)


def fixture_op_resize():
    rng = np.random.default_rng(113)
    shape = [1, 7, 9, 3]
    x = distinct_uniform(rng, shape, -1, 1)
    modes = [("default", False, False), ("align_corners", True, False), ("half_pixel", False, True)]
    sizes = [("up", [11, 13]), ("down", [5, 4])]

    def build(x):
        outs = []
        for op, short in (("ResizeBilinear", "bilinear"), ("ResizeNearestNeighbor", "nearest")):
            for sname, size in sizes:
                for mname, ac, hp in modes:
                    name = f"{short}_{sname}_{mname}"
                    outs.append(getattr(tf.raw_ops, op)(images=x, size=I32(size, name + "/size"),
                                                        align_corners=ac, half_pixel_centers=hp, name=name))
        outs.append(tf.raw_ops.ResizeNearestNeighbor(images=x, size=I32([14, 18], "nearest_2x/size"),
                                                     name="nearest_2x_default"))
        outs.append(tf.raw_ops.ResizeBilinear(images=x, size=I32([14, 18], "bilinear_2x/size"),
                                              half_pixel_centers=True, name="bilinear_2x_half_pixel"))
        return outs

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "ResizeBilinear", align_corners=True)
    expect_node(gd, "ResizeNearestNeighbor", half_pixel_centers=True)
    desc = ("ResizeBilinear and ResizeNearestNeighbor of a 7x9x3 input, each with (align_corners, "
            "half_pixel_centers) = (F,F), (T,F), (F,T), upsampling to 11x13 and downsampling to 5x4 "
            "(non-integer ratios), plus 2x nearest (default) and 2x bilinear (half_pixel).")
    write_fixture("op-resize", desc, gd, "Placeholder", x, outs)


def fixture_op_argmax():
    rng = np.random.default_rng(114)
    shape = [1, 7, 9, 11]
    x = distinct_uniform(rng, shape, -1, 1)
    w = rng.normal(0, 1, (99, 10)).astype(F32)

    def build(x):
        rows = tf.raw_ops.Reshape(tensor=x, shape=I32([7, 99], "rows/shape"), name="rows")
        logits = tf.raw_ops.MatMul(a=rows, b=K(w, "logits/w"), name="logits")
        return [
            tf.raw_ops.ArgMax(input=x, dimension=I32(3, "argmax_c/dim"), name="argmax_c"),
            tf.raw_ops.ArgMax(input=x, dimension=I32(1, "argmax_h/dim"), name="argmax_h"),
            tf.raw_ops.ArgMax(input=x, dimension=I32(-1, "argmax_neg1/dim"), output_type=tf.int32,
                              name="argmax_neg1_int32"),
            logits,
            tf.raw_ops.ArgMax(input=logits, dimension=I32(1, "argmax_logits/dim"), name="argmax_logits"),
        ]

    gd, outs = freeze_tf2(build, shape)
    expect_node(gd, "ArgMax", output_type=tf.int64.as_datatype_enum)
    expect_node(gd, "ArgMax", output_type=tf.int32.as_datatype_enum)
    desc = ("ArgMax on a 7x9x11 input of distinct values: axis 3 and axis 1 (int64 output), axis -1 "
            "(output_type int32), and ArgMax over classifier logits [7,10] from a MatMul (top-2 gap "
            "checked > 1e-2). Integer results are stored as float32.")
    res = write_fixture("op-argmax", desc, gd, "Placeholder", x, outs)
    top2 = np.sort(res[3], axis=1)[:, -2:]
    gap = float(np.min(top2[:, 1] - top2[:, 0]))
    assert gap > 1e-2, f"op-argmax: logits top-2 gap too small ({gap})"


# --------------------------------------------------------------------------
# Model-style fixtures
# --------------------------------------------------------------------------

def randomized_mobilenetv2(rng, alpha, size, classes):
    """Keras MobileNetV2 (weights=None, softmax head) with He-normal kernels, small
    biases and all 52 BatchNormalization layers randomised, so every layer matters.
    Also used by make_bench_models.py."""
    model = tf.keras.applications.MobileNetV2(alpha=alpha, input_shape=(size, size, 3), weights=None, classes=classes,
                                              classifier_activation="softmax")
    n_bn = n_w = 0
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            c = int(layer.gamma.shape[0])
            g, b, m, v = bn_params(rng, c)
            layer.gamma.assign(g)
            layer.beta.assign(b)
            layer.moving_mean.assign(m)
            layer.moving_variance.assign(v)
            n_bn += 1
        elif isinstance(layer, (tf.keras.layers.DepthwiseConv2D, tf.keras.layers.Conv2D, tf.keras.layers.Dense)):
            k = layer.kernel  # Keras 3: DepthwiseConv2D's kernel is also `.kernel`
            fan_in = k.shape[0] * k.shape[1] if isinstance(layer, tf.keras.layers.DepthwiseConv2D) else None
            k.assign(he(rng, tuple(k.shape), fan_in))
            if layer.use_bias:
                layer.bias.assign(small(rng, tuple(layer.bias.shape)))
            n_w += 1
    assert n_bn == 52 and n_w == 53, (n_bn, n_w)
    return model


def fixture_mobilenetv2():
    rng = np.random.default_rng(201)
    tf.keras.utils.set_random_seed(201)
    model = randomized_mobilenetv2(rng, alpha=0.35, size=96, classes=10)

    x = rng.uniform(-1, 1, (1, 96, 96, 3)).astype(F32)

    def build(t):
        return [model(t, training=False)]

    gd, outs = freeze_tf2(build, [None, 96, 96, 3])
    nodes = node_map(gd)
    softmax = outs[0]
    assert nodes[softmax].op == "Softmax", nodes[softmax].op
    logits = nodes[softmax].input[0]
    assert nodes[logits].op == "BiasAdd", nodes[logits].op
    desc = ("Keras MobileNetV2(alpha=0.35, 96x96x3, classes=10, softmax) with weights=None, frozen via "
            "tf.function + convert_variables_to_constants_v2 from a [-1,96,96,3] Placeholder. Kernels are "
            "He-normal from a fixed seed and all 52 BatchNormalization layers are randomised (moving_mean "
            "N(0,0.1), moving_variance U(0.5,1.5), gamma U(0.8,1.2), beta N(0,0.1)); Keras 3 lowers BN to "
            "Rsqrt/Mul/Sub/AddV2 and strided depthwise to Pad + VALID. Input in [-1,1]. Outputs: Softmax "
            "probabilities and the pre-softmax BiasAdd logits.")
    res = write_fixture("mobilenetv2-035", desc, gd, "Placeholder", x, [softmax, logits])
    probs = res[0]
    assert 0.15 < float(probs.max()) < 0.98, f"mobilenet softmax degenerate: {probs}"


def fixture_squeezenet_databn():
    rng = np.random.default_rng(202)
    shape = [None, 67, 67, 3]
    # BGR mean / variance used by data_bn (Custom Vision uses BGR 0..255 input).
    mean = np.array([104.0, 117.0, 123.0], F32)
    variance = np.array([57.0 ** 2, 57.5 ** 2, 58.4 ** 2], F32)

    def var(name, value):
        return v1.get_variable(name, initializer=value, use_resource=False)

    def conv(x, scope, k, cin, cout, stride=1, padding="SAME", relu=True):
        with v1.variable_scope(scope):
            w = var("weights", he(rng, (k, k, cin, cout)))
            b = var("biases", small(rng, cout, 0.05))
            y = tf.nn.conv2d(x, w, [1, stride, stride, 1], padding, name="Conv2D")
            y = tf.nn.bias_add(y, b, name="BiasAdd")
            if relu:
                y = tf.nn.relu(y, name=scope)
        return y

    def fire(x, name, cin, s, e):
        sq = conv(x, f"{name}_squeeze1x1", 1, cin, s)
        e1 = conv(sq, f"{name}_expand1x1", 1, s, e)
        e3 = conv(sq, f"{name}_expand3x3", 3, s, e)
        return tf.concat([e1, e3], 3, name=f"{name}_concat")

    def build(x):
        with v1.variable_scope("data_bn"):
            m = var("mean", mean)
            v = var("variance", variance)
            with tf.name_scope("data_bn"):
                rs = tf.raw_ops.Rsqrt(x=tf.raw_ops.Add(x=v, y=tf.constant(np.float32(1e-5), name="add/y"), name="add"),
                                      name="Rsqrt")
                a = tf.raw_ops.Mul(x=x, y=rs, name="mul")
                b = tf.raw_ops.Mul(x=tf.raw_ops.Neg(x=m, name="Neg"), y=rs, name="mul_1")
                y = tf.raw_ops.Add(x=a, y=b, name="add_1")
        y = conv(y, "conv1", 3, 3, 16, stride=2, padding="VALID")             # 33x33x16
        y = tf.nn.max_pool2d(y, 3, 2, "VALID", name="pool1")                  # 16x16
        y = fire(y, "fire2", 16, 8, 16)                                       # 16x16x32
        y = fire(y, "fire3", 32, 8, 16)                                       # 16x16x32
        y = tf.nn.max_pool2d(y, 3, 2, "SAME", name="pool3")                   # 8x8x32
        y = conv(y, "conv10", 1, 32, 24)                                      # 8x8x24
        y = tf.nn.avg_pool2d(y, 8, 1, "VALID", name="pool10")                 # 1x1x24
        with v1.variable_scope("fc"):
            r = tf.reshape(y, [-1, 24], name="Reshape")
            w = var("weights", (rng.standard_normal((24, 5)) * 0.15).astype(F32))
            b = var("biases", small(rng, 5, 0.05))
            with tf.name_scope("fc"):
                logits = tf.raw_ops.Add(x=tf.raw_ops.MatMul(a=r, b=w, name="MatMul"), y=b, name="add")
        loss = tf.raw_ops.Sigmoid(x=logits, name="loss")
        out = tf.identity(loss, name="model_outputs")
        return [loss, out]

    gd, outs = freeze_tf1(build, shape)
    nodes = node_map(gd)
    assert nodes["conv1/weights/read"].op == "Identity" and nodes["conv1/weights"].op == "Const"
    assert nodes["data_bn/data_bn/Rsqrt"].input[0] == "data_bn/data_bn/add"
    x = np.random.default_rng(302).uniform(0, 255, (1, 67, 67, 3)).astype(F32)
    desc = ("SqueezeNet-1.1-style graph following the Azure Custom Vision 'General (compact)' export "
            "conventions, TF1 variables frozen with convert_variables_to_constants (Const `*/weights` -> "
            "Identity `*/weights/read`). Placeholder [-1,67,67,3] BGR 0..255; data_bn: Add(variance/read, "
            "eps) -> Rsqrt -> Mul(input) + Mul(Neg(mean/read)) -> Add (must be constant-folded or evaluated); "
            "conv1 3x3/2 VALID + BiasAdd + Relu, pool1 MaxPool 3x3/2 VALID, fire2/fire3 (squeeze 1x1, expand "
            "1x1 + 3x3 SAME, ConcatV2 axis 3), pool3 MaxPool 3x3/2 SAME, conv10 1x1, pool10 AvgPool 8x8 VALID, "
            "fc/Reshape [-1,24], MatMul + Add, Sigmoid `loss`, Identity `model_outputs`.")
    res = write_fixture("squeezenet-databn", desc, gd, "Placeholder", x, outs)
    p = res[0]
    assert 0.02 < float(p.min()) and float(p.max()) < 0.98, f"squeezenet sigmoid saturated: {p}"


def fixture_shufflenet_block():
    rng = np.random.default_rng(203)
    shape = [1, 56, 56, 3]
    variables = []

    def V(value, name):
        v = tf.Variable(value, name=name)
        variables.append(v)
        return v

    def conv_w(name, k, cin, cout):
        return V(he(rng, (k, k, cin, cout)), name + "/kernel")

    def dw_w(name, cin):
        return V(he(rng, (3, 3, cin, 1), 9), name + "/depthwise_kernel")

    def bn_w(name, c):
        g, b, m, v = bn_params(rng, c)
        return tuple(V(a, f"{name}/{n}") for a, n in zip((g, b, m, v), ("gamma", "beta", "moving_mean", "moving_variance")))

    # Weights are created eagerly, outside the traced function.
    W = {}
    W["conv1"], W["conv1_bn"] = conv_w("conv1", 3, 3, 24), bn_w("conv1_bn", 24)
    # downsampling unit: 24 -> 58 (two branches of 29)
    W["d_b1_dw"], W["d_b1_dw_bn"] = dw_w("down/branch1/dw", 24), bn_w("down/branch1/dw_bn", 24)
    W["d_b1_pw"], W["d_b1_pw_bn"] = conv_w("down/branch1/pw", 1, 24, 29), bn_w("down/branch1/pw_bn", 29)
    W["d_b2_pw1"], W["d_b2_pw1_bn"] = conv_w("down/branch2/pw1", 1, 24, 29), bn_w("down/branch2/pw1_bn", 29)
    W["d_b2_dw"], W["d_b2_dw_bn"] = dw_w("down/branch2/dw", 29), bn_w("down/branch2/dw_bn", 29)
    W["d_b2_pw2"], W["d_b2_pw2_bn"] = conv_w("down/branch2/pw2", 1, 29, 29), bn_w("down/branch2/pw2_bn", 29)
    # basic unit on 58 channels (split 29 / 29)
    W["u_pw1"], W["u_pw1_bn"] = conv_w("unit/pw1", 1, 29, 29), bn_w("unit/pw1_bn", 29)
    W["u_dw"], W["u_dw_bn"] = dw_w("unit/dw", 29), bn_w("unit/dw_bn", 29)
    W["u_pw2"], W["u_pw2_bn"] = conv_w("unit/pw2", 1, 29, 29), bn_w("unit/pw2_bn", 29)
    W["conv5"], W["conv5_bn"] = conv_w("conv5", 1, 58, 64), bn_w("conv5_bn", 64)
    W["fc_w"] = V((rng.standard_normal((64, 10)) * np.sqrt(1.0 / 64)).astype(F32), "fc/kernel")
    W["fc_b"] = V(small(rng, 10), "fc/bias")

    def bn(x, key, name):
        g, b, m, v = W[key]
        return tf.raw_ops.FusedBatchNormV3(x=x, scale=g, offset=b, mean=m, variance=v, epsilon=1e-3,
                                           is_training=False, name=name)[0]

    def conv_bn(x, key, name, stride=1, padding="SAME", relu=True):
        y = tf.raw_ops.Conv2D(input=x, filter=W[key], strides=[1, stride, stride, 1], padding=padding,
                              name=name + "/Conv2D")
        y = bn(y, key + "_bn", name + "/FusedBatchNormV3")
        return tf.raw_ops.Relu(features=y, name=name + "/Relu") if relu else y

    def dw_bn(x, key, name, stride):
        y = tf.raw_ops.DepthwiseConv2dNative(input=x, filter=W[key], strides=[1, stride, stride, 1],
                                             padding="SAME", name=name + "/depthwise")
        return bn(y, key + "_bn", name + "/FusedBatchNormV3")

    def shuffle(x, name, hw, groups, per_group):
        with tf.name_scope(name):
            y = tf.raw_ops.Reshape(tensor=x, shape=I32([1, hw, hw, groups, per_group], "shape5"), name="Reshape")
            y = tf.raw_ops.Transpose(x=y, perm=I32([0, 1, 2, 4, 3], "perm"), name="Transpose")
            return tf.raw_ops.Reshape(tensor=y, shape=I32([1, hw, hw, groups * per_group], "shape4"),
                                      name="Reshape_1")

    def build(x):
        y = tf.raw_ops.Pad(input=x, paddings=I32([[0, 0], [1, 1], [1, 1], [0, 0]], "conv1/pad/paddings"),
                           name="conv1/pad")
        y = conv_bn(y, "conv1", "conv1", stride=2, padding="VALID")              # 28x28x24
        y = tf.raw_ops.MaxPool(input=y, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME",
                               name="maxpool")                                    # 14x14x24
        b1 = dw_bn(y, "d_b1_dw", "down/branch1/dw", 2)
        b1 = conv_bn(b1, "d_b1_pw", "down/branch1/pw")
        b2 = conv_bn(y, "d_b2_pw1", "down/branch2/pw1")
        b2 = dw_bn(b2, "d_b2_dw", "down/branch2/dw", 2)
        b2 = conv_bn(b2, "d_b2_pw2", "down/branch2/pw2")
        y = tf.raw_ops.ConcatV2(values=[b1, b2], axis=I32(3, "down/concat/axis"), name="down/concat")  # 7x7x58
        y = shuffle(y, "down/shuffle", 7, 2, 29)
        left = tf.raw_ops.Slice(input=y, begin=I32([0, 0, 0, 0], "unit/split/begin0"),
                                size=I32([-1, -1, -1, 29], "unit/split/size0"), name="unit/split/left")
        right = tf.raw_ops.Slice(input=y, begin=I32([0, 0, 0, 29], "unit/split/begin1"),
                                 size=I32([-1, -1, -1, 29], "unit/split/size1"), name="unit/split/right")
        r = conv_bn(right, "u_pw1", "unit/pw1")
        r = dw_bn(r, "u_dw", "unit/dw", 1)
        r = conv_bn(r, "u_pw2", "unit/pw2")
        y = tf.raw_ops.ConcatV2(values=[left, r], axis=I32(3, "unit/concat/axis"), name="unit/concat")
        y = shuffle(y, "unit/shuffle", 7, 2, 29)
        y = conv_bn(y, "conv5", "conv5")                                          # 7x7x64
        y = tf.raw_ops.AvgPool(value=y, ksize=[1, 7, 7, 1], strides=[1, 1, 1, 1], padding="VALID",
                               name="global_pool")
        y = tf.raw_ops.Reshape(tensor=y, shape=I32([-1, 64], "flatten/shape"), name="flatten")
        logits = tf.raw_ops.BiasAdd(value=tf.raw_ops.MatMul(a=y, b=W["fc_w"], name="fc/MatMul"), bias=W["fc_b"],
                                    name="fc/BiasAdd")
        probs = tf.raw_ops.Softmax(logits=logits, name="probs")
        return [probs, logits]

    gd, outs = freeze_tf2(build, shape)
    x = np.random.default_rng(303).uniform(0, 1, (1, 56, 56, 3)).astype(F32)
    desc = ("ShuffleNetV2-style block (Custom Vision compact S1 flavour), TF2 tf.Variables frozen with "
            "convert_variables_to_constants_v2 (Const `.../ReadVariableOp/resource` -> Identity, plus a "
            "TF-added NoOp). RGB input [1,56,56,3] in [0,1]; Pad [1,1] + Conv2D 3x3/2 VALID -> "
            "FusedBatchNormV3 -> Relu; MaxPool 3x3/2 SAME; downsampling unit (branch1 depthwise 3x3/2 + BN "
            "+ 1x1; branch2 1x1 + depthwise 3x3/2 + 1x1; 24 -> 58 channels); basic unit with channel split "
            "via Slice on axis 3 (29/29), depthwise 3x3, ConcatV2; channel shuffle Reshape [1,7,7,2,29] -> "
            "Transpose [0,1,2,4,3] -> Reshape; conv5 1x1; AvgPool 7x7 VALID; Reshape; MatMul + BiasAdd; "
            "Softmax `probs` (and logits `fc/BiasAdd`).")
    res = write_fixture("shufflenet-block", desc, gd, "Placeholder", x, outs)
    assert float(res[0].max()) < 0.98, f"shufflenet softmax degenerate: {res[0]}"


def fixture_tinyyolo_block():
    rng = np.random.default_rng(204)
    shape = [1, 52, 52, 3]
    chans = [3, 8, 16, 32, 64, 64]
    ws = [he(rng, (3, 3, chans[i], chans[i + 1])) for i in range(5)]
    bs = [small(rng, chans[i + 1]) for i in range(5)]
    # darkflow-style unfolded batch norm on layer 2: (x - mean) / (sqrt(var) + eps) * gamma + beta
    g2, b2, m2, v2 = bn_params(rng, 16)
    std2 = (np.sqrt(v2) + 1e-3).astype(F32)
    w_out = (rng.standard_normal((1, 1, 64, 35)) * np.sqrt(1.0 / 64)).astype(F32)
    b_out = small(rng, 35)

    def build(x):
        y = x
        for i in range(5):
            n = f"conv{i + 1}"
            y = tf.raw_ops.Pad(input=y, paddings=I32([[0, 0], [1, 1], [1, 1], [0, 0]], n + "/pad/paddings"),
                               name=n + "/pad")
            y = tf.raw_ops.Conv2D(input=y, filter=K(ws[i], n + "/kernel"), strides=[1, 1, 1, 1], padding="VALID",
                                  name=n + "/Conv2D")
            if i == 1:
                y = tf.raw_ops.Sub(x=y, y=K(m2, n + "/mean"), name=n + "/sub")
                y = tf.raw_ops.RealDiv(x=y, y=K(std2, n + "/std"), name=n + "/truediv")
                y = tf.raw_ops.Mul(x=y, y=K(g2, n + "/gamma"), name=n + "/mul")
                y = tf.raw_ops.BiasAdd(value=y, bias=K(b2, n + "/beta"), name=n + "/BiasAdd")
            else:
                y = tf.raw_ops.BiasAdd(value=y, bias=K(bs[i], n + "/bias"), name=n + "/BiasAdd")
            y = tf.raw_ops.LeakyRelu(features=y, alpha=0.1, name=n + "/LeakyRelu")
            if i < 3:
                y = tf.raw_ops.MaxPool(input=y, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME",
                                       name=f"pool{i + 1}")   # 52 -> 26 -> 13 -> 7
            elif i == 3:
                y = tf.raw_ops.MaxPool(input=y, ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1], padding="SAME",
                                       name="pool4_s1")       # 7 -> 7
        y = tf.raw_ops.Conv2D(input=y, filter=K(w_out, "grid/kernel"), strides=[1, 1, 1, 1], padding="SAME",
                              name="grid/Conv2D")
        return [tf.raw_ops.BiasAdd(value=y, bias=K(b_out, "grid/bias"), name="grid")]

    gd, outs = freeze_tf2(build, shape)
    x = np.random.default_rng(304).uniform(0, 1, (1, 52, 52, 3)).astype(F32)
    desc = ("Tiny-YOLOv2-style stack on [1,52,52,3] input in [0,1], weights as plain Const: 5x (Pad [1,1] + "
            "Conv2D 3x3 VALID + BiasAdd + LeakyRelu 0.1), layer 2 with darkflow-style unfolded BN "
            "(Sub mean, RealDiv (sqrt(var)+eps), Mul gamma, BiasAdd beta); MaxPool 2x2/2 SAME 52->26->13->7 "
            "(odd 13 -> 7 pads at the end), MaxPool 2x2 stride 1 SAME, final 1x1 conv + BiasAdd `grid` "
            "[1,7,7,35] (5 anchors x (5+2)) logits.")
    write_fixture("tinyyolo-block", desc, gd, "Placeholder", x, outs)


def fixture_tf1_fusedbatchnorm():
    rng = np.random.default_rng(205)
    shape = [None, 17, 15, 3]

    def var(name, value):
        return v1.get_variable(name, initializer=value, use_resource=False)

    def bn_vars(c):
        g, b, m, v = bn_params(rng, c)
        return var("gamma", g), var("beta", b), var("moving_mean", m), var("moving_variance", v)

    def build(x):
        with v1.variable_scope("conv1"):
            w = var("weights", he(rng, (3, 3, 3, 13)))
            y = tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME", name="Conv2D")                       # 9x8x13
            with v1.variable_scope("BatchNorm"):
                g, b, m, v = bn_vars(13)
                y = tf.raw_ops.FusedBatchNorm(x=y, scale=g, offset=b, mean=m, variance=v, epsilon=0.001,
                                              is_training=False, name="FusedBatchNorm")[0]
            y = tf.nn.relu(y, name="Relu")
        with v1.variable_scope("dw2"):
            w = var("depthwise_weights", he(rng, (3, 3, 13, 1), 9))
            y = tf.raw_ops.DepthwiseConv2dNative(input=y, filter=w, strides=[1, 1, 1, 1], padding="SAME",
                                                 name="depthwise")
            with v1.variable_scope("BatchNorm"):
                g, b, m, v = bn_vars(13)
                y = tf.raw_ops.FusedBatchNormV3(x=y, scale=g, offset=b, mean=m, variance=v, epsilon=0.001,
                                                is_training=False, name="FusedBatchNormV3")[0]
            y = tf.nn.relu6(y, name="Relu6")
        with v1.variable_scope("pw3"):
            w = var("weights", he(rng, (1, 1, 13, 19)))
            y = tf.nn.conv2d(y, w, [1, 1, 1, 1], "VALID", name="Conv2D")
            with v1.variable_scope("BatchNorm"):
                g, b, m, v = bn_vars(19)
                y = tf.raw_ops.FusedBatchNormV2(x=y, scale=g, offset=b, mean=m, variance=v, epsilon=1e-5,
                                                is_training=False, name="FusedBatchNormV2")[0]
            y = tf.nn.relu(y, name="Relu")
        y = tf.raw_ops.Mean(input=y, axis=tf.constant([1, 2], name="pool/reduction_indices"), keep_dims=False,
                            name="pool/Mean")                                              # [1,19]
        with v1.variable_scope("logits"):
            w = var("weights", (rng.standard_normal((19, 7)) * 0.3).astype(F32))
            b = var("biases", small(rng, 7))
            y = tf.nn.bias_add(tf.matmul(y, w, name="MatMul"), b, name="BiasAdd")
        return [y]

    gd, outs = freeze_tf1(build, shape)
    nodes = node_map(gd)
    assert nodes["conv1/BatchNorm/moving_mean/read"].op == "Identity"
    x = np.random.default_rng(305).uniform(-1, 1, (1, 17, 15, 3)).astype(F32)
    desc = ("TF1 graph-mode model (tf.compat.v1 RefVariables frozen with convert_variables_to_constants, so "
            "every weight is Const `*/weights` -> Identity `*/weights/read`). Placeholder [-1,17,15,3]: "
            "Conv2D 3x3/2 SAME -> FusedBatchNorm (V1, is_training=false) -> Relu; DepthwiseConv2dNative 3x3 "
            "SAME -> FusedBatchNormV3 -> Relu6; 1x1 Conv2D -> FusedBatchNormV2 -> Relu; Mean over [1,2]; "
            "MatMul + BiasAdd logits `logits/BiasAdd`.")
    write_fixture("tf1-fusedbatchnorm", desc, gd, "Placeholder", x, outs)


# --------------------------------------------------------------------------
# Real Custom Vision export
# --------------------------------------------------------------------------

CV_FILES = ("model.pb", "labels.txt", "LICENSE.md", "SOURCE.md")


def read_customvision_source():
    """Read the real export into memory (before OUT is wiped).  Falls back to
    an existing fixture copy if the shared source folder is not available."""
    src = CUSTOMVISION_SRC
    if (src / "model.pb").exists():
        files = {f: (src / f).read_bytes() for f in CV_FILES}
        files["input.f32"] = (src / "golden" / "input.f32").read_bytes()
        files["output_0.f32"] = (src / "golden" / "output.f32").read_bytes()
        golden = json.loads((src / "golden" / "meta.json").read_text())
        return files, golden, str(src)
    old = OUT / "customvision-fruits"
    if (old / "model.pb").exists():
        print(f"NOTE: {src} not found, reusing existing {old}")
        files = {f: (old / f).read_bytes() for f in CV_FILES + ("input.f32", "output_0.f32")}
        meta = json.loads((old / "meta.json").read_text())
        golden = {"input": meta["input"], "input_shape": meta["input_shape"],
                  "output": meta["outputs"][0]["name"], "output_shape": meta["outputs"][0]["shape"]}
        return files, golden, str(old)
    sys.exit(f"customvision-fruits source not found: set CUSTOMVISION_DIR (tried {src})")


def fixture_customvision(files, golden, src):
    name = "customvision-fruits"
    d = OUT / name
    d.mkdir(parents=True)
    for f, data in files.items():
        (d / f).write_bytes(data)
    gd = load_graph_def(d / "model.pb")
    check_frozen(name, gd, golden["input"])
    shape = list(golden["input_shape"])
    x = np.fromfile(d / "input.f32", dtype="<f4").reshape(shape)
    want = np.fromfile(d / "output_0.f32", dtype="<f4").reshape(golden["output_shape"])
    got = run_graph_def(gd, golden["input"], x, [golden["output"]])[0]
    diff = float(np.max(np.abs(got - want)))
    print(f"customvision-fruits (from {src}): TF reproduces golden `{golden['output']}` "
          f"max |diff| = {diff:.3g} (limit 1e-6)")
    assert diff <= 1e-6, "customvision golden not reproduced"
    meta = {
        "description": ("Real Azure Custom Vision 'General (compact)' TensorFlow export (SqueezeNet 1.1 "
                        "head, 4 fruit labels, MIT licensed, see SOURCE.md/LICENSE.md). Placeholder "
                        "[-1,227,227,3] BGR 0..255; Sigmoid output `loss`. input.f32/output_0.f32 are the "
                        "upstream golden pair produced by TensorFlow 2.21 (not regenerated)."),
        "input": golden["input"],
        "input_shape": shape,
        "outputs": [{"name": golden["output"], "shape": list(golden["output_shape"]),
                     "kind": output_kind(gd, golden["output"]), "file": "output_0.f32"}],
        "ops": sorted({n.op for n in gd.node}),
    }
    (d / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return diff


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

def verify_all():
    """Re-load every fixture from disk, validate the layout contract, re-run
    model.pb and compare with the stored outputs."""
    rows = []
    all_ops = set()
    for d in sorted(p for p in OUT.iterdir() if p.is_dir()):
        meta = json.loads((d / "meta.json").read_text())
        assert set(meta) == {"description", "input", "input_shape", "outputs", "ops"}, d.name
        gd = load_graph_def(d / "model.pb")
        check_frozen(d.name, gd, meta["input"])
        ops = sorted({n.op for n in gd.node})
        assert ops == meta["ops"], d.name
        all_ops |= set(ops)
        shape = meta["input_shape"]
        assert shape[0] == 1
        x = np.fromfile(d / "input.f32", dtype="<f4")
        assert x.size == int(np.prod(shape)), d.name
        x = x.reshape(shape)
        names = [o["name"] for o in meta["outputs"]]
        got = run_graph_def(gd, meta["input"], x, names)
        worst = 0.0
        for i, (o, g) in enumerate(zip(meta["outputs"], got)):
            assert o["file"] == f"output_{i}.f32"
            assert o["kind"] in ("logits", "probabilities")
            assert ":" not in o["name"]
            want = np.fromfile(d / o["file"], dtype="<f4")
            assert want.size == int(np.prod(o["shape"])), (d.name, o["name"])
            g = np.asarray(g).astype(np.float32)
            assert list(g.shape) == o["shape"], (d.name, o["name"], g.shape)
            worst = max(worst, float(np.max(np.abs(g.ravel() - want))) if want.size else 0.0)
        tol = 1e-6 if d.name == "customvision-fruits" else 0.0
        assert worst <= tol, f"{d.name}: re-run differs from stored outputs by {worst}"
        expected_files = {"model.pb", "input.f32", "meta.json"} | {o["file"] for o in meta["outputs"]}
        if d.name == "customvision-fruits":
            expected_files |= {"labels.txt", "LICENSE.md", "SOURCE.md"}
        present = {p.name for p in d.iterdir()}
        assert present == expected_files, (d.name, present ^ expected_files)
        rows.append((d.name, ops, len(names), dir_size(d), worst))
    return rows, all_ops


def main():
    cv_files, cv_golden, cv_src = read_customvision_source()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)

    fixture_customvision(cv_files, cv_golden, cv_src)
    for fn in (fixture_op_conv, fixture_op_depthwise, fixture_op_pool, fixture_op_activations,
               fixture_op_binary, fixture_op_reduce, fixture_op_matmul, fixture_op_batchnorm,
               fixture_op_shape, fixture_op_slice, fixture_op_concat_split, fixture_op_pad,
               fixture_op_resize, fixture_op_argmax, fixture_mobilenetv2, fixture_squeezenet_databn,
               fixture_shufflenet_block, fixture_tinyyolo_block, fixture_tf1_fusedbatchnorm):
        fn()

    rows, all_ops = verify_all()
    write_index(OUT)
    print()
    print(f"{'fixture':<22} {'outs':>4} {'bytes':>9}  max|rerun-stored|  ops")
    for name, ops, nout, size, worst in rows:
        print(f"{name:<22} {nout:>4} {size:>9}  {worst:<17.3g}  {' '.join(ops)}")
    total = dir_size(FIXTURES)
    print(f"\nTests/Fixtures total: {total} bytes ({total / 1e6:.2f} MB)")
    missing = [op for op in REQUIRED_OPS if op not in all_ops]
    extra = sorted(all_ops - set(REQUIRED_OPS))
    print(f"required ops covered: {len(REQUIRED_OPS) - len(missing)}/{len(REQUIRED_OPS)}")
    if extra:
        print(f"other ops present: {' '.join(extra)}")
    if missing:
        sys.exit(f"MISSING required ops: {' '.join(missing)}")
    assert total < 15e6, "fixtures exceed 15 MB"


if __name__ == "__main__":
    main()
