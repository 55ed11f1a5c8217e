#!/usr/bin/env python3
"""Mutated pickles: wherever CPython refuses one, pypickle must refuse it.

The inputs are CPython's pickles of the named edge cases and random graphs
of `graphs.py` and of `classes_diff.py`'s instances of user classes and
stdlib types, at every protocol, and pickles of Python 2 strs as Python 2
wrote them, read with six `encoding`/`errors` pairs (recode's
`--encoding`/`--errors`), each damaged a few ways at random:
truncated, a byte changed (to anything, or to an opcode), a byte inserted
or deleted, a length field blown up, a slice repeated, or opcodes that
work on the stack put in between two of its opcodes (its frame grown to
hold them). Each mutant is one
recoder process, and CPython's `pickle.loads` reads it in this process
with an audit hook that refuses every global but those pypickle resolves
natively and those the undamaged pickle names, so random bytes never
import anything new. Then:

* CPython raises: `recode` must exit 1 with one line on stderr. This is
  the check that matters: a loader that accepts what CPython refuses reads
  a different object out of the same bytes, which is how a pickle slips
  past a scanner.
* CPython loads it: `recode` must exit 0, and its output must load in
  CPython to a graph equal to CPython's own (`oracle.graph_signature`,
  which counts sharing and cycles, or, for instances without a
  `__dict__`, CPython's dump of each).
* Never a crash (panic, signal, hang).

Skipped, as they have no one answer to compare with:
* mutants that ask CPython for any other global (recode reads them in
  generic mode, where CPython would import code), or call
  `_codecs.encode` other than with a str and a latin-1 name (pypickle
  keeps such a call as a call, not knowing which codecs exist);
* mutants CPython refuses after looking up a class or function of its
  own pickle: the class's code may have refused (`datetime.date(2020, 13,
  1)`), and recode runs none; and mutants that BUILD onto such a class or
  function, which recode refuses, since whether CPython takes the state
  turns on their code;
* mutants with a persistent id (generic mode keeps it; CPython has no
  `persistent_load` to call);
* mutants CPython loads only past its recursion limit, or fails to load
  for want of memory (`bytearray(2**47)`, which pypickle keeps as a
  call);
* mutants whose globals CPython cannot find (`__builtin__.set` once a
  PROTO 3 in mid-stream turns fix_imports off): recode keeps them, as it
  keeps any global it cannot import;
* mutants that PUT at a memo index over a million (CPython's memo is an
  array: such a PUT costs it gigabytes and a minute; pypickle keeps far
  indices in a map);
* mutants CPython reads differently from bytes and from a file (an
  argument that runs past the end of its frame).

The default run (about 4,000 mutants) takes a few seconds; larger ones
find rarer differences:

    python3 tests/oracle/mutation_diff.py --pypickle target/release/pypickle
    python3 tests/oracle/mutation_diff.py --pypickle target/release/pypickle --per-pickle 9 --count 150 --seed 2
    python3 tests/oracle/mutation_diff.py --pypickle "python3 tests/oracle/fake_recode.py"
"""
import _codecs
import _compat_pickle
import io
import os
import pickle
import pickletools
import random
import sys
import threading
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import classes_diff  # noqa: E402
import graphs  # noqa: E402
import oracle  # noqa: E402

# Mutants that may fail for now, by name ("<seed case>@p<N>/<mutation>").
KNOWN_FAILURES = []

#: The globals pypickle resolves without a class registry, under both
#: spellings (protocols 0-2 write Python 2 names).
NATIVE_GLOBALS = {
    (module, name)
    for modules, names in [
        (("builtins", "__builtin__"), ("set", "frozenset", "bytearray", "complex", "object")),
        (("copyreg", "copy_reg"), ("_reconstructor", "__newobj__")),
        (("_codecs",), ("encode",)),
    ]
    for module in modules
    for name in names
}

#: recode's refusal of BUILD onto a class or function it does not know.
UNKNOWN_BUILD = "BUILD on a class or function is not supported"

#: Opcode bytes, for mutations that put an opcode where data was.
OPCODE_BYTES = [op.code.encode("latin-1")[0] for op in pickletools.opcodes]


class OtherGlobal(Exception):
    """The mutant asks for a global pypickle does not resolve natively."""


