#!/usr/bin/env python3
"""Write the TFLite fuzzer's quantization-table seeds (Fuzz/seeds/tflite-quantization-*).

Run from the repository root with the pinned virtualenv (see tools/README.md):

    tools/.venv/bin/python tools/make_fuzz_seeds.py

Each seed is the int8 fixture ``Tests/Fixtures/tflite/int8-op-conv/model.tflite``
with one quantization table made absurd: a filter's or an activation's scale NaN,
zero, negative, infinite, subnormal or huge; zero points outside their type or
of the wrong count; per-channel tables of the wrong length or on the wrong
dimension.  ``Fuzz/run-tflite-fuzzer`` puts them in the corpus, so libFuzzer
starts from (and mutates) exactly the tables the importer must refuse with a
typed error.  The script deletes and rewrites ``Fuzz/seeds/tflite-quantization-*``.
"""

import math
import sys
from pathlib import Path

import flatbuffers
from tensorflow.lite.python import schema_py_generated as schema

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "Tests/Fixtures/tflite/int8-op-conv/model.tflite"
OUT = REPO / "Fuzz/seeds"

FLOAT32, INT8, INT32 = 0, 9, 2


def load():
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(SOURCE.read_bytes(), 0))


def save(model, name):
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    (OUT / f"tflite-quantization-{name}").write_bytes(bytes(builder.Output()))


def first_conv(model):
    """(filter tensor, input tensor, output tensor) of the first CONV_2D."""
    subgraph = model.subgraphs[0]
    for op in subgraph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        if max(code.builtinCode, code.deprecatedBuiltinCode) == schema.BuiltinOperator.CONV_2D:
            return [subgraph.tensors[i] for i in (op.inputs[1], op.inputs[0], op.outputs[0])]
    raise SystemExit(f"{SOURCE}: no CONV_2D")


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("tflite-quantization-*"):
        old.unlink()
    model = load()
    filt, inp, out = first_conv(model)
    assert filt.type == INT8 and len(filt.quantization.scale) > 1, "the first conv's filter must be per-channel int8"
    assert inp.type == INT8 and out.type == INT8

    # (name, which tensor, edit)
    def set_scale(value, index=0):
        def edit(t):
            scales = [float(v) for v in t.quantization.scale]
            scales[index] = value
            t.quantization.scale = scales
        return edit

    def drop_scale(t):
        t.quantization.scale = t.quantization.scale[:-1]
        t.quantization.zeroPoint = t.quantization.zeroPoint[:-1]

    def dimension(value):
        def edit(t):
            t.quantization.quantizedDimension = value
        return edit

    def zero_point(value):
        def edit(t):
            zero_points = [int(v) for v in t.quantization.zeroPoint]
            zero_points[0] = value
            t.quantization.zeroPoint = zero_points
        return edit

    def two_scales(t):
        t.quantization.scale = list(t.quantization.scale) * 2
        t.quantization.zeroPoint = list(t.quantization.zeroPoint) * 2

    def no_zero_points(t):
        t.quantization.zeroPoint = []

    def no_table(t):
        t.quantization = None

    cases = [
        ("filter-scale-nan", 0, set_scale(math.nan, 1)),
        ("filter-scale-zero", 0, set_scale(0.0, 1)),
        ("filter-scale-negative", 0, set_scale(-0.02, 1)),
        ("filter-scale-infinite", 0, set_scale(math.inf, 1)),
        ("filter-scale-subnormal", 0, set_scale(1e-45, 1)),
        ("filter-scale-huge", 0, set_scale(3e38, 1)),
        ("filter-channels-one-short", 0, drop_scale),
        ("filter-dimension-wrong", 0, dimension(3)),
        ("filter-dimension-negative", 0, dimension(-5)),
        ("filter-zero-point-nonzero", 0, zero_point(7)),
        ("filter-no-table", 0, no_table),
        ("input-scale-nan", 1, set_scale(math.nan)),
        ("input-scale-zero", 1, set_scale(0.0)),
        ("input-scale-negative", 1, set_scale(-1.0)),
        ("input-scale-huge", 1, set_scale(1e38)),
        ("input-zero-point-out-of-range", 1, zero_point(1 << 40)),
        ("input-two-scales", 1, two_scales),
        ("output-scale-tiny", 2, set_scale(1e-37)),
        ("output-zero-point-negative-huge", 2, zero_point(-(1 << 62))),
        ("output-no-zero-points", 2, no_zero_points),
    ]
    for name, which, edit in cases:
        model = load()
        tensors = first_conv(model)
        edit(tensors[which])
        save(model, name)
    print(f"wrote {len(cases)} seeds to {OUT.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
