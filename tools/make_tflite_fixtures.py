#!/usr/bin/env python3
"""Generate TinyGraph's TensorFlow Lite fixtures from the engine's TensorFlow fixtures.

Run from the repository root, after tools/make_fixtures.py, with the pinned
virtualenv (see tools/README.md):

    tools/.venv/bin/python tools/make_tflite_fixtures.py

The script deletes and rewrites ``Tests/Fixtures/tflite/`` (its README.md
stays).  For each fixture it

* converts a frozen ``Tests/Fixtures/models/<name>/model.pb`` (written by
  make_fixtures.py) with TensorFlow's converter,
  ``tf.compat.v1.lite.TFLiteConverter.from_frozen_graph``, to ``model.tflite``;
* runs that file, read back from disk, in LiteRT's interpreter (ai-edge-litert,
  default settings: XNNPACK on, 1 thread) on the .pb fixture's own ``input.f32``
  and writes ``output_<i>.f32`` (raw little-endian float32; ARG_MAX results are
  cast to float32);
* writes ``meta.json``: ``{"description", "source", "input", "input_file",
  "input_shape", "weights", "outputs": [{"name", "pb_name", "shape", "kind",
  "file"}], "ops"}``.  ``input_file`` is relative to ``Tests/Fixtures``;
  ``outputs[i].name`` is the TFLite output tensor, ``pb_name`` the .pb fixture's
  node for the same output (null when there is no .pb twin); ``ops`` are the
  TFLite operator names in the file.

Fixtures: the convertible .pb fixtures as float32 (``op-batchnorm`` without its
FusedBatchNormV2 output, which the converter cannot lower; ``tf1-fusedbatchnorm``
is left out for the same reason, and ``tinyyolo-block`` to keep the folder near
4 MB), ``mobilenetv2-035`` as a float16-weights model
only (DEQUANTIZE ops), ``op-conv-buffer-offset`` (op-conv with its buffers stored
after the FlatBuffer, the layout of files over 2 GB), ``tflite-ops`` (a small
graph built here for the TFLite ops and fused activations the .pb fixtures do not
produce), and ``quantized-int8`` (op-pool fully int8-quantized, with no outputs:
TinyGraph must refuse it).  ``customvision-fruits`` also gets the export's
``labels.txt``.

Everything is deterministic: the converter's output for the same graph is
byte-identical (checked by converting twice), the inputs are the .pb fixtures'.
At the end every fixture is re-run from disk and compared bit for bit.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fixture_index import write_index  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import flatbuffers  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402  (graph helpers; sets TF to 1 thread)

import tensorflow as tf  # noqa: E402
from ai_edge_litert.interpreter import Interpreter  # noqa: E402
from tensorflow.lite.python import schema_py_generated as schema  # noqa: E402

FIXTURES = mf.FIXTURES
MODELS = mf.OUT
OUT = FIXTURES / "tflite"
OP_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}

# .pb fixtures converted as float32: name -> outputs to keep (None: all), or
# "dynamic batch" to convert with the .pb's own -1 batch (SHAPE, EXPAND_DIMS… stay).
FLOAT32_FIXTURES = {
    "customvision-fruits": None,
    "op-activations": None,
    "op-argmax": None,
    "op-batchnorm": ["fbn_v1", "fbn_v3", "bn_unfused/batchnorm/add_1"],
    "op-binary": None,
    "op-concat-split": None,
    "op-conv": None,
    "op-depthwise": None,
    "op-matmul": None,
    "op-pad": None,
    "op-pool": None,
    "op-reduce": None,
    "op-resize": None,
    "op-shape": "dynamic batch",
    "op-slice": None,
    "shufflenet-block": None,
    "squeezenet-databn": None,
}


# --------------------------------------------------------------------------
# Conversion and LiteRT
# --------------------------------------------------------------------------

def converter_for_pb(pb, input_name, input_shape, outputs):
    return tf.compat.v1.lite.TFLiteConverter.from_frozen_graph(
        str(pb), [input_name], outputs, {input_name: input_shape})


def convert(make_converter, postprocess=lambda data: data):
    """Convert twice and require identical bytes (the fixtures must be reproducible)."""
    first = postprocess(make_converter().convert())
    second = postprocess(make_converter().convert())
    assert first == second, "the converter's output is not deterministic"
    return first


def canonical_buffer_offsets(data):
    """The converter appends offset/size buffers after the FlatBuffer in a varying
    order: lay them out again in buffer order (16-byte aligned) and patch each
    Buffer.offset, so that the file is reproducible."""
    model = schema.Model.GetRootAsModel(data, 0)
    entries = []
    for i in range(model.BuffersLength()):
        buffer = model.Buffers(i)
        if buffer.Offset() > 1:
            field = buffer._tab.Pos + buffer._tab.Offset(6)  # Buffer.offset, field id 1
            entries.append((i, field, buffer.Offset(), buffer.Size()))
    assert entries, "no buffer is stored after the FlatBuffer"
    start = min(offset for _, _, offset, _ in entries)
    out = bytearray(data[:start])
    for _, field, offset, size in entries:
        out += bytes(-len(out) % 16)
        struct.pack_into("<Q", out, field, len(out))
        out += data[offset:offset + size]
    return bytes(out)


def run_litert(path, x):
    """Run a .tflite file from disk; returns (input detail, [(output detail, array)])."""
    interpreter = Interpreter(model_path=str(path), num_threads=1)
    interpreter.allocate_tensors()
    (detail,) = interpreter.get_input_details()
    interpreter.set_tensor(detail["index"], x.reshape(detail["shape"]))
    interpreter.invoke()
    return detail, [(o, interpreter.get_tensor(o["index"]).copy()) for o in interpreter.get_output_details()]


def tflite_ops(data):
    model = schema.Model.GetRootAsModel(data, 0)
    names = set()
    for s in range(model.SubgraphsLength()):
        subgraph = model.Subgraphs(s)
        for i in range(subgraph.OperatorsLength()):
            code = model.OperatorCodes(subgraph.Operators(i).OpcodeIndex())
            names.add(OP_NAMES[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())])
    return sorted(names)


def output_tensor_names(data):
    model = schema.Model.GetRootAsModel(data, 0)
    subgraph = model.Subgraphs(0)
    return [subgraph.Tensors(subgraph.Outputs(i)).Name().decode() for i in range(subgraph.OutputsLength())]


def write_fixture(name, description, data, *, source, input_file, input_shape, weights, pb_names, kinds):
    d = OUT / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "model.tflite").write_bytes(data)
    x = np.fromfile(FIXTURES / input_file, dtype="<f4").reshape(input_shape)
    detail, results = run_litert(d / "model.tflite", x)
    names = output_tensor_names(data)
    assert len(names) == len(results) == len(pb_names) == len(kinds), name
    outputs = []
    for i, ((odetail, r), tensor_name, pb_name, kind) in enumerate(zip(results, names, pb_names, kinds)):
        assert odetail["name"] == tensor_name, (name, odetail["name"], tensor_name)
        r = np.asarray(r.astype(np.float32), dtype="<f4")
        assert np.all(np.isfinite(r)), f"{name}/{tensor_name}: non-finite output"
        fname = f"output_{i}.f32"
        r.tofile(d / fname)
        outputs.append({"name": tensor_name, "pb_name": pb_name, "shape": [int(s) for s in r.shape],
                        "kind": kind, "file": fname})
    meta = {
        "description": description,
        "source": source,
        "input": detail["name"],
        "input_file": input_file,
        "input_shape": [int(s) for s in input_shape],
        "weights": weights,
        "outputs": outputs,
        "ops": tflite_ops(data),
    }
    (d / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def pb_meta(name):
    return json.loads((MODELS / name / "meta.json").read_text())


def fixture_from_pb(name, keep, *, target=None, weights="float32", postprocess=lambda data: data,
                    dynamic_batch=False, **converter_settings):
    meta = pb_meta(name)
    shape = [None] + meta["input_shape"][1:] if dynamic_batch else meta["input_shape"]
    outputs = [o for o in meta["outputs"] if keep is None or o["name"] in keep]
    names = [o["name"] for o in outputs]

    def make():
        converter = converter_for_pb(MODELS / name / "model.pb", meta["input"], shape, names)
        for key, value in converter_settings.items():
            setattr(converter, key, value)
        return converter

    data = convert(make, postprocess)
    dropped = "" if keep is None else f" (outputs {', '.join(names)} only)"
    dropped += " with its -1 batch (shape_signature)" if dynamic_batch else ""
    description = f"{name}{dropped} converted by TensorFlow's TFLite converter" + (
        f", {weights} weights" if weights != "float32" else "") + ". " + meta["description"]
    write_fixture(target or name, description, data, source=f"models/{name}",
                  input_file=f"models/{name}/input.f32", input_shape=meta["input_shape"], weights=weights,
                  pb_names=names, kinds=[o["kind"] for o in outputs])
    if name == "customvision-fruits":
        shutil.copy(MODELS / name / "labels.txt", OUT / (target or name) / "labels.txt")


# --------------------------------------------------------------------------
# tflite-ops: what the .pb fixtures do not produce
# --------------------------------------------------------------------------

def fixture_tflite_ops():
    """HARD_SWISH, RELU_N1_TO_1, SOFTMAX with beta, FULLY_CONNECTED keep_num_dims,
    SQUEEZE, PACK, and fused activations (RELU, RELU6, RELU_N1_TO_1) on CONV_2D,
    DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, MUL, SUB, DIV, CONCATENATION and
    AVERAGE_POOL_2D; some options set by editing the converted file
    (edit_tflite_ops)."""
    rng = np.random.default_rng(707)
    shape = [1, 8, 8, 6]
    x = mf.distinct_uniform(rng, shape, -4, 4)
    w_conv = mf.he(rng, [3, 3, 6, 8])
    b_conv = mf.small(rng, [8])
    w_dw = mf.he(rng, [3, 3, 6, 2], fan_in=9)
    w_fc = mf.he(rng, [6, 5])
    b_fc = mf.small(rng, [5])
    k = mf.small(rng, [6], 1.0)

    def build(x):
        conv = tf.nn.bias_add(tf.nn.conv2d(x, mf.K(w_conv, "w_conv"), 1, "SAME"), mf.K(b_conv, "b_conv"))
        hard_swish = tf.identity(x * tf.nn.relu6(x + 3.0) / 6.0, name="hard_swish")
        relu_n1_to_1 = tf.identity(tf.minimum(tf.maximum(x, -1.0), 1.0), name="relu_n1_to_1")
        conv_relu_n1 = tf.identity(tf.minimum(tf.maximum(conv, -1.0), 1.0), name="conv_relu_n1_to_1")
        conv_tanh = tf.tanh(conv, name="conv_tanh")
        dw_relu6 = tf.nn.relu6(tf.nn.depthwise_conv2d(x, mf.K(w_dw, "w_dw"), [1, 2, 2, 1], "SAME"), name="dw_relu6")
        add_relu6 = tf.nn.relu6(x + mf.K(k, "k_add"), name="add_relu6")
        mul_relu = tf.nn.relu(x * mf.K(k, "k_mul"), name="mul_relu")
        sub_relu = tf.nn.relu(x - x[:, :, ::-1], name="sub_relu")
        div_relu6 = tf.nn.relu6(x / (x * x + 1.0), name="div_relu6")
        concat_relu = tf.nn.relu(tf.concat([x, -x], axis=3), name="concat_relu")
        pool_relu = tf.nn.relu(tf.nn.avg_pool2d(x, 2, 2, "VALID"), name="avgpool_relu")
        softmax_beta = tf.nn.softmax(x * 0.5, name="softmax_beta")
        rows = tf.reshape(x, [1, 64, 6])
        fc_keep = tf.identity(tf.nn.relu(tf.tensordot(rows, mf.K(w_fc, "w_fc"), [[2], [0]]) + mf.K(b_fc, "b_fc")),
                              name="fc_keep_dims")
        squeeze = tf.squeeze(tf.reduce_mean(x, axis=[1, 2], keepdims=True), axis=[1, 2], name="squeeze")
        pack = tf.stack([x[:, 0], x[:, 7]], axis=1, name="pack")
        return [hard_swish, relu_n1_to_1, conv_relu_n1, conv_tanh, dw_relu6, add_relu6, mul_relu, sub_relu,
                div_relu6, concat_relu, pool_relu, softmax_beta, fc_keep, squeeze, pack]

    gd, names = mf.freeze_tf2(build, shape)
    d = OUT / "tflite-ops"
    d.mkdir(parents=True)
    x.astype("<f4").tofile(d / "input.f32")  # no .pb twin: the input lives here
    pb = d / "graph.pb.tmp"
    pb.write_bytes(gd.SerializeToString(deterministic=True))
    try:
        data = convert(lambda: converter_for_pb(pb, "Placeholder", shape, names), edit_tflite_ops)
    finally:
        pb.unlink()
    kinds = ["probabilities" if n == "softmax_beta" else "logits" for n in names]
    description = " ".join(fixture_tflite_ops.__doc__.split())
    write_fixture("tflite-ops", description, data, source=None, input_file="tflite/tflite-ops/input.f32",
                  input_shape=shape, weights="float32", pb_names=[None] * len(names), kinds=kinds)


def edit_tflite_ops(data):
    """Options the converter does not write for these graphs, set with the schema's
    object API (LiteRT then computes the reference outputs of the edited file):
    SOFTMAX beta 0.5 (after the graph's own ×0.5), CONV_2D with a fused
    RELU_N1_TO_1, CONCATENATION with a fused RELU6, FULLY_CONNECTED with
    keep_num_dims (output [1, 8, 8, 5]), and the RESHAPE that drops the mean's unit
    dims replaced by SQUEEZE with squeeze_dims [1, 2]."""
    model = schema.ModelT.InitFromPackedBuf(data, 0)
    subgraph = model.subgraphs[0]

    def code(op):
        entry = model.operatorCodes[op.opcodeIndex]
        return max(entry.builtinCode, entry.deprecatedBuiltinCode)

    def output_name(op):
        return subgraph.tensors[op.outputs[0]].name.decode()

    ops = schema.BuiltinOperator
    edited = set()
    for op in subgraph.operators:
        if code(op) == ops.SOFTMAX:
            op.builtinOptions.beta = 0.5
            edited.add("softmax")
        elif code(op) == ops.CONV_2D:
            op.builtinOptions.fusedActivationFunction = schema.ActivationFunctionType.RELU_N1_TO_1
            edited.add("conv")
        elif code(op) == ops.CONCATENATION:
            op.builtinOptions.fusedActivationFunction = schema.ActivationFunctionType.RELU6
            edited.add("concat")
        elif code(op) == ops.FULLY_CONNECTED:
            op.builtinOptions.keepNumDims = True
            # The input is the [1, 8, 8, 6] image itself (FULLY_CONNECTED flattens it).
            subgraph.tensors[op.outputs[0]].shape = np.array([1, 8, 8, 5], dtype=np.int32)
            edited.add("fc")
        elif code(op) == ops.RESHAPE and output_name(op) == "squeeze":
            squeeze = schema.OperatorCodeT()
            squeeze.deprecatedBuiltinCode = squeeze.builtinCode = ops.SQUEEZE
            model.operatorCodes.append(squeeze)
            op.opcodeIndex = len(model.operatorCodes) - 1
            op.inputs = op.inputs[:1]
            op.builtinOptionsType = schema.BuiltinOptions.SqueezeOptions
            op.builtinOptions = schema.SqueezeOptionsT()
            op.builtinOptions.squeezeDims = [1, 2]
            edited.add("squeeze")
    assert edited == {"softmax", "conv", "concat", "fc", "squeeze"}, edited
    builder = flatbuffers.Builder(1 << 16)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


# --------------------------------------------------------------------------
# quantized-int8: must be refused
# --------------------------------------------------------------------------

def fixture_quantized_int8():
    meta = pb_meta("op-pool")
    x = np.fromfile(MODELS / "op-pool" / "input.f32", dtype="<f4").reshape(meta["input_shape"])

    def representative():
        for scale in (1.0, 0.5, 0.25):
            yield [x * scale]

    def make():
        converter = converter_for_pb(MODELS / "op-pool" / "model.pb", meta["input"], meta["input_shape"],
                                     [o["name"] for o in meta["outputs"]])
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
        return converter

    data = convert(make)
    d = OUT / "quantized-int8"
    d.mkdir(parents=True)
    (d / "model.tflite").write_bytes(data)
    meta = {
        "description": "op-pool fully integer-quantized (int8 input, output and activations) by TensorFlow's "
                       "converter. TinyGraph refuses it at load, naming the quantized tensors.",
        "source": "models/op-pool",
        "input": meta["input"],
        "input_file": "models/op-pool/input.f32",
        "input_shape": meta["input_shape"],
        "weights": "int8",
        "outputs": [],
        "ops": tflite_ops(data),
    }
    (d / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

def verify_all():
    rows = []
    for d in sorted(p for p in OUT.iterdir() if p.is_dir()):
        meta = json.loads((d / "meta.json").read_text())
        assert set(meta) == {"description", "source", "input", "input_file", "input_shape", "weights", "outputs",
                             "ops"}, d.name
        data = (d / "model.tflite").read_bytes()
        assert data[4:8] == b"TFL3", d.name
        assert tflite_ops(data) == meta["ops"], d.name
        expected = {"model.tflite", "meta.json"} | {o["file"] for o in meta["outputs"]}
        if meta["input_file"].startswith(f"tflite/{d.name}/"):
            expected.add("input.f32")
        if d.name == "customvision-fruits":
            expected.add("labels.txt")
        present = {p.name for p in d.iterdir()}
        assert present == expected, (d.name, present ^ expected)
        if meta["outputs"]:
            x = np.fromfile(FIXTURES / meta["input_file"], dtype="<f4").reshape(meta["input_shape"])
            _, results = run_litert(d / "model.tflite", x)
            for o, (_, r) in zip(meta["outputs"], results):
                want = np.fromfile(d / o["file"], dtype="<f4")
                got = np.asarray(r, dtype=np.float32).ravel()
                assert list(r.shape) == o["shape"] and np.array_equal(got, want), (d.name, o["name"])
        rows.append((d.name, meta["weights"], len(meta["outputs"]), mf.dir_size(d), meta["ops"]))
    return rows


def main():
    if not (MODELS / "op-conv" / "model.pb").exists():
        sys.exit("run tools/make_fixtures.py first: Tests/Fixtures/models/ is missing")
    OUT.mkdir(parents=True, exist_ok=True)
    for entry in OUT.iterdir():  # README.md stays
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.name != "README.md":
            entry.unlink()

    for name, keep in FLOAT32_FIXTURES.items():
        if keep == "dynamic batch":
            fixture_from_pb(name, None, dynamic_batch=True)
        else:
            fixture_from_pb(name, keep)
    fixture_from_pb("mobilenetv2-035", None, target="mobilenetv2-035-fp16", weights="float16",
                    optimizations=[tf.lite.Optimize.DEFAULT],
                    target_spec=tf.lite.TargetSpec(supported_types=[tf.float16]))
    fixture_from_pb("op-conv", None, target="op-conv-buffer-offset", postprocess=canonical_buffer_offsets,
                    _experimental_use_buffer_offset=True)
    fixture_tflite_ops()
    fixture_quantized_int8()

    rows = verify_all()
    write_index(OUT)
    print()
    print(f"{'fixture':<24} {'weights':<8} {'outs':>4} {'bytes':>9}  ops")
    for name, weights, outputs, size, ops in rows:
        print(f"{name:<24} {weights:<8} {outputs:>4} {size:>9}  {' '.join(ops)}")
    total = mf.dir_size(OUT)
    print(f"\nTests/Fixtures/tflite total: {total} bytes ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