#: What the load running in this thread may look up besides
#: NATIVE_GLOBALS (`allowed`: the globals of the pickle a mutant was made
#: from, or RECORD), and which of those it did (`touched`).
LOADING = threading.local()
RECORD = object()


def refuse_other_globals(event, args):
    """An audit hook: CPython's unpickler announces every global it looks
    up as `pickle.find_class` before importing anything, and an exception
    raised here ends the load. (The hook cannot be removed; this script
    wants it for good.)"""
    if event != "pickle.find_class" or tuple(args) in NATIVE_GLOBALS:
        return
    allowed = getattr(LOADING, "allowed", frozenset())
    module, name = args
    # recode names a nested class that protocols 0-3 reach through
    # getattr(Outer, 'Inner') by its dotted name, 'Outer.Inner'.
    if allowed is RECORD or (module, name.split(".")[0]) in allowed:
        LOADING.touched.add((module, name))
        return
    raise OtherGlobal("%s.%s" % tuple(args))


def globals_of(data):
    """The globals other than NATIVE_GLOBALS that loading `data` looks up."""
    LOADING.allowed, LOADING.touched = RECORD, set()
    try:
        pickle.loads(data)
    finally:
        LOADING.allowed = frozenset()
    # Protocols 0-2 name Python 2 modules; recode writes Python 3 names.
    touched = set(LOADING.touched)
    for module, name in LOADING.touched:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            touched.add(_compat_pickle.NAME_MAPPING[(module, name)])
        elif module in _compat_pickle.IMPORT_MAPPING:
            touched.add((_compat_pickle.IMPORT_MAPPING[module], name))
    return frozenset(touched)


#: The encoding names pypickle decodes `_codecs.encode(text, name)` for.
LATIN1_NAMES = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1"}
REAL_CODECS_ENCODE = _codecs.encode


def latin1_encode_only(*args):
    """Stands in for `_codecs.encode` while mutants load. pypickle turns
    `_codecs.encode(text, 'latin1')` into bytes, as CPython does, and keeps
    any other call of it as a call, without knowing which codecs exist:
    such a mutant is skipped like one that names another global."""
    if (len(args) == 2 and all(isinstance(a, str) for a in args)
            and args[1].lower().replace("_", "-") in LATIN1_NAMES):
        return REAL_CODECS_ENCODE(*args)
    raise OtherGlobal("_codecs.encode%r" % (args,))


def huge_memo_index(data):
    """Whether a PUT the pickle starts with names a memo index so large
    that CPython's array memo would take gigabytes (and a minute)."""
    try:
        for op, arg, _ in pickletools.genops(io.BytesIO(data)):
            if op.name in ("PUT", "BINPUT", "LONG_BINPUT") and int(arg) > 10**6:
                return True
    except Exception:
        pass
    return False


def cpython_load(data, options):
    """('value', obj, end) | ('error', exc) | ('skip', reason), where `end`
    is the offset just past the STOP. `options`: the Unpickler's keyword
    arguments (`encoding`, `errors`)."""
    if huge_memo_index(data):
        return ("skip", "huge memo index")
    ends = []

    def from_file(d):
        f = io.BytesIO(d)
        obj = pickle.Unpickler(f, **options).load()
        ends.append(f.tell())  # a BytesIO has no peek: read exactly, frames whole
        return obj

    outcomes = []
    for load in (lambda d: pickle.loads(d, **options), from_file):
        try:
            outcomes.append(("value", load(data)))
        except OtherGlobal as e:
            return ("skip", "global %s" % e)
        except RecursionError:
            return ("skip", "recursion")
        except Exception as e:  # any refusal counts, whatever its type
            if "persistent id" in str(e):
                # recode keeps persistent ids (generic mode); the library's
                # default refuses them, as CPython does.
                return ("skip", "persistent id")
            if isinstance(e, ModuleNotFoundError) or (
                    isinstance(e, AttributeError) and str(e).startswith("Can't get attribute")):
                # An allowed name CPython cannot find, such as
                # `__builtin__.set` after a PROTO 3 in mid-stream turns
                # fix_imports off: recode keeps globals it cannot import.
                return ("skip", "global not found")
            if isinstance(e, MemoryError):
                # This machine's memory, not the pickle, decided (such as
                # bytearray(2**47), which pypickle keeps as a call).
                return ("skip", "memory")
            outcomes.append(("error", e))
    # Reading a file, CPython 3.11 lets an opcode's argument run across the
    # end of a frame and takes other bytes than `pickle.loads` does. Where
    # the two disagree there is no one answer (fake_recode.py reads a file).
    by_bytes, by_file = outcomes
    if by_bytes[0] != by_file[0] or by_bytes[0] == "value" and (
            oracle.graph_signature(by_bytes[1]) != oracle.graph_signature(by_file[1])):
        return ("skip", "frame overrun")
    return by_bytes + (ends[0],) if ends else by_bytes


