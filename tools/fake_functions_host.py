#!/usr/bin/env python3
"""A fake Azure Functions host for a custom handler app, driving it the way the
real host does, then checking the answer:

    python3 tools/fake_functions_host.py --app dist/azure-functions --function check

It reads host.json (customHandler.description: defaultExecutablePath,
arguments, workingDirectory) and FUNCTION/function.json (a timerTrigger
binding), starts the handler with FUNCTIONS_CUSTOMHANDLER_PORT set on a free
port plus the caller's environment, waits for the port to listen, sends the
timer's invocation as POST /FUNCTION with {"Data": {"<binding>": <timer info>},
"Metadata": {...}}, and checks the documented response: HTTP 200 and a JSON
object with "Outputs" (an object), "Logs" (a list of strings) and "ReturnValue".
Prints one JSON summary; exits 1 when anything is off. Standard library only.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", required=True)
    parser.add_argument("--function", default="check")
    parser.add_argument("--requests", type=int, default=1)
    args = parser.parse_args()
    host = json.load(open(os.path.join(args.app, "host.json")))
    description = host["customHandler"]["description"]
    bindings = json.load(open(os.path.join(args.app, args.function, "function.json")))["bindings"]
    timer = next(b for b in bindings if b["type"] == "timerTrigger" and b["direction"] == "in")
    port = free_port()
    environment = dict(os.environ, FUNCTIONS_CUSTOMHANDLER_PORT=str(port), FUNCTIONS_WORKER_RUNTIME="custom")
    executable = os.path.join(args.app, description["defaultExecutablePath"])
    working = os.path.join(args.app, description.get("workingDirectory") or "")
    process = subprocess.Popen([executable] + description.get("arguments", []), env=environment, cwd=working)
    summary = {"schedule": timer["schedule"], "answers": []}
    ok = True
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        for number in range(args.requests):
            body = {"Data": {timer["name"]: {"Schedule": {"AdjustForDST": True}, "ScheduleStatus": None,
                                             "IsPastDue": False}},
                    "Metadata": {"sys": {"MethodName": args.function, "UtcNow": "2026-12-03T00:00:00Z",
                                         "RandGuid": f"guid-{number}"}}}
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("POST", "/" + args.function, json.dumps(body), {"Content-Type": "application/json"})
            response = connection.getresponse()
            text = response.read()
            answer = json.loads(text)
            summary["answers"].append({"status": response.status, "body": answer})
            ok = ok and response.status == 200 and isinstance(answer.get("Outputs"), dict) \
                and isinstance(answer.get("Logs"), list) and all(isinstance(line, str) for line in answer["Logs"]) \
                and "ReturnValue" in answer
    except Exception as error:  # a refused connection, a non-JSON answer
        summary["error"] = repr(error)
        ok = False
    finally:
        summary["alive"] = process.poll() is None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    print(json.dumps(summary, indent=2))
    return 0 if ok and summary["alive"] else 1


if __name__ == "__main__":
    sys.exit(main())
