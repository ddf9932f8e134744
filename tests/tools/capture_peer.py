#!/usr/bin/env python3
"""capture_peer.py DIR [--checkpoint FILE] [--status N] - a stand-in for a
peer's node, for the tests: it prints its port, then keeps each POST's
headers (DIR/N.headers, one "Name: value" a line) and body (DIR/N.body),
and answers 503 so that the sender keeps the message queued (--status: N
instead, with an error answer no node signed, as anyone on the path could
send); with --checkpoint, a witnessing request (/v1/peer/checkpoint) is
answered 200 with FILE's bytes (a network attacker's checkpoint), @NONCE@
in them replaced by the request's nonce."""
import http.server
import os
import sys

OUT = sys.argv[1]
OPTS = dict(zip(sys.argv[2::2], sys.argv[3::2]))
COUNT = [0]


class Capture(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = COUNT[0]
        COUNT[0] += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(os.path.join(OUT, f"{n}.headers"), "w") as f:
            for k, v in self.headers.items():
                if k.lower().startswith("liaison-"):
                    f.write(f"{k}: {v}\n")
        with open(os.path.join(OUT, f"{n}.body"), "wb") as f:
            f.write(body)
        if "--checkpoint" in OPTS and self.path == "/v1/peer/checkpoint":
            with open(OPTS["--checkpoint"], "rb") as f:
                answer = f.read().replace(
                    b"@NONCE@", self.headers.get("Liaison-Nonce", "").encode())
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        status = int(OPTS.get("--status", "503"))
        answer = b"" if status == 503 else (
            b'{"error": {"code": "refused", "message": "R-RECEIVED: not today"}}')
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Capture)
print(server.server_address[1], flush=True)
server.serve_forever()
