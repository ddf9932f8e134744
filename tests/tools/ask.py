#!/usr/bin/env python3
"""ask.py - many requests to one daemon from one process, for the bats suites.

usage: ask.py BASE_URL < REQUESTS

REQUESTS has a line per request, tab-separated: the token ("" for none),
the method, the path (with its query) and the body: "-" for none,
"json:TEXT" (sent as application/json) or "file:NAME" (the file's bytes, as
curl --data-binary sends them). The requests go in order, on one
connection kept alive (a new one where the daemon closes it).

Prints a line per request: the status, then "-" for a 2xx answer, else
the error's code when the body has the one error shape of the API
({"error": {"code", "message"[, "field", "decision"]}}, code and message
strings), else "!shape". Each answer is recorded for api_check as
api_record does (tests/cli/helpers.bash): its body in
$BATS_TEST_TMPDIR/answers/, a line in $BATS_TEST_TMPDIR/answers.tsv.

A suite of a few hundred requests takes one process here where curl and jq
took two or three a request.
"""
import http.client
import json
import os
import sys
import urllib.parse


def error_code(body):
    """The error's code when body has the one error shape, else None."""
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    err = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(err, dict) or set(err) - {"code", "message", "field", "decision"}:
        return None
    if not isinstance(err.get("code"), str) or not isinstance(err.get("message"), str):
        return None
    return err["code"]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    url = urllib.parse.urlsplit(sys.argv[1])
    tmp = os.environ.get("BATS_TEST_TMPDIR", ".")
    answers = os.path.join(tmp, "answers")
    os.makedirs(answers, exist_ok=True)
    tsv = open(os.path.join(tmp, "answers.tsv"), "a", encoding="utf-8")
    conn = None
    for n, line in enumerate(sys.stdin):
        line = line.rstrip("\n")
        if not line:
            continue
        token, method, path, body = line.split("\t")
        headers = {"Accept": "*/*"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body.startswith("json:"):
            data = body[5:].encode()
            headers["Content-Type"] = "application/json"
        elif body.startswith("file:"):
            with open(body[5:], "rb") as f:
                data = f.read()
            headers["Content-Type"] = "application/x-www-form-urlencoded"  # as curl's
        if conn is None:
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            got = resp.read()
        except (OSError, http.client.HTTPException) as e:
            # the daemon closed the connection before the whole request was
            # sent (an early answer to a large body): said, not retried
            conn.close()
            conn = None
            print(f"000\t!conn {type(e).__name__}", flush=True)
            continue
        if resp.will_close:
            conn.close()
            conn = None
        name = os.path.join(answers, f"ask.{os.getpid()}.{n}.body")
        with open(name, "wb") as f:
            f.write(got)
        tsv.write(f"{method}\t{path}\t{resp.status}\t{name}\n")
        code = "-" if 200 <= resp.status < 300 else (error_code(got) or "!shape")
        print(f"{resp.status}\t{code}", flush=True)
    tsv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
