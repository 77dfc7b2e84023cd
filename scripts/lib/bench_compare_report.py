#!/usr/bin/env python3
"""The figures of scripts/bench-compare: per figure, each side's median, HEAD/BASE of the medians,
and the ratio within each pair (a BASE run and the HEAD run right after it shared the host's state).

    bench_compare_report.py RESULTS BASE_SHA HEAD_SHA JSON(0|1)

RESULTS holds one JSON object a line: {"side": "BASE"|"HEAD", "pair": N, "run": <bench logins --json>}.
A figure a run lacks (an older commit's bench, a process not measured) is left out of that run.
"""
import json
import statistics
import sys


def cpu(name):
    return lambda run: (run.get("cpu_ms_per_login") or {}).get(name)


def service_cpu(run):
    """CPU per login of the service itself: PostgreSQL + API + worker (not the emulator or bench)."""
    parts = [cpu(name)(run) for name in ("postgres", "api", "worker")]
    return None if None in parts else sum(parts)


def latency(percentile):
    return lambda run: (run.get("queue_added_latency_ms") or {}).get(percentile)


# (key in the JSON output, label in the table, how to read it from one run)
FIGURES = [
    ("logins_per_second", "logins/s", lambda run: run.get("logins_per_second")),
    ("logins_failed", "logins failed", lambda run: run.get("logins_failed")),
    ("cpu_ms_per_login.service", "CPU ms/login postgres+api+worker", service_cpu),
    ("cpu_ms_per_login.postgres", "CPU ms/login postgres", cpu("postgres")),
    ("cpu_ms_per_login.api", "CPU ms/login api", cpu("api")),
    ("cpu_ms_per_login.worker", "CPU ms/login worker", cpu("worker")),
    ("cpu_ms_per_login.emulator", "CPU ms/login emulator", cpu("emulator")),
    ("cpu_ms_per_login.bench", "CPU ms/login bench", cpu("bench")),
    ("cpu_ms_per_login.total", "CPU ms/login all processes", cpu("total")),
    ("commits_per_login", "commits per login", lambda run: run.get("commits_per_login")),
    ("queue_added_latency_ms.p50", "queue-added p50 ms", latency("p50")),
    ("queue_added_latency_ms.p99", "queue-added p99 ms", latency("p99")),
    ("api_rss_mib", "API RSS MiB", lambda run: run.get("api_rss_mib")),
    ("worker_rss_mib", "worker RSS MiB", lambda run: run.get("worker_rss_mib")),
]


def median(values):
    return statistics.median(values) if values else None


def ratio(head, base):
    return head / base if head is not None and base else None


def compare(rows, read):
    """The medians, their ratio and the paired ratios of one figure; None when no run has it."""

    def values(side, pair=None):
        found = [read(row["run"]) for row in rows if row["side"] == side and pair in (None, row["pair"])]
        return [value for value in found if value is not None]

    base, head = median(values("BASE")), median(values("HEAD"))
    if base is None and head is None:
        return None
    pairs = sorted({row["pair"] for row in rows})
    paired = [ratio(median(values("HEAD", pair)), median(values("BASE", pair))) for pair in pairs]
    paired = [value for value in paired if value is not None]
    return {
        "base_median": base,
        "head_median": head,
        "ratio": ratio(head, base),
        "paired_ratios": paired,
        "paired_ratio_median": median(paired),
    }


def text(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def main():
    path, base_sha, head_sha, as_json = sys.argv[1:5]
    with open(path) as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    if not rows:
        sys.exit("scripts/bench-compare: no run reported a JSON object")
    figures = {key: found for key, _, read in FIGURES if (found := compare(rows, read)) is not None}
    if as_json == "1":
        runs = {side: sum(row["side"] == side for row in rows) for side in ("BASE", "HEAD")}
        print(
            json.dumps(
                {
                    "base": {"commit": base_sha, "runs": runs["BASE"]},
                    "head": {"commit": head_sha, "runs": runs["HEAD"]},
                    "pairs": len({row["pair"] for row in rows}),
                    "figures": figures,
                    "runs": rows,
                }
            )
        )
        return
    print()
    print(f"BASE {base_sha}, HEAD {head_sha}: medians over the runs, HEAD/BASE, and HEAD/BASE within each pair")
    print(f"{'figure':<34} {'BASE':>10} {'HEAD':>10} {'HEAD/BASE':>10}   paired HEAD/BASE (median)")
    for key, label, _ in FIGURES:
        if key not in figures:
            continue
        figure = figures[key]
        paired = " · ".join(text(value, 3) for value in figure["paired_ratios"]) or "-"
        print(
            f"{label:<34} {text(figure['base_median']):>10} {text(figure['head_median']):>10} "
            f"{text(figure['ratio'], 3):>10}   {paired} ({text(figure['paired_ratio_median'], 3)})"
        )


if __name__ == "__main__":
    main()
