#!/usr/bin/env python3
"""Reference solutions for `watcher learn`'s trainer: Tests/Fixtures/learn/reference.json.

Each case is a small training set (float32 features, labels, optional per-sample
weights) and the weights and bias that minimise the trainer's objective, computed
by tools/lockgen/softmax_regression.py: the same objective solved independently,
with Newton's method in float64 to a gradient below 1e-10. The objective is
strictly convex in W, so the Swift trainer (L-BFGS) must find the same weights
(WatcherTests/LogisticRegressionTests). The cases cover softmax and sigmoid
heads, balanced and explicit sample weights, unbalanced classes, a constant
feature, weak and strong L2, and features on very different scales.

    tools/.venv/bin/python tools/make_learn_fixture.py
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lockgen import softmax_regression as sr  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/learn/reference.json"


def dataset(seed, samples, features, classes, unbalanced=False, constant_feature=False, scales=False):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1.5, (classes, features))
    if unbalanced:
        p = np.array([0.6] + [0.4 / (classes - 1)] * (classes - 1))
        y = rng.choice(classes, samples, p=p)
        y[:classes] = np.arange(classes)  # every class present
    else:
        y = np.arange(samples) % classes
    x = centres[y] + rng.normal(0, 1.2, (samples, features))
    if constant_feature:
        x[:, 1] = 3.25
    if scales:
        x *= np.logspace(-3, 3, features)
    return x.astype(np.float32), y


def case(name, x, y, classes, l2, loss, sample_weights=None):
    w, b, iterations = sr.train(x, y, classes, l2, loss, sample_weights)
    s = sr.balanced_weights(y, classes) if sample_weights is None else np.asarray(sample_weights, dtype=np.float64)
    mu, sd = sr.standardise(x.astype(np.float64))
    theta = np.concatenate([(w * sd).ravel(), b + w @ mu])
    value, grad, _ = sr.objective(theta, (x.astype(np.float64) - mu) / sd, y, s, classes, l2, loss)
    print(f"{name}: {len(y)} samples, {x.shape[1]} features, {classes} classes, {loss}, l2 {l2}: "
          f"J = {value:.12g}, |grad| = {np.abs(grad).max():.2e}, {iterations} Newton steps")
    return {
        "name": name, "loss": loss, "l2": l2, "classes": classes, "features": int(x.shape[1]),
        "x": [float(v) for v in x.ravel()], "y": [int(v) for v in y],
        "sampleWeights": None if sample_weights is None else [float(v) for v in sample_weights],
        "weights": [float(v) for v in w.ravel()], "bias": [float(v) for v in b], "objective": float(value),
    }


def main():
    cases = []
    x, y = dataset(1, 80, 6, 3, unbalanced=True)
    cases.append(case("softmax-3-classes-unbalanced", x, y, 3, 1.0, "softmax"))
    cases.append(case("softmax-3-classes-weak-l2", x, y, 3, 0.01, "softmax"))
    x, y = dataset(2, 50, 5, 2, constant_feature=True)
    cases.append(case("softmax-2-classes-constant-feature", x, y, 2, 0.3, "softmax"))
    x, y = dataset(3, 70, 8, 4, unbalanced=True)
    cases.append(case("sigmoid-4-classes", x, y, 4, 0.5, "sigmoid"))
    x, y = dataset(4, 40, 4, 2, scales=True)
    weights = np.random.default_rng(5).uniform(0.2, 3.0, len(y))
    cases.append(case("softmax-scaled-features-sample-weights", x, y, 2, 0.1, "softmax", weights))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "about": "Written by tools/make_learn_fixture.py: training sets and the weights that minimise the "
                 "trainer's objective (Newton's method in numpy, tools/lockgen/softmax_regression.py).",
        "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
