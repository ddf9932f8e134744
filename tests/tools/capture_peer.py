#!/usr/bin/env python3
"""capture_peer.py DIR [CHECKPOINT] - a stand-in for a peer's node, for the
tests: it prints its port, then keeps each POST's headers (DIR/N.headers,
one "Name: value" a line) and body (DIR/N.body), and answers 503 so that
the sender keeps the message queued; with CHECKPOINT, a witnessing request
(/v1/peer/checkpoint) is answered 200 with that file's bytes (a network
attacker's checkpoint)."""
import http.server
import os
import sys

OUT = sys.argv[1]
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
        if len(sys.argv) > 2 and self.path == "/v1/peer/checkpoint":
            with open(sys.argv[2], "rb") as f:
                answer = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Capture)
print(server.server_address[1], flush=True)
server.serve_forever()
