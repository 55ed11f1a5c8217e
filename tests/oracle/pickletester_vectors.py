#!/usr/bin/env python3
"""CPython's own unpickling test vectors (test.pickletester, shipped with
python3): every input CPython rejects must be an error from us (exit 1, one
line on stderr), never a panic or a crash; plain-data inputs CPython accepts
must recode to CPython's bytes; the rest must not crash.

The vectors are collected by running pickletester's AbstractUnpickleTests
with a `loads` that records each input and delegates to pickle.loads, which
is the oracle.

    python3 tests/oracle/pickletester_vectors.py --pypickle target/release/pypickle
"""
import io
import os
import pickle
import pickletools
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

# Vectors that may misbehave while their fix is in progress: "<method>#<n>".
KNOWN_FAILURES = []

# Encodings our Unpickler does not implement; such vectors are skipped.
UNSUPPORTED_ENCODINGS = {"koi8-r"}


def collect():
    """(method, data, kwargs, raised, outcome) for every loads() the tests
    make; outcome is the value CPython returned or the exception it raised."""
    from test import pickletester as pt

    records = []

    class Recorder(pt.AbstractUnpickleTests, unittest.TestCase):
        bad_stack_errors = (pickle.UnpicklingError, IndexError)
        truncated_errors = (pickle.UnpicklingError, EOFError, AttributeError, ValueError,
                            struct_error(), IndexError, ImportError)

        def loads(self, data, **kwargs):
            try:
                value = pickle.loads(data, **kwargs)
            except Exception as e:
                records.append((self._testMethodName, data, kwargs, True, e))
                raise
            records.append((self._testMethodName, data, kwargs, False, value))
            return value

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Recorder)
    unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    records.append(("test_proto", b"\x80\x06N.", {}, True, ValueError("unsupported pickle protocol: 6")))
    return records


def struct_error():
    import struct
    return struct.error


def needs_globals(data):
    try:
        return any(op.name in ("GLOBAL", "STACK_GLOBAL", "INST", "EXT1", "EXT2", "EXT4", "PERSID", "BINPERSID")
                   for op, _, _ in pickletools.genops(data))
    except Exception:
        return True


def through_stop(data):
    """The bytes up to and including STOP: pickle.loads ignores the rest,
    while recode would read it as the start of another pickle."""
    for op, _, pos in pickletools.genops(data):
        if op.name == "STOP":
            return data[:pos + 1]
    return data


def protocol_of(data):
    return data[1] if len(data) > 1 and data[0] == 0x80 else 0


def main():
    cmd = oracle.pypickle_command(sys.argv)
    report = oracle.Report(KNOWN_FAILURES)
    counts = {"error": 0, "value": 0, "global": 0, "skipped": 0}
    seen = set()
    for n, (method, data, kwargs, raised, outcome) in enumerate(collect()):
        key = (data, tuple(sorted(kwargs.items())))
        if key in seen:
            continue
        seen.add(key)
        name = "%s#%d" % (method, n)
        encoding = kwargs.get("encoding")
        if not data:
            # An empty stream holds no pickles for recode; loads(b"") is an
            # EOF error, which the Rust API tests check.
            counts["skipped"] += 1
            continue
        if encoding in UNSUPPORTED_ENCODINGS:
            counts["skipped"] += 1
            continue
        extra = []
        if encoding:
            extra += ["--encoding", encoding]
        if "errors" in kwargs:
            extra += ["--errors", kwargs["errors"]]
        proto = min(protocol_of(data), 5)
        status, out, err = oracle.recode(cmd, data, proto, extra)
        crashed = status not in (0, 1)
        if raised:
            counts["error"] += 1
            ok = status == 1 and len(err.strip().splitlines()) == 1
            report.check(name, ok, "  CPython: %r\n  exit %d, stderr %r\n  input %r" % (outcome, status, err, data))
        elif not needs_globals(data):
            counts["value"] += 1
            data = through_stop(data)
            status, out, err = oracle.recode(cmd, data, proto, extra)
            try:
                expected = pickle.dumps(outcome, proto)
            except Exception as e:  # CPython cannot re-dump it; it must still load
                report.check(name, status == 0, "  CPython re-dump failed (%r); exit %d %r" % (e, status, err))
                continue
            ok = status == 0 and out == expected
            report.check(name, ok, "" if ok else oracle.diff_detail(expected, out, err) + "\n  input %r" % data)
        else:
            counts["global"] += 1
            report.check(name, not crashed, "  crashed: exit %d, stderr %r\n  input %r" % (status, err, data))
    print("vectors: %(error)d errors, %(value)d plain values, %(global)d needing globals, %(skipped)d skipped" % counts)
    report.finish()


if __name__ == "__main__":
    main()
