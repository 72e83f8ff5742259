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
from ai_edge_litert.interpreter import Interpreter, OpResolverType  # noqa: E402
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
    if first != second:
        raise RuntimeError("the converter's output is not deterministic")
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

def tflite_ops_graph():
    """HARD_SWISH, RELU_N1_TO_1, SOFTMAX with beta, FULLY_CONNECTED keep_num_dims,
    SQUEEZE, PACK, and fused activations (RELU, RELU6, RELU_N1_TO_1) on CONV_2D,
    DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, MUL, SUB, DIV, CONCATENATION and
    AVERAGE_POOL_2D; some options set by editing the converted file
    (edit_tflite_ops). Returns (GraphDef, output names, input, input shape)."""
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
    return gd, names, x, shape


def fixture_tflite_ops():
    """The float32 tflite-ops fixture (see tflite_ops_graph)."""
    gd, names, x, shape = tflite_ops_graph()
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
    description = " ".join(tflite_ops_graph.__doc__.split(" Returns")[0].split())
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
# Quantized fixtures: int8 (the converter's full integer quantization) and
# legacy uint8, compared with LiteRT's reference kernels
# --------------------------------------------------------------------------

# The TFLite operators TinyGraph runs on int8/uint8 tensors. A quantized fixture
# keeps the outputs whose operators are all here (the others stay float-only).
QUANTIZED_OPS = {"QUANTIZE", "DEQUANTIZE", "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "MUL",
                 "AVERAGE_POOL_2D", "MAX_POOL_2D", "MEAN", "CONCATENATION", "RESHAPE", "SQUEEZE", "PAD", "SOFTMAX",
                 "LOGISTIC", "HARD_SWISH", "RELU", "RELU6"}
TENSOR_TYPES = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}

# name -> (.pb fixture, activations, input/output type). "int8" activations: the
# converter's full integer quantization (per-channel int8 weights, int32 biases),
# calibrated on the fixture's own inputs; "uint8": the legacy form (per-tensor
# asymmetric uint8 everywhere), made by the TF1 converter's dummy quantization.
QUANTIZED_FIXTURES = {
    "int8-customvision-fruits": ("customvision-fruits", "int8", "float32"),
    "int8-squeezenet-databn": ("squeezenet-databn", "int8", "float32"),
    "int8-mobilenetv2-035": ("mobilenetv2-035", "int8", "float32"),
    "int8-op-conv": ("op-conv", "int8", "float32"),
    "int8-op-depthwise": ("op-depthwise", "int8", "float32"),
    "int8-op-pool": ("op-pool", "int8", "float32"),
    "int8-op-activations": ("op-activations", "int8", "float32"),
    "int8-op-binary": ("op-binary", "int8", "float32"),
    "int8-op-matmul": ("op-matmul", "int8", "float32"),
    "int8-op-reduce": ("op-reduce", "int8", "float32"),
    "int8-op-pad": ("op-pad", "int8", "float32"),
    "int8-op-concat-split": ("op-concat-split", "int8", "float32"),
    "int8io-squeezenet-databn": ("squeezenet-databn", "int8", "int8"),
    "int8io-op-conv": ("op-conv", "int8", "int8"),
    "uint8io-squeezenet-databn": ("squeezenet-databn", "int8", "uint8"),
    "uint8-op-conv": ("op-conv", "uint8", "uint8"),
    "uint8-op-depthwise": ("op-depthwise", "uint8", "uint8"),
    "uint8-op-pool": ("op-pool", "uint8", "uint8"),
    "uint8-squeezenet-databn": ("squeezenet-databn", "uint8", "uint8"),
    "uint8-mobilenetv2-035": ("mobilenetv2-035", "uint8", "uint8"),
}


