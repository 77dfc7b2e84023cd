#!/usr/bin/env python3
"""pgqueuer's side of scripts/bench-queue-peers: enqueue and burn-down of no-op jobs.

    python pgqueuer_bench.py --dsn DSN --jobs N --enqueue-clients K --batch-size B \
        [--concurrency C] [--json]

Run in the private virtual environment scripts/bench-queue-peers makes (pgqueuer 1.6.0, asyncpg,
uvloop), against a database where `pgq install` has put pgqueuer's schema. One run:

1. Empties pgqueuer's queue, log and statistics tables (each run starts from nothing).
2. Enqueue: N jobs for the entrypoint "noop" with a small payload, one `Queries.enqueue(...)` per
   job (one statement, so one transaction and one commit per job) from K concurrent clients over
   an asyncpg pool of K connections. Enqueue jobs/s = N / the wall time of the N calls.
3. Burn-down: C QueueManagers, each on its own connection, with a "noop" entrypoint that does
   nothing, run in drain mode with batch_size=B: pgqueuer's own tools/benchmark.py (its drain
   strategy: `--dequeue` QueueManagers, default 5, each `run(batch_size=..., mode=drain)`, under
   uvloop). Burn-down jobs/s = N / (the last 'successful' row's time - the first 'picked' row's
   time) in pgqueuer's log table, both now() of the statement that wrote them, so the database's
   clock. Once every job is done (handler called N times and the queue table empty) the managers
   are told to shut down and awaited; the in-process time from the managers' start to the N-th
   handler call is reported too (burn_down_wall_s), for comparison.
4. Checks all N jobs were logged 'successful', empties the tables again.

Prints one JSON object with --json, else one line. Progress and pgqueuer's own logging go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dsn", required=True, help="asyncpg DSN, e.g. postgresql://u@/db?host=/socket/dir")
    parser.add_argument("--jobs", type=int, default=20_000, help="jobs per run (N)")
    parser.add_argument("--enqueue-clients", type=int, default=8, help="concurrent enqueueing clients (K)")
    parser.add_argument("--batch-size", type=int, default=10, help="QueueManager.run(batch_size=B)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=5,
        help="QueueManagers, each on its own connection (pgqueuer's tools/benchmark.py --dequeue; default 5 as there)",
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds per phase")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    for name in ("jobs", "enqueue_clients", "batch_size", "concurrency"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def log(message: str) -> None:
    print(f"pgqueuer_bench: {message}", file=sys.stderr, flush=True)


async def empty_tables(queries) -> None:  # noqa: ANN001 - pgqueuer.Queries
    await queries.clear_queue()
    await queries.clear_queue_log()
    await queries.clear_statistics_log()


async def enqueue_phase(args: argparse.Namespace) -> float:
    """N single-job enqueues from K clients; returns the wall time in seconds."""
    import asyncpg
    from pgqueuer import AsyncpgPoolDriver, Queries

    pool = await asyncpg.create_pool(dsn=args.dsn, min_size=args.enqueue_clients, max_size=args.enqueue_clients)
    try:
        queries = Queries(AsyncpgPoolDriver(pool))
        numbers = itertools.count()

        async def client() -> None:
            while (n := next(numbers)) < args.jobs:
                await queries.enqueue("noop", b'{"n":%d}' % n)

        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(client() for _ in range(args.enqueue_clients))), args.timeout)
        return time.perf_counter() - started
    finally:
        await pool.close()


async def burn_down_phase(args: argparse.Namespace, admin) -> float:  # noqa: ANN001 - asyncpg.Connection
    """Drains the queue with C QueueManagers; returns the in-process seconds to the N-th handler call."""
    import asyncpg
    from pgqueuer import AsyncpgDriver, Queries, QueueManager
    from pgqueuer.models import Job
    from pgqueuer.types import QueueExecutionMode

    seen: set[int] = set()
    all_done = asyncio.Event()
    finished_at: list[float] = []

    async def noop(job: Job) -> None:
        seen.add(job.id)
        if len(seen) >= args.jobs and not all_done.is_set():
            finished_at.append(time.perf_counter())
            all_done.set()

    connections = [await asyncpg.connect(dsn=args.dsn) for _ in range(args.concurrency)]
    managers = []
    for connection in connections:
        manager = QueueManager(Queries(AsyncpgDriver(connection)))
        manager.entrypoint("noop")(noop)
        managers.append(manager)
    queue_table = managers[0].queries.qbq.qualified.queue_table

    started = time.perf_counter()
    runs = [
        asyncio.create_task(manager.run(batch_size=args.batch_size, mode=QueueExecutionMode.drain))
        for manager in managers
    ]
    try:
        done_waiter = asyncio.create_task(all_done.wait())
        pending = set(runs) | {done_waiter}
        deadline = started + args.timeout
        # Until every job has run, or every manager has stopped (drain mode), failing fast on an error.
        while not all_done.is_set() and any(not run.done() for run in runs):
            finished, pending = await asyncio.wait(
                pending, timeout=max(0.0, deadline - time.perf_counter()), return_when=asyncio.FIRST_COMPLETED
            )
            if not finished:
                raise TimeoutError(f"burn-down: {len(seen)} of {args.jobs} jobs ran in {args.timeout:.0f} s")
            for task in finished:
                if task is not done_waiter and task.exception() is not None:
                    raise task.exception()
        done_waiter.cancel()
        if not all_done.is_set():
            raise RuntimeError(f"burn-down: the managers stopped after {len(seen)} of {args.jobs} jobs")
        # The handler has run for every job; wait for the completions to be written (the queue
        # table empties as each batch of statuses is logged), then stop the managers cleanly.
        while await admin.fetchval(f"SELECT count(*) FROM {queue_table}") > 0:
            if time.perf_counter() > deadline:
                raise TimeoutError("burn-down: the queue table did not empty")
            await asyncio.sleep(0.02)
    finally:
        for manager in managers:
            manager.shutdown.set()
        results = await asyncio.wait_for(asyncio.gather(*runs, return_exceptions=True), 60)
        for connection in connections:
            await connection.close()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return finished_at[0] - started


async def run(args: argparse.Namespace) -> dict:
    import asyncpg
    import pgqueuer
    from pgqueuer import AsyncpgDriver, Queries

    admin = await asyncpg.connect(dsn=args.dsn)
    try:
        queries = Queries(AsyncpgDriver(admin))
        names = queries.qbq.qualified
        await empty_tables(queries)

        log(f"enqueue: {args.jobs} jobs, one per transaction, from {args.enqueue_clients} clients")
        enqueue_s = await enqueue_phase(args)
        queued = await admin.fetchval(f"SELECT count(*) FROM {names.queue_table} WHERE status = 'queued'")
        if queued != args.jobs:
            raise RuntimeError(f"enqueue: {queued} jobs queued, not {args.jobs}")

        log(f"burn-down: {args.concurrency} QueueManagers, batch_size={args.batch_size}, drain mode")
        wall_s = await burn_down_phase(args, admin)

        row = await admin.fetchrow(
            f"""SELECT count(*) FILTER (WHERE status = 'successful') AS successful,
                       count(*) FILTER (WHERE status NOT IN ('queued', 'picked', 'successful')) AS other,
                       extract(epoch FROM max(created) FILTER (WHERE status = 'successful')
                                         - min(created) FILTER (WHERE status = 'picked'))::float8 AS seconds
                FROM {names.queue_table_log}"""
        )
        if row["successful"] != args.jobs or row["other"] != 0:
            raise RuntimeError(f"burn-down: {row['successful']} jobs successful, {row['other']} otherwise, of {args.jobs}")
        burn_down_s = row["seconds"]
        await empty_tables(queries)
    finally:
        await admin.close()

    return {
        "system": "pgqueuer",
        "version": pgqueuer.__version__,
        "jobs": args.jobs,
        "enqueue_clients": args.enqueue_clients,
        "batch_size": args.batch_size,
        "concurrency": args.concurrency,
        "enqueue_jobs_per_s": round(args.jobs / enqueue_s, 1),
        "burn_down_jobs_per_s": round(args.jobs / burn_down_s, 1),
        "enqueue_s": round(enqueue_s, 3),
        "burn_down_s": round(burn_down_s, 3),
        "burn_down_wall_s": round(wall_s, 3),
        "asyncpg": asyncpg.__version__,
        "loop": LOOP,
    }


LOOP = "asyncio"


def main() -> None:
    global LOOP
    args = parse_args()
    try:
        import uvloop  # pgqueuer's own benchmark runs under uvloop (a dependency of pgqueuer 1.6.0)
    except ImportError:
        uvloop = None
    if uvloop is not None:
        LOOP = "uvloop"
        result = uvloop.run(run(args))
    else:
        result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"pgqueuer {result['version']}: {result['jobs']} jobs, enqueue {result['enqueue_jobs_per_s']:.0f} jobs/s "
            f"({result['enqueue_clients']} clients), burn-down {result['burn_down_jobs_per_s']:.0f} jobs/s "
            f"(batch_size {result['batch_size']}, {result['concurrency']} QueueManagers; "
            f"{result['burn_down_wall_s']:.2f} s in process, {result['burn_down_s']:.2f} s by the log table)"
        )


if __name__ == "__main__":
    main()
