#!/usr/bin/env python3
"""The report of scripts/profile-logins: where a login's CPU goes, per process, from what
`scripts/bench-logins --perf RAW` wrote for each run (RAW/runN-PROVIDER.*).

    profile_report.py RAW OUT TOP

perf recorded the whole machine (`perf record -a -g`) during the bench's measured window; each
sample is told apart here by its process: PostgreSQL (the postmaster and every process under it,
backends forked during the window included), the API, the worker, the emulator, the bench, and
the rest of the machine. Per process: CPU ms per login from the bench's JSON (its /proc readings
over the same window), CPU per thread from /proc, the TOP symbols by self time (each with its
share of the process's samples and that share of its CPU ms per login), and the functions of its
own executable by inclusive time (from the call stacks).

Writes OUT/report.txt (everything) and, per run and process, OUT/RUN.ROLE.symbols.txt (every
symbol by self time), OUT/RUN.ROLE.callers.txt (the commonest call stacks above each of the
hottest symbols) and OUT/RUN.ROLE.inclusive.txt (functions by inclusive time); prints a short
summary. Swift symbols are demangled with `swift demangle --simplified`.
"""
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys

ROLES = ["postgres", "api", "worker", "emulator", "emulator-kakao-idle", "bench"]
OWN_BINARY = {"postgres": "postgres"}  # a role's own executable, when it is not kakao-login
NO_SYMBOL = "(addresses without a symbol)"
RUN_JOB = "swift::runJobInEstablishedExecutorContext"  # Swift's runtime resuming an async function
OUTSIDE_TASKS = ("", "(no Swift task on the stack: event-loop I/O, channel handlers, the runtime, "
                     "or a stack cut short in code without frame pointers)")


def caller_chain(frames):
    """Up to CALLER_DEPTH named frames above the leaf, a run of frames without a symbol shown as one."""
    chain = []
    for frame in frames[1:]:
        if frame[1] == NO_SYMBOL:
            if not chain or chain[-1] != ("", "…"):
                chain.append(("", "…"))
            continue
        chain.append(frame)
        if sum(1 for _, sym in chain if sym != "…") == CALLER_DEPTH:
            break
    return tuple(chain)
SUMMARY_TOP = 6
CALLER_DEPTH = 6
FRAME = re.compile(r"^\s+[0-9a-f]+ (.*) \((.*)\)$")


def demangler():
    """A function that demangles a list of strings (Swift symbols), and a note when it cannot."""
    for command in (["swift", "demangle", "--simplified"], ["swift-demangle", "--simplified"]):
        if shutil.which(command[0]):
            def run(lines, command=command):
                if not lines:
                    return []
                out = subprocess.run(command, input="\n".join(lines) + "\n", capture_output=True, text=True)
                result = out.stdout.split("\n")[: len(lines)]
                return result if out.returncode == 0 and len(result) == len(lines) else list(lines)
            return run, None
    return (lambda lines: list(lines)), "swift demangle not found: Swift symbols are left mangled"


def perf(args):
    return subprocess.run(["perf"] + args, capture_output=True, text=True).stdout


def read_lines(path):
    try:
        with open(path) as f:
            return [line.rstrip("\n") for line in f if line.strip()]
    except FileNotFoundError:
        return []


def fmt(value, digits=3):
    return "-" if value is None else f"{value:.{digits}f}"


def short(name, width=72):
    return name if len(name) <= width else name[: width - 1] + "…"


def thread_cpu(prefix, clock_ticks):
    """Per (role, thread name): [CPU seconds over the window, threads], from the /proc snapshots."""
    def snapshot(path):
        rows = {}
        for line in read_lines(path):
            role, pid, tid, ticks, name = (line.split(" ", 4) + [""])[:5]
            rows[(role, pid, tid)] = (int(ticks), name)
        return rows
    start, end = snapshot(prefix + ".threads-start"), snapshot(prefix + ".threads-end")
    used = collections.defaultdict(lambda: [0.0, 0])
    for key, (ticks, name) in end.items():
        before = start.get(key, (0, name))[0]  # born during the window: from zero
        entry = used[(key[0], name)]
        entry[0] += (ticks - before) / clock_ticks
        entry[1] += 1
    return used


