#!/usr/bin/env python3
"""Instances of user classes and stdlib types, same protocol in and out.

For each case and protocol p, CPython pickles the objects to x;
`pypickle recode --protocol p` (generic mode) must write exactly
`pickle.dumps(pickle.loads(x), p)`. (The cases hold no sets of strs, so
no fixed point is needed, and x itself often differs from the re-dump:
interned attribute names, fresh reduce arguments.)

    python3 tests/oracle/classes_diff.py --pypickle target/release/pypickle
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

# Cases that may fail while their fix is in progress: "<case>/p<proto>".
KNOWN_FAILURES = []


def cases():
    shared = pc.Plain("shared")
    lst = pc.MyList([1, 2])
    lst.attr = 5
    dct = pc.MyDict(a=1)
    dct.attr = 6
    return {
        "plain": pc.Plain(1),
        "plain-shared": [shared, shared, pc.Plain(shared)],
        "empty": [pc.Empty(), pc.Empty()],
        "slots": pc.Slots(),
        "slots-and-dict": pc.SlotsAndDict(),
        "getsetstate": pc.GetSetState(),
        "false-state": pc.FalseState(),
        "reduce2": pc.Reduce2([1]),
        "reduce3": pc.Reduce3("x"),
        "getnewargs": pc.NewArgs(),
        "getnewargs_ex": pc.NewArgsEx(),
        "list-subclass": lst,
        "dict-subclass": dct,
        "int-subclass": pc.MyInt(7),
        "str-subclass": pc.MyStr("s"),
        "namedtuple": [pc.Point(1, 2), pc.Point("a", [3])],
        "enum": [pc.Color.RED, pc.Color.RED, pc.Color.GREEN],
        "nested-class": [pc.Outer.Inner(), pc.Outer.Inner],
        "classes": [pc.Plain, pc.Outer, int, float, len, abs, collections.OrderedDict],
        "seed-simpleobject": [pc.SimpleObject(n) for n in ("pickle", "preserve", "last")],
        "seed-state": pc.MyClass("name here"),
        "seed-node-graph": pc.node_graph(),
        "ordereddict": collections.OrderedDict([("a", 1), ("b", [2])]),
        "defaultdict": collections.defaultdict(list, {"a": [1]}),
        "counter": collections.Counter("abracadabra"),
        "deque": collections.deque([1, "two", 3.0]),
        "date": datetime.date(2020, 1, 2),
        "datetime": datetime.datetime(2020, 1, 2, 3, 4, 5, 6),
        "datetime-utc": datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "time": datetime.time(12, 30),
        "timedelta": datetime.timedelta(1, 2, 3),
        "decimal": [decimal.Decimal("1.5"), decimal.Decimal("-Infinity")],
        "fraction": fractions.Fraction(1, 3),
        "uuid": uuid.UUID(int=0x1234567890ABCDEF),
        "range": [range(5), range(1, 10, 2)],
        "slice": slice(1, None, 2),
        "complex": [1 + 2j, 1 + 2j],
        "mixed": {"objs": [pc.Plain(pc.Point(1, 2)), pc.Color.GREEN], "when": datetime.date(1999, 12, 31)},
    }


def main():
    oracle.ensure_hash_seed()
    cmd = oracle.pypickle_command(sys.argv)
    report = oracle.Report(KNOWN_FAILURES)
    all_cases = cases()
    for p in range(6):
        batch = []
        for name, obj in all_cases.items():
            try:
                x = pickle.dumps(obj, p)
            except Exception as e:  # CPython itself cannot pickle this here
                print("skip %s/p%d: CPython cannot pickle it (%s)" % (name, p, e))
                continue
            batch.append(("%s/p%d" % (name, p), x, pickle.dumps(pickle.loads(x), p)))
        oracle.compare_stream(cmd, report, batch, p, p)
    report.finish()


if __name__ == "__main__":
    main()
