#!/usr/bin/env python3
"""Synthetic door-lock stills for training and checking the watcher's lock model.

Run from the repository root with the tools virtualenv (see tools/README.md):

    tools/.venv/bin/python tools/generate_lock_scenes.py stills --seed 2001 --count 200 --out tools/.lock-data/eval
    tools/.venv/bin/python tools/generate_lock_scenes.py crops  --seed 1001 --count 16000 --out tools/.lock-data/train
    tools/.venv/bin/python tools/generate_lock_scenes.py story  --seed 7003 --out Samples
    tools/.venv/bin/python tools/generate_lock_scenes.py selftest

Modes:

* ``stills``   N JPEG stills, 1920x1080, ``still-000000.jpg`` ..., plus
               ``manifest.csv`` and ``manifest.json`` (file, state, condition,
               occlusion, crop box, and the main rendering parameters).
* ``crops``    only the 128x128 crops, as PNG (lossless) in ``open/`` and
               ``close/``: the training tool's layout, plus ``manifest.csv``.
               Each crop is rendered by the same code as the full still, over an
               MCU-aligned region around the box, JPEG-encoded with the still's
               settings and decoded: it is pixel-identical to the box cut from the
               decoded full still (``selftest`` checks this), about 50x faster.
* ``story``    the shipped samples: one door (a fixed camera) seen in a fixed
               sequence of states and conditions; file names sort in story order
               and ``samples.json`` lists them in the same order.
* ``selftest`` renders a few scenes both ways (lock at the seed's box and at
               random places) and fails unless every crop matches exactly.

Sample i of a seed is drawn from ``numpy.random.default_rng([seed, i])``, so it
does not depend on --count, --jobs or the mode: ``crops`` and ``stills`` with
the same seed and options show the same scenes.

Lock states: the turn's bar is either horizontal or vertical. ``--open-bar
horizontal`` (default) means a horizontal bar is "open" and a vertical bar
"close", as on the seed's door (a common Japanese thumb-turn); ``--open-bar
vertical`` swaps them. Labels are ``open`` and ``close`` either way.

Conditions: ``day`` (colour; white balance, light gradient and pool, cast
shadows, vignetting) and ``night`` (infrared: grayscale, low contrast, the
illuminator's bright centre and strong vignetting, more noise and blur). Every
still also has camera drift (+-10 px) and roll (+-8 deg), barrel distortion,
defocus blur, sensor noise, JPEG quality 40-92, and optionally a hand or a
coat edge partly covering the lock (never the turn's centre).
"""

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import replace
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lockgen import params, render  # noqa: E402

MANIFEST_FIELDS = ["file", "state", "condition", "occlusion", "bar", "crop_x", "crop_y", "crop_w", "crop_h",
                   "shift_x", "shift_y", "rotation", "blur", "noise", "jpeg_quality", "cast_shadow",
                   "plate", "bar_shape", "door", "seed", "index"]


def parse_position(text):
    if text == "random":
        return "random"
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("expected X,Y (the crop box's top-left) or 'random'")
    if not (0 <= x <= params.WIDTH - params.CROP and 0 <= y <= params.HEIGHT - params.CROP):
        raise argparse.ArgumentTypeError(f"the 128x128 box at {x},{y} is not inside the 1920x1080 still")
    return (x, y)


def sample(args, index):
    """Scene and shot of sample ``index``: a pure function of (seed, index, options)."""
    rng = np.random.default_rng([args.seed, index])
    scene = params.sample_scene(rng, args.lock_position)
    if args.state == "alternate":
        state = params.STATES[index % 2]
    elif args.state == "random":
        state = None
    else:
        state = args.state
    shot = params.sample_shot(
        rng, scene, state=state,
        condition=None if args.condition == "random" else args.condition,
        occlusion=None if args.occlusion == "random" else args.occlusion,
        open_bar=args.open_bar, night_fraction=args.night_fraction,
        occlusion_fraction=args.occlusion_fraction, roll=args.roll_jitter, camera_roll=args.camera_roll)
    return scene, shot


def _row(args, index, scene, shot, file):
    row = {"file": file, **params.describe(scene, shot), "seed": args.seed, "index": index}
    return {k: row[k] for k in MANIFEST_FIELDS}


def _work_still(job):
    args, index = job
    scene, shot = sample(args, index)
    name = f"still-{index:06d}.jpg"
    (Path(args.out) / name).write_bytes(render.render_still(scene, shot))
    return _row(args, index, scene, shot, name)


def _work_crop(job):
    args, index = job
    scene, shot = sample(args, index)
    crop = Image.fromarray(render.render_crop(scene, shot))
    if args.image_format == "jpg":  # as the watcher's archive keeps them: JPEG, quality 90
        name = f"{shot.state}/{index:06d}.jpg"
        crop.save(Path(args.out) / name, quality=90)
    else:
        name = f"{shot.state}/{index:06d}.png"
        crop.save(Path(args.out) / name, compress_level=1)
    return _row(args, index, scene, shot, name)


