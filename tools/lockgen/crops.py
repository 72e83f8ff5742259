"""Model input from crops and stills, and the training folder layout.

The lock model's input follows Azure Custom Vision's compact exports: NHWC
float32, **BGR**, 0-255 (the graph normalises it itself in its ``data_bn``
scope). Images are decoded with Pillow (libjpeg-turbo: islow IDCT, fancy
upsampling) to RGB, then the channels are reversed.
"""

import csv
import json
from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
IGNORED_FOLDERS = ("unsure",)  # the watcher's archive keeps uncertain crops here: never trained on


def resize_rgb(rgb, size):
    """Resize an RGB uint8 array to size x size as the watcher does: area average when
    shrinking, bilinear when enlarging (nothing when it already fits)."""
    h, w = rgb.shape[:2]
    if (h, w) == (size, size):
        return rgb
    method = Image.BOX if (w >= size and h >= size) else Image.BILINEAR
    return np.asarray(Image.fromarray(rgb).resize((size, size), method))


def load_rgb(path):
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def image_bgr_u8(path, size):
    """A training crop as BGR uint8, size x size."""
    return np.ascontiguousarray(resize_rgb(load_rgb(path), size)[..., ::-1])


def still_crop_bgr(path, box, size):
    """Cut box (x, y, w, h) from a decoded still; BGR float32 0-255, size x size."""
    x, y, w, h = box
    rgb = load_rgb(path)
    if x < 0 or y < 0 or x + w > rgb.shape[1] or y + h > rgb.shape[0]:
        raise ValueError(f"{path}: crop {w}x{h}+{x}+{y} is outside the {rgb.shape[1]}x{rgb.shape[0]} still")
    crop = resize_rgb(np.ascontiguousarray(rgb[y:y + h, x:x + w]), size)
    return crop[..., ::-1].astype(np.float32)


def list_training_images(root, labels=None):
    """Images under root/<label>/ (not recursive). ``unsure/`` and other folders that are
    not labels are skipped, and so are the archive's full stills (``*.still.jpg``).

    Returns (labels, [(path, label_index)]). Without ``labels``, they are the sorted
    names of the non-empty label folders."""
    root = Path(root)
    if not root.is_dir():
        raise SystemExit(f"{root} is not a folder")
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in IGNORED_FOLDERS
                     and not p.name.startswith("."))
    if labels is None:
        labels = [f for f in folders if any(_is_training_image(p) for p in (root / f).iterdir())]
    items = []
    for index, label in enumerate(labels):
        folder = root / label
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if _is_training_image(p):
                items.append((p, index))
    return labels, items


def _is_training_image(p):
    name = p.name.lower()
    return p.is_file() and name.endswith(IMAGE_SUFFIXES) and not name.endswith(".still.jpg")


def read_conditions(root):
    """file (relative to root) -> condition, from a generator manifest if there is one."""
    path = Path(root) / "manifest.csv"
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {row["file"]: row.get("condition", "") for row in csv.DictReader(f)}


def read_stills(folder):
    """Stills to evaluate: rows with file, state, condition, occlusion and crop box, from
    the generator's manifest.csv or a samples.json (the shipped Samples/)."""
    folder = Path(folder)
    if (folder / "manifest.csv").exists():
        with open(folder / "manifest.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            for k in ("crop_x", "crop_y", "crop_w", "crop_h"):
                r[k] = int(r[k])
        return rows
    if (folder / "samples.json").exists():
        meta = json.loads((folder / "samples.json").read_text())
        geometry = meta["crop"]  # WxH+X+Y
        size, x, y = geometry.split("+")
        w, h = size.split("x")
        return [{"file": s["file"], "state": s["expected"], "condition": s["condition"],
                 "occlusion": s.get("occlusion", "none"), "crop_x": int(x), "crop_y": int(y),
                 "crop_w": int(w), "crop_h": int(h)} for s in meta["samples"]]
    raise SystemExit(f"{folder} has neither manifest.csv nor samples.json")