#: Opcodes that work on the stack with no argument, and values that
#: compare or hash alike across types (1, 1.0, True; 'a', b'a'): put
#: between two opcodes, they apply to whatever the pickle built.
STACK_OPS = [b"(", b")", b"]", b"}", b"N", b"\x88", b"\x89", b"0", b"1", b"2", b"t",
             b"l", b"d", b"s", b"u", b"a", b"e", b"b", b"R", b"o", b"\x81", b"\x92",
             b"\x85", b"\x86", b"\x87", b"\x8f", b"\x90", b"\x91", b"\x93", b"\x94",
             b"\x8c\x01a", b"C\x01a", b"G?\xf0\x00\x00\x00\x00\x00\x00",
             b"J\xff\xff\xff\xff", b"\x8a\x09" + bytes(8) + b"\x01"]


def put_opcode(data, rng):
    """`data` with one to three stack opcodes (or BINGETs or BININT1s) put
    in before one of its opcodes, its frame's length grown to hold them:
    (name, bytes)."""
    try:
        ops = list(pickletools.genops(data))
    except Exception:  # a Python 2 str pickletools cannot decode
        ops = [(None, None, i) for i in range(len(data))]
    at = rng.choice([pos for _, _, pos in ops])
    op = b"".join(rng.choice(STACK_OPS + [b"h" + bytes([rng.randrange(8)]),
                                          b"K" + bytes([rng.randrange(256)])])
                  for _ in range(rng.choice((1, 1, 2, 3))))
    out = bytearray(data[:at] + op + data[at:])
    for code, length, pos in ops:
        if code is not None and code.name == "FRAME" and pos + 9 <= at <= pos + 9 + length:
            out[pos + 1:pos + 9] = (length + len(op)).to_bytes(8, "little")
    return "op-%d=%s" % (at, op.hex()), bytes(out)


def mutants(data, rng):
    """A few damaged copies of `data`: a list of (name, bytes)."""
    n = len(data)
    out = []
    cut = rng.randrange(0, n)
    out.append(("truncate-%d" % cut, data[:cut]))
    for _ in range(2):
        i = rng.randrange(n)
        b = rng.randrange(256)
        out.append(("byte-%d=%02x" % (i, b), data[:i] + bytes([b]) + data[i + 1:]))
    for _ in range(2):
        i = rng.randrange(n)
        b = rng.choice(OPCODE_BYTES)
        out.append(("opcode-%d=%02x" % (i, b), data[:i] + bytes([b]) + data[i + 1:]))
    i = rng.randrange(n + 1)
    b = rng.choice(OPCODE_BYTES)
    out.append(("insert-%d=%02x" % (i, b), data[:i] + bytes([b]) + data[i:]))
    i = rng.randrange(n)
    out.append(("delete-%d" % i, data[:i] + data[i + 1:]))
    i = rng.randrange(n)
    out.append(("ff-%d" % i, data[:i] + b"\xff" + data[i + 1:]))
    i = rng.randrange(n)
    j = rng.randrange(i, min(n, i + 16) + 1)
    k = rng.randrange(n + 1)
    out.append(("repeat-%d:%d@%d" % (i, j, k), data[:k] + data[i:j] + data[k:]))
    out.extend(put_opcode(data, rng) for _ in range(2))
    return out


def sample(rng, items, k):
    """`k` of `items` at random (all of them if there are no more)."""
    return rng.sample(items, min(k, len(items)))


