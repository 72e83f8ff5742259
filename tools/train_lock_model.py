#!/usr/bin/env python3
"""Train the watcher's lock classifier and export it like an Azure Custom Vision model.

Run from the repository root with the tools virtualenv (see tools/README.md):

    tools/.venv/bin/python tools/train_lock_model.py DATA [DATA ...] --out DIR

DATA is a folder with one sub-folder per label, ``open/`` and ``close/``,
holding crops (JPEG, PNG or BMP; any size, resized to the model's input). That
is the layout of

* your own crops, sorted by hand;
* the watcher's archive (``--archive``): it files each crop under its predicted
  label; move the wrong ones to the right folder. Its ``unsure/`` folder and
  full stills (``*.still.jpg``) are ignored;
* the generator's crops mode (``tools/generate_lock_scenes.py crops``).

Several DATA folders are merged. A stratified share (``--val-split``, default
15 %) is held out; the script trains with augmentation (brightness, contrast,
colour cast, grayscale, small shifts, rotations and zoom, sensor noise),
exports the model, and reports the exported graph's accuracy and confusion
matrix on the held-out crops (per condition when the folder has a generator
manifest).

Output in ``--out``: ``model.pb`` (frozen GraphDef: input ``Placeholder``
float32 [-1, 128, 128, 3], BGR 0-255, normalised inside the graph by the
``data_bn`` scope; output ``loss``, Softmax) and ``labels.txt`` (one label a
line, in output order; by default the label folders in alphabetical order:
``close``, ``open``), plus ``training-report.json``.

Fine-tuning: ``--init-from OLD/model.pb`` starts from a previous export of this
tool (weights are read back from the frozen graph; its labels.txt fixes the
label order and its input size is kept). Use a lower ``--lr`` and fewer
epochs, e.g. ``--epochs 6 --lr 3e-4``.

Deterministic for a given ``--seed`` and data (TensorFlow op determinism is
enabled; runs on another CPU may differ in the last bits).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from agreement import compare  # noqa: E402
import tensorflow as tf  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lockgen import crops as C  # noqa: E402
from lockgen import model as M  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("data", nargs="+", help="folders with open/ and close/ crops")
    ap.add_argument("--out", required=True, help="output folder for model.pb and labels.txt")
    ap.add_argument("--init-from", help="fine-tune from a previous export (model.pb) of this tool")
    ap.add_argument("--labels", help="comma-separated label order (default: folder names, sorted)")
    ap.add_argument("--input-size", type=int, default=128, help="model input size (default 128, the crop size)")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (cosine decay)")
    ap.add_argument("--val-split", type=float, default=0.15)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-per-label", type=int, default=0, help="use at most this many crops per label (0: all)")
    ap.add_argument("--no-augment", action="store_true")
    ap.add_argument("--flip", action="store_true",
                    help="also flip crops left-right and up-down (only if a flipped lock keeps its state)")
    ap.add_argument("--threads", type=int, default=2, help="TensorFlow threads (default 2)")
    return ap.parse_args(argv)


# ---------------------------------------------------------------- data

def load_data(folders, labels, size, max_per_label, rng):
    items, conditions = [], []
    for folder in folders:
        found, listed = C.list_training_images(folder, labels)
        if labels is None:
            labels = found
        cond = C.read_conditions(folder)
        for path, index in listed:
            rel = str(path.relative_to(folder))
            items.append((path, index))
            conditions.append(cond.get(rel, ""))
    if labels is None or len(labels) < 2:
        raise SystemExit(f"need at least two label folders with images (found {labels}) in {folders}")
    counts = np.bincount([i for _, i in items], minlength=len(labels))
    for label, n in zip(labels, counts):
        if n == 0:
            raise SystemExit(f"no images for label '{label}' in {folders}")
    keep = np.arange(len(items))
    if max_per_label:
        keep = np.concatenate([rng.permutation(np.flatnonzero([i == k for _, i in items]))[:max_per_label]
                               for k in range(len(labels))])
        keep.sort()
    x = np.zeros((len(keep), size, size, 3), np.uint8)
    y = np.zeros(len(keep), np.int32)
    cond = []
    t0 = time.time()
    for n, j in enumerate(keep):
        path, index = items[j]
        x[n] = C.image_bgr_u8(path, size)
        y[n] = index
        cond.append(conditions[j])
    print(f"loaded {len(keep)} crops in {time.time() - t0:.1f} s: "
          + ", ".join(f"{l} {int((y == k).sum())}" for k, l in enumerate(labels)))
    return labels, x, y, np.array(cond)


def split(y, fraction, rng):
    val = []
    for k in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == k))
        n = max(1, int(round(len(idx) * fraction))) if len(idx) > 1 else 0
        val.extend(idx[:n])
    val = np.array(sorted(val), dtype=np.int64)
    train = np.setdiff1d(np.arange(len(y)), val)
    return train, val


# ---------------------------------------------------------------- augmentation

def make_augment(size, seed, flip):
    gen = tf.random.Generator.from_seed(seed)

    @tf.function
    def augment(x):
        """x: uint8 BGR batch -> float32 BGR 0-255 batch."""
        x = tf.cast(x, tf.float32)
        n = tf.shape(x)[0]
        # Geometry: rotation +-8 deg, shift +-8 px, zoom 0.9-1.1 about the centre.
        ang = gen.uniform([n], -8.0, 8.0) * (math.pi / 180)
        zoom = gen.uniform([n], 0.9, 1.1)
        tx = gen.uniform([n], -8.0, 8.0)
        ty = gen.uniform([n], -8.0, 8.0)
        c = (size - 1) / 2.0
        cos, sin = tf.cos(ang) / zoom, tf.sin(ang) / zoom
        # Output pixel (x, y) samples input at A @ (x - c, y - c) + c + t.
        transforms = tf.stack([cos, -sin, c - cos * c + sin * c + tx,
                               sin, cos, c - sin * c - cos * c + ty,
                               tf.zeros([n]), tf.zeros([n])], axis=1)
        x = tf.raw_ops.ImageProjectiveTransformV3(
            images=x, transforms=transforms, output_shape=[size, size], fill_value=0.0,
            interpolation="BILINEAR", fill_mode="REFLECT")
        if flip:
            fl = gen.uniform([n, 1, 1, 1]) < 0.5
            x = tf.where(fl, tf.reverse(x, [2]), x)
            fl = gen.uniform([n, 1, 1, 1]) < 0.5
            x = tf.where(fl, tf.reverse(x, [1]), x)
        # Grayscale (like infrared night) for a fifth of the crops.
        gray = tf.reduce_sum(x * tf.constant([0.114, 0.587, 0.299]), axis=3, keepdims=True)
        to_gray = gen.uniform([n, 1, 1, 1]) < 0.2
        x = tf.where(to_gray, tf.tile(gray, [1, 1, 1, 3]), x)
        # Colour cast, contrast, brightness.
        x = x * tf.where(to_gray, 1.0, gen.uniform([n, 1, 1, 3], 0.9, 1.1))
        mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
        x = (x - mean) * gen.uniform([n, 1, 1, 1], 0.6, 1.4) + mean
        x = x * gen.uniform([n, 1, 1, 1], 0.7, 1.3) + gen.uniform([n, 1, 1, 1], -30.0, 30.0)
        # Sensor noise.
        x = x + gen.normal(tf.shape(x)) * gen.uniform([n, 1, 1, 1], 0.0, 8.0)
        return tf.clip_by_value(x, 0.0, 255.0)
    return augment


# ---------------------------------------------------------------- reporting

def confusion(y_true, y_pred, n):
    m = np.zeros((n, n), np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def format_confusion(m, labels):
    w = max(8, max(len(l) for l in labels) + 2)
    lines = ["true \\ predicted".ljust(18) + "".join(l.rjust(w) for l in labels)]
    for k, l in enumerate(labels):
        lines.append(l.ljust(18) + "".join(str(v).rjust(w) for v in m[k]))
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def main(argv=None):
    args = parse_args(argv)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(args.seed)
    t_start = time.time()

    labels = args.labels.split(",") if args.labels else None
    init = None
    stem, blocks, size = M.DEFAULT_STEM, M.DEFAULT_BLOCKS, args.input_size
    if args.init_from:
        weights, stem, blocks, size, n_out = M.weights_from_graph(M.read_graph_def(args.init_from))
        labels_file = Path(args.init_from).with_name("labels.txt")
        if labels is None and labels_file.exists():
            labels = [l.strip() for l in labels_file.read_text().splitlines() if l.strip()]
        if labels is not None and len(labels) != n_out:
            raise SystemExit(f"--init-from has {n_out} outputs but {len(labels)} labels")
        init = weights
        print(f"fine-tuning from {args.init_from}: input {size}, labels {labels}")

    labels, x, y, cond = load_data(args.data, labels, size, args.max_per_label, rng)
    train_idx, val_idx = split(y, args.val_split, rng)
    print(f"train {len(train_idx)}, held out {len(val_idx)}")

    model = M.build_keras(size, len(labels), stem, blocks, batchnorm=init is None)
    if init is not None:
        M.load_into_keras(model, init, blocks)
    params = model.count_params()
    steps = max(1, len(train_idx) // args.batch)
    schedule = tf.keras.optimizers.schedules.CosineDecay(
        args.lr, decay_steps=steps * args.epochs, warmup_target=None, alpha=0.02)
    model.compile(optimizer=tf.keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    augment = make_augment(size, args.seed, args.flip)
    x_val = x[val_idx].astype(np.float32)
    y_val = y[val_idx]
    history = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        order = rng.permutation(train_idx)
        losses, accs = [], []
        for b in range(steps):
            idx = np.sort(order[b * args.batch:(b + 1) * args.batch])
            xb = tf.constant(x[idx])
            xb = tf.cast(xb, tf.float32) if args.no_augment else augment(xb)
            loss, acc = model.train_on_batch(xb, y[idx], return_dict=False)
            losses.append(loss)
            accs.append(acc)
        p = model.predict(x_val, batch_size=128, verbose=0) if len(val_idx) else np.zeros((0, len(labels)))
        val_acc = float((p.argmax(1) == y_val).mean()) if len(val_idx) else float("nan")
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "train_acc": float(accs[-1]),
                        "val_acc": val_acc, "seconds": round(time.time() - t0, 1)})
        print(f"epoch {epoch:2d}/{args.epochs}  loss {np.mean(losses):.4f}  train acc {accs[-1]:.4f}  "
              f"held-out acc {val_acc:.4f}  ({time.time() - t0:.0f} s)", flush=True)

    # Export: fold BatchNorm, write the frozen graph, read it back and check it.
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    folded = M.folded_weights(model, blocks)
    gd = M.graph_def(folded, blocks, size, len(labels))
    (out / "model.pb").write_bytes(gd.SerializeToString(deterministic=True))
    (out / "labels.txt").write_text("".join(l + "\n" for l in labels))
    frozen = M.FrozenModel(out / "model.pb")
    report = {"labels": labels, "input": f"Placeholder [-1, {size}, {size}, 3] float32 BGR 0-255",
              "output": "loss (Softmax)", "ops": frozen.ops, "parameters": int(params),
              "frozen_parameters": int(sum(a.size + b.size for a, b in folded.values())),
              "model_bytes": (out / "model.pb").stat().st_size, "data": [str(d) for d in args.data],
              "train": int(len(train_idx)), "held_out": int(len(val_idx)), "seed": args.seed,
              "epochs": args.epochs, "lr": args.lr, "batch": args.batch, "init_from": args.init_from,
              "augment": not args.no_augment, "flip": args.flip, "history": history}
    if len(val_idx):
        probs = frozen(x_val)
        keras_probs = model.predict(x_val, batch_size=128, verbose=0)
        diff = compare(probs, keras_probs).worst
        pred = probs.argmax(1)
        m = confusion(y_val, pred, len(labels))
        acc = float((pred == y_val).mean())
        print(f"\nexported graph on the {len(val_idx)} held-out crops: accuracy {acc:.4f} "
              f"(max |frozen - Keras| probability {diff:.2e})")
        print(format_confusion(m, labels))
        per = {}
        for c in sorted(set(cond[val_idx]) - {""}):
            sel = cond[val_idx] == c
            per[c] = {"n": int(sel.sum()), "accuracy": float((pred[sel] == y_val[sel]).mean())}
            print(f"  {c}: {per[c]['accuracy']:.4f} on {per[c]['n']}")
        report.update({"held_out_accuracy": acc, "confusion": m.tolist(), "per_condition": per,
                       "frozen_vs_keras_max_diff": diff})
    report["seconds"] = round(time.time() - t_start, 1)
    (out / "training-report.json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {out / 'model.pb'} ({report['model_bytes'] / 1e6:.2f} MB, "
          f"{report['frozen_parameters']:,} parameters), {out / 'labels.txt'} ({', '.join(labels)}); "
          f"ops: {', '.join(frozen.ops)}; {report['seconds']:.0f} s")


if __name__ == "__main__":
    main()
