#!/usr/bin/env python3
"""A fake SORACOM SoraCam API and notification receiver on 127.0.0.1, for trying
`watcher once` without a camera and for measuring one whole cycle.

    python3 tools/fake_soracam_server.py --port 8080 --still Samples/03-day-open.jpg &
    SORACOM_ENDPOINT=http://127.0.0.1:8080 SORACOM_AUTH_KEY_ID=keyId-fake SORACOM_AUTH_KEY=secret-fake \\
      watcher once --device-id 7CDDDEADBEEF --crop 128x128+650+378 --debounce 1 \\
        --notify webhook:http://127.0.0.1:8080/hook

It follows the paths of ../shared/soracom/soracam-openapi-excerpt.yaml that the
watcher uses (POST /v1/auth; POST and GET .../images/exports; the presigned
download; GET /v1/sora_cam/devices and .../exports/usage) and prints every
notification POSTed to /hook. Python's standard library only. The Swift tests use
their own fake (Tests/WatcherTests/Support/FakeSoraCamServer.swift), with faults.
"""

import argparse
import json
import itertools
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEVICE = "7CDDDEADBEEF"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--still", required=True, help="JPEG served for every export")
    args = parser.parse_args()
    still = open(args.still, "rb").read()
    export_ids = itertools.count(1)
    exports: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def json(self, status: int, value: object) -> None:
            self.reply(status, json.dumps(value).encode())

        def body(self) -> dict:
            length = int(self.headers.get("Content-Length", "0"))
            return json.loads(self.rfile.read(length) or b"{}")

        def authorised(self) -> bool:
            if self.headers.get("X-Soracom-Token") == "token-fake":
                return True
            self.json(401, {"code": "AUTH0001", "message": "invalid token"})
            return False

        def do_POST(self) -> None:
            path = self.path.split("?")[0]
            if path == "/v1/auth":
                self.body()
                self.json(200, {"apiKey": "api-key-fake", "token": "token-fake", "operatorId": "OP0000000000"})
            elif path == f"/v1/sora_cam/devices/{DEVICE}/images/exports" and self.authorised():
                export_id = f"export-{next(export_ids)}"
                exports[export_id] = 0
                requested = self.body().get("time", int(time.time() * 1000))
                self.json(200, {"exportId": export_id, "deviceId": DEVICE, "status": "initializing",
                                "requestedTime": requested})
            elif path == "/hook":
                print("notification:", self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode(), flush=True)
                self.reply(200, b"ok", "text/plain")
            elif path.startswith("/v1/"):
                pass  # authorised() answered 401
            else:
                self.json(404, {"code": "NOT_FOUND", "message": path})

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            prefix = f"/v1/sora_cam/devices/{DEVICE}/images/exports/"
            if path.startswith(prefix) and self.authorised():
                export_id = path[len(prefix):]
                exports[export_id] = exports.get(export_id, 0) + 1
                status = "completed" if exports[export_id] >= 2 else "processing"
                answer = {"exportId": export_id, "deviceId": DEVICE, "status": status}
                if status == "completed":
                    answer.update(url=f"http://127.0.0.1:{args.port}/downloads/{export_id}.jpg?X-Amz-Signature=fake",
                                  expiryTime=int(time.time() * 1000) + 600_000)
                self.json(200, answer)
            elif path.startswith("/downloads/"):
                self.reply(200, still, "image/jpeg")
            elif path == "/v1/sora_cam/devices" and self.authorised():
                self.json(200, [{"deviceId": DEVICE, "name": "Front door", "connected": True,
                                 "productDisplayName": "ATOM Cam 2"}])
            elif path == f"/v1/sora_cam/devices/{DEVICE}/exports/usage" and self.authorised():
                self.json(200, {"deviceId": DEVICE, "meteredYearMonth": time.strftime("%Y%m"),
                                "image": {"limitFrames": 259200, "usedFrames": 1200, "remainingFrames": 258000,
                                          "billedFrames": 0},
                                "video": {"limitSeconds": 259200, "usedSeconds": 1200, "remainingSeconds": 258000,
                                          "billedSeconds": 0}})
            elif not path.startswith("/v1/"):
                self.json(404, {"code": "NOT_FOUND", "message": path})

        def log_message(self, format: str, *arguments: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
