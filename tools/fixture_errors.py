#!/usr/bin/env python3
"""Runs every fixture model (TensorFlow and TFLite) and compares its outputs with the stored references.

Reads the fixture folders' own indexes (Tests/Fixtures/{models,tflite}/index.json),
so a fixture that went missing is a failure, not one line fewer. Prints each
fixture's worst error as a fraction of its tolerance and exits 1 if any fixture is
over, failed to run, or is missing. Float outputs: 1e-5 on probabilities,
1e-4 x max(1, max|ref|) on logits. Outputs of quantized models (meta.json
"tolerance_steps" and "quantization"): compared in quantization steps, at most
tolerance_steps (1) apart, and classifier outputs ("top1") must rank the same class
first. A NaN or an infinity where the reference is finite is an infinite error
(tools/agreement.py). Standard library only.

    python3 tools/fixture_errors.py --tinygraph .build/release/tinygraph
    python3 tools/fixture_errors.py --tinygraph .build-native/release/tinygraph
    python3 tools/fixture_errors.py --embedded "qemu-aarch64-static .build-arm64/tinygraph-embedded"

--embedded takes a command that runs Embedded/TinyGraphDriver.swift's program
([--threads N] MODEL INPUT OUTPUT_PREFIX NODE...), which writes every output in one run.

--threads N runs every fixture on N threads; with N other than 1 each fixture also
runs on one thread, and its outputs must be the same bytes at both counts:

    python3 tools/fixture_errors.py --tinygraph .build-native/release/tinygraph --threads 2
"""
import argparse, json, os, shlex, struct, subprocess, sys, tempfile

from agreement import compare, compare_quantized, fixture_tolerance, top1
from fixture_index import read_index

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")


def floats(path):
    data = open(path, "rb").read()
    return struct.unpack(f"<{len(data) // 4}f", data)


def fixtures():
    """(label, model path, input path, meta) for every indexed fixture with outputs."""
    cases = []
    for kind, model_file in (("models", "model.pb"), ("tflite", "model.tflite")):
        folder = os.path.join(FIXTURES, kind)
        for entry in read_index(folder):
            directory = os.path.join(folder, entry["name"])
            meta = json.load(open(os.path.join(directory, "meta.json")))
            if len(meta["outputs"]) != entry["outputs"]:
                raise RuntimeError(f"{kind}/{entry['name']}: meta.json has {len(meta['outputs'])} outputs, "
                                   f"index.json {entry['outputs']}")
            if not meta["outputs"]:
                continue  # a model TinyGraph must refuse (tested in Swift), nothing to compare
            input_path = (os.path.join(FIXTURES, meta["input_file"]) if "input_file" in meta
                          else os.path.join(directory, "input.f32"))
            cases.append((f"{kind}/{entry['name']}", os.path.join(directory, model_file), input_path, directory, meta))
    return cases


def run_tinygraph(binary, model, input_path, outputs, scratch, threads):
    results = []
    for out in outputs:
        path = os.path.join(scratch, "out.f32")
        if os.path.exists(path):
            os.remove(path)
        subprocess.run([binary, "run", model, "--input", input_path, "--output-node", out["name"], "--output", path,
                        "--threads", str(threads)], check=True, capture_output=True)
        results.append(open(path, "rb").read())
    return results


def run_embedded(command, model, input_path, outputs, scratch, threads):
    prefix = os.path.join(scratch, "out")
    for index in range(len(outputs)):
        if os.path.exists(f"{prefix}.{index}.f32"):
            os.remove(f"{prefix}.{index}.f32")
    subprocess.run(shlex.split(command) + ["--threads", str(threads), model, input_path, prefix]
                   + [out["name"] for out in outputs], check=True, capture_output=True)
    return [open(f"{prefix}.{index}.f32", "rb").read() for index in range(len(outputs))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tinygraph", default=".build/release/tinygraph", help="tinygraph binary (default %(default)s)")
    parser.add_argument("--embedded", help="command running the Embedded driver")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per inference (default 1); other counts are also checked against 1 thread, byte for byte")
    args = parser.parse_args()
    if args.threads < 0:
        parser.error("--threads must be 0 (one per core) or more")
    if not args.embedded and not os.access(args.tinygraph, os.X_OK):
        sys.exit(f"fixture_errors.py: {args.tinygraph} is not an executable; build it first")
    scratch = tempfile.mkdtemp()
    try:
        cases = fixtures()
    except (OSError, RuntimeError, KeyError, ValueError) as error:
        sys.exit(f"fixture_errors.py: the fixtures are incomplete: {error}")
    failed = 0
    for label, model, input_path, directory, meta in cases:
        def run(threads):
            if args.embedded:
                return run_embedded(args.embedded, model, input_path, meta["outputs"], scratch, threads)
            return run_tinygraph(args.tinygraph, model, input_path, meta["outputs"], scratch, threads)
        try:
            raw = run(args.threads)
            single = raw if args.threads == 1 else run(1)
        except (subprocess.CalledProcessError, OSError) as error:
            detail = error.stderr.decode().strip() if getattr(error, "stderr", None) else str(error)
            print(f"{label:34s} FAILED to run: {detail}")
            failed += 1
            continue
        changed = [out["name"] for out, a, b in zip(meta["outputs"], raw, single) if a != b]
        if changed:
            print(f"{label:34s} FAILED: on {args.threads} threads the outputs differ from 1 thread's: {', '.join(changed)}")
            failed += 1
            continue
        results = [struct.unpack(f"<{len(data) // 4}f", data) for data in raw]
        worst = (-1.0, None, None)
        try:
            wants = [floats(os.path.join(directory, out["file"])) for out in meta["outputs"]]
        except OSError as error:
            print(f"{label:34s} FAILED: cannot read a reference output: {error}")
            failed += 1
            continue
        top1_failures = []
        for out, got, want in zip(meta["outputs"], results, wants):
            if "tolerance_steps" in out:
                comparison = compare_quantized(got, want, out["quantization"]["scale"])
                ratio = comparison.worst / out["tolerance_steps"]
                if out.get("top1") and top1(got) != top1(want):
                    top1_failures.append(f"{out['name']}: top-1 is class {top1(got)}, LiteRT's is {top1(want)}")
            else:
                comparison = compare(got, want)
                ratio = comparison.worst / fixture_tolerance(out["kind"], want)
            if ratio > worst[0]:
                worst = (ratio, out["name"], comparison)
        ratio, output, comparison = worst
        over = not ratio <= 1
        failed += over or bool(top1_failures)
        unit = "of tolerance (steps)" if "tolerance_steps" in meta["outputs"][0] else "of tolerance"
        status = "ok" + ("" if args.threads == 1 else f", same bytes on {args.threads} threads and 1")
        if over:
            status = "OVER TOLERANCE: " + output + ": " + comparison.describe()
        if top1_failures:
            status = ("" if not over else status + "; ") + "TOP-1 DIFFERS: " + "; ".join(top1_failures)
        print(f"{label:34s} outputs={len(results):2d}  {ratio:.3f} {unit:21s} {status}")
    print(f"{len(cases) - failed} of {len(cases)} fixtures passed, {failed} failed")
    sys.exit(1 if failed or not cases else 0)


if __name__ == "__main__":
    main()
