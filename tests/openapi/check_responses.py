#!/usr/bin/env python3
"""Checks the daemon's answers that the tests received against docs/openapi.yaml.

usage: check_responses.py OPENAPI.yaml RECORDS

RECORDS has a line per answer, tab-separated: METHOD, the path asked (with
its query), the status, and the file holding the body. Each answer must be
one the document declares for that operation and status; a JSON body must
validate against the declared schema (OpenAPI 3.0: `nullable` is taken as
JSON Schema's null type). Prints each failure naming the record and the
place in the body; exits 1 when there is any, 0 otherwise (2 on bad usage).

The bats suites run this in the teardown of every test that talks to a
daemon, so it is made cheap: under bats the parsed document is kept as JSON
in $BATS_RUN_TMPDIR, named by the SHA-256 of the YAML (a changed document is
parsed afresh), YAML is read by libyaml (CSafeLoader), and jsonschema's
validators are made once per operation and status, only for those asked.
"""
import datetime
import hashlib
import json
import os
import re
import sys


def load(yaml_file):
    """The document: from the cache when this very YAML was parsed in this bats run."""
    with open(yaml_file, encoding="utf-8") as f:
        text = f.read()
    cache = os.environ.get("BATS_RUN_TMPDIR")
    if cache:
        cache = os.path.join(cache, f"openapi-{hashlib.sha256(text.encode()).hexdigest()}.json")
        try:
            with open(cache, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            pass
    import yaml  # only when not cached: slow to import, slower to parse in pure Python

    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not cache:
        return doc
    try:
        kept = json.dumps(doc)
    except (TypeError, ValueError):
        return doc  # a value JSON has not (a YAML date, a set): not cached
    if json.loads(kept) != doc:
        return doc  # changed on the way (a number as a key): not cached
    try:
        # the tests may run in parallel: written whole under another name, then renamed
        with open(f"{cache}.{os.getpid()}", "w", encoding="utf-8") as f:
            f.write(kept)
        os.replace(f"{cache}.{os.getpid()}", cache)
    except OSError:
        pass
    return doc


def inline(node, root, depth=0):
    """The schema with every $ref replaced by what it names, and nullable as a type."""
    if depth > 40:
        raise ValueError("a $ref cycle")
    if isinstance(node, list):
        return [inline(x, root, depth) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return inline(target, root, depth + 1)
    out = {k: inline(v, root, depth) for k, v in node.items() if k not in ("nullable", "example")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def is_date(v):
    """YYYY-MM-DD, a real day."""
    if not isinstance(v, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def is_instant(v):
    """RFC 3339: YYYY-MM-DDTHH:MM:SS, fractions allowed, then Z or an offset."""
    if not isinstance(v, str):
        return True
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})", v)
    return bool(m) and is_date(m.group(1)) and int(m.group(2)) < 24 and int(m.group(3)) < 60 \
        and int(m.group(4)) < 61


FORMATS = {"date": is_date, "date-time": is_instant}  # the only formats checked


def validator(schema):
    """jsonschema's Draft 7 validator for the schema, with the checks of FORMATS."""
    import jsonschema  # only when needed: it takes longer to import than all the rest

    formats = jsonschema.FormatChecker(formats=())
    for name, check in FORMATS.items():
        formats.checks(name)(check)
    return jsonschema.Draft7Validator(schema, format_checker=formats)


def routes(doc):
    """(method, regex, template, operation) for every operation."""
    out = []
    for template, item in doc["paths"].items():
        rx = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)) + "$"
        for method, op in item.items():
            if method in ("get", "post", "put", "delete", "patch"):
                out.append((method.upper(), re.compile(rx), template, op))
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    doc = load(argv[1])
    table = routes(doc)
    schemas = {}  # (method, template, status): the inlined schema of the answer
    validators = {}  # the same: jsonschema's validator, made when first needed
    failures = 0
    checked = 0
    for n, line in enumerate(open(argv[2], encoding="utf-8"), 1):
        method, path, status, body_file = line.rstrip("\n").split("\t")
        where = f"{method} {path} -> {status}"
        path = path.split("?", 1)[0]
        if method in ("HEAD", "OPTIONS"):
            continue
        ops = [r for r in table if r[1].match(path)]
        if not ops and status in ("400", "404"):
            # no such endpoint, or a request refused before it is routed (an
            # escaped NUL, a path not UTF-8): the one error shape
            error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            ops = [("*", None, "(before routing)", {"responses": {status: error}})]
            method = "*"
        if not ops:
            print(f"{where}: no path of the document matches", file=sys.stderr)
            failures += 1
            continue
        op = next((r for r in ops if r[0] == method), None)
        if not op:
            if status != "405":
                print(f"{where}: the document has no {method} here", file=sys.stderr)
                failures += 1
            continue
        responses = op[3].get("responses", {})
        resp = responses.get(status) or responses.get("default")
        if resp is None:
            print(f"{where}: status {status} is not declared for {method} {op[2]}", file=sys.stderr)
            failures += 1
            continue
        key = (method, op[2], status)
        if key not in schemas:
            schemas[key] = inline(resp, doc).get("content", {}).get("application/json", {}).get("schema")
        schema = schemas[key]
        if schema is None:
            continue  # a payload, an envelope, a signed note: not JSON
        try:
            body = json.load(open(body_file, encoding="utf-8"))
        except (OSError, ValueError) as e:
            print(f"{where}: the body is not JSON ({e})", file=sys.stderr)
            failures += 1
            continue
        checked += 1
        if key not in validators:
            validators[key] = validator(schema)
        errors = sorted(validators[key].iter_errors(body), key=lambda e: list(e.path))
        for e in errors[:5]:
            place = "/".join(str(p) for p in e.path) or "(the body)"
            print(f"{where} ({op[3].get('operationId', op[2])}): {place}: {e.message[:300]}", file=sys.stderr)
        failures += len(errors) > 0
    print(f"{checked} answers checked against {argv[1]}, {failures} not as documented")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