def representative_inputs(x):
    """Calibration inputs from the fixture's own input distribution: the input
    itself, its mirror images and a rolled copy (images), or the same values in
    other orders (other ranks). Deterministic."""
    samples = [x]
    if x.ndim == 4:
        samples += [x[:, ::-1], x[:, :, ::-1], x[:, ::-1, ::-1],
                    np.roll(x, (x.shape[1] // 3, x.shape[2] // 3), axis=(1, 2))]
    else:
        rng = np.random.default_rng(11)
        samples += [rng.permutation(x.ravel()).reshape(x.shape) for _ in range(4)]
    return [np.ascontiguousarray(s, dtype=np.float32) for s in samples]


def quantize_like_tflite(x, scale, zero_point, dtype):
    """TFLite's QUANTIZE (reference AffineQuantize): float32 x / scale, rounded half
    away from zero, plus the zero point, clamped to the type's range. TinyGraph
    quantizes a model's float input the same way."""
    v = np.asarray(x, dtype=np.float32) / np.float32(scale)
    rounded = np.trunc(v + np.copysign(np.float32(0.5), v).astype(np.float32))
    info = np.iinfo(dtype)
    return np.clip(rounded.astype(np.float64) + zero_point, info.min, info.max).astype(dtype)


def dequantize_like_tflite(q, scale, zero_point):
    """TFLite's DEQUANTIZE (reference): double scale × (q − zero point), as float32."""
    return (np.float64(np.float32(scale)) * (q.astype(np.int64) - zero_point)).astype(np.float32)


def run_quantized(path, x, resolver):
    """Runs a quantized model from disk with LiteRT (1 thread). An integer input is
    quantized with the model's own parameters; an integer output is dequantized.
    Returns (input detail, [(output detail, float32 array)])."""
    interpreter = Interpreter(model_path=str(path), num_threads=1, experimental_op_resolver_type=resolver)
    interpreter.allocate_tensors()
    (detail,) = interpreter.get_input_details()
    feed = x.reshape(detail["shape"])
    if detail["dtype"] != np.float32:
        scale, zero_point = detail["quantization"]
        feed = quantize_like_tflite(feed, scale, zero_point, detail["dtype"])
    interpreter.set_tensor(detail["index"], feed)
    interpreter.invoke()
    results = []
    for o in interpreter.get_output_details():
        r = interpreter.get_tensor(o["index"]).copy()
        if o["dtype"] != np.float32:
            scale, zero_point = o["quantization"]
            r = dequantize_like_tflite(r, scale, zero_point)
        results.append((o, r))
    return detail, results


def subgraph_producers(model):
    subgraph = model.Subgraphs(0)
    producers = {}
    for i in range(subgraph.OperatorsLength()):
        op = subgraph.Operators(i)
        for k in range(op.OutputsLength()):
            producers[op.Outputs(k)] = op
    return subgraph, producers


def op_name(model, op):
    code = model.OperatorCodes(op.OpcodeIndex())
    return OP_NAMES[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]


def ops_feeding(data, tensor_index):
    """The operator names on every path into a tensor of the model's first subgraph."""
    model = schema.Model.GetRootAsModel(data, 0)
    _, producers = subgraph_producers(model)
    names, stack, seen = set(), [tensor_index], set()
    while stack:
        t = stack.pop()
        if t in seen or t not in producers:
            continue
        seen.add(t)
        op = producers[t]
        names.add(op_name(model, op))
        stack += [op.Inputs(k) for k in range(op.InputsLength()) if op.Inputs(k) >= 0]
    return names


def output_step(data, position):
    """The quantization step of subgraph output `position`: its own scale when it is
    quantized, else the scale of the tensor its DEQUANTIZE reads."""
    model = schema.Model.GetRootAsModel(data, 0)
    subgraph, producers = subgraph_producers(model)
    index = subgraph.Outputs(position)
    tensor = subgraph.Tensors(index)
    if tensor.Type() == schema.TensorType.FLOAT32:
        op = producers[index]
        assert op_name(model, op) == "DEQUANTIZE", "a float output of a quantized model must come from DEQUANTIZE"
        tensor = subgraph.Tensors(op.Inputs(0))
    quantization = tensor.Quantization()
    assert quantization is not None and quantization.ScaleLength() == 1, tensor.Name()
    return float(quantization.Scale(0)), int(quantization.ZeroPoint(0)), TENSOR_TYPES[tensor.Type()].lower()


def quantized_converter(pb, meta, outputs, activations, io, x):
    converter = converter_for_pb(pb, meta["input"], meta["input_shape"], outputs)
    if activations == "int8":
        samples = representative_inputs(x)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([s] for s in samples)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if io != "float32":
            converter.inference_input_type = converter.inference_output_type = getattr(tf, io)
    else:
        # Legacy uint8: the input's range maps onto 0..255; every other tensor gets
        # the range of the float model's largest activation (dummy quantization).
        low, high = float(x.min()), float(x.max())
        std = 255.0 / (high - low)
        converter.inference_type = tf.uint8
        converter.quantized_input_stats = {meta["input"]: (round(-low * std), std)}
        bound = largest_activation(pb, meta, outputs, x)
        converter.default_ranges_stats = (-bound, bound)
    return converter


def largest_activation(pb, meta, outputs, x):
    """The largest |value| of any tensor when the float model runs on x."""
    data = converter_for_pb(pb, meta["input"], meta["input_shape"], outputs).convert()
    interpreter = Interpreter(model_content=data, experimental_preserve_all_tensors=True,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    largest = 1.0
    for detail in interpreter.get_tensor_details():
        if detail["dtype"] == np.float32 and detail["index"] != interpreter.get_input_details()[0]["index"]:
            try:
                largest = max(largest, float(np.abs(interpreter.get_tensor(detail["index"])).max(initial=0)))
            except ValueError:  # a tensor without data
                pass
    return float(np.ceil(largest))


def fixture_quantized(name, source, activations, io):
    meta = pb_meta(source)
    pb = MODELS / source / "model.pb"
    x = np.fromfile(MODELS / source / "input.f32", dtype="<f4").reshape(meta["input_shape"])
    candidates = [o["name"] for o in meta["outputs"]]
    # Which outputs the quantized ops compute (this first conversion only decides that).
    everything = quantized_converter(pb, meta, candidates, activations, io, x).convert()
    outputs = schema.Model.GetRootAsModel(everything, 0).Subgraphs(0)
    kept = [n for i, n in enumerate(candidates) if ops_feeding(everything, outputs.Outputs(i)) <= QUANTIZED_OPS]
    assert kept, f"{name}: no output is computed by quantized ops TinyGraph runs"
    data = convert(lambda: quantized_converter(pb, meta, kept, activations, io, x))
    d = OUT / name
    d.mkdir(parents=True)
    (d / "model.tflite").write_bytes(data)
    detail, reference = run_quantized(d / "model.tflite", x, OpResolverType.BUILTIN_REF)
    _, xnnpack = run_quantized(d / "model.tflite", x, OpResolverType.AUTO)
    names = output_tensor_names(data)
    kinds = {o["name"]: o["kind"] for o in meta["outputs"]}
    outputs = []
    for i, ((odetail, r), (_, rx), tensor_name, pb_name) in enumerate(zip(reference, xnnpack, names, kept)):
        assert odetail["name"] == tensor_name, (name, odetail["name"], tensor_name)
        assert np.all(np.isfinite(r)) and np.all(np.isfinite(rx)), f"{name}/{tensor_name}: non-finite output"
        step, zero_point, dtype = output_step(data, i)
        r.astype("<f4").tofile(d / f"output_{i}.f32")
        rx.astype("<f4").tofile(d / f"xnnpack_{i}.f32")
        xnnpack_steps = float(np.max(np.abs(np.round(r / step) - np.round(rx / step)), initial=0))
        shape = [int(s) for s in r.shape]
        outputs.append({"name": tensor_name, "pb_name": pb_name, "shape": shape, "kind": kinds[pb_name],
                        "file": f"output_{i}.f32", "quantization": {"type": dtype, "scale": step,
                                                                    "zero_point": zero_point},
                        "tolerance_steps": 1, "top1": len(shape) == 2 and shape[0] == 1 and shape[1] > 1,
                        "xnnpack_file": f"xnnpack_{i}.f32", "xnnpack_steps": xnnpack_steps})
    input_quantization = None
    if detail["dtype"] != np.float32:
        scale, zero_point = detail["quantization"]
        input_quantization = {"type": np.dtype(detail["dtype"]).name, "scale": float(scale),
                              "zero_point": int(zero_point)}
    dropped = "" if kept == candidates else f" (outputs {', '.join(kept)} only)"
    how = ("full integer int8 quantization (per-channel int8 weights, int32 biases) calibrated on the input, "
           "its mirror images and a rolled copy" if activations == "int8" else
           "legacy uint8 quantization (per-tensor uint8 weights and activations, TF1 converter's dummy ranges)")
    edges = "float32 input and output" if io == "float32" else f"{io} input and output"
    description = (f"{source}{dropped} converted by TensorFlow's TFLite converter with {how}; {edges}. "
                   f"Outputs from LiteRT's reference kernels (output_<i>.f32) and from XNNPACK (xnnpack_<i>.f32), "
                   f"dequantized. " + meta["description"])
    fixture_meta = {
        "description": description,
        "source": f"models/{source}",
        "input": detail["name"],
        "input_file": f"models/{source}/input.f32",
        "input_shape": meta["input_shape"],
        "input_quantization": input_quantization,
        "weights": activations,
        "outputs": outputs,
        "ops": tflite_ops(data),
    }
    (d / "meta.json").write_text(json.dumps(fixture_meta, indent=2) + "\n")


def fixture_int8_tflite_ops():
    """tflite-ops' graph fully int8-quantized (the outputs its quantized ops
    compute), edited like the float one (edit_int8_tflite_ops): HARD_SWISH,
    SOFTMAX beta, SQUEEZE, FULLY_CONNECTED keep_num_dims, fused activations as
    clamps (RELU_N1_TO_1 on DEPTHWISE_CONV_2D)."""
    gd, names, x, shape = tflite_ops_graph()
    d = OUT / "int8-tflite-ops"
    d.mkdir(parents=True)
    pb = d / "graph.pb.tmp"
    pb.write_bytes(gd.SerializeToString(deterministic=True))
    meta = {"input": "Placeholder", "input_shape": shape}
    try:
        everything = quantized_converter(pb, meta, names, "int8", "float32", x).convert()
        outputs = schema.Model.GetRootAsModel(everything, 0).Subgraphs(0)
        kept = [n for i, n in enumerate(names) if ops_feeding(everything, outputs.Outputs(i)) <= QUANTIZED_OPS]
        data = convert(lambda: quantized_converter(pb, meta, kept, "int8", "float32", x), edit_int8_tflite_ops)
    finally:
        pb.unlink()
    (d / "model.tflite").write_bytes(data)
    detail, reference = run_quantized(d / "model.tflite", x, OpResolverType.BUILTIN_REF)
    _, xnnpack = run_quantized(d / "model.tflite", x, OpResolverType.AUTO)
    model = schema.Model.GetRootAsModel(data, 0)
    tensor_names = output_tensor_names(data)
    outputs = []
    for i, ((odetail, r), (_, rx), tensor_name) in enumerate(zip(reference, xnnpack, tensor_names)):
        assert ops_feeding(data, model.Subgraphs(0).Outputs(i)) <= QUANTIZED_OPS, (tensor_name, "unsupported op")
        step, zero_point, dtype = output_step(data, i)
        r.astype("<f4").tofile(d / f"output_{i}.f32")
        rx.astype("<f4").tofile(d / f"xnnpack_{i}.f32")
        xnnpack_steps = float(np.max(np.abs(np.round(r / step) - np.round(rx / step)), initial=0))
        shape_out = [int(s) for s in r.shape]
        outputs.append({"name": tensor_name, "pb_name": None, "shape": shape_out,
                        "kind": "probabilities" if "softmax" in tensor_name else "logits",
                        "file": f"output_{i}.f32", "quantization": {"type": dtype, "scale": step,
                                                                    "zero_point": zero_point},
                        "tolerance_steps": 1, "top1": False,
                        "xnnpack_file": f"xnnpack_{i}.f32", "xnnpack_steps": xnnpack_steps})
    fixture_meta = {
        "description": " ".join(fixture_int8_tflite_ops.__doc__.split()) + " Outputs from LiteRT's reference kernels "
                       "(output_<i>.f32) and XNNPACK (xnnpack_<i>.f32), dequantized.",
        "source": None,
        "input": detail["name"],
        "input_file": "tflite/tflite-ops/input.f32",  # the float fixture's input
        "input_shape": shape,
        "input_quantization": None,
        "weights": "int8",
        "outputs": outputs,
        "ops": tflite_ops(data),
    }
    (d / "meta.json").write_text(json.dumps(fixture_meta, indent=2) + "\n")


def edit_int8_tflite_ops(data):
    """SOFTMAX beta 0.5, DEPTHWISE_CONV_2D with a fused RELU_N1_TO_1 (the int8
    converter keeps no CONV_2D output: they need MINIMUM, MAXIMUM or TANH), FULLY_CONNECTED
    keep_num_dims, and the RESHAPE that drops the mean's unit dims replaced by
    SQUEEZE, as edit_tflite_ops does for the float model."""
    model = schema.ModelT.InitFromPackedBuf(data, 0)
    subgraph = model.subgraphs[0]
    ops = schema.BuiltinOperator

    def code(op):
        entry = model.operatorCodes[op.opcodeIndex]
        return max(entry.builtinCode, entry.deprecatedBuiltinCode)

    edited = set()
    for op in subgraph.operators:
        name = subgraph.tensors[op.outputs[0]].name.decode()
        if code(op) == ops.SOFTMAX:
            op.builtinOptions.beta = 0.5
            edited.add("softmax")
        elif code(op) == ops.DEPTHWISE_CONV_2D:
            op.builtinOptions.fusedActivationFunction = schema.ActivationFunctionType.RELU_N1_TO_1
            edited.add("depthwise")
        elif code(op) == ops.FULLY_CONNECTED:
            op.builtinOptions.keepNumDims = True
            subgraph.tensors[op.outputs[0]].shape = np.array([1, 8, 8, 5], dtype=np.int32)
            edited.add("fc")
        elif code(op) == ops.RESHAPE and name.startswith("squeeze"):
            squeeze = schema.OperatorCodeT()
            squeeze.deprecatedBuiltinCode = squeeze.builtinCode = ops.SQUEEZE
            model.operatorCodes.append(squeeze)
            op.opcodeIndex = len(model.operatorCodes) - 1
            op.inputs = op.inputs[:1]
            op.builtinOptionsType = schema.BuiltinOptions.SqueezeOptions
            op.builtinOptions = schema.SqueezeOptionsT()
            op.builtinOptions.squeezeDims = [1, 2]
            edited.add("squeeze")
    assert edited == {"softmax", "depthwise", "fc", "squeeze"}, edited
    builder = flatbuffers.Builder(1 << 16)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


# --------------------------------------------------------------------------
# quantized-int16: must be refused
# --------------------------------------------------------------------------

def fixture_quantized_int16():
    meta = pb_meta("op-pool")
    x = np.fromfile(MODELS / "op-pool" / "input.f32", dtype="<f4").reshape(meta["input_shape"])
    samples = representative_inputs(x)

    def make():
        converter = converter_for_pb(MODELS / "op-pool" / "model.pb", meta["input"], meta["input_shape"],
                                     [o["name"] for o in meta["outputs"]])
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([s] for s in samples)
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
        converter.inference_input_type = tf.int16
        converter.inference_output_type = tf.int16
        return converter

    data = convert(make)
    d = OUT / "quantized-int16"
    d.mkdir(parents=True)
    (d / "model.tflite").write_bytes(data)
    meta = {
        "description": "op-pool quantized with int16 activations and int8 weights (the converter's 16x8 mode), "
                       "int16 input and output. TinyGraph runs int8 and uint8 models only: it refuses this one at "
                       "load, naming the int16 tensors.",
        "source": "models/op-pool",
        "input": meta["input"],
        "input_file": "models/op-pool/input.f32",
        "input_shape": meta["input_shape"],
        "input_quantization": None,
        "weights": "int16",
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
        quantized = meta["weights"] in ("int8", "uint8", "int16")
        keys = {"description", "source", "input", "input_file", "input_shape", "weights", "outputs", "ops"}
        assert set(meta) == (keys | {"input_quantization"} if quantized else keys), d.name
        data = (d / "model.tflite").read_bytes()
        assert data[4:8] == b"TFL3", d.name
        assert tflite_ops(data) == meta["ops"], d.name
        expected = {"model.tflite", "meta.json"} | {o["file"] for o in meta["outputs"]}
        expected |= {o["xnnpack_file"] for o in meta["outputs"] if "xnnpack_file" in o}
        if meta["input_file"].startswith(f"tflite/{d.name}/"):
            expected.add("input.f32")
        if d.name == "customvision-fruits":
            expected.add("labels.txt")
        present = {p.name for p in d.iterdir()}
        assert present == expected, (d.name, present ^ expected)
        if meta["outputs"]:
            x = np.fromfile(FIXTURES / meta["input_file"], dtype="<f4").reshape(meta["input_shape"])
            if quantized:
                runs = [("file", run_quantized(d / "model.tflite", x, OpResolverType.BUILTIN_REF)[1]),
                        ("xnnpack_file", run_quantized(d / "model.tflite", x, OpResolverType.AUTO)[1])]
            else:
                runs = [("file", run_litert(d / "model.tflite", x)[1])]
            for key, results in runs:
                for o, (_, r) in zip(meta["outputs"], results):
                    want = np.fromfile(d / o[key], dtype="<f4")
                    got = np.asarray(r, dtype=np.float32).ravel()
                    assert list(r.shape) == o["shape"] and np.array_equal(got, want), (d.name, o["name"], key)
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
    for name, (source, activations, io) in QUANTIZED_FIXTURES.items():
        print(f"{name}: quantizing {source} ({activations}, {io} input and output)", flush=True)
        fixture_quantized(name, source, activations, io)
    fixture_int8_tflite_ops()
    fixture_quantized_int16()

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
