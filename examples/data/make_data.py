#!/usr/bin/env python3
"""Writes the bundled sample pickles with CPython, deterministically.

    python3 examples/data/make_data.py

- seed.p<N>.pkl: the seed's first example, [{'a': 'A', 'b': 2, 'c': 3.0}],
  at every protocol.
- tour.p4.pkl: one of every built-in type, with shared references and a
  cycle.
- stream.p4.pkl: three pickles in one stream, as the seed's pickle_stream
  writes them (dicts stand in for its SimpleObject instances).
"""
import os
import pickle

HERE = os.path.dirname(os.path.abspath(__file__))


def tour():
    shared = ["shared", b"bytes"]
    data = {
        "none": None, "bools": [True, False], "ints": [0, 255, 256, -1, 2**31, 2**64, -2**70],
        "floats": [0.0, -0.0, 1.5, 1e16, float("inf")], "complex": 1 + 2j,
        "str": "h\u00e9llo w\u00f6rld \u2603 \U0001f600", "lone surrogate": "\ud800",
        "bytes": b"\x00\x01\xff", "bytearray": bytearray(b"mutable"),
        "tuple": (1, "two", 3.0), "set": {1, 2, 3}, "frozenset": frozenset({(1, 2)}),
        "shared": [shared, shared],
    }
    cycle = [data]
    cycle.append(cycle)
    data["cycle"] = cycle
    return data


def main():
    seed = [{"a": "A", "b": 2, "c": 3.0}]
    for proto in range(6):
        with open(os.path.join(HERE, "seed.p%d.pkl" % proto), "wb") as f:
            pickle.dump(seed, f, proto)
    with open(os.path.join(HERE, "tour.p4.pkl"), "wb") as f:
        pickle.dump(tour(), f, 4)
    with open(os.path.join(HERE, "stream.p4.pkl"), "wb") as f:
        for name in ["pickle", "preserve", "last"]:
            pickle.dump({"name": name, "name_backwards": name[::-1]}, f, 4)


if __name__ == "__main__":
    main()
