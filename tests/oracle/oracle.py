"""Shared machinery for the CPython differential tests.

Every script in this folder compares what `pypickle recode` writes with
what CPython 3.11 writes for the same input, case by case, and ends with
the line `N passed, M failed` (exit status 1 when M > 0).

* `--pypickle CMD` names the recoder, a shell-quoted command string, so the
  same scripts run against the real binary or against `fake_recode.py`.
* Set iteration order depends on str hashes, so every script re-executes
  itself with `PYTHONHASHSEED=0`; the recoder inherits that environment.
* A case named in a script's KNOWN_FAILURES may fail without counting; if
  it passes it is reported as "unexpectedly passing" and counts as a
  failure, so the list only ever shrinks.
"""
import argparse
import difflib
import io
import os
import pickle
import pickletools
import shlex
import signal
import subprocess
import sys

#: Seconds one recoder process may take before it counts as hung.
RECODE_TIMEOUT = 300

#: How many times one stream may be restarted after the recoder stopped
#: early, before the rest of its cases are failed unchecked.
MAX_RESTARTS = 25


# ---------------------------------------------------------------------------
# Process setup and arguments


def reexec_with_hash_seed():
    """Re-executes this script with PYTHONHASHSEED=0 unless it already has it.

    str and bytes hashes, and with them the iteration order of sets, must be
    the same in this process, in every recoder process (the fake is CPython
    too) and in every run.
    """
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


