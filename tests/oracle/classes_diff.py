#!/usr/bin/env python3
"""Instances of user classes and stdlib types, same protocol in and out.

For each case and protocol p, CPython pickles the objects and the bytes
are settled to a fixed point (oracle.settle: the first load interns
attribute names and rebuilds reduce arguments, so a plain dumps is rarely
what CPython writes back); `pypickle recode --protocol p`, which knows none
of these classes (generic mode), must then write exactly
`pickle.dumps(pickle.loads(x), p)`. Combinations CPython itself cannot
pickle (e.g. __slots__ without __getstate__ below protocol 2) are skipped
and listed.

    python3 tests/oracle/classes_diff.py --pypickle target/release/pypickle
    python3 tests/oracle/classes_diff.py --pypickle "python3 tests/oracle/fake_recode.py"
"""
import collections
import datetime
import decimal
import fractions
import os
import pickle
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import pyclasses as pc  # noqa: E402

# Cases that may fail for now, e.g. "slots/p2".
KNOWN_FAILURES = []

PROTOCOLS = range(6)
UTC = datetime.timezone.utc


def instance_cases():
    """One case per way a user class shapes its pickle."""
    return [
        ("plain", pc.Plain(1)),
        ("plain-nested", pc.Plain(pc.Plain("inner"))),
        ("plain-non-ascii-attr", _with_attrs(pc.Plain(), **{"caf\xe9": "\xe9", "\u00fcber": [1]})),
        ("empty", [pc.Empty(), pc.Empty()]),
        ("slots", pc.Slots()),
        ("slots-partly-set", pc.SlotsPartlySet()),
        ("slots-and-dict", pc.SlotsAndDict()),
        ("slots-with-getstate", pc.SlotsWithGetstate()),
        ("getsetstate", pc.GetSetState()),
        ("false-state-0", pc.FalseState(0)),
        ("false-state-empty-dict", pc.FalseState({})),
        ("false-state-empty-str", pc.FalseState("")),
        ("false-state-none", pc.FalseState(None)),
        ("seed-state-myclass", pc.MyClass("name here")),
        ("reduce2", pc.Reduce2([1, "a"])),
        ("reduce3", pc.Reduce3("x")),
        ("reduce-items", _reduce_items()),
        ("reduce-state-setter", pc.ReduceSetter({"s": 1})),
        ("reduce-str", [pc.SINGLETON, pc.SINGLETON]),
        ("getnewargs", pc.NewArgs()),
        ("getnewargs-ex", pc.NewArgsEx()),
        ("getnewargs-ex-no-kwargs", pc.NewArgsExNoKwargs()),
        ("list-subclass", _with_attrs(pc.MyList([1, "two"]), attr=5)),
        ("list-subclass-1001", pc.MyList(range(1001))),
        ("dict-subclass", _with_attrs(pc.MyDict(a=1, b=[2]), attr=6)),
        ("int-subclass", _with_attrs(pc.MyInt(7), unit="cm")),
        ("int-subclass-big", pc.MyInt(2**70)),
        ("str-subclass", _with_attrs(pc.MyStr("s\xe9"), lang="fr")),
        ("tuple-subclass", pc.MyTuple((1, 2, 3))),
        ("namedtuple", [pc.Point(1, 2), pc.Point("a", [3])]),
        ("enum", [pc.Color.RED, pc.Color.RED, pc.Color.GREEN, pc.Level.HIGH]),
        ("nested-class", [pc.Outer.Inner(), pc.Outer.Inner, pc.Outer.Inner.Deeper()]),
        ("classes-and-functions", [pc.Plain, pc.Outer, pc.helper, int, float, len, abs, type(None),
                                   collections.OrderedDict, ..., NotImplemented]),
        ("seed-simpleobject", [pc.SimpleObject(n) for n in ("pickle", "preserve", "last")]),
        ("seed-node-graph", pc.node_graph()),
    ]


