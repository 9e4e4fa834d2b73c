"""Writes the JSON that the Python library's NotificationLogJSONService returns.

Usage (from the repository's root):

    PYEVENTSOURCING_PATH=/tmp/pyes /usr/bin/python3 test/interface/python/make_fixtures.py

PYEVENTSOURCING_PATH is a checkout of the Python library (default /tmp/pyes). The
encrypted fixtures need PyCryptodome, importable as ``Crypto`` (pip's pycryptodome)
or ``Cryptodome`` (Debian's python3-pycryptodome); without it they are not rewritten.

Each fixture is the exact string the service returned, encoded as UTF-8 (it is
ASCII: Python's json.dumps escapes everything else), with no trailing newline.
fixtures/manifest.json says what produced each one (call, arguments, events).

The output is deterministic on one machine: aggregate ids come from uuid5, event
timestamps from a fixed clock, and the cipher's nonces from a counter (the last
only for fixtures: a real cipher must never reuse a nonce). zlib's output can
differ between zlib builds, so the compressed states may not reproduce elsewhere;
the committed set is the reference either way.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID, uuid5

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
PYES = Path(os.environ.get("PYEVENTSOURCING_PATH", "/tmp/pyes"))

# Namespace for the fixtures' aggregate ids (uuid5 of it and a name).
NAMESPACE = UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # uuid.NAMESPACE_URL
FIXTURE_NAMESPACE = uuid5(NAMESPACE, "eventsourcing-typescript:interface-fixtures")

# A fixed AES-256 key (base64), for the encrypted application only.
CIPHER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # bytes 0..31

if str(PYES) not in sys.path:
    sys.path.insert(0, str(PYES))

import eventsourcing.domain  # noqa: E402
from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402
from eventsourcing.interface import NotificationLogJSONService  # noqa: E402


class Dog(Aggregate):
    """The fixtures' aggregate; topics are 'make_fixtures:Dog.*'."""

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(FIXTURE_NAMESPACE, f"dog/{name}")

    def __init__(self, name: str) -> None:
        self.name = name
        self.tricks: list[str] = []

    @event("TrickAdded")
    def add_trick(self, trick: str) -> None:
        self.tricks.append(trick)

    # A non-ASCII event class name: its topic is written as "Renomm\u00e9".
    @event("Renommé")
    def rename(self, name: str) -> None:
        self.name = name


class DogSchool(Application):
    def register_dog(self, name: str) -> UUID:
        dog = Dog(name)
        self.save(dog)
        return dog.id

    def add_trick(self, dog_id: UUID, trick: str) -> None:
        dog = self.repository.get(dog_id)
        dog.add_trick(trick)
        self.save(dog)

    def rename(self, dog_id: UUID, name: str) -> None:
        dog = self.repository.get(dog_id)
        dog.rename(name)
        self.save(dog)


def fix_clock() -> None:
    """Every event's timestamp: 2024-01-01T00:00:00Z plus one second per event."""
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    counter = {"n": 0}

    def now() -> datetime:
        t = start + timedelta(seconds=counter["n"])
        counter["n"] += 1
        return t

    eventsourcing.domain.create_utc_datetime_now = now


def import_cipher():
    """The library's AESCipher, with nonces from a counter; None without PyCryptodome."""
    try:
        importlib.import_module("Crypto.Cipher._mode_gcm")
    except ImportError:
        try:
            # Debian ships PyCryptodome as 'Cryptodome': alias the modules the cipher uses.
            for name in ("", ".Cipher", ".Cipher.AES", ".Cipher._mode_gcm"):
                sys.modules["Crypto" + name] = importlib.import_module("Cryptodome" + name)
        except ImportError:
            return None
    from eventsourcing.cipher import AESCipher

    counter = {"n": 0}

    def random_bytes(num_bytes: int) -> bytes:
        counter["n"] += 1
        return counter["n"].to_bytes(num_bytes, "big")

    AESCipher.random_bytes = staticmethod(random_bytes)
    return AESCipher