def run_jobs(args, worker):
    jobs = [(args, i) for i in range(args.start, args.start + args.count)]
    rows = []
    t0 = time.time()
    step = max(1, len(jobs) // 20)
    if args.jobs > 1:
        with Pool(args.jobs) as pool:
            for n, row in enumerate(pool.imap(worker, jobs, chunksize=8), 1):
                rows.append(row)
                if n % step == 0:
                    print(f"  {n}/{len(jobs)}  {time.time() - t0:.0f} s", file=sys.stderr)
    else:
        for n, job in enumerate(jobs, 1):
            rows.append(worker(job))
            if n % step == 0:
                print(f"  {n}/{len(jobs)}  {time.time() - t0:.0f} s", file=sys.stderr)
    return rows, time.time() - t0


def write_manifest(out, rows, args, mode):
    with open(out / "manifest.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=MANIFEST_FIELDS)
        w.writeheader()
        w.writerows(rows)
    if mode == "stills":
        meta = {"generator": "tools/generate_lock_scenes.py", "mode": mode, "seed": args.seed,
                "open_bar": args.open_bar, "lock_position": args.lock_position,
                "night_fraction": args.night_fraction, "occlusion_fraction": args.occlusion_fraction,
                "stills": rows}
        (out / "manifest.json").write_text(json.dumps(meta, indent=1) + "\n")


def summarise(rows):
    counts = {}
    for r in rows:
        key = (r["state"], r["condition"])
        counts[key] = counts.get(key, 0) + 1
    occl = sum(r["occlusion"] != "none" for r in rows)
    parts = [f"{s}/{c}: {n}" for (s, c), n in sorted(counts.items())]
    return ", ".join(parts) + f"; occluded: {occl}"


def cmd_stills(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows, dt = run_jobs(args, _work_still)
    write_manifest(out, rows, args, "stills")
    print(f"wrote {len(rows)} stills to {out} in {dt:.1f} s ({summarise(rows)})")


def cmd_crops(args):
    out = Path(args.out)
    for s in params.STATES:
        (out / s).mkdir(parents=True, exist_ok=True)
    rows, dt = run_jobs(args, _work_crop)
    write_manifest(out, rows, args, "crops")
    print(f"wrote {len(rows)} crops to {out} in {dt:.1f} s ({summarise(rows)})")


# The shipped samples: one door, a fixed camera, an evening and a night.
STORY = [
    ("01-day-closed", "close", "day", "none", "the lock is closed: nothing to say"),
    ("02-day-open-hand", "open", "day", "hand", "someone has just turned it open; their hand is still there (hard case)"),
    ("03-day-open", "open", "day", "none", "left open"),
    ("04-day-open-shadow", "open", "day", "none", "still open, in a cast shadow: the watcher should have alerted by now"),
    ("05-day-closed-coat", "close", "day", "coat", "closed again; a coat edge covers part of the lock (hard case)"),
    ("06-night-closed", "close", "night", "none", "infrared night: closed"),
    ("07-night-open", "open", "night", "none", "infrared night: open"),
    ("08-night-open", "open", "night", "none", "infrared night: still open: alert"),
]


def story_frames(args):
    rng = np.random.default_rng([args.seed, 0])
    scene = params.sample_scene(rng, args.lock_position)
    scene = replace(scene, door_texture="paint", second_lock=False)
    frames = []
    first = None
    for k, (name, state, condition, occlusion, note) in enumerate(STORY, 1):
        rng = np.random.default_rng([args.seed, k])
        shot = params.sample_shot(rng, scene, state=state, condition=condition, occlusion=occlusion,
                                  open_bar=args.open_bar)
        if first is None:
            first = shot
        # A fixed camera: the drift and roll stay put (+-1 px between frames).
        shot = replace(shot, shift=(first.shift[0] + rng.uniform(-1, 1), first.shift[1] + rng.uniform(-1, 1)),
                       rotation=first.rotation, jpeg_quality=args.quality,
                       cast_shadow=(("shadow" in name),) + shot.cast_shadow[1:])
        if occlusion != "none":  # make the hard cases hard: the occluder comes close to the turn
            shot = replace(shot, occ_dist=scene.lock.bar_len / 2 * 0.65, occ_wobble=(4.0,) + shot.occ_wobble[1:])
        frames.append((name + ".jpg", scene, shot, note))
    return frames


def cmd_story(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for file, scene, shot, note in story_frames(args):
        data = render.render_still(scene, shot)
        (out / file).write_bytes(data)
        entry = {"file": file, **params.describe(scene, shot), "note": note}
        entries.append(entry)
        print(f"{file}: {len(data) // 1024} KB  {shot.state} {shot.condition} {shot.occlusion}")
    meta = {
        "description": "Synthetic SoraCam stills of one door, in story order (file names sort in the same "
                       "order). Made by tools/generate_lock_scenes.py story; not used for training.",
        "command": f"tools/.venv/bin/python tools/generate_lock_scenes.py story --seed {args.seed} "
                   f"--quality {args.quality} --out {args.out}",
        "crop": "128x128+%d+%d" % (entries[0]["crop_x"], entries[0]["crop_y"]),
        "open_bar": args.open_bar,
        "labels": {"open": "the turn's bar is %s" % args.open_bar,
                   "close": "the turn's bar is %s" % ("vertical" if args.open_bar == "horizontal" else "horizontal")},
        "samples": [{"file": e["file"], "expected": e["state"], "condition": e["condition"],
                     "occlusion": e["occlusion"], "note": e["note"]} for e in entries],
    }
    (out / "samples.json").write_text(json.dumps(meta, indent=2) + "\n")
    total = sum((out / e["file"]).stat().st_size for e in entries)
    print(f"wrote {len(entries)} stills and samples.json to {out} ({total / 1e6:.2f} MB)")


def cmd_selftest(args):
    """Crops-only rendering must equal the box cut from the decoded full still."""
    failures = 0
    cases = [(args.seed, i, params.SEED_CROP) for i in range(args.count)]
    cases += [(args.seed + 1, i, "random") for i in range(args.count)]
    cases += [(args.seed + 2, 0, (0, 0)), (args.seed + 2, 1, (params.WIDTH - 128, params.HEIGHT - 128)),
              (args.seed + 2, 2, (1000, 952))]
    for seed, index, position in cases:
        ns = argparse.Namespace(**{**vars(args), "seed": seed, "lock_position": position})
        scene, shot = sample(ns, index)
        full = render.decode_rgb(render.render_still(scene, shot))
        x, y = scene.crop_x, scene.crop_y
        cut = full[y:y + params.CROP, x:x + params.CROP]
        crop = render.render_crop(scene, shot)
        diff = int(np.abs(cut.astype(int) - crop.astype(int)).max())
        ok = diff == 0
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} seed {seed} #{index} box {x},{y} {shot.state} {shot.condition} "
              f"{shot.occlusion}: max |still crop - crops-only| = {diff}")
    print(f"{len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    for mode in ("stills", "crops", "story", "selftest"):
        p = sub.add_parser(mode)
        p.add_argument("--seed", type=int, default={"story": 7003, "selftest": 99}.get(mode, 1))
        p.add_argument("--open-bar", choices=("horizontal", "vertical"), default="horizontal",
                       help="which bar orientation means open (default horizontal, as on the seed's door)")
        p.add_argument("--lock-position", type=parse_position, default=params.SEED_CROP,
                       help="X,Y: top-left of the 128x128 crop box the turn is centred in "
                            "(default 650,378, the seed's 128x128+650+378), or 'random' per still")
        if mode == "story":
            p.add_argument("--out", default="Samples")
            p.add_argument("--quality", type=int, default=72, help="JPEG quality of the samples")
            continue
        p.add_argument("--count", type=int, default=6 if mode == "selftest" else 100)
        p.add_argument("--start", type=int, default=0, help="first sample index")
        p.add_argument("--state", choices=("alternate", "random", "open", "close"), default="alternate",
                       help="alternate: close, open, close ... (balanced)")
        p.add_argument("--condition", choices=("random", "day", "night"), default="random")
        p.add_argument("--night-fraction", type=float, default=0.5)
        p.add_argument("--occlusion", choices=("random", "none", "hand", "coat"), default="random")
        p.add_argument("--occlusion-fraction", type=float, default=0.2,
                       help="share of stills with a hand or a coat edge (half each)")
        p.add_argument("--camera-roll", type=float, default=0.0,
                       help="degrees the camera is mounted rolled (a domain shift: the demo model learned "
                            "-8..8 degrees); each still adds up to +-ROLL_JITTER")
        p.add_argument("--roll-jitter", type=float, default=8.0,
                       help="largest random roll of a still around --camera-roll (default 8 degrees)")
        if mode == "crops":
            p.add_argument("--image-format", choices=("png", "jpg"), default="png",
                           help="png (lossless, default) or jpg (quality 90, as the watcher's archive keeps crops)")
        if mode != "selftest":
            p.add_argument("--out", required=True)
            p.add_argument("--jobs", type=int, default=1, help="worker processes")
    args = ap.parse_args(argv)
    if args.mode == "stills":
        cmd_stills(args)
    elif args.mode == "crops":
        cmd_crops(args)
    elif args.mode == "story":
        cmd_story(args)
    else:
        return cmd_selftest(args)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