def argument_parser(description):
    """An ArgumentParser with the options every harness takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--pypickle", required=True, type=shlex.split, metavar="CMD",
                        help="the recoder command, e.g. target/release/pypickle or "
                             "'python3 tests/oracle/fake_recode.py'")
    parser.add_argument("--show", type=int, default=5, metavar="N",
                        help="print the full account of the first N failures (default 5)")
    parser.add_argument("--no-known-failures", action="store_true",
                        help="ignore KNOWN_FAILURES (implied for fake_recode.py)")
    return parser


def is_reference(cmd):
    """Whether the recoder is fake_recode.py, i.e. CPython itself."""
    return any(os.path.basename(arg) == "fake_recode.py" for arg in cmd)


# ---------------------------------------------------------------------------
# Running the recoder


class Outcome:
    """What one recoder process did: exit status, stdout bytes, stderr text."""

    def __init__(self, status, stdout, stderr, timed_out=False):
        self.status = status
        self.stdout = stdout or b""
        self.stderr = (stderr or b"").decode("utf-8", "replace")
        self.timed_out = timed_out

    @property
    def crashed(self):
        """A description of a crash (panic, signal, hang), or None."""
        if self.timed_out:
            return "timed out after %ds" % RECODE_TIMEOUT
        if self.status == 101:
            return "panicked (exit status 101)"
        if self.status < 0:
            try:
                name = signal.Signals(-self.status).name
            except ValueError:
                name = "signal %d" % -self.status
            return "killed by %s" % name
        return None

    def describe(self):
        """One line: exit status (or crash) and the start of stderr."""
        what = self.crashed or "exit status %d" % self.status
        err = self.stderr.strip()
        if len(err) > 300:
            err = err[:300] + "..."
        return "%s, stderr %r" % (what, err)


def run_recode(cmd, stream, protocol, extra=()):
    """Runs `CMD recode --protocol P [extra]` with `stream` on stdin."""
    argv = list(cmd) + ["recode", "--protocol", str(protocol), *extra]
    try:
        run = subprocess.run(argv, input=stream, capture_output=True, timeout=RECODE_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return Outcome(-signal.SIGKILL, e.stdout, e.stderr, timed_out=True)
    return Outcome(run.returncode, run.stdout, run.stderr)


# ---------------------------------------------------------------------------
# Inputs: settling set order


class Settled:
    """A pickle brought as close to a fixed point as it gets (see settle).

    `data` is the input to recode. `loaded` is an object whose dump at the
    same protocol is exactly `data`, so it iterates every set in the order
    `data` lists it. `stable` says whether loads(data) does so too.
    """

    def __init__(self, data, loaded, stable):
        self.data = data
        self.loaded = loaded
        self.stable = stable

    def expected(self, protocol):
        """(CPython's `dumps(loads(data), protocol)`, and the bytes of a
        recoder that keeps the input's set order, or None when those are
        the same)."""
        cpython = pickle.dumps(pickle.loads(self.data), protocol)
        if self.stable:
            return cpython, None
        keeping = pickle.dumps(self.loaded, protocol)
        return cpython, (keeping if keeping != cpython else None)


def settle(data, protocol, rounds=10):
    """Loads and re-dumps `data` until the bytes stop changing.

    At a fixed point CPython iterates every loaded set in the order the
    pickle lists it, so a recoder that keeps its input's order must write
    CPython's own bytes. Some sets have no fixed point: when two elements
    collide near the end of the hash table, they swap places on every
    rebuild (e.g. {'e0', 'e1', 'e2'} under PYTHONHASHSEED=0). After
    `rounds` round trips such a case comes back unstable, together with the
    object that dumps to it.
    """
    for _ in range(rounds):
        loaded = pickle.loads(data)
        again = pickle.dumps(loaded, protocol)
        if again == data:
            return Settled(data, loaded, True)
        data = again
    return Settled(data, loaded, False)


# ---------------------------------------------------------------------------
# Pickle helpers


def pickle_end(data, start=0):
    """The offset just past the STOP of the pickle at `start`, or None when
    no complete, well-formed opcode sequence starts there."""
    view = io.BytesIO(memoryview(data)[start:])
    try:
        for op, _, pos in pickletools.genops(view):
            if op.name == "STOP":
                return start + pos + 1
    except Exception:
        return None
    return None


def opcodes_of(data):
    """The set of opcode names in `data`; unparseable data gives {'<bad>'}."""
    try:
        return {op.name for op, _, _ in pickletools.genops(data)}
    except Exception:
        return {"<bad>"}


def protocol_of(data):
    """The protocol a pickle is written in: its PROTO argument if any, else
    the highest protocol among its opcodes (what pickletools.dis reports)."""
    best = 0
    try:
        for op, arg, _ in pickletools.genops(data):
            best = max(best, op.proto, arg if op.name == "PROTO" else 0)
    except Exception:
        pass
    return min(best, pickle.HIGHEST_PROTOCOL)


def dis_lines(data, width=150):
    """pickletools.dis of `data` as a list of lines, each cut to `width`.

    A pickle that dis rejects still gets the lines up to the problem, then
    a line naming the error: that is usually where the difference lies.
    """
    out = io.StringIO()
    try:
        pickletools.dis(data, out)
    except Exception as e:
        out.write("<dis stopped: %s: %s>\n" % (type(e).__name__, e))
    return [line if len(line) <= width else line[:width] + "..."
            for line in out.getvalue().splitlines()]


def first_difference(a, b):
    """The first offset where byte strings `a` and `b` differ."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def explain_difference(expected, actual, max_lines=60):
    """A readable account of how `actual` differs from `expected`: the first
    differing byte with some context, then a unified diff of the two
    pickletools.dis listings."""
    at = first_difference(expected, actual)
    lo = max(0, at - 16)
    lines = [
        "  first difference at byte %d (expected %d bytes, got %d)" % (at, len(expected), len(actual)),
        "  expected[%d:]: %r" % (lo, expected[lo:at + 32]),
        "  actual[%d:]:   %r" % (lo, actual[lo:at + 32]),
    ]
    diff = list(difflib.unified_diff(dis_lines(expected), dis_lines(actual),
                                     "expected (CPython)", "actual (recode)", n=3, lineterm=""))
    if len(diff) > max_lines:
        diff = diff[:max_lines] + ["... (%d more diff lines)" % (len(diff) - max_lines)]
    return "\n".join(lines + ["    " + d for d in diff])


