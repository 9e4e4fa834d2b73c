"""The systems workload of `npm run bench` (issue 13) on the Python library's runners.

A leader (the W1 dog school) takes W1 commands while a process application turns each of its
events into one event of its own (a new `Relayed` aggregate carrying the leader's notification
id and when the policy ran). Per run, on fresh storage: the dogs are registered (untimed) and
the follower catches up; then W1's rounds of commands (get + add_trick + save, one at a time)
are timed, and the run waits until the follower's tracking reaches the leader's last
notification id. The figures are those of bench/system.ts: leader_command_per_s,
processed_per_s, and the lag from the leader's commit (stamped in `_notify`, which runs after
the commit and before the followers are prompted) to the follower's policy, p50 and p99.

Runs: SingleThreadedRunner on POPO, MultiThreadedRunner on SQLite and PostgreSQL, 1 in flight.
Prints one JSON array on stdout, progress on stderr.

    PYTHONPATH=/tmp/pyes /usr/bin/python3 bench/python/system_bench.py --dogs 2000 --tricks 4

The library's source is not part of this repository: fetch it (github.com/pyeventsourcing/
eventsourcing) into PYTHONPATH; PostgreSQL needs Debian's python3-psycopg and
python3-psycopg-pool. POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and
POSTGRES_DBNAME say where PostgreSQL is (default 127.0.0.1:5432, user postgres, database test).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from typing import Any, Dict, List

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.system import (
    MultiThreadedRunner,
    ProcessApplication,
    Runner,
    SingleThreadedRunner,
    System,
)

import eventsourcing

LIBRARY = getattr(eventsourcing, "__version__", "unknown")

def _accept_pool_check_none() -> None:
    """Lets the library's PostgreSQL module run on Debian 12's psycopg_pool 3.1.

    The library passes `check=None` to `ConnectionPool` (a callback only when POSTGRES_PRE_PING
    is set, which this benchmark does not set); pools before 3.2 have no `check` argument.
    Dropping a `None` changes nothing the library does.
    """
    import inspect

    import psycopg_pool

    base = psycopg_pool.ConnectionPool
    if "check" in inspect.signature(base.__init__).parameters:
        return

    class ConnectionPool(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, check: Any = None, **kwargs: Any) -> None:
            if check is not None:
                raise TypeError("psycopg_pool < 3.2 has no 'check' (POSTGRES_PRE_PING)")
            super().__init__(*args, **kwargs)

    psycopg_pool.ConnectionPool = ConnectionPool  # type: ignore[misc]


POLL_S = 0.001
TIMEOUT_S = 600.0


def log(message: str) -> None:
    print(f"[bench python] {message}", file=sys.stderr, flush=True)


class Dog(Aggregate):
    @event("Registered")
    def __init__(self, name: str) -> None:
        self.name = name
        self.tricks: List[str] = []

    @event("TrickAdded")
    def add_trick(self, trick: str) -> None:
        self.tricks.append(trick)


class PyBenchSchool(Application):
    """The leader: W1's commands, noting when each notification was committed."""

    committed: Dict[int, float] = {}

    def register_dog(self, name: str) -> Any:
        dog = Dog(name)
        self.save(dog)
        return dog.id

    def add_trick(self, dog_id: Any, trick: str) -> None:
        dog: Dog = self.repository.get(dog_id)
        dog.add_trick(trick)
        self.save(dog)

    def _notify(self, recordings: List[Any]) -> None:
        now = time.time()
        for recording in recordings:
            PyBenchSchool.committed[recording.notification.id] = now
        super()._notify(recordings)


class Relayed(Aggregate):
    """The follower's aggregate: one per leader event."""

    def __init__(
        self,
        upstream_id: Any,
        upstream_version: int,
        notification_id: int,
        processed_at: float,
    ) -> None:
        self.upstream_id = upstream_id
        self.upstream_version = upstream_version
        self.notification_id = notification_id
        self.processed_at = processed_at


class PyBenchRelay(ProcessApplication):
    """The process application: one `Relayed` per leader event."""

    def policy(self, domain_event: Any, processing_event: Any) -> None:
        processing_event.collect_events(
            Relayed(
                domain_event.originator_id,
                domain_event.originator_version,
                processing_event.tracking.notification_id,
                time.time(),
            )
        )


def percentile(values: List[float], p: float) -> float:
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[min(len(ordered), max(1, rank)) - 1]


def wait_for_follower(follower: Any, leader_name: str, notification_id: int) -> None:
    deadline = time.perf_counter() + TIMEOUT_S
    while not follower.recorder.has_tracking_id(leader_name, notification_id):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the follower did not process {notification_id} in time")
        time.sleep(POLL_S)


