#!/usr/bin/env python3
"""Side-by-side throughput: CPython's pickle (C accelerator, gc on and off),
serde-pickle and pypickle, on the benchmark files, in one run.

    bash bench/compare.sh          # builds, generates data, runs this

Prints a Markdown table of MB/s (medians) and pypickle's ratios.
"""
import gc
import os
import pickle
import re
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
PYPICKLE = os.path.join(HERE, "..", "target", "release", "pypickle")
SERDE = os.path.join(HERE, "serde-pickle-bench", "target", "release", "serde-pickle-bench")
DATASETS = ["pyperf", "records", "numeric", "strings", "graph"]
PROTOCOLS = [2, 4, 5]
RUNS = int(os.environ.get("RUNS", "7"))
# Turns each side takes per dataset (see `side_by_side`). Three left one
# run's figure for the same bytes at p4 and p5 apart by up to 1.6x.
ROUNDS = int(os.environ.get("ROUNDS", "5"))


def median_time(f, runs=RUNS):
    """Median seconds of `runs` calls of `f`. What `f` returns is freed
    after the clock stops, so a load's time is the load alone; the Rust
    benches time their loads the same way (the graph dropped afterwards)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
        del result
    times.sort()
    return times[len(times) // 2]


def cpython(path, proto, runs=RUNS):
    data = open(path, "rb").read()
    mb = len(data) / 1e6
    load_gc = mb / median_time(lambda: pickle.loads(data), runs)
    gc.disable()
    try:
        load_nogc = mb / median_time(lambda: pickle.loads(data), runs)
        obj = pickle.loads(data)
        out = pickle.dumps(obj, proto)
        dump = len(out) / 1e6 / median_time(lambda: pickle.dumps(obj, proto), runs)
    finally:
        gc.enable()
    return load_gc, load_nogc, dump


def cpython_rss_mb(path):
    """RSS growth of one pickle.loads, the result kept alive, in a fresh
    interpreter. (Current RSS, not ru_maxrss: a child inherits its parent's
    high-water mark at fork.)"""
    code = ("import pickle,sys\n"
            "def rss():\n"
            "    import os; return int(open('/proc/self/statm').read().split()[1])*os.sysconf('SC_PAGE_SIZE')\n"
            "d=open(sys.argv[1],'rb').read();r=rss();o=pickle.loads(d);print((rss()-r)/1e6)")
    return float(subprocess.check_output([sys.executable, "-c", code, path]))


def side_by_side(path, proto, runs=RUNS, rounds=ROUNDS):
    """CPython's figures (`cpython`) and pypickle's (`pypickle_once`),
    measured in turns, `rounds` times each, and each column's median.

    One `pypickle bench` process's figures move by up to a third from the
    next's (where the kernel places its memory), and this shared machine
    has slow and fast spells of seconds that move CPython's by as much:
    taking turns puts both through the same spells."""
    c_results, r_results = [], []
    for _ in range(rounds):
        c_results.append(cpython(path, proto, runs))
        r_results.append(pypickle_once(path, proto, runs))
    return medians(c_results), medians(r_results)


def medians(results):
    return tuple(sorted(column)[len(column) // 2] for column in zip(*results))


def pypickle_once(path, proto, runs):
    """`pypickle`'s figures from one `pypickle bench` process."""
    out = subprocess.check_output([PYPICKLE, "bench", "--runs", str(runs), "--protocol", str(proto), path], text=True)
    load = float(re.search(r"^load\s+([\d.]+) MB/s", out, re.M).group(1))
    dump = float(re.search(r"^dump p\d\s+([\d.]+) MB/s", out, re.M).group(1))
    copy = float(re.search(r"^memcpy\s+([\d.]+) MB/s", out, re.M).group(1))
    shared = float(re.search(r"^shared\s+([\d.]+) MB/s", out, re.M).group(1))
    peak = re.search(r"\(\+([\d.]+) MB for the loaded graph\)", out)
    return load, dump, float(peak.group(1)) if peak else float("nan"), copy, shared


def serde(paths):
    out = subprocess.check_output([SERDE, *paths], text=True, env=dict(os.environ, RUNS=str(RUNS)))
    result = {}
    for line in out.splitlines():
        path, value, typed = line.split()
        result[path] = (value, typed)
    return result


def large_bytes_files():
    """The strings dataset at gen_data.py's --full size (1000 blobs of
    64 KiB, about 70 MB): the large-bytes dataset. Written on first use."""
    from gen_data import SIZES, strings_data
    out = os.path.join(DATA, "full")
    paths = [(p, os.path.join(out, "strings.p%d.pkl" % p)) for p in PROTOCOLS]
    if not all(os.path.exists(path) for _, path in paths):
        os.makedirs(out, exist_ok=True)
        obj = strings_data(SIZES["full"]["short_strs"], SIZES["full"]["blobs"])
        for p, path in paths:
            with open(path, "wb") as f:
                pickle.dump(obj, f, p)
    return paths


def main():
    files = [(name, p, os.path.join(DATA, "%s.p%d.pkl" % (name, p))) for name in DATASETS for p in PROTOCOLS]
    serde_results = serde([f for _, _, f in files])
    print("| dataset | size MB | CPython load | load gc off | CPython dump | serde-pickle Value | serde-pickle typed "
          "| pypickle load | pypickle dump | load / CPython gc off | dump / CPython | load / serde Value "
          "| load RSS MB CPython | load RSS MB pypickle |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, p, path in files:
        size = os.path.getsize(path) / 1e6
        (c_load, c_nogc, c_dump), (r_load, r_dump, r_peak, _, _) = side_by_side(path, p)
        s_value, s_typed = serde_results[path]
        vs_serde = "%.1fx" % (r_load / float(s_value)) if s_value != "fail" else "-"
        print("| %s p%d | %.1f | %.0f | %.0f | %.0f | %s | %s | %.0f | %.0f | %.2fx | %.2fx | %s | %.0f | %.0f |" % (
            name, p, size, c_load, c_nogc, c_dump, s_value, s_typed, r_load, r_dump,
            r_load / c_nogc, r_dump / c_dump, vs_serde, cpython_rss_mb(path), r_peak))
    print()
    print("| large bytes (strings --full) | size MB | CPython load gc off | pypickle load | pypickle loads_shared "
          "| memcpy | load time / memcpy time | loads_shared time / memcpy time "
          "| load RSS MB CPython | load RSS MB pypickle |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for p, path in large_bytes_files():
        size = os.path.getsize(path) / 1e6
        # Fewer runs: these files are 15-20 times the others.
        (_, c_nogc, _), (r_load, _, r_peak, copy, r_shared) = side_by_side(path, p, runs=3)
        print("| p%d | %.1f | %.0f | %.0f | %.0f | %.0f | %.1fx | %.1fx | %.0f | %.0f |" % (
            p, size, c_nogc, r_load, r_shared, copy, copy / r_load, copy / r_shared,
            cpython_rss_mb(path), r_peak))


if __name__ == "__main__":
    main()
