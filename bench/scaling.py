#!/usr/bin/env python3
"""Cost per MB from 1 MB to large inputs: records-shaped pickles of growing
size, loaded and dumped by `pypickle bench`; prints ms per MB for each.

    python3 bench/scaling.py [MAX_MB]      # default 256; 1024 needs ~12 GB RAM

The records are gen_data.py's (a list of flat dicts); sizes are the pickle
sizes at protocol 4. "load" is the median of repeated loads in one process;
"first load" the median over fresh processes of their first load.
"""
import os
import pickle
import re
import subprocess
import sys

from gen_data import records_data

HERE = os.path.dirname(os.path.abspath(__file__))
PYPICKLE = os.path.join(HERE, "..", "target", "release", "pypickle")
RECORD_BYTES = 50  # about 50 bytes of pickle per record


def first_load(path):
    """MB/s of the first load in a fresh `pypickle bench` process."""
    text = subprocess.check_output([PYPICKLE, "bench", "--runs", "1", path], text=True)
    return float(re.search(r"^first\s+([\d.]+) MB/s", text, re.M).group(1))


def main():
    max_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    out = os.path.join(HERE, "data", "scaling")
    os.makedirs(out, exist_ok=True)
    print("| size MB | load ms/MB | dump ms/MB | first load ms/MB |")
    print("|--:|--:|--:|--:|")
    mb = 1
    while mb <= max_mb:
        path = os.path.join(out, "records-%dMB.p4.pkl" % mb)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                pickle.dump(records_data(mb * 1_000_000 // RECORD_BYTES), f, 4)
        runs = "5" if mb <= 64 else "3"
        text = subprocess.check_output([PYPICKLE, "bench", "--runs", runs, path], text=True)
        load = float(re.search(r"^load\s+([\d.]+) MB/s", text, re.M).group(1))
        dump = float(re.search(r"^dump p\d\s+([\d.]+) MB/s", text, re.M).group(1))
        # A fresh process's first load faults in all its memory at every
        # size; repeated loads reuse a small graph's memory but not a large
        # one's (glibc returns it). The median of several processes.
        firsts = [first_load(path) for _ in range(5 if mb <= 64 else 3)]
        first = sorted(firsts)[len(firsts) // 2]
        size = os.path.getsize(path) / 1e6
        print("| %.0f | %.2f | %.2f | %.2f |" % (size, 1000 / load, 1000 / dump, 1000 / first))
        mb *= 4


if __name__ == "__main__":
    main()
