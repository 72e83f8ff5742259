#!/usr/bin/env python3
"""Write the benchmark models used by tools/compare_peers.py.

Run from the repository root with the tools virtualenv (see tools/README.md):

    tools/.venv/bin/python tools/make_bench_models.py [--models fruits,mobilenetv2-224,shufflenetv2]

The models go to ``tools/.bench-models/<name>/`` (git-ignored, NOT committed):

* ``model.pb``   frozen binary GraphDef, same conventions as the test fixtures
                 (one float32 ``Placeholder``, ``Const`` weights, no variables).
* ``input.f32``  deterministic raw little-endian float32 NHWC input, batch 1.
* ``meta.json``  ``{"description", "input", "input_shape", "output",
                 "output_shape", "ops", "params"}``.  ``output`` is the node
                 name (no ``:0``) that compare_peers.py reads.

Models:

* ``fruits``           copy of Tests/Fixtures/models/customvision-fruits (the
                       real Azure Custom Vision export) and its golden input.
* ``mobilenetv2-224``  Keras MobileNetV2(alpha=1.0, 224x224x3, classes=1000,
                       weights=None) with He-normal kernels and randomised
                       BatchNorm statistics, as make_fixtures.py's
                       mobilenetv2-035.  Input in [-1, 1].
* ``shufflenetv2``     ShuffleNetV2 1.0x at 224x224 built from raw TF ops
                       (Split channel split, Reshape/Transpose/Reshape channel
                       shuffle, FusedBatchNormV3), Const weights.  Input in [0, 1].

Weights are random (never downloaded).  Every model draws from its own
``numpy.random.default_rng(seed)``, so two runs write identical files.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import numpy as np  # noqa: E402
from agreement import compare  # noqa: E402
import tensorflow as tf  # noqa: E402

import make_fixtures as mf  # noqa: E402  (helpers: he, small, bn_params, freeze_tf2, ...)

F32 = np.float32
REPO = TOOLS.parent
BENCH_DIR = TOOLS / ".bench-models"
FRUITS_SRC = REPO / "Tests" / "Fixtures" / "models" / "customvision-fruits"
ALL_MODELS = ("fruits", "mobilenetv2-224", "shufflenetv2")


def count_params(gd):
    n = 0
    for node in gd.node:
        if node.op == "Const" and node.attr["dtype"].type == tf.float32.as_datatype_enum:
            shape = [d.size for d in node.attr["value"].tensor.tensor_shape.dim]
            n += int(np.prod(shape)) if shape else 1
    return n


def write_model(name, description, gd, input_name, x, output_name):
    """Write model.pb + input.f32, run the file from disk in TF as a sanity
    check (finite output) and write meta.json."""
    mf.check_frozen(name, gd, input_name)
    d = BENCH_DIR / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    (d / "model.pb").write_bytes(gd.SerializeToString(deterministic=True))
    x = np.ascontiguousarray(x, dtype="<f4")
    x.tofile(d / "input.f32")
    gd_disk = mf.load_graph_def(d / "model.pb")
    (out,) = mf.run_graph_def(gd_disk, input_name, x, [output_name])
    assert np.all(np.isfinite(out)), f"{name}: non-finite output"
    meta = {
        "description": description,
        "input": input_name,
        "input_shape": [int(s) for s in x.shape],
        "output": output_name,
        "output_shape": [int(s) for s in out.shape],
        "ops": sorted({n.op for n in gd_disk.node}),
        "params": count_params(gd_disk),
    }
    (d / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"{name:<16} {meta['params']:>9} params  {(d / 'model.pb').stat().st_size:>10} bytes  "
          f"output {output_name} {meta['output_shape']}  max {float(out.max()):.4g}  "
          f"argmax {int(np.argmax(out))}")
    return out


# --------------------------------------------------------------------------

def model_fruits():
    meta = json.loads((FRUITS_SRC / "meta.json").read_text())
    gd = mf.load_graph_def(FRUITS_SRC / "model.pb")
    x = np.fromfile(FRUITS_SRC / "input.f32", dtype="<f4").reshape(meta["input_shape"])
    desc = ("Copy of Tests/Fixtures/models/customvision-fruits: the real Azure Custom Vision "
            "'General (compact)' export (SqueezeNet 1.1 head, 4 labels). Placeholder [-1,227,227,3] "
            "BGR 0..255, Sigmoid output `loss`. input.f32 is the fixture's (upstream golden) input.")
    out = write_model("fruits", desc, gd, meta["input"], x, meta["outputs"][0]["name"])
    golden = np.fromfile(FRUITS_SRC / "output_0.f32", dtype="<f4").reshape(out.shape)
    assert compare(out, golden).within(1e-5), "fruits: TF output differs from the fixture golden"


def model_mobilenetv2_224():
    rng = np.random.default_rng(401)
    tf.keras.utils.set_random_seed(401)
    model = mf.randomized_mobilenetv2(rng, alpha=1.0, size=224, classes=1000)

    def build(t):
        return [model(t, training=False)]

    gd, outs = mf.freeze_tf2(build, [1, 224, 224, 3])
    nodes = mf.node_map(gd)
    softmax = outs[0]
    assert nodes[softmax].op == "Softmax", nodes[softmax].op
    x = rng.uniform(-1, 1, (1, 224, 224, 3)).astype(F32)
    desc = ("Keras MobileNetV2(alpha=1.0, 224x224x3, classes=1000, softmax), weights=None, frozen via "
            "tf.function + convert_variables_to_constants_v2 from a [1,224,224,3] Placeholder. He-normal "
            "kernels from a fixed seed, all 52 BatchNormalization layers randomised like make_fixtures.py's "
            "mobilenetv2-035 (Keras 3 lowers BN to Rsqrt/Mul/Sub/AddV2). Input in [-1,1]. Output: Softmax.")
    write_model("mobilenetv2-224", desc, gd, "Placeholder", x, softmax)


def model_shufflenetv2():
    """ShuffleNetV2 1.0x (Ma et al. 2018, table 5): conv1 3x3/2 24 + maxpool 3x3/2,
    stages 2-4 with 4/8/4 units and 116/232/464 channels, conv5 1x1 1024, global
    average pool, FC 1000, Softmax.  Built from raw ops with Const weights."""
    rng = np.random.default_rng(402)

    def K(arr, name):
        return tf.constant(arr, name=name)

    def I32(vals, name):
        return tf.constant(np.asarray(vals, dtype=np.int32), name=name)

    # Weights are drawn eagerly in a fixed order (independent of tracing).
    W = {}

    def conv_w(name, k, cin, cout):
        W[name] = mf.he(rng, (k, k, cin, cout))
        W[name + "_bn"] = mf.bn_params(rng, cout)

    def dw_w(name, c):
        # Depthwise is followed by BN without ReLU: 1/fan_in keeps the scale.
        W[name] = (rng.standard_normal((3, 3, c, 1)) * np.sqrt(1.0 / 9)).astype(F32)
        W[name + "_bn"] = mf.bn_params(rng, c)

    stages = [("stage2", 4, 116), ("stage3", 8, 232), ("stage4", 4, 464)]
    conv_w("conv1", 3, 3, 24)
    cin = 24
    for sname, units, cout in stages:
        half = cout // 2
        for u in range(units):
            p = f"{sname}/unit{u + 1}"
            if u == 0:
                dw_w(p + "/branch1/dw", cin)
                conv_w(p + "/branch1/pw", 1, cin, half)
                conv_w(p + "/branch2/pw1", 1, cin, half)
            else:
                conv_w(p + "/branch2/pw1", 1, half, half)
            dw_w(p + "/branch2/dw", half)
            conv_w(p + "/branch2/pw2", 1, half, half)
        cin = cout
    conv_w("conv5", 1, cin, 1024)
    W["fc/kernel"] = (rng.standard_normal((1024, 1000)) * np.sqrt(1.0 / 1024)).astype(F32)
    W["fc/bias"] = mf.small(rng, 1000)

    def bn(x, key, name):
        g, b, m, v = (K(a, f"{name}/{n}") for a, n in zip(W[key], ("gamma", "beta", "mean", "variance")))
        return tf.raw_ops.FusedBatchNormV3(x=x, scale=g, offset=b, mean=m, variance=v, epsilon=1e-3,
                                           is_training=False, name=name + "/FusedBatchNormV3")[0]

    def conv_bn_relu(x, key, stride=1, padding="SAME", relu=True):
        y = tf.raw_ops.Conv2D(input=x, filter=K(W[key], key + "/kernel"), strides=[1, stride, stride, 1],
                              padding=padding, name=key + "/Conv2D")
        y = bn(y, key + "_bn", key)
        return tf.raw_ops.Relu(features=y, name=key + "/Relu") if relu else y

    def dw_bn(x, key, stride):
        y = tf.raw_ops.DepthwiseConv2dNative(input=x, filter=K(W[key], key + "/depthwise_kernel"),
                                             strides=[1, stride, stride, 1], padding="SAME",
                                             name=key + "/depthwise")
        return bn(y, key + "_bn", key)

    def shuffle(x, name, hw, c):
        y = tf.raw_ops.Reshape(tensor=x, shape=I32([1, hw, hw, 2, c // 2], name + "/shape5"),
                               name=name + "/Reshape")
        y = tf.raw_ops.Transpose(x=y, perm=I32([0, 1, 2, 4, 3], name + "/perm"), name=name + "/Transpose")
        return tf.raw_ops.Reshape(tensor=y, shape=I32([1, hw, hw, c], name + "/shape4"), name=name + "/Reshape_1")

    def build(x):
        y = conv_bn_relu(x, "conv1", stride=2)                                   # 112x112x24
        y = tf.raw_ops.MaxPool(input=y, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME",
                               name="maxpool")                                    # 56x56x24
        hw = 56
        for sname, units, cout in stages:
            hw //= 2
            for u in range(units):
                p = f"{sname}/unit{u + 1}"
                if u == 0:
                    b1 = dw_bn(y, p + "/branch1/dw", 2)
                    b1 = conv_bn_relu(b1, p + "/branch1/pw")
                    b2 = y
                else:
                    b1, b2 = tf.raw_ops.Split(axis=I32(3, p + "/split/axis"), value=y, num_split=2,
                                              name=p + "/split")
                b2 = conv_bn_relu(b2, p + "/branch2/pw1")
                b2 = dw_bn(b2, p + "/branch2/dw", 2 if u == 0 else 1)
                b2 = conv_bn_relu(b2, p + "/branch2/pw2")
                y = tf.raw_ops.ConcatV2(values=[b1, b2], axis=I32(3, p + "/concat/axis"), name=p + "/concat")
                y = shuffle(y, p + "/shuffle", hw, cout)
        y = conv_bn_relu(y, "conv5")                                              # 7x7x1024
        y = tf.raw_ops.Mean(input=y, axis=I32([1, 2], "global_pool/axes"), keep_dims=False,
                            name="global_pool")                                   # 1x1024
        logits = tf.raw_ops.BiasAdd(value=tf.raw_ops.MatMul(a=y, b=K(W["fc/kernel"], "fc/kernel"), name="fc/MatMul"),
                                    bias=K(W["fc/bias"], "fc/bias"), name="fc/BiasAdd")
        return [tf.raw_ops.Softmax(logits=logits, name="probs")]

    gd, outs = mf.freeze_tf2(build, [1, 224, 224, 3])
    x = np.random.default_rng(403).uniform(0, 1, (1, 224, 224, 3)).astype(F32)
    desc = ("ShuffleNetV2 1.0x-style classifier from raw TF ops, Const weights (He-normal, randomised BN). "
            "Input [1,224,224,3] in [0,1]; conv1 3x3/2 SAME 24 + FusedBatchNormV3 + Relu; MaxPool 3x3/2 SAME; "
            "stages of 4/8/4 units with 116/232/464 channels: downsampling unit (branch1 depthwise 3x3/2 + BN + "
            "1x1; branch2 1x1 + depthwise 3x3/2 + 1x1), basic units with channel split via Split (axis 3), "
            "ConcatV2 and channel shuffle Reshape [1,h,w,2,c/2] -> Transpose [0,1,2,4,3] -> Reshape; conv5 1x1 "
            "1024; Mean over H,W; MatMul + BiasAdd 1000; Softmax `probs`.")
    write_model("shufflenetv2", desc, gd, "Placeholder", x, outs[0])


BUILDERS = {"fruits": model_fruits, "mobilenetv2-224": model_mobilenetv2_224, "shufflenetv2": model_shufflenetv2}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default=",".join(ALL_MODELS),
                    help="comma-separated subset of: " + ", ".join(ALL_MODELS))
    args = ap.parse_args()
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m not in BUILDERS]
    if unknown:
        sys.exit(f"unknown model(s): {', '.join(unknown)}")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        BUILDERS[name]()


if __name__ == "__main__":
    main()