def seeds(count):
    """CPython's pickles at every protocol of the edge cases, `count`
    random graphs and classes_diff.py's instances of user classes and
    stdlib types: a list of (name, bytes, the globals they look up)."""
    cases = graphs.edge_cases() + graphs.random_cases(7, count)
    classes = classes_diff.instance_cases() + classes_diff.stdlib_cases()
    out = []
    for name, obj in cases + classes:
        for protocol in range(6):
            try:
                data = pickle.dumps(obj, protocol)
            except Exception:
                continue  # CPython cannot pickle it at this protocol
            out.append(("%s@p%d" % (name, protocol), data, globals_of(data), {}))
    return out + py2_seeds()


#: Python 2 strs: ASCII, latin-1, UTF-8, bytes no codec reads, an encoded
#: surrogate, a cut-off character, quotes and backslashes.
PY2_TEXTS = [b"", b"abc", b"caf\xe9", b"\xc3\xa9t\xc3\xa9", b"\x00\xff\x80",
             b"q'\"\\", b"\xed\xa0\x80", b"\xe4\xb8\xad\xe6", b"x" * 300]

#: The Unpickler options Python 2 pickles are read with: (encoding, errors).
PY2_OPTIONS = [("ASCII", "strict"), ("latin1", "strict"), ("bytes", "strict"),
               ("utf-8", "strict"), ("utf-8", "replace"), ("ASCII", "surrogateescape")]


def py2_string(text, protocol):
    """STRING (protocol 0, Python 2's repr), else SHORT_BINSTRING or
    BINSTRING: the opcodes Python 2 wrote for its str."""
    if protocol == 0:
        return b"S" + repr(text)[1:].encode("ascii") + b"\n"
    if len(text) < 256:
        return b"U" + bytes([len(text)]) + text
    return b"T" + len(text).to_bytes(4, "little") + text


def py2_pickles():
    """Pickles as Python 2 wrote them, of its strs: a list of them, a dict
    of them (keys too), and a tuple that refers to one twice, at
    protocols 0-2: a list of (name, bytes)."""
    out = []
    for protocol in range(3):
        put = (lambda i: b"p%d\n" % i) if protocol == 0 else (lambda i: b"q" + bytes([i]))
        get = (lambda i: b"g%d\n" % i) if protocol == 0 else (lambda i: b"h" + bytes([i]))
        head = b"\x80\x02" if protocol == 2 else b""
        items = b"".join(py2_string(t, protocol) + put(i + 1) for i, t in enumerate(PY2_TEXTS))
        if protocol == 0:
            listed = b"(lp0\n" + b"".join(
                py2_string(t, 0) + put(i + 1) + b"a" for i, t in enumerate(PY2_TEXTS))
        else:
            listed = b"]q\x00(" + items + b"e"
        out.append(("py2-list@p%d" % protocol, head + listed + b"."))
        pairs = b"".join(py2_string(k, protocol) + py2_string(v, protocol)
                         for k, v in zip(PY2_TEXTS, reversed(PY2_TEXTS)))
        opened = b"(dp0\n" if protocol == 0 else b"}q\x00("
        closed = b"" if protocol == 0 else b"u"
        if protocol == 0:
            pairs = b"".join(py2_string(k, 0) + py2_string(v, 0) + b"s"
                             for k, v in zip(PY2_TEXTS, reversed(PY2_TEXTS)))
        out.append(("py2-dict@p%d" % protocol, head + opened + pairs + closed + b"."))
        shared = b"(" + py2_string(b"caf\xe9", protocol) + put(1) + get(1) + b"t."
        out.append(("py2-shared@p%d" % protocol, head + shared))
    return out


def py2_seeds():
    """py2_pickles() under each of PY2_OPTIONS: (name, bytes, globals,
    options)."""
    return [("%s[%s,%s]" % (name, encoding, errors), data, frozenset(),
             {"encoding": encoding, "errors": errors})
            for name, data in py2_pickles()
            for encoding, errors in PY2_OPTIONS]


def shown(data, limit=400):
    """`repr(data)`, cut short."""
    text = repr(data)
    return text if len(text) <= limit else text[:limit] + "... (%d bytes)" % len(data)


