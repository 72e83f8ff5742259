#!/usr/bin/env python3
"""A fake AWS Lambda Runtime API on 127.0.0.1 that drives a custom runtime's
`bootstrap` the way Lambda does, then checks what it did:

    python3 tools/fake_lambda_runtime.py --bootstrap dist/lambda/bootstrap --events 3 --max-rss-mib 32

It starts the bootstrap with AWS_LAMBDA_RUNTIME_API (and LAMBDA_TASK_ROOT,
_HANDLER, AWS_REGION) plus the caller's environment, answers
GET /2018-06-01/runtime/invocation/next with one event at a time (headers
Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms), collects
POST .../invocation/{id}/response, .../error and .../init/error, and holds the
next GET open after the last event, as Lambda does while the instance is idle.
Then it reads the process's peak and current resident memory from /proc,
stops it, prints one JSON summary and exits 1 unless every event was answered
with a response (not an error) by the one process it started, within the RSS limit.
Events: --event JSON (repeatable, used in turn), default an EventBridge
"Scheduled Event". Python's standard library only.
"""

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCHEDULED = {"version": "0", "id": "fake", "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "123456789012", "time": "2026-12-03T00:00:00Z", "region": "us-east-1",
             "resources": ["arn:aws:events:us-east-1:123456789012:rule/watcher"], "detail": {}}


def status_kib(pid: int) -> dict:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0])
    return fields


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--events", type=int, default=3)
    parser.add_argument("--event", action="append", default=[], help="an event's JSON (repeatable)")
    parser.add_argument("--max-rss-mib", type=float, default=None)
    parser.add_argument("--timeout", type=float, default=120, help="seconds for all events")
    args = parser.parse_args()
    events = [json.loads(text) for text in args.event] or [SCHEDULED]
    pending = queue.Queue()
    for number in range(args.events):
        pending.put((f"request-{number + 1}", events[number % len(events)]))
    answers = {}
    init_errors = []
    gets = []
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status: int, body: bytes, headers: dict = {}) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path != "/2018-06-01/runtime/invocation/next":
                return self.reply(404, b"{}")
            gets.append(time.time())
            try:
                request_id, event = pending.get_nowait()
            except queue.Empty:
                done.wait()  # idle, as a frozen instance is; the test ends here
                return self.reply(500, b"{}")
            deadline = int(time.time() * 1000) + 60_000
            self.reply(200, json.dumps(event).encode(), {
                "Lambda-Runtime-Aws-Request-Id": request_id, "Lambda-Runtime-Deadline-Ms": str(deadline),
                "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:watcher",
                "Content-Type": "application/json"})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = self.path.split("/")
            if self.path == "/2018-06-01/runtime/init/error":
                init_errors.append(json.loads(body or b"{}"))
            elif len(parts) == 6 and parts[3] == "invocation" and parts[5] in ("response", "error"):
                answers[parts[4]] = {"kind": parts[5], "body": json.loads(body or b"null")}
            else:
                return self.reply(404, b"{}")
            self.reply(202, b'{"status":"OK"}')

        def log_message(self, format: str, *arguments: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    environment = dict(os.environ)
    environment.update(AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}",
                       LAMBDA_TASK_ROOT=os.path.dirname(os.path.abspath(args.bootstrap)), _HANDLER="watcher",
                       AWS_REGION=environment.get("AWS_REGION", "us-east-1"))
    process = subprocess.Popen([args.bootstrap], env=environment)
    started = time.time()
    while len(answers) < args.events and not init_errors and process.poll() is None and time.time() - started < args.timeout:
        time.sleep(0.05)
    time.sleep(0.2)  # let it come back for the next event
    alive = process.poll() is None
    memory = status_kib(process.pid) if alive else {}
    done.set()
    if alive:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    server.shutdown()
    responses = [answers.get(f"request-{number + 1}") for number in range(args.events)]
    summary = {"events": args.events, "answered": sum(1 for a in responses if a), "alive after the events": alive,
               "pid": process.pid, "gets": len(gets), "peakRSSKiB": memory.get("VmHWM"), "rssKiB": memory.get("VmRSS"),
               "initErrors": init_errors, "responses": responses}
    print(json.dumps(summary, indent=2))
    ok = alive and not init_errors and all(a and a["kind"] == "response" for a in responses)
    if args.max_rss_mib is not None and (memory.get("VmHWM") or 1e12) > args.max_rss_mib * 1024:
        print(f"peak RSS {memory.get('VmHWM')} KiB is over {args.max_rss_mib} MiB", file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
