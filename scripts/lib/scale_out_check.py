#!/usr/bin/env python3
"""The checks and the summary of scripts/scale-out, from what it collected (environment variables
named below, set by the script). Prints one line per figure and per check; exits 1 if a check
failed."""

import json
import os
import statistics

result = json.load(open(os.environ["RESULT"]))
logins = result["logins"]
emulator = result["emulator"]
netns = os.environ["NETNS"] == "1"
w3 = os.environ["W3_ID"]
api1, api2 = os.environ["API1"], os.environ["API2"]

# Jobs kl-w3 held when its network was cut: login_id, stage, whether the code had been sent.
held = {}
for line in open(os.environ["HELD"]).read().split("\n"):
    if line.strip():
        job_id, stage, sent = line.split()
        held[job_id] = (stage, sent == "true")
in_exchange = {job for job, (stage, sent) in held.items() if stage == "exchange" and sent}

jobs = {}
for line in os.environ["JOB_STATES"].split("\n"):
    if line.strip():
        login_id, state, failure, attempt = line.split()
        jobs[login_id] = {"state": state, "failure": failure, "attempt": int(attempt)}

workers = []
for line in os.environ["JOBS_BY_WORKER"].split("\n"):
    if line.strip():
        name, finished = line.split()
        workers.append((name, int(float(finished))))

failures = []


def check(ok, text):
    print(f"  {'✓' if ok else '✗'} {text}")
    if not ok:
        failures.append(text)


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


succeeded = [r for r in logins if r["status"] == "succeeded"]
# The one failure the rules allow: kl-w3 had sent the code when its network went, Kakao spent it,
# the answer was lost; the worker that took over presented it again and Kakao refused it.
excused = [
    r for r in logins
    if r["status"] == "failed" and r.get("failure_code") == "exchange_interrupted" and r.get("login_id") in in_exchange
]
unexplained = [r for r in logins if r["status"] != "succeeded" and r not in excused]
crossed = [r for r in logins if r["crossed"]]
same = [r for r in logins if not r["crossed"] and "answer_seconds" in r]

print(f"scale-out: {len(logins)} logins in {os.environ['ELAPSED']} s over 2 APIs and 3 workers "
      f"({'network namespaces' if netns else 'processes on one host, no namespaces'})")
print(f"  posted to api1 {sum(r['post_api'] == api1 for r in logins)}, api2 (via PgBouncer) "
      f"{sum(r['post_api'] == api2 for r in logins)}; long-polled on the other API: {len(crossed)}")
print(f"  answer after the POST, same API: p50 {percentile([r['answer_seconds'] for r in same], 50):.3f} s, "
      f"p95 {percentile([r['answer_seconds'] for r in same], 95):.3f} s; crossed: p50 "
      f"{percentile([r['answer_seconds'] for r in crossed if 'answer_seconds' in r], 50):.3f} s, p95 "
      f"{percentile([r['answer_seconds'] for r in crossed if 'answer_seconds' in r], 95):.3f} s")
for name, finished in workers:
    print(f"  worker {name}: finished {finished} job(s) (its login_jobs_total)")
print(f"  jobs that needed a second attempt: {sum(j['attempt'] > 1 for j in jobs.values())}")
print(f"  kl-w3 held {len(held)} running job(s) at the cut ({len(in_exchange)} with the code sent); "
      f"taken over {os.environ['RESCUED_AFTER']} s after the cut")
print(f"  emulator: {emulator.get('token_requests_total')} token requests, "
      f"codes_presented_more_than_once {emulator.get('codes_presented_more_than_once')}, "
      f"codes_rejected_total {emulator.get('codes_rejected_total')}")
print(f"  PgBouncer: {os.environ['PGBOUNCER_LOGINS']} client connection(s) to kakao_login")
print(f"  outcomes: {len(succeeded)} succeeded, {len(excused)} exchange_interrupted (code in flight on kl-w3 at the cut), "
      f"{len(unexplained)} other")
for r in unexplained[:10]:
    print(f"    login {r['index']}: {r['status']} {r.get('failure_code') or r.get('error')}")

print("checks:")
check(not unexplained, "every login succeeded, or failed exchange_interrupted because its code was in flight on kl-w3 at the cut")
# A code is presented again only when kl-w3 had sent it and its outcome was unknown: by the worker
# that took the job over, or by kl-w3's own request, delivered late when its link came back (TCP
# retransmits what it had accepted), whose answer kl-w3 could not record (the job is no longer its).
check(
    len(excused) <= emulator.get("codes_presented_more_than_once", -1) <= len(in_exchange),
    f"codes presented more than once ({emulator.get('codes_presented_more_than_once')}) are only codes kl-w3 "
    f"had sent when its network went ({len(in_exchange)})",
)
check(all(r["status"] == "succeeded" or r in excused for r in crossed) and len(crossed) > 0,
      "long-polls on the other API were answered (NOTIFY crossed API processes)")
check(sum(r["post_api"] == api1 for r in logins) > 0 and sum(r["post_api"] == api2 for r in logins) > 0,
      "both APIs took logins, api2 through PgBouncer")
check(int(os.environ["PGBOUNCER_LOGINS"]) > 0, "PgBouncer carried connections")
check(len(workers) == 3 and all(finished > 0 for _, finished in workers), "all three workers finished jobs")
check(len(held) > 0, "kl-w3 held running jobs when its network was cut")
check(
    os.environ["RESCUED"] == "1" and all(jobs[j]["state"] in ("succeeded", "failed") and jobs[j]["attempt"] > 1 for j in held),
    "every job kl-w3 held was taken over (lease expired) and finished by another worker",
)
check(all(j["state"] in ("succeeded", "failed") for j in jobs.values()) and len(jobs) == len(logins),
      "every login is one job, and none is left queued or running")

if failures:
    print(f"scale-out: FAILED ({len(failures)} check(s))")
    raise SystemExit(1)
print("scale-out: passed")
