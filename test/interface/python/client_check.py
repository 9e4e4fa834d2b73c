"""Reads a TypeScript notification log server with the Python library's client.

Usage:

    python3 test/interface/python/client_check.py \\
        http://127.0.0.1:PORT/notifications [--section-size 10] [--limit 10] \\
        [--topic TOPIC ...] [--exclusive-start N] [--bearer TOKEN] [--strict-bytes]

The base URL is where createNotificationLogHandler serves (its basePath). Sections
are read as GET {base}/{first},{last} and selections as GET {base}?start=&limit=
(&topics=, repeated; &inclusive_of_start=false when asked), by a small urllib
NotificationLogInterface under the library's NotificationLogJSONClient.

It walks the sections from "1,{section-size}" along next_id, reads the section
past the end, pages through select(), and selects by topic and after a start
when asked. Besides what the Python client itself needs, each body is checked
for the Python service's shape: the keys and their order, integer ids and
versions, 32-char lowercase hex originator ids, state in standard base64 with
padding, section ids "first,last" of the items and next_id as the Python log
computes it (set only when the section is as long as was asked for).

Prints a JSON summary on stdout and exits 0. Exits 1 with a message on stderr
when the server's JSON does not have the Python shape (or the Python client
cannot read it), 2 on a usage, import or connection error. --strict-bytes also
fails when a body is not byte-identical to the Python service's json.dumps of
the same value (otherwise the summary only reports it as "byte_identical").
"""

from __future__ import annotations

import argparse
import base64
import binascii
import inspect
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Sequence

PYES = Path(os.environ.get("PYEVENTSOURCING_PATH", Path(__file__).parent / "pyeventsourcing"))
if str(PYES) not in sys.path:
    sys.path.insert(0, str(PYES))

try:
    from eventsourcing.interface import (
        NotificationLogInterface,
        NotificationLogJSONClient,
    )
except ImportError as e:
    print(f"client_check: cannot import the Python library from {PYES}: {e}", file=sys.stderr)
    sys.exit(2)

HEX32 = re.compile(r"^[0-9a-f]{32}$")
SECTION_KEYS = ["id", "next_id", "items"]
ITEM_KEYS = ["id", "originator_id", "originator_version", "topic", "state"]


class Mismatch(Exception):
    """The server's JSON is not what the Python service writes."""


class TransportError(Exception):
    """The server could not be reached or did not answer 200."""


