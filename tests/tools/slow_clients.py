#!/usr/bin/env python3
"""slow_clients.py - the slow-connection attack on a daemon (tests/cli/hostile.bats,
bench/soak.sh): N connections, spread over source addresses 127.0.0.2..., each
sending a request's headers one byte every INTERVAL seconds, never ending them.

usage: slow_clients.py PORT N ADDRESSES INTERVAL SECONDS [body [TOKEN]]

With "body", each connection sends whole headers for an upload (POST
/v1/items, with the bearer TOKEN when given) of a large Content-Length and
trickles the body instead. Runs SECONDS seconds, then
prints one JSON line: how many connections were opened, refused at connect,
and closed by the daemon (and after how many seconds, the longest).
"""
import json
import resource
import socket
import sys
import time

port, n, naddr = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
interval, seconds = float(sys.argv[4]), float(sys.argv[5])
body = len(sys.argv) > 6 and sys.argv[6] == "body"
auth = ("Authorization: Bearer %s\r\n" % sys.argv[7]).encode() if len(sys.argv) > 7 else b""

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

start = time.monotonic()
conns, refused = [], 0
head = (b"POST /v1/items?title=t&level=S HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n"
        + auth + b"Content-Type: application/octet-stream\r\n\r\n") if body else b""
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.%d" % (2 + i % naddr), 0))
        s.settimeout(2)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        s.sendall(head if body else b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        conns.append([s, time.monotonic(), None])
    except OSError:
        refused += 1
        s.close()

closed, longest = 0, 0.0
while time.monotonic() - start < seconds:
    time.sleep(interval)
    for c in conns:
        if c[2] is not None:
            continue
        try:
            c[0].send(b"X")
            try:
                if c[0].recv(4096) == b"":
                    raise OSError("closed")
            except BlockingIOError:
                pass
        except OSError:
            c[2] = time.monotonic()
            closed += 1
            longest = max(longest, c[2] - c[1])
print(json.dumps({"opened": len(conns), "refused": refused, "closed": closed,
                  "longest": round(longest, 1)}))