def judge(cmd, name, data, allowed, options):
    """(verdict, ok, detail); verdict is 'error', 'value' or 'skip'.
    `allowed`: the globals besides the native ones the mutant may use;
    `options`: the Unpickler's keyword arguments, which recode takes as
    `--encoding` and `--errors`."""
    extra = [a for key, value in options.items() for a in ("--" + key, value)]
    if not data:
        # pickle.loads(b'') is an EOFError, recode's empty stream a clean end;
        # pickletester_vectors.py checks the empty input.
        return "skip", True, "empty"
    LOADING.allowed, LOADING.touched = allowed, set()
    expected = cpython_load(data, options)
    if expected[0] == "skip":
        return "skip", True, expected[1]
    if expected[0] == "error" and LOADING.touched:
        # A class's own code may have refused (datetime.date(2020, 13, 1)):
        # recode runs none, so it has nothing to compare.
        return "skip", True, "class code"
    if expected[0] == "error":
        run = oracle.run_recode(cmd, data, 4, extra)
        lines = run.stderr.strip().splitlines()
        ok = run.status == 1 and not run.crashed and len(lines) == 1
        return "error", ok, "  CPython: %s: %s\n  recode: %s\n  input: %s" % (
            type(expected[1]).__name__, expected[1], run.describe(), shown(data))
    obj = expected[1]
    run = oracle.run_recode(cmd, data, 4, extra)
    detail = "  CPython loads it\n  recode: %s\n  input: %s" % (run.describe(), shown(data))
    if LOADING.touched and run.status == 1 and UNKNOWN_BUILD in run.stderr:
        # BUILD onto a class or function of the pickle's own: whether CPython
        # takes the state turns on its code (a __setstate__, a function's
        # __dict__), which recode cannot see, so it refuses.
        return "skip", True, "class code"
    # pickle.loads ignores what follows STOP; recode reads it as the next
    # pickle of the stream, which may well be bad. The first pickle counts.
    # pickletools finds the STOP unless a Python 2 str is not ASCII; then
    # the file CPython read tells (a frame is read whole, so it cannot).
    trailing = (oracle.pickle_end(data) or expected[2]) != len(data)
    if run.crashed or not (run.status == 0 or trailing and "pickle #1" in run.stderr):
        return "value", False, detail
    try:
        ours = pickle.loads(run.stdout)
    except Exception as e:
        return "value", False, detail + "\n  CPython cannot load the output: %r" % e
    # Instances without a __dict__ have no signature but their repr (with
    # an address): CPython's own dump of both graphs tells those apart.
    same = (oracle.graph_signature(ours) == oracle.graph_signature(obj)
            or pickle.dumps(ours, 4) == pickle.dumps(obj, 4))
    return "value", same, detail + "\n  graphs differ"


def main():
    oracle.reexec_with_hash_seed()
    sys.addaudithook(refuse_other_globals)
    # Damaged STRING escapes ('\\o') warn in CPython; the load's outcome is
    # what counts.
    warnings.simplefilter("ignore", DeprecationWarning)
    parser = oracle.argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30, metavar="N",
                        help="random graphs to mutate, besides the edge cases (default 30)")
    parser.add_argument("--per-pickle", type=int, default=2, metavar="K",
                        help="mutants of each pickle, of the eleven mutants() makes (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="the mutation seed (default 1)")
    args = parser.parse_args()
    report = oracle.Report.for_args(args, KNOWN_FAILURES)

    rng = random.Random(args.seed)
    cases = [("%s/%s" % (name, what), mutant, allowed, options)
             for name, data, allowed, options in seeds(args.count)
             for what, mutant in sample(rng, mutants(data, rng), args.per_pickle)]
    # From here on nothing is pickled: bytes at protocols 0-2 name the real
    # _codecs.encode, which the pickler would no longer find.
    _codecs.encode = latin1_encode_only
    verdicts = Counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for (name, _, _, _), (verdict, ok, detail) in zip(
                cases, pool.map(lambda c: judge(args.pypickle, *c), cases)):
            verdicts[verdict] += 1
            if verdict != "skip":
                report.check(name, ok, detail)
    report.note("%d mutants: CPython refused %d, loaded %d; %d skipped (other globals or ones CPython cannot find, class code, persistent ids, recursion or memory, far memo indices, frame overruns)"
                % (len(cases), verdicts["error"], verdicts["value"], verdicts["skip"]))
    report.finish()


if __name__ == "__main__":
    main()
