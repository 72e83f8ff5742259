#!/usr/bin/env python3
"""Measure a lock model on full synthetic stills, with TensorFlow and optionally TinyGraph.

Run from the repository root with the tools virtualenv (see tools/README.md):

    tools/.venv/bin/python tools/evaluate_lock_model.py --model Models/lock-demo/model.pb \\
        --generate 1000 --seed 424242 [--tinygraph .build/release/tinygraph]
    tools/.venv/bin/python tools/evaluate_lock_model.py --model M/model.pb --stills DIR
    tools/.venv/bin/python tools/evaluate_lock_model.py --model M/model.pb --stills Samples

``--generate N --seed S`` writes N stills with tools/generate_lock_scenes.py
(all conditions: day and night, occlusions, the seed's box unless
``--lock-position``) to ``tools/.lock-data/eval-s<S>-n<N>/`` (reused if it is
already there) and evaluates them; ``--stills DIR`` reads a folder with the
generator's ``manifest.csv`` or a ``samples.json`` (``Samples/``).

For each still, the JPEG is decoded with Pillow (libjpeg-turbo: islow IDCT,
fancy upsampling) to RGB, the box is cut (and resized to the model's input if
the sizes differ: area when shrinking, bilinear when enlarging), and the
channels are reversed to BGR float32 0-255: the Custom Vision compact
convention. The frozen graph is imported and run with TensorFlow (1 thread).
The watcher instead decodes only the box with libjpeg-turbo's
``jpeg_crop_scanline``; whether that is pixel-identical is checked elsewhere.

Prints accuracy overall, by condition (day, night) and by occlusion, the
confusion matrix and the misclassified stills. ``--tinygraph PATH`` also runs
the same input tensors through ``tinygraph run MODEL --input X.f32 --output
Y.f32 --input-shape B,S,S,3`` (raw little-endian float32) and reports the
largest |TensorFlow - TinyGraph| probability (bar: 1e-5). ``--golden DIR``
writes the per-still TensorFlow probabilities (``golden.json``) plus the least
confident still's input and output tensors, for Swift tests. Exit status 1 if
``--min-accuracy``/``--min-night-accuracy``/``--max-diff`` are not met.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from agreement import compare  # noqa: E402
import tensorflow as tf  # noqa: E402

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
from lockgen import crops as C  # noqa: E402
from lockgen import model as M  # noqa: E402

import generate_lock_scenes as G  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--model", required=True, help="frozen GraphDef (model.pb); labels.txt beside it")
    ap.add_argument("--labels", help="labels file (default: labels.txt beside the model)")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--stills", help="folder with manifest.csv (generator) or samples.json")
    src.add_argument("--generate", type=int, metavar="N", help="generate N held-out stills first")
    ap.add_argument("--seed", type=int, default=424242, help="generator seed for --generate")
    ap.add_argument("--open-bar", choices=("horizontal", "vertical"), default="horizontal")
    ap.add_argument("--lock-position", type=G.parse_position, default=G.params.SEED_CROP)
    ap.add_argument("--camera-roll", type=float, default=0.0, help="for --generate: the camera's mounted roll (degrees)")
    ap.add_argument("--roll-jitter", type=float, default=8.0, help="for --generate: random roll around it (default 8)")
    ap.add_argument("--data-dir", help="where --generate writes (default tools/.lock-data/eval-s<S>-n<N>)")
    ap.add_argument("--jobs", type=int, default=1, help="generator processes")
    ap.add_argument("--tinygraph", help="path of the tinygraph CLI: compare its probabilities with TF's")
    ap.add_argument("--watcher", help="path of the watcher CLI: classify each still with `watcher check` "
                    "(its own JPEG region decode, crop and resize) and compare with TF's")
    ap.add_argument("--golden", help="write golden.json (+ the first still's input/output .f32) here")
    ap.add_argument("--min-accuracy", type=float, default=0.0)
    ap.add_argument("--min-night-accuracy", type=float, default=0.0)
    ap.add_argument("--max-diff", type=float, default=1e-5, help="TF vs TinyGraph bar (default 1e-5)")
    return ap.parse_args(argv)


def generated_stills(args):
    position = "random" if args.lock_position == "random" else "%d_%d" % tuple(args.lock_position)
    shift = "" if (args.camera_roll, args.roll_jitter) == (0.0, 8.0) else f"-roll{args.camera_roll:g}+-{args.roll_jitter:g}"
    out = Path(args.data_dir or TOOLS / ".lock-data" / f"eval-s{args.seed}-n{args.generate}-{args.open_bar}-{position}{shift}")
    if (out / "manifest.csv").exists() and len(C.read_stills(out)) == args.generate:
        print(f"reusing {args.generate} stills in {out}")
        return out
    gen_args = ["stills", "--seed", str(args.seed), "--count", str(args.generate), "--out", str(out),
                "--jobs", str(args.jobs), "--open-bar", args.open_bar, "--lock-position",
                "random" if args.lock_position == "random" else "%d,%d" % tuple(args.lock_position),
                "--camera-roll", str(args.camera_roll), "--roll-jitter", str(args.roll_jitter)]
    print("generating: tools/generate_lock_scenes.py " + " ".join(gen_args), flush=True)
    G.main(gen_args)
    return out


def run_tinygraph(binary, model, batch, chunk=100):
    """Probabilities from `tinygraph run`, chunk stills at a time."""
    outs = []
    size = batch.shape[1]
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(0, len(batch), chunk):
            part = np.ascontiguousarray(batch[i:i + chunk], dtype="<f4")
            xin, yout = Path(tmp) / "input.f32", Path(tmp) / "output.f32"
            part.tofile(xin)
            cmd = [binary, "run", str(model), "--input", str(xin), "--output", str(yout),
                   "--input-shape", f"{len(part)},{size},{size},3"]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode != 0:
                raise SystemExit(f"tinygraph failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
            outs.append(np.fromfile(yout, dtype="<f4").reshape(len(part), -1))
    return np.concatenate(outs)


def run_watcher(binary, model, folder, rows):
    """Probabilities from `watcher check --json`: the full watcher path from the JPEG file."""
    out = []
    for r in rows:
        crop = "%dx%d+%d+%d" % (r["crop_w"], r["crop_h"], r["crop_x"], r["crop_y"])
        cmd = [binary, "check", "--image", str(folder / r["file"]), "--model", str(model), "--crop", crop, "--json"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(f"watcher failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
        out.append(json.loads(res.stdout.strip().splitlines()[-1])["probabilities"])
    return out


def accuracy_line(name, sel, pred, truth):
    n = int(sel.sum())
    if n == 0:
        return None
    right = int((pred[sel] == truth[sel]).sum())
    return f"  {name:<14} {right / n * 100:7.2f} %  ({right}/{n})", right / n


def main(argv=None):
    args = parse_args(argv)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    t0 = time.time()
    folder = Path(args.stills) if args.stills else generated_stills(args)
    t_gen = time.time() - t0
    model_path = Path(args.model)
    labels_path = Path(args.labels) if args.labels else model_path.with_name("labels.txt")
    labels = [l.strip() for l in labels_path.read_text().splitlines() if l.strip()]
    frozen = M.FrozenModel(model_path)
    size = frozen.size

    rows = C.read_stills(folder)
    t1 = time.time()
    x = np.stack([C.still_crop_bgr(folder / r["file"], (r["crop_x"], r["crop_y"], r["crop_w"], r["crop_h"]), size)
                  for r in rows])
    t_decode = time.time() - t1
    t1 = time.time()
    probs = frozen(x)
    t_tf = time.time() - t1
    if probs.shape[1] != len(labels):
        raise SystemExit(f"the model has {probs.shape[1]} outputs but {labels_path} has {len(labels)} labels")
    unknown = {r["state"] for r in rows} - set(labels)
    if unknown:
        raise SystemExit(f"stills are labelled {sorted(unknown)}, which are not in {labels}")
    truth = np.array([labels.index(r["state"]) for r in rows])
    pred = probs.argmax(1)
    cond = np.array([r["condition"] for r in rows])
    occl = np.array([r.get("occlusion", "none") for r in rows])

    print(f"\nmodel {model_path} ({model_path.stat().st_size / 1e6:.2f} MB), labels {labels}, input {size}x{size} BGR")
    print(f"{len(rows)} stills from {folder}; crop box "
          + ("varies" if len({(r['crop_x'], r['crop_y']) for r in rows}) > 1
             else f"{rows[0]['crop_w']}x{rows[0]['crop_h']}+{rows[0]['crop_x']}+{rows[0]['crop_y']}"))
    print("accuracy (TensorFlow):")
    results = {}
    for name, sel in [("overall", np.ones(len(rows), bool)), ("day", cond == "day"), ("night", cond == "night")] \
            + [(f"occlusion {o}", occl == o) for o in ("none", "hand", "coat")]:
        line = accuracy_line(name, sel, pred, truth)
        if line:
            print(line[0])
            results[name] = line[1]
    m = np.zeros((len(labels), len(labels)), np.int64)
    np.add.at(m, (truth, pred), 1)
    w = max(8, max(len(l) for l in labels) + 2)
    print("confusion (rows: true, columns: predicted):")
    print("  " + " " * 10 + "".join(l.rjust(w) for l in labels))
    for k, l in enumerate(labels):
        print("  " + l.ljust(10) + "".join(str(v).rjust(w) for v in m[k]))
    wrong = np.flatnonzero(pred != truth)
    if len(wrong):
        print("misclassified:")
        for i in wrong[:30]:
            r = rows[i]
            print(f"  {r['file']}: {r['state']} -> {labels[pred[i]]} (p={probs[i, pred[i]]:.3f}) "
                  f"{r['condition']} {r.get('occlusion', '')}")
        if len(wrong) > 30:
            print(f"  ... and {len(wrong) - 30} more")
    margin = np.abs(probs[:, 0] - probs[:, 1]) if len(labels) == 2 else None
    if margin is not None:
        print(f"stills with top probability below 0.7 (the watcher's 'unsure' band): "
              f"{int((probs.max(1) < 0.7).sum())}")

    status = 0
    if args.tinygraph:
        t1 = time.time()
        tg = run_tinygraph(args.tinygraph, model_path, x)
        diff = compare(tg, probs).worst  # a NaN is an infinite difference
        agree = int((tg.argmax(1) == pred).sum())
        print(f"\nTinyGraph ({args.tinygraph}) on the same {len(rows)} input tensors: "
              f"max |TF - TinyGraph| probability = {diff:.3e} (bar {args.max_diff:g}); "
              f"same top label on {agree}/{len(rows)}  ({time.time() - t1:.1f} s)")
        results["tinygraph_max_diff"] = diff
        if not diff <= args.max_diff:
            print("FAIL: TinyGraph differs from TensorFlow by more than the bar")
            status = 1
    if args.watcher:
        answers = run_watcher(args.watcher, model_path, folder, rows)
        ours = np.array([[a[label] for label in labels] for a in answers], dtype=np.float64)
        diff = compare(ours, probs).worst
        agree = int((ours.argmax(1) == pred).sum())
        print(f"\nwatcher ({args.watcher}) from the JPEG files (region decode, crop, resize, inference): "
              f"max |TF - watcher| probability = {diff:.3e} (bar {args.max_diff:g}); "
              f"same top label on {agree}/{len(rows)}")
        results["watcher_max_diff"] = diff
        if not diff <= args.max_diff:
            print("FAIL: the watcher differs from TensorFlow by more than the bar")
            status = 1
    if args.golden:
        write_golden(Path(args.golden), model_path, labels, folder, rows, x, probs)
    print(f"\ntimes: generate {t_gen:.1f} s, decode+crop {t_decode:.1f} s, TensorFlow {t_tf:.1f} s")
    if results["overall"] < args.min_accuracy:
        print(f"FAIL: overall accuracy below {args.min_accuracy}")
        status = 1
    if "night" in results and results["night"] < args.min_night_accuracy:
        print(f"FAIL: night accuracy below {args.min_night_accuracy}")
        status = 1
    return status


def write_golden(out, model_path, labels, folder, rows, x, probs):
    out.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256(model_path.read_bytes()).hexdigest()
    k = int(probs.max(1).argmin())  # the least confident still: the most telling tensor pair
    meta = {
        "description": "TensorFlow 2.21 probabilities of the lock-demo model for each still's crop. "
                       "Crops decoded with Pillow/libjpeg-turbo (full decode, islow IDCT, fancy upsampling), "
                       "cut at the box, BGR float32 0-255. Made by tools/evaluate_lock_model.py --golden.",
        "model": str(model_path), "model_sha256": sha, "labels": labels, "stills": str(folder),
        "input": "input.f32: the crop of %s (the least confident), raw little-endian float32 [1, %d, %d, 3] "
                 "BGR 0-255" % (rows[k]["file"], x.shape[1], x.shape[2]),
        "input_file": rows[k]["file"],
        "output": "output_0.f32: its `loss` probabilities, raw little-endian float32 [1, %d]" % len(labels),
        "results": [{"file": r["file"], "crop": "%dx%d+%d+%d" % (r["crop_w"], r["crop_h"], r["crop_x"], r["crop_y"]),
                     "expected": r["state"], "predicted": labels[int(p.argmax())],
                     "probabilities": [float(v) for v in p]} for r, p in zip(rows, probs)],
    }
    (out / "golden.json").write_text(json.dumps(meta, indent=2) + "\n")
    x[k:k + 1].astype("<f4").tofile(out / "input.f32")
    probs[k:k + 1].astype("<f4").tofile(out / "output_0.f32")
    print(f"wrote {out}/golden.json, input.f32, output_0.f32")


if __name__ == "__main__":
    sys.exit(main())