def graph_signature(root):
    """A canonical description of an object graph in which the order of set
    and frozenset elements does not matter (used to tell a failure that is
    only about set order from a real one).

    Lists, dicts, sets, bytearrays, unhashable tuples and instances are
    numbered in the order a depth-first walk first meets them; a later
    meeting gives ('ref', n), so sharing and cycles count. Set elements are
    hashable and so hold none of the numbered objects; each set's element
    signatures are sorted by repr. Instances compare by class and __dict__.
    """
    seen = {}

    def numbered(obj):
        if isinstance(obj, (list, dict, set, bytearray)):
            return True
        if isinstance(obj, tuple):
            try:
                hash(obj)
                return False
            except Exception:  # unhashable, or an item's __hash__ failed
                return True
        return not isinstance(obj, (str, bytes, int, float, complex, frozenset, type(None)))

    def sig(obj):
        t = type(obj)
        if numbered(obj):
            if id(obj) in seen:
                return ("ref", seen[id(obj)])
            seen[id(obj)] = len(seen)
        if t in (bool, int, str, bytes, type(None)):
            return (t.__name__, obj)
        if t in (float, complex):
            return (t.__name__, repr(obj))
        if t in (set, frozenset):
            return (t.__name__, tuple(sorted((sig(e) for e in obj), key=repr)))
        if t is bytearray:
            return ("bytearray", bytes(obj))
        if t in (list, tuple):
            return (t.__name__, tuple(sig(e) for e in obj))
        if t is dict:
            return ("dict", tuple((sig(k), sig(v)) for k, v in obj.items()))
        state = getattr(obj, "__dict__", None)
        if state is not None:
            return ("instance", t.__module__, t.__qualname__, sig(state))
        if isinstance(obj, tuple):
            # A namedtuple: its items (a damaged pickle may give one the
            # wrong number, which its repr cannot show).
            return ("instance", t.__module__, t.__qualname__, tuple(sig(e) for e in obj))
        try:
            return ("instance", t.__module__, t.__qualname__, repr(obj))
        except Exception:  # a damaged pickle left a slot its repr needs unset
            return ("instance", t.__module__, t.__qualname__, slot_signature(obj))

    def slot_signature(obj):
        names = []
        for klass in type(obj).__mro__:
            slots = getattr(klass, "__slots__", ())
            names.extend([slots] if isinstance(slots, str) else slots)
        return tuple((name, sig(getattr(obj, name)) if hasattr(obj, name) else "<unset>")
                     for name in names if name != "__weakref__")

    return sig(root)


def same_ignoring_set_order(expected, actual):
    """Whether CPython loads the two pickles to graphs with equal
    graph_signature."""
    try:
        return graph_signature(pickle.loads(actual)) == graph_signature(pickle.loads(expected))
    except Exception:
        return False


# ---------------------------------------------------------------------------
# Cases and reports


class Case:
    """One input pickle and the bytes the recoder must write for it.

    `expected` is CPython's `dumps(loads(data), q)`. For an unstable input
    (see settle) CPython's loads reorders some set while a recoder keeps
    the input's order; `alternative` is then the order-keeping bytes, and
    either is accepted. Both comparisons are byte-exact.
    """

    def __init__(self, name, data, expected, alternative=None):
        self.name = name
        self.data = data
        self.expected = expected
        self.alternative = alternative

    def judge(self, actual):
        """(ok, detail) for the recoder's output for this case."""
        if actual == self.expected or (self.alternative is not None and actual == self.alternative):
            return True, ""
        detail = explain_difference(self.expected, actual)
        if self.alternative is not None:
            detail = "  (unstable set order: the input's order was accepted too)\n" + detail
        if same_ignoring_set_order(self.expected, actual):
            detail = "  (CPython loads both to equal graphs, ignoring set order)\n" + detail
        return False, detail