class HTTPNotificationLogInterface(NotificationLogInterface):
    """GETs sections and selections with urllib, and keeps every body it read."""

    def __init__(self, base_url: str, bearer: str | None = None, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.bearer = bearer
        self.timeout = timeout
        self.bodies: list[tuple[str, str, str]] = []  # (kind, url, body)

    def get_log_section(self, section_id: str) -> str:
        url = f"{self.base_url}/{section_id}"
        return self._get("section", url)

    def get_notifications(
        self,
        start: int | None,
        limit: int,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> str:
        params: list[tuple[str, str]] = []
        if start is not None:
            params.append(("start", str(start)))
        params.append(("limit", str(limit)))
        params.extend(("topics", t) for t in topics)
        if not inclusive_of_start:
            params.append(("inclusive_of_start", "false"))
        url = f"{self.base_url}?{urllib.parse.urlencode(params)}"
        return self._get("notifications", url)

    def _get(self, kind: str, url: str) -> str:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        if self.bearer:
            request.add_header("Authorization", f"Bearer {self.bearer}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf8", "replace")[:500]
            raise TransportError(f"GET {url}: HTTP {e.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as e:
            raise TransportError(f"GET {url}: {e}") from None
        try:
            body = raw.decode("utf8")
        except UnicodeDecodeError as e:
            raise Mismatch(f"GET {url}: the body is not UTF-8: {e}") from None
        self.bodies.append((kind, url, body))
        return body


def check_item(item: Any, where: str) -> None:
    if not isinstance(item, dict):
        raise Mismatch(f"{where}: an item is not an object: {item!r}")
    if list(item.keys()) != ITEM_KEYS:
        raise Mismatch(f"{where}: item keys {list(item.keys())}, expected {ITEM_KEYS} in order")
    for key in ("id", "originator_version"):
        value = item[key]
        if not isinstance(value, int) or isinstance(value, bool):
            raise Mismatch(f"{where}: item {key} {value!r} is not an integer")
    if not isinstance(item["originator_id"], str) or not HEX32.match(item["originator_id"]):
        raise Mismatch(
            f"{where}: originator_id {item['originator_id']!r} is not 32 lowercase hex digits"
        )
    if not isinstance(item["topic"], str):
        raise Mismatch(f"{where}: topic {item['topic']!r} is not a string")
    state = item["state"]
    if not isinstance(state, str):
        raise Mismatch(f"{where}: state {state!r} is not a string")
    try:
        decoded = base64.b64decode(state.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as e:
        raise Mismatch(f"{where}: state is not standard base64: {e}") from None
    if base64.b64encode(decoded).decode("ascii") != state:
        raise Mismatch(f"{where}: state is not canonical padded standard base64: {state!r}")


def check_section_body(body: str, requested: str, section_size: int) -> dict:
    where = f"section {requested}"
    try:
        section = json.loads(body)
    except ValueError as e:
        raise Mismatch(f"{where}: not JSON: {e}") from None
    if not isinstance(section, dict) or list(section.keys()) != SECTION_KEYS:
        got = list(section.keys()) if isinstance(section, dict) else type(section).__name__
        raise Mismatch(f"{where}: keys {got}, expected {SECTION_KEYS} in order")
    items = section["items"]
    if not isinstance(items, list):
        raise Mismatch(f"{where}: items is not an array")
    for item in items:
        check_item(item, where)
    ids = [item["id"] for item in items]
    if ids != sorted(set(ids)):
        raise Mismatch(f"{where}: item ids not ascending and unique: {ids}")
    first, last = (int(p) for p in requested.split(","))
    start = max(1, first)
    limit = min(max(0, last - start + 1), section_size)
    if any(i < start for i in ids):
        raise Mismatch(f"{where}: an item id is below {start}: {ids}")
    if len(ids) > limit:
        raise Mismatch(f"{where}: {len(ids)} items, more than the {limit} asked for")
    expected_id = f"{ids[0]},{ids[-1]}" if ids else None
    if section["id"] != expected_id:
        raise Mismatch(f"{where}: id {section['id']!r}, expected {expected_id!r}")
    expected_next = f"{ids[-1] + 1},{ids[-1] + limit}" if ids and len(ids) == limit else None
    if section["next_id"] != expected_next:
        raise Mismatch(f"{where}: next_id {section['next_id']!r}, expected {expected_next!r}")
    return section


def check_array_body(body: str, where: str, limit: int) -> list:
    try:
        items = json.loads(body)
    except ValueError as e:
        raise Mismatch(f"{where}: not JSON: {e}") from None
    if not isinstance(items, list):
        raise Mismatch(f"{where}: not a JSON array")
    if len(items) > limit:
        raise Mismatch(f"{where}: {len(items)} items, more than the limit {limit}")
    for item in items:
        check_item(item, where)
    ids = [item["id"] for item in items]
    if ids != sorted(set(ids)):
        raise Mismatch(f"{where}: item ids not ascending and unique: {ids}")
    return items


def summarise(notifications: list) -> list[dict]:
    return [
        {
            "id": n.id,
            "originator_id": str(n.originator_id),
            "originator_version": n.originator_version,
            "topic": n.topic,
            "state": base64.b64encode(n.state).decode("ascii"),
        }
        for n in notifications
    ]


def python_json_dumps_of(body: str) -> str:
    # What the Python service writes for the same value: json.dumps with its defaults.
    return json.dumps(json.loads(body))


def run(args: argparse.Namespace) -> dict:
    interface = HTTPNotificationLogInterface(args.base_url, args.bearer, args.timeout)
    client = NotificationLogJSONClient(interface)
    summary: dict = {"base_url": args.base_url, "sections": []}

    # Walk the sections along next_id.
    walked: list = []
    section_id: str | None = f"1,{args.section_size}"
    last_requested = section_id
    while section_id is not None:
        if len(summary["sections"]) > args.max_sections:
            raise Mismatch(f"more than {args.max_sections} sections: next_id never ends")
        section = client[section_id]  # the Python client's own reading
        check_section_body(interface.bodies[-1][2], section_id, args.section_size)
        if section.items and walked and section.items[0].id <= walked[-1].id:
            raise Mismatch(f"section {section_id}: ids go back to {section.items[0].id}")
        summary["sections"].append(
            {"requested": section_id, "id": section.id, "next_id": section.next_id,
             "count": len(section.items)}
        )
        walked.extend(section.items)
        last_requested = section_id
        section_id = section.next_id
    summary["notifications"] = summarise(walked)

    # The section past the end: no items, id and next_id null.
    last_id = walked[-1].id if walked else 0
    past = f"{last_id + 1},{last_id + args.section_size}"
    if last_requested is not None:
        section = client[past]
        check_section_body(interface.bodies[-1][2], past, args.section_size)
        if section.items or section.id is not None or section.next_id is not None:
            raise Mismatch(f"section {past} past the end is not empty with null ids")
        summary["past_end"] = {"requested": past, "id": section.id, "next_id": section.next_id}

    # Page through select(): the same notifications as the sections.
    selected: list = []
    start = 1
    while True:
        page = client.select(start=start, limit=args.limit)
        check_array_body(interface.bodies[-1][2], f"select start={start}", args.limit)
        if not page:
            break
        selected.extend(page)
        start = page[-1].id + 1
        if len(selected) > len(walked) + args.limit:
            raise Mismatch("select() returns more notifications than the sections hold")
    if summarise(selected) != summary["notifications"]:
        raise Mismatch("select() and the sections disagree")
    summary["selected_count"] = len(selected)

    if args.topic:
        page = client.select(start=1, limit=args.limit, topics=args.topic)
        check_array_body(interface.bodies[-1][2], "select with topics", args.limit)
        wrong = [n.topic for n in page if n.topic not in args.topic]
        if wrong:
            raise Mismatch(f"select with topics {args.topic} returned topics {wrong}")
        expected = [n.id for n in walked if n.topic in args.topic][: args.limit]
        if [n.id for n in page] != expected:
            raise Mismatch(
                f"select with topics gave ids {[n.id for n in page]}, expected {expected}"
            )
        summary["topics"] = {"topics": args.topic, "notifications": summarise(page)}

    if args.exclusive_start is not None:
        s = args.exclusive_start
        params = inspect.signature(client.select).parameters
        if "inclusive_of_start" in params:
            page = client.select(start=s, limit=args.limit, inclusive_of_start=False)
            how = "NotificationLogJSONClient.select(inclusive_of_start=False)"
        else:
            # This library version's client has no inclusive_of_start: ask the interface
            # directly and read the body with the client's own select() on a canned answer.
            body = interface.get_notifications(start=s, limit=args.limit, inclusive_of_start=False)
            page = NotificationLogJSONClient(_Canned(body)).select(start=s, limit=args.limit)
            how = "interface.get_notifications(inclusive_of_start=False), read by the client"
        check_array_body(interface.bodies[-1][2], "select exclusive of start", args.limit)
        expected = [n.id for n in walked if n.id > s][: args.limit]
        if [n.id for n in page] != expected:
            raise Mismatch(
                f"select after {s} gave ids {[n.id for n in page]}, expected {expected}"
            )
        summary["exclusive"] = {"start": s, "how": how, "ids": [n.id for n in page]}

    differing = [url for _, url, body in interface.bodies if python_json_dumps_of(body) != body]
    summary["byte_identical"] = not differing
    if differing:
        summary["not_byte_identical"] = differing[:5]
        if args.strict_bytes:
            raise Mismatch(
                f"{len(differing)} bodies differ from Python's json.dumps, e.g. {differing[0]}"
            )
    summary["requests"] = len(interface.bodies)
    return summary


class _Canned(NotificationLogInterface):
    def __init__(self, body: str):
        self.body = body

    def get_log_section(self, section_id: str) -> str:
        raise NotImplementedError

    def get_notifications(self, start, limit, topics=(), **_: Any) -> str:
        return self.body


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url")
    parser.add_argument("--section-size", type=int, default=10)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--topic", action="append", default=[])
    parser.add_argument("--exclusive-start", type=int)
    parser.add_argument("--bearer")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--max-sections", type=int, default=10_000)
    parser.add_argument("--strict-bytes", action="store_true")
    args = parser.parse_args(argv)
    try:
        summary = run(args)
    except Mismatch as e:
        print(f"client_check: mismatch: {e}", file=sys.stderr)
        return 1
    except TransportError as e:
        print(f"client_check: {e}", file=sys.stderr)
        return 2
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        # The Python client itself could not read a body (e.g. a non-UUID originator id).
        print(f"client_check: mismatch: the Python client failed: {e!r}", file=sys.stderr)
        return 1
    json.dump(summary, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
