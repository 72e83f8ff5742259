#!/usr/bin/env bash
# Checks what scripts/bundle.sh wrote in dist/ the way its users' hosts run it:
#   1. the bundle unpacked into an otherwise empty root (a chroot: no /bin, /lib, /etc, /proc or
#      /dev) classifies a sample still with `watcher check`, and runs `watcher once` against the
#      fake SoraCam (tools/fake_soracam_server.py) on 127.0.0.1 with a webhook;
#   2. the Lambda zip's bootstrap, driven by a fake Lambda Runtime API
#      (tools/fake_lambda_runtime.py): three scheduled events, three responses, one process,
#      peak RSS at most 32 MiB, state in S3 (moto's server);
#   3. the Azure Functions app, driven by a fake Functions host (tools/fake_functions_host.py):
#      a timer request answered with the documented JSON.
# Then prints the bundle's run-time needs (readelf, the newest glibc symbol version) and sizes.
# Needs root (chroot) or unprivileged user namespaces, python3 with moto[server], unzip.
set -euo pipefail
cd "$(dirname "$0")/.."
arch="$(uname -m)"
name="watcher-linux-$arch"
for file in "dist/$name.tar.gz" "dist/watcher-lambda-$arch.zip" "dist/watcher-azure-functions-$arch.zip"; do
  [ -f "$file" ] || { echo "check-bundle.sh: $file is missing: run scripts/bundle.sh first" >&2; exit 1; }
done
work="$(mktemp -d "${TMPDIR:-/tmp}/watcher-check-bundle.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "check-bundle.sh: nothing listens on port $1" >&2; return 1
}
fail() { echo "check-bundle.sh: FAIL: $*" >&2; exit 1; }

# In an empty root, as root or in a user namespace where this user is root.
in_root() {
  if [ "$(id -u)" = 0 ]; then chroot "$@"; else unshare --user --map-root-user chroot "$@"; fi
}

echo "== 1. the bundle alone in an empty root"
root="$work/root"
mkdir -p "$root"
tar -C "$root" -xzf "dist/$name.tar.gz"
cp Samples/03-day-open.jpg "$root/still.jpg"
echo "root holds only: $(ls "$root" | tr '\n' ' ')"
[ "$(ls "$root" | tr '\n' ' ')" = "still.jpg $name " ] || fail "the root holds more than the bundle and the still"
answer="$(in_root "$root" "/$name/watcher" check --image /still.jpg --crop 128x128+650+378 --json)"
echo "watcher check: $answer"
python3 -c 'import json,sys; a=json.loads(sys.argv[1]); assert a["label"]=="open" and a["probability"]>0.99, a' "$answer" \
  || fail "watcher check did not say open"

soracam_port="$(free_port)"
python3 tools/fake_soracam_server.py --port "$soracam_port" --still Samples/03-day-open.jpg > "$work/soracam.log" 2>&1 &
pids+=($!)
wait_port "$soracam_port"
# chroot passes the environment on (there is no `env` inside).
export SORACOM_ENDPOINT="http://127.0.0.1:$soracam_port" SORACOM_AUTH_KEY_ID=keyId-fake SORACOM_AUTH_KEY=secret-fake
once=("/$name/watcher" once --device-id 7CDDDEADBEEF --crop 128x128+650+378 --camera-name "Front door" --debounce 1
      --state-dir /state --notify "webhook:http://127.0.0.1:$soracam_port/hook")
in_root "$root" "${once[@]}" || fail "watcher once in the empty root"
grep -q '"event": *"opened"' "$work/soracam.log" || { cat "$work/soracam.log"; fail "no opened message reached the webhook"; }
echo "webhook received: $(grep -c '^notification:' "$work/soracam.log") message(s): $(grep -o '"event": *"[a-z]*"' "$work/soracam.log" | tr '\n' ' ')"
ls "$root/state" | grep -q '^camera-7CDDDEADBEEF-.*\.json$' || fail "no state file in /state"
unset SORACOM_ENDPOINT SORACOM_AUTH_KEY_ID SORACOM_AUTH_KEY

