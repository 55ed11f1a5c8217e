#!/usr/bin/env python3
"""Random object graphs of every built-in type, every protocol pair.

For each case and each input protocol p, CPython pickles the graph (as a
fixed point, so set order is CPython's own); for each output protocol q the
expected bytes are `pickle.dumps(pickle.loads(x), q)` and the actual bytes
are what `pypickle recode --protocol q` writes for x. They must be equal.

    python3 tests/oracle/recode_diff.py --pypickle target/release/pypickle [--seeds N]
"""
import pickle
import sys

import graphs
import oracle

# Cases that may fail while their fix is in progress: "<case>/p<in>->p<out>".
KNOWN_FAILURES = []


def build_cases(seeds):
    cases = dict(graphs.edge_cases())
    for seed in range(seeds):
        cases["random-%d" % seed] = graphs.random_graph(seed)
    return cases


def main():
    oracle.ensure_hash_seed()
    cmd = oracle.pypickle_command(sys.argv)
    seeds = int(sys.argv[sys.argv.index("--seeds") + 1]) if "--seeds" in sys.argv else 1000
    report = oracle.Report(KNOWN_FAILURES)
    cases = build_cases(seeds)
    unstable = []
    for p in range(6):
        inputs = []
        for name, obj in cases.items():
            x = oracle.fixed_point(pickle.dumps(obj, p), p)
            if x is None:
                unstable.append("%s/p%d" % (name, p))
                continue
            inputs.append((name, x))
        for q in range(6):
            batch = [("%s/p%d->p%d" % (name, p, q), x, pickle.dumps(pickle.loads(x), q))
                     for name, x in inputs]
            oracle.compare_stream(cmd, report, batch, p, q)
    for name in unstable:
        report.check("fixed-point:" + name, False, "set order did not stabilise")
    report.finish()


if __name__ == "__main__":
    main()