def stdlib_cases():
    """Stdlib types, each with the reduction it is known for."""
    return [
        ("ordereddict", collections.OrderedDict([("a", 1), ("b", [2]), ("c", None)])),
        ("defaultdict-list", collections.defaultdict(list, {"a": [1], "b": []})),
        ("counter", collections.Counter("abracadabra")),
        ("deque", collections.deque([1, "two", 3.0])),
        ("deque-maxlen", collections.deque([1, 2], maxlen=5)),
        ("date", datetime.date(2020, 1, 2)),
        ("time", datetime.time(12, 30, 15, 250)),
        ("time-utc", datetime.time(23, 59, tzinfo=UTC)),
        ("datetime", datetime.datetime(2020, 1, 2, 3, 4, 5, 6)),
        ("datetime-utc", datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("datetime-offset", datetime.datetime(1999, 12, 31, 23, 59, 59,
                                              tzinfo=datetime.timezone(datetime.timedelta(hours=-5), "EST"))),
        ("timedelta", [datetime.timedelta(1, 2, 3), datetime.timedelta(-1)]),
        ("decimal", [decimal.Decimal("1.5"), decimal.Decimal("-Infinity"), decimal.Decimal("NaN")]),
        ("fraction", fractions.Fraction(1, 3)),
        ("uuid", uuid.UUID(int=0x1234567890ABCDEF)),
        ("range", [range(5), range(1, 10, 2), range(-3, -30, -4)]),
        ("slice", [slice(1, None, 2), slice(None), slice("a", (1,), None)]),
        ("complex", [1 + 2j, 1 + 2j, complex(0, -0.0)]),
    ]


def shared_cases():
    """Instances and stdlib objects reached more than once, and cycles."""
    shared = pc.Plain("shared")
    tags = ["t1", "t2"]
    p1, p2 = pc.Plain(tags), pc.Plain(tags)
    me = pc.Plain()
    me.x = me
    root = pc.node_graph()
    when = datetime.date(1999, 12, 31)
    od = collections.OrderedDict(a=1)
    od["self"] = od
    dq = collections.deque([1])
    dq.append(dq)
    ml = pc.MyList([0])
    ml.append(ml)
    md = pc.MyDict()
    md["self"] = md
    lst = [1]
    dd = collections.defaultdict(list, {"a": lst, "b": lst})
    return [
        ("shared-instance", [shared, shared, {"k": shared}, (shared,), pc.Plain(shared)]),
        ("shared-attribute-value", [p1, p2]),
        ("instance-self-reference", me),
        ("node-graph-and-nodes", [root, root.connections[0], root.connections]),
        ("shared-stdlib", [when, when, collections.OrderedDict(d=when), {when: pc.Point(when, when)}]),
        ("ordereddict-self", od),
        ("deque-self", dq),
        ("list-subclass-self", ml),
        ("dict-subclass-self", md),
        ("defaultdict-shared-values", dd),
        ("enum-keys-and-set", [{pc.Color.RED: [pc.Color.RED]}, {pc.Color.RED, pc.Color.GREEN}]),
        ("reduce3-shared-state", [pc.Reduce3(tags), pc.Reduce3(tags), tags]),
        ("mixed", {"objs": [pc.Plain(pc.Point(1, 2)), pc.Color.GREEN, pc.MyClass("m")],
                   "when": when, "uuid": uuid.UUID(int=5), "again": when}),
    ]


def _with_attrs(obj, **attrs):
    """`obj` with extra attributes set (for builtin subclasses)."""
    for name, value in attrs.items():
        setattr(obj, name, value)
    return obj


def _reduce_items():
    obj = pc.ReduceItems()
    obj.extend([1, 2, 3])
    obj["k"] = "v"
    return obj


def main():
    oracle.reexec_with_hash_seed()
    args = oracle.argument_parser(__doc__.splitlines()[0]).parse_args()
    report = oracle.Report.for_args(args, KNOWN_FAILURES)
    cases = instance_cases() + stdlib_cases() + shared_cases()
    report.note("%d cases at protocols 0-5" % len(cases))
    for p in PROTOCOLS:
        batch = []
        for name, obj in cases:
            try:
                settled = oracle.settle(pickle.dumps(obj, p), p)
            except Exception as e:
                report.note("skip %s/p%d: CPython cannot pickle it (%s: %s)" % (name, p, type(e).__name__, e))
                continue
            batch.append(oracle.Case("%s/p%d" % (name, p), settled.data, *settled.expected(p)))
        oracle.check_stream(args.pypickle, report, batch, p, label="p%d" % p)
    report.finish()


if __name__ == "__main__":
    main()
