"""bench/static_peer.py PORT DIR [HEADER: VALUE ...] - the console bench's
peer: python3's http.server serving DIR's files, each answer with the
given headers (the daemon's own security headers, so that both pay the
same in the browser). Prints the port it listens on."""
import functools
import http.server
import sys

HEADERS = [h.split(':', 1) for h in sys.argv[3:]]


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        for k, v in HEADERS:
            self.send_header(k, v.strip())
        super().end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(
    ('127.0.0.1', int(sys.argv[1])), functools.partial(Handler, directory=sys.argv[2]))
print(f'port {server.server_address[1]}', flush=True)
server.serve_forever()
