#!/usr/bin/env python3
"""Write the watcher tests' two-label model, whose answer the test controls with colour.

    tools/.venv/bin/python tools/make_watcher_fixture.py

Writes ``Tests/Fixtures/watcher/colour-lock/{model.pb,labels.txt}``: a frozen
GraphDef in the Custom Vision compact convention (input ``Placeholder``
``[-1, 32, 32, 3]`` BGR 0-255, output ``loss`` Softmax over ``close``, ``open``)
that averages the crop's colour and says ``open`` for red and ``close`` for blue:

    logits = mean_hw(x) @ W + b,  W = [[+1, -1], [0, 0], [-1, +1]] / 20  (rows B, G, R)

A red crop gives p(open) near 1, a blue one p(close) near 1 and a grey one 0.5
(the "unsure" band), so the tests can script whole alert episodes with JPEGs.
There is no ``data_bn`` scope, so the watcher's custom-vision preset subtracts
Custom Vision's mean (B 105, G 117, R 124) first; the bias ``b = mean @ W`` adds
it back, so the answer depends on the raw colour only.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "watcher" / "colour-lock"
MEAN_BGR = np.array([105.0, 117.0, 124.0], dtype=np.float32)


def main() -> None:
    weights = np.array([[1.0, -1.0], [0.0, 0.0], [-1.0, 1.0]], dtype=np.float32) / 20.0
    # The watcher feeds x - mean; add mean @ W back so the logits depend on raw colour.
    bias = (MEAN_BGR @ weights).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        image = tf.compat.v1.placeholder(tf.float32, [None, 32, 32, 3], name="Placeholder")
        pooled = tf.reduce_mean(image, axis=[1, 2], name="pool")
        logits = tf.nn.bias_add(tf.matmul(pooled, tf.constant(weights), name="dense"), tf.constant(bias), name="logits")
        tf.nn.softmax(logits, name="loss")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "model.pb").write_bytes(graph.as_graph_def().SerializeToString(deterministic=True))
    (OUT / "labels.txt").write_text("close\nopen\n")

    # Check what TensorFlow answers for the colours the tests use.
    with tf.compat.v1.Session(graph=graph) as session:
        for name, bgr in [("red", (0, 0, 255)), ("blue", (255, 0, 0)), ("grey", (128, 128, 128))]:
            batch = np.broadcast_to(np.array(bgr, dtype=np.float32) - MEAN_BGR, (1, 32, 32, 3))
            probabilities = session.run("loss:0", {"Placeholder:0": batch})[0]
            print(f"{name}: close {probabilities[0]:.6f} open {probabilities[1]:.6f}")


if __name__ == "__main__":
    main()
