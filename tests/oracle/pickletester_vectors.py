#!/usr/bin/env python3
"""CPython's own unpickling test vectors must error where CPython errors,
recode like CPython where they are plain data, and never crash.

The vectors come from running test.pickletester's AbstractUnpickleTests
(shipped with python3) with a `loads` that records each input and its
keywords and delegates to pickle.loads, which is the oracle (about 290
vectors on a 64-bit build), plus `\\x80\\x06N.` (unsupported protocol,
from AbstractPickleTests.test_proto). Each vector is one recoder process:

* CPython raises: `recode` must exit 1 with one non-empty line on stderr
  (not 0, not a panic's 101, not a signal).
* CPython returns a value and the pickle names no global (no GLOBAL, INST,
  STACK_GLOBAL, EXT1/2/4): `recode` at the pickle's own protocol must exit
  0 and write `pickle.dumps(value, protocol)`, passing `--encoding` /
  `--errors` when the vector needs them.
* CPython returns a value that needs classes or globals: `recode` may
  succeed or refuse (exit 0 or 1) but must not crash; counts are printed.

Two adjustments follow from recode reading a stream: bytes after the
first STOP are dropped from value vectors (pickle.loads ignores them,
recode would read them as a second pickle), and the empty input, an
EOFError for pickle.loads, is an empty stream for recode (exit 0, no
output).

    python3 tests/oracle/pickletester_vectors.py --pypickle target/release/pypickle
    python3 tests/oracle/pickletester_vectors.py --pypickle "python3 tests/oracle/fake_recode.py"
"""
import io
import os
import pickle
import struct
import sys
import unittest
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

# Vectors that may fail for now, e.g. "test_bad_stack#3".
KNOWN_FAILURES = []

#: Encodings the recoder may refuse; their vectors are then skipped and listed.
OPTIONAL_ENCODINGS = {"koi8-r"}

GLOBAL_OPCODES = {"GLOBAL", "INST", "STACK_GLOBAL", "EXT1", "EXT2", "EXT4"}

#: CPython 3.11 on a 64-bit build gives about 290; far fewer means the
#: recording broke (a renamed hook, skipped tests), not that all is well.
MIN_VECTORS = 250


class Vector:
    """One recorded loads() call: test method, input, keywords, and what
    CPython did (`error` is the exception, else `value` is the result)."""

    def __init__(self, method, data, kwargs, error=None, value=None):
        self.method = method
        self.data = data
        self.kwargs = kwargs
        self.error = error
        self.value = value
        self.name = method

    def recode_options(self):
        """The recode options for this vector's keywords."""
        extra = []
        if "encoding" in self.kwargs:
            extra += ["--encoding", self.kwargs["encoding"]]
        if "errors" in self.kwargs:
            extra += ["--errors", self.kwargs["errors"]]
        return extra


def collect():
    """Every loads() call AbstractUnpickleTests makes, in test order, with
    duplicates removed; each vector is named `<test method>#<n>`."""
    from test import pickletester

    records = []

    class Recorder(pickletester.AbstractUnpickleTests, unittest.TestCase):
        bad_stack_errors = (pickle.UnpicklingError, IndexError)
        truncated_errors = (pickle.UnpicklingError, EOFError, AttributeError, ValueError,
                            struct.error, IndexError, ImportError)

        def loads(self, data, **kwargs):
            try:
                value = pickle.loads(data, **kwargs)
            except Exception as e:
                records.append(Vector(self._testMethodName, data, kwargs, error=e))
                raise
            records.append(Vector(self._testMethodName, data, kwargs, value=value))
            return value

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Recorder)
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    if not result.wasSuccessful():
        sys.exit("pickletester's own tests failed under the recorder: %s" % result)
    records.append(Vector("test_proto", b"\x80\x06N.", {}, error=ValueError("unsupported pickle protocol: 6")))

    unique, seen, per_method = [], set(), Counter()
    for v in records:
        key = (v.data, tuple(sorted(v.kwargs.items())))
        if key in seen:
            continue
        seen.add(key)
        v.name = "%s#%d" % (v.method, per_method[v.method])
        per_method[v.method] += 1
        unique.append(v)
    return records, unique