def supports_inclusive_of_start(service: NotificationLogJSONService) -> bool:
    params = inspect.signature(service.get_notifications).parameters
    return "inclusive_of_start" in params


def library_description() -> dict:
    version = "unknown"
    text = (PYES / "pyproject.toml").read_text(encoding="utf8")
    for line in text.splitlines():
        if line.startswith("version"):
            version = line.split("=", 1)[1].strip().strip('"')
            break
    commit = os.environ.get("PYEVENTSOURCING_COMMIT", "")
    if not commit:
        try:
            commit = subprocess.run(
                ["git", "-C", str(PYES), "rev-parse", "HEAD"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit = "unknown"
    return {"version": version, "commit": commit}


def populate_plain(app: DogSchool) -> list[dict]:
    """Twelve events: notification ids 1..12."""
    fido = app.register_dog("Fido")  # 1
    rex = app.register_dog("Rex")  # 2
    app.add_trick(fido, "roll over")  # 3
    app.add_trick(rex, "fetch")  # 4
    zoe = app.register_dog("Zoë")  # 5
    app.add_trick(fido, "play dead")  # 6
    app.add_trick(zoe, "sauter à la corde ✓ 🐕")  # 7 (non-ASCII, one non-BMP)
    app.add_trick(rex, "sit")  # 8
    app.rename(zoe, "Zoë Ñandú")  # 9 (non-ASCII topic and state)
    app.add_trick(fido, "shake hands")  # 10
    app.add_trick(rex, "beg")  # 11
    app.add_trick(zoe, "высокий прыжок")  # 12
    return [
        {"name": "Fido", "id": str(fido)},
        {"name": "Rex", "id": str(rex)},
        {"name": "Zoë", "id": str(zoe)},
    ]


def populate_encrypted(app: DogSchool) -> list[dict]:
    """Three events: notification ids 1..3."""
    ada = app.register_dog("Ada")
    app.add_trick(ada, "encrypted ✓")
    app.add_trick(ada, "compressed " + "a" * 64)
    return [{"name": "Ada", "id": str(ada)}]


def main() -> None:
    fix_clock()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    manifest: dict = {
        "python_library": library_description(),
        "section_size": None,
        "applications": {},
        "fixtures": {},
    }

    def write(name: str, body: str, app_name: str, call: str, args: dict, note: str = "") -> None:
        (FIXTURES / name).write_bytes(body.encode("utf8"))
        entry = {"application": app_name, "call": call, "args": args}
        if note:
            entry["note"] = note
        manifest["fixtures"][name] = entry

    # The plain application: no cipher, no compressor, in memory (POPO).
    plain = DogSchool(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    manifest["section_size"] = plain.notification_log.section_size
    dogs = populate_plain(plain)
    manifest["applications"]["plain"] = {
        "env": {},
        "aggregates": dogs,
        "notifications": 12,
        "clock": "2024-01-01T00:00:00+00:00 plus one second per event, in order",
    }
    service = NotificationLogJSONService(plain)

    for section_id, name, note in [
        ("1,10", "section_1_10.json", "full: next_id '11,20'"),
        ("1,5", "section_1_5.json", "full, narrower than the section size: next_id '6,10'"),
        ("6,10", "section_6_10.json", "full"),
        ("11,20", "section_11_20.json", "partial: id '11,12', next_id null"),
        ("21,30", "section_21_30.json", "empty past the end: id null, next_id null"),
        ("1,100", "section_1_100.json", "wider than the section size: capped at 10"),
        ("0,4", "section_0_4.json", "start below 1 is read as 1; the limit stays last-first+1"),
    ]:
        write(name, service.get_log_section(section_id), "plain", "get_log_section",
              {"section_id": section_id}, note)

    write("notifications_1_10.json", service.get_notifications(start=1, limit=10),
          "plain", "get_notifications", {"start": 1, "limit": 10})
    write("notifications_11_10.json", service.get_notifications(start=11, limit=10),
          "plain", "get_notifications", {"start": 11, "limit": 10}, "partial: 11 and 12")
    write("notifications_21_10.json", service.get_notifications(start=21, limit=10),
          "plain", "get_notifications", {"start": 21, "limit": 10}, "empty: []")
    trick = "make_fixtures:Dog.TrickAdded"
    renamed = "make_fixtures:Dog.Renommé"
    write("notifications_1_10_topics_trick.json",
          service.get_notifications(start=1, limit=10, topics=[trick]),
          "plain", "get_notifications", {"start": 1, "limit": 10, "topics": [trick]})
    write("notifications_7_3_topics_trick_renamed.json",
          service.get_notifications(start=7, limit=3, topics=[trick, renamed]),
          "plain", "get_notifications", {"start": 7, "limit": 3, "topics": [trick, renamed]},
          "7, 9 (Renomm\\u00e9) and 10")

    # inclusive_of_start=False: later Python versions (9.4+) take it; this one may not.
    args = {"start": 3, "limit": 5, "inclusive_of_start": False}
    if supports_inclusive_of_start(service):
        body = service.get_notifications(start=3, limit=5, inclusive_of_start=False)
        note = "written by the library's own inclusive_of_start=False"
    else:
        # Without gaps in the ids, 'after 3' is 'from 4', and the serialisation is the same code.
        body = service.get_notifications(start=4, limit=5)
        note = ("this library version has no inclusive_of_start: written as start=4 "
                "(the same notifications, serialised by the same code)")
    write("notifications_3_5_exclusive.json", body, "plain", "get_notifications", args, note)

    # The encrypted and compressed application.
    aes = import_cipher()
    if aes is None:
        print("PyCryptodome not found: the encrypted fixtures are left as they are",
              file=sys.stderr)
        old = FIXTURES / "manifest.json"
        if old.exists():
            previous = json.loads(old.read_text(encoding="utf8"))
            for key, value in previous["fixtures"].items():
                if value["application"] == "encrypted":
                    manifest["fixtures"][key] = value
            if "encrypted" in previous["applications"]:
                manifest["applications"]["encrypted"] = previous["applications"]["encrypted"]
    else:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "CIPHER_TOPIC": "eventsourcing.cipher:AESCipher",
            "CIPHER_KEY": CIPHER_KEY,
            "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor",
        }
        encrypted = DogSchool(env=env)
        dogs = populate_encrypted(encrypted)
        manifest["applications"]["encrypted"] = {
            "env": {k: v for k, v in env.items() if k != "PERSISTENCE_MODULE"},
            "aggregates": dogs,
            "notifications": 3,
            "state": "zlib.compress(json) then AES-256-GCM: nonce(12) + tag(16) + ciphertext",
            "nonces": "counter: 1, 2, 3 as 12-byte big-endian (fixtures only)",
            "clock": "continues the plain application's clock (13th second onwards)",
        }
        mapper = encrypted.mapper
        manifest["applications"]["encrypted"]["plaintext_states"] = [
            mapper.compressor.decompress(mapper.cipher.decrypt(n.state)).decode("utf8")
            for n in encrypted.notification_log.select(start=1, limit=10)
        ]
        enc_service = NotificationLogJSONService(encrypted)
        write("encrypted_section_1_10.json", enc_service.get_log_section("1,10"),
              "encrypted", "get_log_section", {"section_id": "1,10"}, "partial: 3 items")
        write("encrypted_notifications_1_10.json",
              enc_service.get_notifications(start=1, limit=10),
              "encrypted", "get_notifications", {"start": 1, "limit": 10})

    manifest["fixtures"] = dict(sorted(manifest["fixtures"].items()))
    (FIXTURES / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf8"
    )
    for name in manifest["fixtures"]:
        print(name)


if __name__ == "__main__":
    # Import this file as 'make_fixtures' so that topics read 'make_fixtures:Dog.…'.
    sys.path.insert(0, str(HERE))
    importlib.import_module("make_fixtures").main()