echo "== 2. AWS Lambda: the zip's bootstrap under a fake Runtime API, state in S3 (moto)"
lambda="$work/lambda"
mkdir -p "$lambda"
unzip -q "dist/watcher-lambda-$arch.zip" -d "$lambda"
[ -x "$lambda/bootstrap" ] || fail "bootstrap is not executable in the zip"
moto_port="$(free_port)"
python3 -m moto.server -p "$moto_port" > "$work/moto.log" 2>&1 &
pids+=($!)
wait_port "$moto_port"
export AWS_ACCESS_KEY_ID=AKIDFAKE AWS_SECRET_ACCESS_KEY=secret-fake AWS_REGION=us-east-1 AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port"
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import sys, boto3  # moto's own dependency
boto3.client("s3", endpoint_url=sys.argv[1]).create_bucket(Bucket="watcher-state")
PY
: > "$work/soracam.log"
env SORACOM_ENDPOINT="http://127.0.0.1:$soracam_port" SORACOM_AUTH_KEY_ID=keyId-fake SORACOM_AUTH_KEY=secret-fake \
  WATCHER_DEVICE_ID=7CDDDEADBEEF WATCHER_CROP=128x128+650+378 WATCHER_CAMERA_NAME="Front door" WATCHER_DEBOUNCE=2 \
  WATCHER_STATE_DIR=s3://watcher-state/front-door WATCHER_NOTIFY="webhook:http://127.0.0.1:$soracam_port/hook" \
  python3 tools/fake_lambda_runtime.py --bootstrap "$lambda/bootstrap" --events 3 --max-rss-mib 32 > "$work/lambda.json" \
  || { cat "$work/lambda.json"; fail "the Lambda bootstrap"; }
python3 - "$work/lambda.json" <<'PY' || fail "Lambda responses"
import json, sys
summary = json.load(open(sys.argv[1]))
bodies = [r["body"] for r in summary["responses"]]
print("three events → %d responses from pid %d; peak RSS %d KiB (%.1f MiB), now %d KiB" % (
    summary["answered"], summary["pid"], summary["peakRSSKiB"], summary["peakRSSKiB"] / 1024, summary["rssKiB"]))
for body in bodies:
    print("  invocation %d: ok=%s %s %s notifications=%s rss=%s KiB peak=%s KiB" % (body["invocation"], body["ok"], body.get("label"),
          body.get("verdict"), body.get("notifications"), body["memory"]["rssKiB"], body["memory"]["peakRSSKiB"]))
assert [b["invocation"] for b in bodies] == [1, 2, 3]
assert all(b["ok"] for b in bodies)
assert [b["notifications"] for b in bodies] == [[], ["opened"], []], [b["notifications"] for b in bodies]
PY
[ "$(grep -c '"event": *"opened"' "$work/soracam.log")" = 1 ] || fail "expected exactly one opened message from Lambda"

echo "== 3. Azure Functions: the app under a fake Functions host"
functions="$work/functions"
mkdir -p "$functions"
unzip -q "dist/watcher-azure-functions-$arch.zip" -d "$functions"
env WATCHER_IMAGE="$PWD/Samples/03-day-open.jpg" WATCHER_CROP=128x128+650+378 WATCHER_STATE_DIR="$work/functions-state" \
  WATCHER_NOTIFY=stdout python3 tools/fake_functions_host.py --app "$functions" --function check > "$work/functions.json" \
  || { cat "$work/functions.json"; fail "the Functions app"; }
python3 - "$work/functions.json" <<'PY' || fail "Functions response"
import json, sys
answer = json.load(open(sys.argv[1]))["answers"][0]
body = answer["body"]
print("POST /check → %d, Outputs=%s, %d log lines, ReturnValue: ok=%s label=%s" % (
    answer["status"], body["Outputs"], len(body["Logs"]), body["ReturnValue"]["ok"], body["ReturnValue"]["label"]))
assert body["ReturnValue"]["ok"] and body["ReturnValue"]["label"] == "open"
PY

echo "== what the bundle needs at run time"
echo "launcher: $(file -b "$root/$name/watcher" 2>/dev/null || readelf -h "$root/$name/watcher" | grep Type)"
echo "watcher.bin NEEDED: $(readelf -d "$root/$name/lib/watcher.bin" | grep NEEDED | sed 's/.*\[\(.*\)\]/\1/' | tr '\n' ' ')"
echo "newest glibc symbol version any bundled file asks for (satisfied by the bundled libc $(ls "$root/$name/lib" | grep -E '^libc\.so')):"
for file in "$root/$name/lib/"*; do objdump -T "$file" 2>/dev/null; done | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1
echo "sizes: $(du -k "dist/$name.tar.gz" | cut -f1) KiB compressed, $(du -sk "$root/$name" | cut -f1) KiB unpacked"
echo "check-bundle.sh: all passed"