class Report:
    """Counts case results against a script's KNOWN_FAILURES and prints
    failures: the full account of the first few, then names only."""

    NAMES_ONLY = 50

    @classmethod
    def for_args(cls, args, known_failures):
        """A Report for parsed arguments. KNOWN_FAILURES lists pypickle's
        bugs, so it is ignored for fake_recode.py (CPython has none of them,
        and they would all be "unexpectedly passing") and with
        --no-known-failures."""
        if known_failures and (args.no_known_failures or is_reference(args.pypickle)):
            print("KNOWN_FAILURES ignored (%d entries): the recoder is a reference, "
                  "or --no-known-failures" % len(known_failures))
            known_failures = []
        return cls(known_failures, show=args.show)

    def __init__(self, known_failures, show=5):
        self.known = set(known_failures)
        self.show = show
        self.passed = 0
        self.failed = 0
        self.known_failing = 0
        self.seen_known = set()

    def check(self, name, ok, detail=""):
        """Records one result; `detail` explains a failure."""
        if name in self.known:
            self.seen_known.add(name)
            if ok:
                self.failed += 1
                print("UNEXPECTEDLY PASSING %s: remove it from KNOWN_FAILURES" % name)
            else:
                self.known_failing += 1
            return
        if ok:
            self.passed += 1
            return
        self.failed += 1
        if self.failed <= self.show:
            print("FAIL %s\n%s\n" % (name, detail.rstrip()))
        elif self.failed <= self.show + self.NAMES_ONLY:
            print("FAIL %s" % name)
        elif self.failed == self.show + self.NAMES_ONLY + 1:
            print("(further failures not listed)")
        sys.stdout.flush()

    def note(self, text):
        """Prints an informational line."""
        print(text)
        sys.stdout.flush()

    def finish(self):
        """Prints the summary line `N passed, M failed` and exits."""
        for name in sorted(self.known - self.seen_known):
            print("note: KNOWN_FAILURES names a case that did not run: %s" % name)
        if self.known_failing:
            print("%d known failures still fail (KNOWN_FAILURES)" % self.known_failing)
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.stdout.flush()
        sys.exit(1 if self.failed else 0)


# ---------------------------------------------------------------------------
# Comparing a whole stream


def next_output(out, pos, expected):
    """Cuts the output for one case from the recoder's stdout at `pos`.

    Returns (bytes, next_pos). The expected length is tried first; when it
    does not match, the pickle's own STOP decides where the output ends, so
    one wrong case does not shift the ones after it. next_pos is None when
    the output at `pos` does not parse and the stream cannot be followed.
    """
    if out.startswith(expected, pos):
        return expected, pos + len(expected)
    end = pickle_end(out, pos)
    if end is None:
        return out[pos:pos + len(expected)], None
    return out[pos:end], end


def check_stream(cmd, report, cases, protocol, extra=(), label=""):
    """Recodes the concatenated inputs of `cases` in one recoder process and
    checks each case's output.

    When the recoder stops early (an error, a crash, output that cannot be
    followed), the case where it stopped is run alone for its own message,
    and a new stream starts after it: one bad case costs a few processes
    instead of hiding every case after it.
    """
    start, restarts = 0, 0
    while start < len(cases):
        run = run_recode(cmd, b"".join(c.data for c in cases[start:]), protocol, extra)
        pos, i = 0, start
        while i < len(cases) and pos is not None and pos < len(run.stdout):
            actual, pos = next_output(run.stdout, pos, cases[i].expected)
            ok, detail = cases[i].judge(actual)
            report.check(cases[i].name, ok, detail)
            i += 1
        if i == len(cases) and pos is not None:
            if pos != len(run.stdout):
                report.check("stream:" + label, False,
                             "  %d bytes of output after the last case" % (len(run.stdout) - pos))
            elif run.status != 0:
                report.check("stream:" + label, False,
                             "  every case matched, but the recoder ended with " + run.describe())
            return
        if pos is not None:
            # The output ended before case i: ask case i alone why.
            report.check(cases[i].name, False, _explain_stop(cmd, cases[i], protocol, extra, run))
            i += 1
        restarts += 1
        if restarts > MAX_RESTARTS:
            for case in cases[i:]:
                report.check(case.name, False, "  not checked: the stream %s stopped early more "
                             "than %d times" % (label, MAX_RESTARTS))
            return
        start = i


def _explain_stop(cmd, case, protocol, extra, run):
    """Why a stream stopped at `case`: what the recoder says of it alone."""
    alone = run_recode(cmd, case.data, protocol, extra)
    why = "  the stream stopped here: " + run.describe()
    if alone.status != 0 or alone.crashed:
        return why + "\n  alone: " + alone.describe()
    ok, detail = case.judge(alone.stdout)
    if ok:
        return why + "\n  yet alone it recodes correctly: state leaks between pickles of a stream"
    return why + "\n" + detail
