#!/usr/bin/env python3
"""slow_peer.py - a hostile peer node for tests/cli/hostile.bats: it takes
every connection, reads the request, then answers one byte every INTERVAL
seconds, never finishing. Prints its port, then serves until killed.

usage: slow_peer.py [INTERVAL]
"""
import socket
import sys
import threading
import time

interval = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0


def trickle(conn):
    try:
        conn.settimeout(5)
        try:
            conn.recv(65536)
        except OSError:
            pass
        for ch in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000:
            conn.send(bytes([ch]))
            time.sleep(interval)
    except OSError:
        pass
    finally:
        conn.close()


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
print(srv.getsockname()[1], flush=True)
while True:
    c, _ = srv.accept()
    threading.Thread(target=trickle, args=(c,), daemon=True).start()
