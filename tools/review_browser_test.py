#!/usr/bin/env python3
"""`watcher review` in a real headless browser (Chromium through chromedriver and
Selenium), against the real binary, then hostile requests that must change nothing.

    python tools/review_browser_test.py --watcher .build/release/watcher [--screenshot docs/review-page.png]

Needs Debian's `chromium` and `chromium-driver` and Selenium (PyPI `selenium`,
pinned in tools/requirements.txt); .ci/run installs them. Standard library
otherwise. The archive is Tests/Fixtures/review (tools/make_review_fixture.py):
crops of a camera rolled by 30 degrees, sorted by a person except a few. The test:

1. copies it, the demo model and a state folder (state file and history written
   from checks.json, ending two minutes ago) into a temporary folder;
2. starts `watcher review --listen 127.0.0.1:0` there and opens the page;
3. checks that every crop is shown and its image loaded, and the camera's timeline;
4. clicks "→ <label>" on the crop the model filed wrong and on each unsure one, and
   checks that the files moved on disk;
5. clicks Learn and checks that the page shows the current and new head's
   held-out accuracy, equal to what `watcher learn --json` reports on the same
   crops; takes the screenshot; clicks "Use this model" and checks that the model
   and its labels were replaced and the previous ones kept as backups;
6. sends hostile requests (path traversal, missing or wrong token, a foreign Host
   or Origin, oversized bodies and headers, names the archive does not list, a
   target outside the labels) and checks that each is refused and that the
   archive, model and labels are byte for byte as before.

Exits 1 on the first failure, with what failed.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "Tests/Fixtures/review"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)
    print("ok   " + message, flush=True)


def tree_digest(*folders):
    """Every file under the folders, with its SHA-256."""
    digest = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                digest[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def write_state(state, checks, now_ms):
    """The state file and history (the watcher's formats) with the last check two minutes ago."""
    camera = checks["camera"]
    last = checks["checks"][-1]
    end = now_ms - 120_000
    start = end - last["minute"] * 60_000
    lines = []
    for entry in checks["checks"]:
        t = start + entry["minute"] * 60_000
        lines.append(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1000)), "unixMillis": t,
                                 "camera": camera, "label": entry["label"], "probability": entry["probability"],
                                 "alertProbability": entry["alertProbability"], "verdict": entry["verdict"],
                                 "events": [], "error": None, "cause": None}))
    # One failed check, drawn as a mark under the line.
    lines.insert(len(lines) // 2, json.dumps({"unixMillis": start + 7 * 60_000, "camera": camera, "label": None,
                                              "probability": None, "alertProbability": None, "verdict": None,
                                              "events": [], "error": "camera offline", "cause": "unreachable"}))
    (state / f"camera-{camera}.history.jsonl").write_text("\n".join(lines) + "\n")
    (state / f"camera-{camera}.json").write_text(json.dumps({
        "version": 1, "camera": camera, "alertStreak": 0, "openSince": None, "announced": False, "lastAnnouncedAt": None,
        "lastCheck": {"time": end, "label": last["label"], "probability": last["probability"],
                      "alertProbability": last["alertProbability"], "verdict": last["verdict"]},
        "outbox": []}) + "\n")


