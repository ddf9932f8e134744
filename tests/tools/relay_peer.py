#!/usr/bin/env python3
"""relay_peer.py MODE ... - what stands on the path of a witness's
checkpoint requests, for the tests; it prints its port, then:

  as KEY PARTY URL   another peer of PARTY's node (URL; $FORGE the forge
                     tool, else $LIAISON_TOOLS/forge): each request that
                     comes it asks of that node itself, signed with its own
                     KEY (forge peer) under the nonce the witness sent and
                     from size 1, and hands the witness the answer PARTY's
                     node signed for that request of its own;
  hold URL FLAG      passes each request to URL as it came, but holds the
                     first one's answer until the file FLAG exists (FLAG.held
                     made while it waits): an answer kept back on the way;
  noproof KEY URL    passes each request to URL as it came, and hands back
                     the answer with no proof, signed again with KEY (forge
                     signed): PARTY's node itself, of a release that sends
                     none."""
import json
import http.server
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

MODE = sys.argv[1]
FORGE = os.environ.get("FORGE") or os.path.join(os.environ.get("LIAISON_TOOLS", "."), "forge")
SEEN = [0]


def post(url, body, headers):
    rq = urllib.request.Request(url, data=body, method="POST")
    for name, value in headers:
        rq.add_header(name, value)
    with urllib.request.urlopen(rq) as r:
        return r.read()


class Relay(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        first = SEEN[0] == 0
        SEEN[0] += 1
        if MODE == "as":
            key, party, url = sys.argv[2:5]
            body = b'{"since": 1}'
            with tempfile.NamedTemporaryFile() as f:
                f.write(body)
                f.flush()
                env = dict(os.environ, FORGE_NONCE=self.headers.get("Liaison-Nonce", ""))
                out = subprocess.run(
                    [FORGE, "peer", key, party, "checkpoint", f"liaison/{party}", f.name],
                    env=env, check=True, capture_output=True, text=True).stdout
            headers = [line.split(": ", 1) for line in out.splitlines()]
            headers.append(("Content-Type", "application/octet-stream"))
        else:
            url = sys.argv[2]
            headers = [(k, v) for k, v in self.headers.items()
                       if k.lower().startswith("liaison-") or k.lower() == "content-type"]
        if MODE == "noproof":
            url = sys.argv[3]
        answer = post(url + self.path, body, headers)
        if MODE == "noproof":
            a = json.loads(answer)
            a["proof"] = []
            del a["signature"]
            text = json.dumps(a, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            out = subprocess.run(
                [FORGE, "signed", sys.argv[2], "liaison-checkpoint-answer/v1", "answer", text],
                check=True, capture_output=True, text=True).stdout
            a["signature"] = json.loads(out)["signature"]
            answer = json.dumps(a).encode()
        if MODE == "hold" and first:
            flag = sys.argv[3]
            open(flag + ".held", "w").close()
            while not os.path.exists(flag):
                time.sleep(0.05)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
print(server.server_address[1], flush=True)
server.serve_forever()
