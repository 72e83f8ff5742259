"""The fixture folders' own index: Tests/Fixtures/{models,tflite}/index.json.

Lists every fixture and how many outputs it has, so that the Swift tests and
tools/fixture_errors.py can tell a fixture that went missing (a deleted folder, an
unreadable golden file) from one that was never there, and fail instead of silently
running fewer. make_fixtures.py and make_tflite_fixtures.py write it after verifying
their fixtures. Standard library only.
"""
import json
from pathlib import Path


def write_index(folder):
    """Writes folder/index.json from the fixture folders (those with a meta.json)."""
    folder = Path(folder)
    fixtures = []
    for d in sorted(p for p in folder.iterdir() if (p / "meta.json").is_file()):
        meta = json.loads((d / "meta.json").read_text())
        fixtures.append({"name": d.name, "outputs": len(meta["outputs"])})
    index = {
        "about": "Every fixture in this folder and its output count; the tests fail if one is missing. "
                 "Written by the script that makes the fixtures.",
        "fixtures": fixtures,
    }
    (folder / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    return fixtures


def read_index(folder):
    """The index's entries; raises if it is missing or disagrees with the folders on disk."""
    folder = Path(folder)
    fixtures = json.loads((folder / "index.json").read_text())["fixtures"]
    listed = {f["name"] for f in fixtures}
    on_disk = {p.name for p in folder.iterdir() if p.is_dir()}
    if listed != on_disk:
        raise RuntimeError(f"{folder}/index.json disagrees with the folders: missing {sorted(listed - on_disk)}, "
                           f"unlisted {sorted(on_disk - listed)}")
    return fixtures
