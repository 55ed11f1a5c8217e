"""Shared machinery for the CPython differential tests.

Every script compares what `pypickle recode` writes with what CPython
writes for the same input, case by case, and ends with the line
`N passed, M failed`. A case listed in the script's KNOWN_FAILURES may fail;
if it passes it is reported, so the list only ever shrinks.
"""
import os
import pickle
import pickletools
import shlex
import subprocess
import sys


def ensure_hash_seed():
    """Re-executes this script with PYTHONHASHSEED=0 so that set order, which
    depends on str hashes, is the same in every run and every process."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


def pypickle_command(argv):
    """The recoder command from `--pypickle CMD` (a shell-quoted string)."""
    if "--pypickle" not in argv:
        sys.exit("usage: %s --pypickle CMD" % argv[0])
    return shlex.split(argv[argv.index("--pypickle") + 1])


def fixed_point(data, proto, rounds=8):
    """Loads and dumps until the bytes stop changing, so that set order in
    the pickle is the order CPython itself writes back."""
    for _ in range(rounds):
        again = pickle.dumps(pickle.loads(data), proto)
        if again == data:
            return data
        data = again
    return None


def recode(cmd, stream, proto, extra=()):
    """Runs `recode --protocol proto` on a stream; returns (status, out, err)."""
    run = subprocess.run(cmd + ["recode", "--protocol", str(proto), *extra],
                         input=stream, capture_output=True)
    return run.returncode, run.stdout, run.stderr.decode("utf-8", "replace")


def dis(data, limit=60):
    """pickletools.dis as text, cut to `limit` lines."""
    import io
    out = io.StringIO()
    try:
        pickletools.dis(data, out)
    except Exception as e:  # the text up to the error is what helps
        out.write("<dis failed: %r>\n" % e)
    lines = out.getvalue().splitlines()
    return "\n".join(lines[:limit] + (["..."] if len(lines) > limit else []))


class Report:
    """Counts results against a list of known failures and prints them."""

    def __init__(self, known_failures, show=5):
        self.known = set(known_failures)
        self.passed = 0
        self.failed = 0
        self.shown = 0
        self.show = show
        self.seen_known = set()

    def check(self, name, ok, detail=""):
        if name in self.known:
            self.seen_known.add(name)
            if ok:
                self.failed += 1
                print("UNEXPECTEDLY PASSING (remove from KNOWN_FAILURES): %s" % name)
            else:
                self.passed += 1
            return
        if ok:
            self.passed += 1
            return
        self.failed += 1
        if self.shown < self.show:
            self.shown += 1
            print("FAIL %s\n%s\n" % (name, detail))
        elif self.shown == self.show:
            self.shown += 1
            print("(further failures not shown)")

    def finish(self):
        stale = self.known - self.seen_known
        for name in sorted(stale):
            print("KNOWN_FAILURES names a case that does not exist: %s" % name)
        self.failed += len(stale)
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def diff_detail(expected, actual, err=""):
    """A readable account of the first difference between two pickles."""
    i = next((k for k in range(min(len(expected), len(actual))) if expected[k] != actual[k]),
             min(len(expected), len(actual)))
    return ("  stderr: %s\n  first difference at byte %d (expected %d bytes, got %d)\n"
            "  expected: %r\n  actual:   %r\n--- expected\n%s\n--- actual\n%s"
            % (err.strip(), i, len(expected), len(actual), expected[max(0, i - 20):i + 40],
               actual[max(0, i - 20):i + 40], dis(expected), dis(actual)))


def compare_stream(cmd, report, cases, p, q, extra=()):
    """Recodes the concatenated `cases` (name, input bytes, expected bytes)
    in one process and checks each output against its expected bytes."""
    stream = b"".join(data for _, data, _ in cases)
    status, out, err = recode(cmd, stream, q, extra)
    pos = 0
    for name, data, expected in cases:
        actual = out[pos:pos + len(expected)]
        ok = actual == expected
        report.check(name, ok, "" if ok else diff_detail(expected, actual, err))
        if not ok:
            # Re-synchronise on this case alone, so one failure does not
            # mask the rest of the stream.
            st, single, _ = recode(cmd, data, q, extra)
            pos += len(single) if st == 0 else len(expected)
            continue
        pos += len(expected)
    if status != 0 and not err:
        report.check("recode-exit-%d/p%d->p%d" % (status, p, q), False, err)