def process_parents(data):
    """pid -> parent pid of every process perf saw (`perf report --tasks`)."""
    parents = {}
    for line in perf(["report", "-i", data, "--tasks"]).splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0].isdigit() and fields[0] == fields[1]:
            parents[fields[0]] = fields[2]
    return parents


def role_finder(pids_file, parents):
    """A function pid -> role: the servers' and the bench's own pids; PostgreSQL's processes are
    the postmaster's descendants; pid 0 is the idle CPU; anything else is the rest of the machine."""
    named, postmaster = {}, None
    for line in read_lines(pids_file):
        role, pid = line.split()
        if role == "postgres":
            postmaster = postmaster or pid  # the first postgres line is the postmaster
        named.setdefault(pid, role)
    cache = {}

    def role(pid):
        if pid not in cache:
            found, current, seen = None, pid, set()
            while current and current not in seen:
                if current == postmaster:
                    found = "postgres"
                    break
                if current in named and named[current] != "postgres":
                    found = named[current] if current == pid else None
                    break
                seen.add(current)
                current = parents.get(current)
            if found is None and named.get(pid) == "postgres":
                found = "postgres"
            cache[pid] = found or ("idle" if pid == "0" else "other")
        return cache[pid]
    return role


def read_samples(data, role):
    """Per role: Counter of samples, self (dso, sym), inclusive (dso, sym), the task code running
    (the frame a job of Swift's runtime resumed), and caller stacks per self symbol."""
    samples = collections.Counter()
    task_code = collections.defaultdict(collections.Counter)
    callees = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    self_time = collections.defaultdict(collections.Counter)
    inclusive = collections.defaultdict(collections.Counter)
    callers = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    process = subprocess.Popen(["perf", "script", "-i", data, "-F", "pid,tid,ip,sym,dso"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace")

    def flush(pid, frames):
        if pid is None:
            return
        r = role(pid)
        samples[r] += 1
        if r in ("idle", "other") or not frames:
            return
        self_time[r][frames[0]] += 1
        seen = set()
        for i, frame in enumerate(frames):
            if frame not in seen:  # the innermost call of a recursive function
                seen.add(frame)
                inclusive[r][frame] += 1
                if i > 0:
                    callees[r][frame][frames[i - 1]] += 1
        callers[r][frames[0]][caller_chain(frames)] += 1
        if r != "postgres":
            resumed = next((frames[i - 1] for i, (_, sym) in enumerate(frames) if sym == RUN_JOB and i > 0), OUTSIDE_TASKS)
            task_code[r][resumed] += 1

    pid, frames = None, []
    for line in process.stdout:
        if not line.strip():
            continue
        if not line.startswith("\t"):  # " PID/TID": a new sample; its frames follow, a tab in
            flush(pid, frames)
            pid, frames = line.split("/", 1)[0].strip(), []
            continue
        match = FRAME.match(line.rstrip("\n"))
        if match:
            sym, dso = match.group(1), os.path.basename(match.group(2))
            frames.append((dso, NO_SYMBOL if sym == "[unknown]" else sym))
    flush(pid, frames)
    process.wait()
    return samples, self_time, inclusive, task_code, callers, callees


def sampled_seconds(data):
    """Seconds from perf's first sample to its last (perf starts sampling a moment late)."""
    for line in perf(["report", "-i", data, "--header-only"]).splitlines():
        if line.startswith("# sample duration :"):
            return float(line.split(":", 1)[1].split()[0]) / 1000
    return 0.0


def changed_binaries(data):
    """The executables and libraries whose file on disk is no longer the one perf recorded (a
    rebuild during or since the run): perf cannot name their symbols."""
    changed = []
    for line in perf(["buildid-list", "-i", data]).splitlines():
        parts = line.split(" ", 1)
        if len(parts) != 2 or not parts[1].startswith("/") or not os.path.exists(parts[1]):
            continue
        notes = subprocess.run(["readelf", "-n", parts[1]], capture_output=True, text=True).stdout
        match = re.search(r"Build ID: ([0-9a-f]+)", notes)
        if match and match.group(1) != parts[0]:
            changed.append(parts[1])
    return changed


def main():
    raw, out, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    demangle, demangle_note = demangler()
    clock_ticks = os.sysconf("SC_CLK_TCK")
    report, summary = [], []
    prefixes = sorted(path[: -len(".pids")] for path in glob.glob(os.path.join(raw, "*.pids")))
    if not prefixes:
        sys.exit(f"profile_report.py: no run in {raw} (no *.pids)")
    probe_log = read_lines(os.path.join(raw, "probe.log"))
    for prefix in prefixes:
        tag = os.path.basename(prefix)
        bench = json.loads((read_lines(prefix + ".json") or ["{}"])[-1])
        cpu = bench.get("cpu_ms_per_login") or {}
        window = float((read_lines(prefix + ".window") or ["0"])[0])
        logins_per_second = bench.get("logins_per_second") or 0
        logins = logins_per_second * window  # logins in the profiled window, at the bench's rate
        roles = sorted({line.split()[0] for line in read_lines(prefix + ".pids")},
                       key=lambda r: ROLES.index(r) if r in ROLES else len(ROLES))
        threads = thread_cpu(prefix, clock_ticks)
        data = prefix + ".perf.data"
        have_perf = os.path.exists(data) and os.path.getsize(data) > 0
        if have_perf:
            role = role_finder(prefix + ".pids", process_parents(data))
            samples, self_time, inclusive, task_code, callers, callees = read_samples(data, role)
            have_perf = sum(samples.values()) > 0
        sampled = sampled_seconds(data) if have_perf else 0.0

        head = (f"{tag}: {bench.get('logins_per_second')} logins/s, {bench.get('logins_failed')} failed; "
                f"profiled window {window:.1f} s ≈ {logins:.0f} logins" + (f" (perf sampled {sampled:.1f} s of it)" if have_perf else ""))
        report += [head, "=" * len(head), ""]
        summary.append(head)
        notes = []
        if not have_perf:
            reason = probe_log[-1] if probe_log else f"no samples: see {prefix}.perf.log"
            notes.append(f"perf was unavailable ({reason}): CPU per process and per thread from /proc only")
        else:
            if demangle_note:
                notes.append(demangle_note)
            for path in changed_binaries(data):
                notes.append(f"WARNING: {path} has changed on disk since it was recorded: its symbols show as {NO_SYMBOL}")
            perf_cpu = next((line for line in read_lines(prefix + ".perf.log") if line.startswith("perf's own CPU")), None)
            if perf_cpu:
                notes.append(perf_cpu + f" over the {window:.0f} s window")
        report += notes + ([""] if notes else [])
        summary += notes

        # CPU ms per login per process, and the shares of the processes profiled (a cross-check).
        profiled = [r for r in roles if r in cpu]
        all_cpu = sum(cpu[r] for r in profiled)
        all_samples = sum(samples[r] for r in profiled) if have_perf else 0
        report.append(f"{'CPU ms per login':<22}{'bench (/proc)':>14}{'share':>8}{'perf samples':>14}{'share':>8}")
        for r in roles + ["total"]:
            if r not in cpu and not (have_perf and samples[r]):
                continue
            cpu_share = f"{100 * cpu[r] / all_cpu:.1f}%" if r in profiled and all_cpu else ""
            count = samples[r] if have_perf and r in roles else None
            sample_share = f"{100 * count / all_samples:.1f}%" if count is not None and r in profiled and all_samples else ""
            report.append(f"{r:<22}{fmt(cpu.get(r)):>14}{cpu_share:>8}{count if count is not None else '-':>14}{sample_share:>8}")
        service = [cpu.get(r) for r in ("postgres", "api", "worker")]
        if None not in service:
            report.append(f"{'service (pg+api+wrk)':<22}{fmt(sum(service)):>14}")
        if have_perf:
            total = sum(samples.values())
            report.append(f"the rest of the machine: {100 * samples['other'] / total:.1f}% of the samples, idle CPU "
                          f"{100 * samples['idle'] / total:.1f}% (two cores sampled at 999 Hz each)")
        report.append("")
        summary.append("CPU ms per login: " + ", ".join(f"{r} {fmt(cpu[r], 2)}" for r in
                                                       ["postgres", "api", "worker", "emulator", "bench"] if r in cpu)
                       + (f"; service {sum(service):.2f}" if None not in service else ""))

        for r in roles:
            role_ms = cpu.get(r)
            if role_ms is None and logins:  # the idle Kakao emulator: not measured by the bench
                role_ms = sum(seconds for (rr, _), (seconds, _) in threads.items() if rr == r) * 1000 / logins
            report += [f"-- {r}: {fmt(role_ms)} ms CPU per login", ""]
            rows = sorted(((name, seconds, n) for (rr, name), (seconds, n) in threads.items() if rr == r and seconds > 0),
                          key=lambda row: -row[1])
            if rows:
                report.append("  CPU per thread over the window (/proc; threads that used none left out), ms per login:")
                for name, seconds, n in rows[:12]:
                    report.append(f"    {fmt(seconds * 1000 / logins if logins else None):>8}  {name}" + (f" (×{n})" if n > 1 else ""))
                report.append("")
            if not have_perf or not self_time.get(r):
                if have_perf:
                    report += ["  (no perf samples)", ""]
                continue

            count = sum(self_time[r].values())
            ms = (lambda n: role_ms * n / count) if role_ms is not None else (lambda n: None)
            own = set(self_time[r]) | set(inclusive[r]) | set(task_code[r])
            names = sorted({sym for _, sym in own} | {sym for chains in callers[r].values() for chain in chains for _, sym in chain})
            readable = dict(zip(names, demangle(names)))

            def merged(counter):
                """By demangled name: the parts of one async function, or a function's copies, together."""
                together = collections.Counter()
                for (dso, sym), n in counter.items():
                    together[(dso, readable.get(sym, sym))] += n
                return together

            def label(frame):
                return f"{frame[0]}  {frame[1]}"

            by_name = collections.defaultdict(collections.Counter)  # self symbol (demangled) -> its caller stacks
            for frame, chains in callers[r].items():
                for chain, n in chains.items():
                    by_name[(frame[0], readable.get(frame[1], frame[1]))][tuple(readable.get(sym, sym) for _, sym in chain)] += n
            ranked = merged(self_time[r]).most_common()
            tasks = merged(task_code[r])
            everywhere = merged(inclusive[r])
            with open(os.path.join(out, f"{tag}.{r}.symbols.txt"), "w") as f:
                f.write(f"# {tag} {r}: {count} samples; self time by symbol\n# self%  samples  ms/login  dso  symbol\n")
                for frame, n in ranked:
                    f.write(f"{100 * n / count:6.2f} {n:8d} {fmt(ms(n), 4):>9}  {label(frame)}\n")
            report.append(f"  top {top} symbols by self time ({count} samples):  self%  ms/login  dso  symbol")
            for frame, n in ranked[:top]:
                report.append(f"    {100 * n / count:6.2f}% {fmt(ms(n)):>8}  {short(label(frame), 200)}")
            by_dso = collections.Counter()
            for (dso, _), n in ranked:
                by_dso[dso] += n
            report.append("  by shared object: " + ", ".join(f"{dso} {100 * n / count:.1f}%" for dso, n in by_dso.most_common(6)))
            report.append("")

            binary = OWN_BINARY.get(r, "kakao-login")
            mine = [(frame, n) for frame, n in inclusive[r].most_common() if frame[0] == binary and frame[1] != NO_SYMBOL]
            with open(os.path.join(out, f"{tag}.{r}.inclusive.txt"), "w") as f:
                if tasks:
                    f.write(f"# {tag} {r}: {count} samples; the Swift task code running: the async function (part) that "
                            f"Swift's runtime resumed, with all it called ({RUN_JOB}'s caller)\n# total%  samples  ms/login  dso  symbol\n")
                    for frame, n in tasks.most_common():
                        f.write(f"{100 * n / count:6.2f} {n:8d} {fmt(ms(n), 4):>9}  {label(frame)}\n")
                    f.write("\n")
                f.write(f"# {tag} {r}: {count} samples; functions by inclusive time (the samples with the function anywhere on the stack)\n")
                f.write("# total%  samples  ms/login  dso  symbol\n")
                for frame, n in everywhere.most_common(400):
                    f.write(f"{100 * n / count:6.2f} {n:8d} {fmt(ms(n), 4):>9}  {label(frame)}\n")
            if tasks:
                # For Swift, inclusive time is the event loops' and thread pools' own frames at the top;
                # what a login's code costs shows where the runtime resumes a task.
                report.append("  Swift task code running (the async function a job resumed, with all it called):")
                for frame, n in tasks.most_common(15):
                    report.append(f"    {100 * n / count:6.2f}% {fmt(ms(n)):>8}  {short(frame[1], 190)}")
            else:
                # By demangled name would merge nothing here (C); the callees split each function's time.
                report.append(f"  functions of {binary} by inclusive time (anywhere on the stack), with what they call:")
                for frame, n in mine[:15]:
                    report.append(f"    {100 * n / count:6.2f}% {fmt(ms(n)):>8}  {short(readable.get(frame[1], frame[1]), 190)}")
                    below = callees[r][frame].most_common(4)
                    if below and n < 0.9 * count:  # the outermost frames' split says little
                        report.append("                       → " + ", ".join(
                            f"{short(readable.get(sym, sym), 40)} {100 * m / count:.1f}%" for (_, sym), m in below))
            report.append("")

            with open(os.path.join(out, f"{tag}.{r}.callers.txt"), "w") as f:
                f.write(f"# {tag} {r}: the commonest stacks above each of the {top} hottest symbols (self time), "
                        f"{CALLER_DEPTH} frames up, innermost first\n")
                for frame, n in ranked[:top]:
                    f.write(f"\n{100 * n / count:6.2f}%  {label(frame)}\n")
                    for chain, m in by_name[frame].most_common(5):
                        path = " ← ".join(short(sym, 90) for sym in chain) or "(no caller recorded)"
                        f.write(f"   {100 * m / count:6.2f}%  ← {path}\n")

            summary.append(f"  {r} ({fmt(role_ms, 2)} ms/login), self: " + "; ".join(
                f"{100 * n / count:.1f}% " + (f"{dso} (no symbol)" if sym == NO_SYMBOL else short(sym, 60))
                for (dso, sym), n in ranked[:SUMMARY_TOP]))
            if tasks:
                higher = [(sym, n) for (_, sym), n in tasks.most_common() if sym != OUTSIDE_TASKS[1]][:4]
                summary.append("      task code: " + "; ".join(f"{100 * n / count:.1f}% {short(sym, 60)}" for sym, n in higher))
            else:
                # The outermost frames (main, the executor's loop) are on every stack: from below 60% on.
                higher = [(frame, n) for frame, n in mine if n < 0.6 * count][:4]
                summary.append("      inclusive: " + "; ".join(f"{100 * n / count:.1f}% {short(readable.get(sym, sym), 60)}" for (_, sym), n in higher))
        summary.append("")
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    print("\n".join(summary).rstrip())


if __name__ == "__main__":
    main()