def raw_request(port, text, body=b""):
    """Sends bytes as they are (no client-side path normalisation); returns (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(text.encode("latin-1") + body)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.1 (\d+)", head)
    return (int(match.group(1)) if match else 0), payload


def request(port, method, path, token=None, body=None, host=None, extra=None):
    payload = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Connection: close"]
    if token is not None:
        lines.append(f"X-Watcher-Token: {token}")
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    lines += extra or []
    return raw_request(port, "\r\n".join(lines) + "\r\n\r\n", payload)


def hostile_requests(port, token, archive, model_folder):
    some_crop = next(p for p in sorted((archive / "close").iterdir()))
    before = tree_digest(archive, model_folder)
    move = {"folder": "close", "name": some_crop.name, "to": "open"}
    cases = [
        ("GET /crops/../../etc/passwd (path traversal)", request(port, "GET", "/crops/../../etc/passwd"), 404),
        ("GET /crops/close/..%2F..%2Fmodel%2Fmodel.pb (encoded traversal)",
         request(port, "GET", "/crops/close/..%2F..%2Fmodel%2Fmodel.pb"), 404),
        ("GET /crops/%2Fetc/passwd (absolute path)", request(port, "GET", "/crops/%2Fetc/passwd"), 404),
        ("GET /crops/close/.hidden.jpg (a name the archive does not list)", request(port, "GET", "/crops/close/.hidden.jpg"), 404),
        ("POST /api/move without a token", request(port, "POST", "/api/move", body=move), 403),
        ("POST /api/move with a wrong token", request(port, "POST", "/api/move", token="0" * 64, body=move), 403),
        ("POST /api/move from a foreign Origin", request(port, "POST", "/api/move", token=token, body=move,
                                                          extra=["Origin: http://evil.example"]), 403),
        ("POST /api/move with a foreign Host (DNS rebinding)", request(port, "POST", "/api/move", token=token, body=move,
                                                                       host="evil.example"), 403),
        ("POST /api/move of ../../model/model.pb", request(port, "POST", "/api/move", token=token,
                                                            body={"folder": "close", "name": "../../model/model.pb", "to": "open"}), 404),
        ("POST /api/move from folder ../model", request(port, "POST", "/api/move", token=token,
                                                         body={"folder": "../model", "name": "model.pb", "to": "open"}), 404),
        ("POST /api/move to ../evil", request(port, "POST", "/api/move", token=token,
                                               body={"folder": "close", "name": some_crop.name, "to": "../evil"}), 422),
        ("POST /api/move to /tmp", request(port, "POST", "/api/move", token=token,
                                            body={"folder": "close", "name": some_crop.name, "to": "/tmp"}), 422),
        ("POST /api/move with a 1 MB body", request(port, "POST", "/api/move", token=token,
                                                     body=json.dumps({**move, "pad": "x" * 1_000_000}).encode()), 413),
        ("POST /api/move announcing 10 GB", raw_request(port, f"POST /api/move HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                                                              f"X-Watcher-Token: {token}\r\nContent-Type: application/json\r\n"
                                                              "Content-Length: 10000000000\r\n\r\n"), 413),
        ("POST /api/install without a token", request(port, "POST", "/api/install", body={}), 403),
        ("POST /api/move as text/plain (a cross-site form)", raw_request(
            port, f"POST /api/move HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Watcher-Token: {token}\r\n"
                  f"Content-Type: text/plain\r\nContent-Length: {len(json.dumps(move))}\r\n\r\n", json.dumps(move).encode()), 415),
        ("a 40 KB header", request(port, "GET", "/api/overview", extra=["X-Pad: " + "y" * 40_000]), 431),
        ("chunked body", raw_request(port, f"POST /api/move HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Watcher-Token: {token}\r\n"
                                           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 501),
        ("DELETE /api/move", request(port, "DELETE", "/api/move", token=token), 405),
    ]
    for name, (status, payload), expected in cases:
        check(status == expected, f"hostile: {name} → {status} (expected {expected}) {payload[:80]!r}")
    check(tree_digest(archive, model_folder) == before, "hostile requests changed no file of the archive, the model or its labels")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--watcher", default=str(ROOT / ".build/release/watcher"))
    ap.add_argument("--screenshot", help="save a PNG of the page after Learn here")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = ap.parse_args(argv)
    args.watcher = str(Path(args.watcher).resolve())

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    work = Path(tempfile.mkdtemp(prefix="watcher-review-test-"))
    server = None
    driver = None
    try:
        archive, model, state = work / "archive", work / "model", work / "state"
        shutil.copytree(FIXTURE / "archive", archive)
        model.mkdir()
        for name in ("model.pb", "labels.txt"):
            shutil.copy(ROOT / "Models/lock-demo" / name, model / name)
        state.mkdir()
        write_state(state, json.loads((FIXTURE / "checks.json").read_text()), int(time.time() * 1000))
        truth = json.loads((FIXTURE / "truth.json").read_text())
        environment = {"PATH": "/usr/bin:/bin", "HOME": str(work), "TZ": "UTC"}
        server = subprocess.Popen([args.watcher, "review", "--archive-dir", str(archive), "--model", str(model / "model.pb"),
                                   "--state-dir", str(state), "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment, cwd=work)
        line = server.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:(\d+)/)", line)
        check(match is not None, f"watcher review says where it serves: {line.strip()!r}")
        url, port = match.group(1), int(match.group(2))

        options = webdriver.ChromeOptions()
        options.binary_location = args.chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1200",
                     "--force-device-scale-factor=1"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
        driver.set_page_load_timeout(30)
        wait = WebDriverWait(driver, 60)
        driver.get(url)

        # 3. Every crop, its image, the camera and its timeline.
        on_disk = {f: sorted(p.name for p in (archive / f).iterdir()) for f in ("unsure", "close", "open")}
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "figure.crop")) == sum(map(len, on_disk.values())))
        for folder, names in on_disk.items():
            shown = [f.get_attribute("data-name") for f in driver.find_elements(By.CSS_SELECTOR, f'section.folder[data-folder="{folder}"] figure.crop')]
            check(sorted(shown) == names, f"the page shows the {len(names)} crops of {folder}/ ")
        # The grid loads images lazily, as they scroll into view: load them all now.
        driver.execute_script("for (const image of document.images) image.loading = 'eager';")
        wait.until(lambda d: d.execute_script("return Array.from(document.images).every(i => i.complete)"))
        broken = driver.execute_script("return Array.from(document.images).filter(i => i.naturalWidth === 0).map(i => i.src)")
        check(broken == [], f"every crop's image loaded ({len(driver.find_elements(By.CSS_SELECTOR, 'figure.crop img'))} images)")
        check(driver.find_element(By.CSS_SELECTOR, ".camera h3").text == "Front_door", "the camera's card is there")
        check(len(driver.find_elements(By.CSS_SELECTOR, ".camera svg.timeline polyline")) == 1, "its timeline has a line")
        check(len(driver.find_elements(By.CSS_SELECTOR, ".camera svg.timeline rect")) == 1, "and the failed check's mark")
        check("[" in driver.find_element(By.CSS_SELECTOR, ".camera .now").text, "and its last check")

        # 4. A click relabels a crop: the file moves.
        wrong = next(name for name in on_disk["close"] if truth[name] == "open")
        driver.find_element(By.CSS_SELECTOR, f'figure.crop[data-name="{wrong}"] button[data-to="open"]').click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f'section.folder[data-folder="open"] figure.crop[data-name="{wrong}"]'))
        check((archive / "open" / wrong).exists() and not (archive / "close" / wrong).exists(),
              f"a click on '→ open' moved close/{wrong} to open/ on disk")
        for unsure in on_disk["unsure"]:
            label = truth[unsure]
            driver.find_element(By.CSS_SELECTOR, f'figure.crop[data-name="{unsure}"] button[data-to="{label}"]').click()
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f'section.folder[data-folder="{label}"] figure.crop[data-name="{unsure}"]'))
            check((archive / label / unsure).exists() and not (archive / "unsure" / unsure).exists(),
                  f"a click sorted unsure/{unsure} into {label}/ on disk")
        check(all(truth[p.name] == folder for folder in ("close", "open") for p in (archive / folder).iterdir()),
              "every crop is now in its true folder")

        # 5. Learn: the same figures as `watcher learn` on the same crops.
        reference = subprocess.run([args.watcher, "learn", "--archive-dir", str(archive), "--model", str(model / "model.pb"),
                                    "--out", str(work / "learned"), "--json"],
                                   capture_output=True, text=True, env=environment, cwd=work)
        check(reference.returncode == 0, f"watcher learn on the same crops succeeds: {reference.stderr.strip()[:200]}")
        expected = json.loads(reference.stdout)
        driver.find_element(By.ID, "learn-button").click()
        wait.until(lambda d: d.find_elements(By.ID, "new-accuracy"))
        current = driver.find_element(By.ID, "current-accuracy").text
        new = driver.find_element(By.ID, "new-accuracy").text
        for shown, key in ((current, "current"), (new, "new")):
            figures = f"({expected[key]['correct']}/{expected[key]['total']})"
            check(figures in shown, f"the page reports the {key} head's held-out accuracy {shown!r}, as watcher learn does {figures}")
        check(expected["new"]["correct"] >= expected["current"]["correct"], "the new head is at least as good")
        install = driver.find_element(By.ID, "install-button")
        check(install.is_enabled(), "'Use this model' is offered")
        if args.screenshot:
            driver.execute_script("window.scrollTo(0, 0)")
            time.sleep(0.3)
            Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(args.screenshot)
            try:  # smaller for the repository, when Pillow is there (tools/.venv)
                from PIL import Image
                with Image.open(args.screenshot) as shot:
                    shot.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(args.screenshot, optimize=True)
            except ImportError:
                pass
            print(f"saved {args.screenshot}")
        old_model = (model / "model.pb").read_bytes()
        install.click()
        wait.until(lambda d: "installed" in d.find_element(By.ID, "status").text)
        new_model = (model / "model.pb").read_bytes()
        backups = sorted(p.name for p in model.iterdir() if ".backup-" in p.name)
        check(new_model != old_model and new_model == (work / "learned/model.pb").read_bytes(),
              "'Use this model' replaced model.pb with the model watcher learn writes from the same crops, byte for byte")
        check((model / "labels.txt").read_text() == (work / "learned/labels.txt").read_text(), "and its labels")
        check(any(b.startswith("model.pb.backup-") for b in backups) and any(b.startswith("labels.txt.backup-") for b in backups),
              f"and kept the previous model and labels: {backups}")
        backup = next(model / b for b in backups if b.startswith("model.pb.backup-"))
        check(backup.read_bytes() == old_model, "the backup is the previous model, byte for byte")

        # 6. Hostile requests change nothing.
        token = driver.find_element(By.CSS_SELECTOR, 'meta[name="watcher-token"]').get_attribute("content")
        hostile_requests(port, token, archive, model)
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        check(errors == [], f"the browser logged no error: {errors}")
        print("review browser test: passed")
        return 0
    except Failure as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        return 1
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.terminate()
            try:
                _, errors = server.communicate(timeout=10)
                if errors.strip():
                    print("watcher review's log:\n" + errors.strip())
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
