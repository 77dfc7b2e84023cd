#!/usr/bin/env python3
"""The load of scripts/scale-out: N Kakao logins spread over several API processes, as browsers.

Each login is what a frontend does: POST /auth/kakao/start on one API, have the emulator mint a
code for a test user (as if the user consented: POST /_emulator/codes on the emulator's loopback
address), POST /auth/kakao/login with the code on that API, then long-poll
GET /auth/kakao/login/{id}?wait=25 until it ends. Every third login polls the *other* API than the
one that took the code, so its answer has to cross API processes (the completing worker's NOTIFY
reaches that API's LISTEN connection).

Logins start at a fixed rate (open loop), so the run lasts long enough to cut a worker's network
in the middle of it; after each started login the count goes to --progress, which the script
watches. Writes one JSON object with every login's outcome and the emulator's counters to --out.
Only the standard library: it runs inside a network namespace with nothing installed.
"""

import argparse
import concurrent.futures
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


def call(method, url, body=None, headers=None, timeout=40):
    """One HTTP request with a JSON body; returns (status, parsed JSON or {})."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text or b"{}")
        except ValueError:
            return error.code, {"raw": text.decode(errors="replace")[:200]}


def one_login(index, apis, emulator, cross_every):
    """Runs login number `index`; returns a record of what happened, with its duration."""
    started = time.monotonic()
    record = attempt_login(index, apis, emulator, cross_every)
    record["total_seconds"] = round(time.monotonic() - started, 3)
    return record


def attempt_login(index, apis, emulator, cross_every):
    """The four requests of one login (see the module's description)."""
    post_api = apis[index % len(apis)]
    crosses = cross_every > 0 and index % cross_every == 0
    poll_api = apis[(index + 1) % len(apis)] if crosses else post_api
    record = {"index": index, "post_api": post_api, "poll_api": poll_api, "crossed": crosses}
    try:
        status, attempt = call("POST", post_api + "/auth/kakao/start", {})
        if status != 200:
            return {**record, "status": "error", "error": f"start {status} {attempt}"}
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(attempt["authorize_url"]).query))
        status, minted = call(
            "POST",
            emulator + "/_emulator/codes",
            {
                "client_id": query["client_id"],
                "redirect_uri": query["redirect_uri"],
                "user_id": 700000 + index,
                "scope": query.get("scope", "openid"),
                "code_challenge": query["code_challenge"],
                "code_challenge_method": "S256",
                "nonce": query.get("nonce", ""),
            },
        )
        if status != 200:
            return {**record, "status": "error", "error": f"emulator codes {status}"}
        binding = {"X-Login-Attempt": attempt["attempt_token"]}
        status, posted = call(
            "POST", post_api + "/auth/kakao/login", {"code": minted["code"], "state": attempt["state"]}, binding
        )
        if status != 202:
            return {**record, "status": "error", "error": f"login {status} {posted}"}
        record["login_id"] = posted["login_id"]
        posted_at = time.monotonic()
        while time.monotonic() - posted_at < 180:
            status, answer = call("GET", poll_api + f"/auth/kakao/login/{posted['login_id']}?wait=25", None, binding)
            if status == 200 and answer.get("status") == "pending":
                continue
            record["answer_seconds"] = round(time.monotonic() - posted_at, 3)
            if status == 200 and answer.get("status") == "succeeded" and answer.get("access_token"):
                return {**record, "status": "succeeded"}
            code = (answer.get("error") or {}).get("code", f"http_{status}")
            return {**record, "status": "failed", "failure_code": code}
        return {**record, "status": "error", "error": "still pending after 180 s"}
    except Exception as error:  # a dropped connection, a timeout: recorded, never fatal to the run
        return {**record, "status": "error", "error": repr(error)[:200]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", action="append", required=True, help="an API's base URL (repeat)")
    parser.add_argument("--emulator", required=True, help="the emulator's loopback base URL")
    parser.add_argument("--logins", type=int, default=300)
    parser.add_argument("--rate", type=float, default=25.0, help="logins started per second")
    parser.add_argument("--cross-every", type=int, default=3, help="every Nth login polls the other API")
    parser.add_argument("--progress", required=True, help="file that holds how many logins were started")
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()

    records = []
    lock = threading.Lock()
    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=128) as pool:
        futures = []
        for index in range(arguments.logins):
            # Open loop: login i starts at i / rate seconds, whatever the answers do.
            delay = began + index / arguments.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(one_login, index, arguments.api, arguments.emulator, arguments.cross_every))
            with open(arguments.progress, "w") as progress:
                progress.write(str(index + 1))
        for future in concurrent.futures.as_completed(futures):
            with lock:
                records.append(future.result())
    _, stats = call("GET", arguments.emulator + "/_emulator/stats")
    summary = {"seconds": round(time.monotonic() - began, 1), "logins": sorted(records, key=lambda r: r["index"]), "emulator": stats}
    with open(arguments.out, "w") as out:
        json.dump(summary, out)


if __name__ == "__main__":
    main()
