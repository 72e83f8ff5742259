#!/usr/bin/env python3
"""The archive that the review page's browser test (tools/review_browser_test.py)
serves: Tests/Fixtures/review/.

A camera mounted rolled by 30 degrees (the domain shift the demo model handles
poorly, see tools/generate_lock_scenes.py --camera-roll) is checked every five
minutes. Each crop is what the watcher archives: the demo model's answer
(TensorFlow on the same BGR tensor) decides the folder (unsure between 0.3 and
0.7, else the top label) and the name (SnapshotArchive's
`YYYYMMDD-HHMMSS-mmm-<camera>-p<percent>.jpg`, UTC), JPEG quality 90. Then a
person has sorted most of them: every crop the model got wrong is moved to its
true folder except the last `--leave-wrong` of them, and the unsure ones stay
unsure, for the test to sort.

Writes archive/<label>/*.jpg, checks.json (each check's minute, answer and
verdict, from which the test writes the state and history files with times
relative to now) and truth.json (each crop's true label).

    tools/.venv/bin/python tools/make_review_fixture.py
"""

import argparse
import datetime
import io
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lockgen import params, render  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/review"
CAMERA = "Front_door"
START = datetime.datetime(2026, 11, 20, 8, 0, tzinfo=datetime.timezone.utc)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=80)
    ap.add_argument("--seed", type=int, default=4001)
    ap.add_argument("--leave-wrong", type=int, default=1)
    args = ap.parse_args(argv)

    # The door's day: closed for a while, open for a while (runs of 3 to 9 checks).
    runs = np.random.default_rng(args.seed).integers(3, 10, args.count)
    states = [params.STATES[run % 2] for run, length in enumerate(runs) for _ in range(length)][:args.count]
    crops, truth = [], []
    for index in range(args.count):
        rng = np.random.default_rng([args.seed, index])
        scene = params.sample_scene(rng)
        state = states[index]
        shot = params.sample_shot(rng, scene, state=state, roll=3.0, camera_roll=30.0)
        crops.append(render.render_crop(scene, shot))
        truth.append(state)
    # What the watcher would have archived: the crop re-encoded at quality 90, decoded.
    jpegs = []
    for crop in crops:
        buffer = io.BytesIO()
        Image.fromarray(crop).save(buffer, format="JPEG", quality=90)
        jpegs.append(buffer.getvalue())
    batch = np.stack([np.asarray(Image.open(io.BytesIO(j)).convert("RGB"))[..., ::-1] for j in jpegs]).astype(np.float32)
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString((ROOT / "Models/lock-demo/model.pb").read_bytes())
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as session:
        probabilities = session.run("loss:0", {"Placeholder:0": batch})
    labels = ["close", "open"]

    if OUT.exists():
        shutil.rmtree(OUT)
    for folder in ("close", "open", "unsure"):
        (OUT / "archive" / folder).mkdir(parents=True)
    checks, files, wrong = [], {}, []
    for index, (jpeg, p, state) in enumerate(zip(jpegs, probabilities, truth)):
        time = START + datetime.timedelta(minutes=5 * index)
        p_open = float(p[1])
        top = int(np.argmax(p))
        verdict = "alert" if p_open >= 0.7 else ("clear" if p_open <= 0.3 else "unsure")
        folder = "unsure" if verdict == "unsure" else labels[top]
        name = f"{time:%Y%m%d-%H%M%S}-000-{CAMERA}-p{round(float(p[top]) * 100)}.jpg"
        if folder not in ("unsure", state):
            wrong.append((name, folder))
        files[name] = (folder, state, jpeg)
        checks.append({"minute": 5 * index, "label": labels[top], "probability": round(float(p[top]), 6),
                       "alertProbability": round(p_open, 6), "verdict": verdict})
    # The person sorted every wrong crop but the last few.
    keep_wrong = {name for name, _ in wrong[-args.leave_wrong:]}
    for name, (folder, state, jpeg) in files.items():
        if folder not in ("unsure", state) and name not in keep_wrong:
            folder = state
        (OUT / "archive" / folder / name).write_bytes(jpeg)
    (OUT / "checks.json").write_text(json.dumps({"camera": CAMERA, "every_minutes": 5, "checks": checks}, indent=1) + "\n")
    (OUT / "truth.json").write_text(json.dumps({name: state for name, (_, state, _) in files.items()}, indent=1) + "\n")
    counts = {f: len(list((OUT / "archive" / f).iterdir())) for f in ("close", "open", "unsure")}
    accuracy = float(np.mean(np.argmax(probabilities, 1) == np.array([labels.index(s) for s in truth])))
    print(f"wrote {len(files)} crops to {OUT.relative_to(ROOT)}/archive {counts}: the demo model was right on "
          f"{accuracy:.1%}; {len(wrong)} were filed wrong, {len(keep_wrong)} left for the test to move")


if __name__ == "__main__":
    main()