def through_stop(data):
    """`data` up to and including its first STOP."""
    end = oracle.pickle_end(data)
    return data if end is None else data[:end]


def check_error(v, run):
    """(ok, detail): CPython raised, so recode must exit 1 with one line."""
    lines = run.stderr.strip().splitlines()
    ok = run.status == 1 and not run.crashed and len(lines) == 1
    return ok, "  CPython: %s: %s\n  recode: %s\n  input: %r" % (
        type(v.error).__name__, v.error, run.describe(), v.data)


def check_value(v, run, protocol):
    """(ok, detail): CPython returned plain data, so recode must write
    CPython's re-dump of it at the same protocol."""
    expected = pickle.dumps(pickle.loads(v.data, **v.kwargs), protocol)
    if run.status == 0 and run.stdout == expected:
        return True, ""
    return False, "  recode: %s\n  input: %r\n%s" % (
        run.describe(), v.data, oracle.explain_difference(expected, run.stdout))


def main():
    oracle.reexec_with_hash_seed()
    args = oracle.argument_parser(__doc__.splitlines()[0]).parse_args()
    report = oracle.Report.for_args(args, KNOWN_FAILURES)
    records, vectors = collect()
    report.note("%d vectors recorded from %d test methods, %d unique"
                % (len(records), len({v.method for v in records}), len(vectors)))
    report.check("collect", len(records) >= MIN_VECTORS,
                 "  only %d vectors recorded, expected at least %d" % (len(records), MIN_VECTORS))

    def job(v):
        """What to run for vector v: (kind, input, protocol, options)."""
        protocol = oracle.protocol_of(v.data)
        if v.error is not None:
            return "error", v.data, protocol, v.recode_options()
        kind = "global" if oracle.opcodes_of(v.data) & GLOBAL_OPCODES else "value"
        return kind, through_stop(v.data), protocol, v.recode_options()

    jobs = [job(v) for v in vectors]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        runs = list(pool.map(lambda j: oracle.run_recode(args.pypickle, j[1], j[2], j[3]), jobs))

    counts, skipped, other_bytes = Counter(), [], []
    for v, (kind, data, protocol, _), run in zip(vectors, jobs, runs):
        encoding = v.kwargs.get("encoding")
        if encoding in OPTIONAL_ENCODINGS and run.status == 1 and encoding in run.stderr:
            skipped.append("%s (--encoding %s is not supported: %s)" % (v.name, encoding, run.stderr.strip()))
            continue
        if kind == "error" and not data:
            counts["empty stream"] += 1
            ok = run.status == 0 and not run.stdout
            report.check(v.name, ok, "  an empty stream holds no pickle: want exit 0 and no output, "
                         "got " + run.describe())
        elif kind == "error":
            counts["error"] += 1
            report.check(v.name, *check_error(v, run))
        elif kind == "value":
            counts["plain value"] += 1
            report.check(v.name, *check_value(v, run, protocol))
        else:
            counts["needs globals"] += 1
            counts["needs globals, exit %d" % run.status] += 1
            if run.status == 0 and run.stdout == pickle.dumps(v.value, protocol):
                counts["needs globals, same bytes as CPython"] += 1
            elif run.status == 0:
                other_bytes.append(v.name)
            report.check(v.name, not run.crashed and run.status in (0, 1),
                         "  must not crash: %s\n  input: %r" % (run.describe(), v.data))
    for line in skipped:
        report.note("skipped " + line)
    if other_bytes:
        report.note("recoded, not to CPython's bytes (allowed for globals): " + ", ".join(other_bytes))
    report.note("vectors: " + ", ".join("%s %d" % (k, n) for k, n in sorted(counts.items())))
    report.finish()


if __name__ == "__main__":
    main()