def lags_of(follower: Any, after: int, expected: int) -> List[float]:
    processed_at: Dict[int, float] = {}
    count = 0
    start = 1
    while True:
        page = follower.recorder.select_notifications(start=start, limit=1000)
        if not page:
            break
        for notification in page:
            relayed = follower.mapper.to_domain_event(notification)
            processed_at[relayed.notification_id] = relayed.processed_at
            count += 1
        start = page[-1].id + 1
    if count != expected or len(processed_at) != expected:
        raise AssertionError(
            f"the follower made {count} events for {len(processed_at)} leader events, "
            f"expected {expected}"
        )
    return [
        (processed_at[i] - committed) * 1000
        for i, committed in PyBenchSchool.committed.items()
        if i > after
    ]


def pg_env() -> Dict[str, str]:
    return {
        "POSTGRES_HOST": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
        "POSTGRES_PORT": os.environ.get("POSTGRES_PORT", "5432"),
        "POSTGRES_USER": os.environ.get("POSTGRES_USER", "postgres"),
        # The library requires one; a trust-authenticated server ignores it.
        "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD") or "postgres",
        "POSTGRES_DBNAME": os.environ.get("POSTGRES_DBNAME", "test"),
    }


def drop_pg_tables() -> None:
    import psycopg

    e = pg_env()
    with psycopg.connect(
        host=e["POSTGRES_HOST"],
        port=e["POSTGRES_PORT"],
        user=e["POSTGRES_USER"],
        password=e["POSTGRES_PASSWORD"],
        dbname=e["POSTGRES_DBNAME"],
        autocommit=True,
    ) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND starts_with(tablename, 'pybench')"
        ).fetchall()
        for (name,) in rows:
            conn.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')


def measure(runner_cls: type, backend: str, dogs: int, tricks: int) -> Dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="eventsourcing-pybench-")
    env: Dict[str, str] = {}
    if backend == "memory":
        env["PERSISTENCE_MODULE"] = "eventsourcing.popo"
    elif backend == "sqlite":
        env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
        for name in ("PYBENCHSCHOOL", "PYBENCHRELAY"):
            env[f"{name}_SQLITE_DBNAME"] = os.path.join(tmp, f"{name}.db")
    else:
        _accept_pool_check_none()
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
        env.update(pg_env())
        drop_pg_tables()
    PyBenchSchool.committed = {}
    runner: Runner = runner_cls(System(pipes=[[PyBenchSchool, PyBenchRelay]]), env=env)
    runner.start()
    try:
        leader = runner.get(PyBenchSchool)
        follower = runner.get(PyBenchRelay)
        ids = [leader.register_dog(f"dog-{i}") for i in range(dogs)]
        registered = leader.recorder.max_notification_id() or 0
        wait_for_follower(follower, leader.name, registered)
        commands = dogs * tricks
        started = time.perf_counter()
        for round_ in range(tricks):
            for dog_id in ids:
                leader.add_trick(dog_id, f"trick-{round_}")
        commanded = time.perf_counter()
        last = leader.recorder.max_notification_id()
        wait_for_follower(follower, leader.name, last)
        caught_up = time.perf_counter()
        lags = lags_of(follower, registered, dogs * (tricks + 1))
    finally:
        runner.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        if backend == "postgres":
            drop_pg_tables()
    return {
        "runner": runner_cls.__name__,
        "backend": backend,
        "inFlight": 1,
        "commands": commands,
        "leader_command_per_s": commands / (commanded - started),
        "processed_per_s": commands / (caught_up - started),
        "lag_p50_ms": percentile(lags, 50),
        "lag_p99_ms": percentile(lags, 99),
        "library": f"eventsourcing {LIBRARY} (Python {sys.version.split()[0]})",
    }


RUNS = [
    (SingleThreadedRunner, "memory"),
    (MultiThreadedRunner, "sqlite"),
    (MultiThreadedRunner, "postgres"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dogs", type=int, default=2000)
    parser.add_argument("--tricks", type=int, default=4)
    parser.add_argument("--backends", default="memory,sqlite,postgres")
    args = parser.parse_args()
    backends = args.backends.split(",")
    results = []
    for runner_cls, backend in RUNS:
        if backend not in backends:
            continue
        label = f"{runner_cls.__name__} {backend}"
        # An unreported warm-up pass, as the TypeScript side has.
        measure(runner_cls, backend, min(args.dogs, 200), 2)
        figures = measure(runner_cls, backend, args.dogs, args.tricks)
        log(
            f"{label}: leader {figures['leader_command_per_s']:,.0f}/s, processed "
            f"{figures['processed_per_s']:,.0f}/s, lag p50 {figures['lag_p50_ms']:.2f} ms, "
            f"p99 {figures['lag_p99_ms']:.2f} ms"
        )
        results.append(figures)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
