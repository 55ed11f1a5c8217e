"""Random object graphs of every built-in type pickle carries.

Deterministic for a seed. Graphs include shared references, cycles
(a list or dict containing itself, a tuple reached through a list inside
itself), boundary sizes and non-ASCII and surrogate text.
"""
import random

INT_EDGES = [0, 1, -1, 255, 256, 65535, 65536, -128, -129, -32768, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
             2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, -2**64, 2**64 + 1, 10**100, -7**300, 2**2040, 2**2048]
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.5, 0.1, 1e16, 1e-5, 1e-4, 1e300, 5e-324, float("inf"), float("-inf"), float("nan"),
               2.5e15, 123456789.123]
STR_EDGES = ["", "a", "\xe9", "\u20ac", "\U0001f600", "\ud800", "a\udfffb", "\ud83d\ude00", "caf\xe9", "\\", "\n\r\x1a\x00",
             "x" * 255, "x" * 256, "\xe9" * 128, "y" * 65535, "z" * 65536, "\u20ac" * 21846, "latin1", "builtins"]
BYTES_EDGES = [b"", b"a", b"\xff", b"\x00" * 255, b"\x01" * 256, b"b" * 65535, b"c" * 65536, b"latin1"]


def stable(s):
    """A set or frozenset whose iteration order survives a pickle round trip.

    A set rebuilt by inserting its items in iteration order can iterate in a
    different order when hashes collide, so CPython re-dumps it differently
    from the input it loaded. Dropping colliding items until rebuilding keeps
    the order makes every case a fixed point. (PYTHONHASHSEED is fixed.)
    """
    kind = type(s)
    order = list(s)
    while list(kind(order)) != order:
        order.pop()
        order = list(kind(order))
    return kind(order)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.pool = []  # objects available for sharing

    def atom(self):
        r = self.r
        kind = r.randrange(9)
        if kind == 0:
            return r.choice([None, True, False])
        if kind == 1:
            return r.choice(INT_EDGES)
        if kind == 2:
            return r.randrange(-10**6, 10**6)
        if kind == 3:
            return r.choice(FLOAT_EDGES) if r.random() < 0.5 else r.uniform(-1e6, 1e6)
        if kind == 4:
            return complex(r.choice(FLOAT_EDGES), r.choice(FLOAT_EDGES))
        if kind == 5:
            return r.choice(STR_EDGES[:12]) if r.random() < 0.6 else "".join(
                chr(r.choice([r.randrange(32, 127), r.randrange(160, 0x800), r.randrange(0x800, 0xd800),
                              r.randrange(0x10000, 0x10ffff)])) for _ in range(r.randrange(0, 12)))
        if kind == 6:
            return r.choice(BYTES_EDGES[:4]) if r.random() < 0.5 else bytes(r.randrange(256) for _ in range(r.randrange(0, 20)))
        if kind == 7:
            return bytearray(r.choice(BYTES_EDGES[:4]))
        return "s%d" % r.randrange(100)

    def key(self, depth=0):
        r = self.r
        kind = r.randrange(8)
        if kind < 3:
            return "k%d" % r.randrange(1000)
        if kind == 3:
            return r.choice(INT_EDGES + [r.randrange(10**4)])
        if kind == 4:
            return r.choice([1.5, -0.0, 2.25, None, True, b"bk", b""])
        if kind == 5 and depth < 2:
            return tuple(self.key(depth + 1) for _ in range(r.randrange(0, 4)))
        if kind == 6 and depth < 2:
            return stable(frozenset(self.key(depth + 1) for _ in range(r.randrange(0, 3))))
        return self.r.choice(STR_EDGES[:9])

    def value(self, depth):
        r = self.r
        if self.pool and r.random() < 0.15:
            return r.choice(self.pool)
        if depth <= 0 or r.random() < 0.35:
            v = self.atom()
        else:
            kind = r.randrange(6)
            n = r.choice([0, 1, 2, 3, 4, 5]) if r.random() < 0.9 else r.randrange(6, 30)
            if kind == 0:
                v = [self.value(depth - 1) for _ in range(n)]
            elif kind == 1:
                v = tuple(self.value(depth - 1) for _ in range(n))
            elif kind == 2:
                v = {self.key(): self.value(depth - 1) for _ in range(n)}
            elif kind == 3:
                v = stable({self.key() for _ in range(n)})
            elif kind == 4:
                v = stable(frozenset(self.key() for _ in range(n)))
            else:
                v = self.cycle(depth)
        if not isinstance(v, (bool, int, float)) and v is not None and r.random() < 0.3:
            self.pool.append(v)
        return v

    def cycle(self, depth):
        r = self.r
        kind = r.randrange(3)
        if kind == 0:
            l = [self.value(depth - 1)]
            l.append(l)
            return l
        if kind == 1:
            d = {"x": self.value(depth - 1)}
            d["self"] = d
            return d
        inner = [self.value(depth - 1)]
        t = (inner, self.value(depth - 1)) if r.random() < 0.5 else (inner,)
        inner.append(t)
        return t


def random_graph(seed, depth=4):
    g = Gen(seed)
    return [g.value(depth) for _ in range(g.r.randrange(1, 6))]


def edge_cases():
    """Named boundary cases: sizes, batching, framing, identity."""
    cases = {}
    for i, v in enumerate(INT_EDGES):
        cases["int-%d" % i] = [v, -v]
    for i, v in enumerate(FLOAT_EDGES):
        cases["float-%d" % i] = [v]
    for i, v in enumerate(STR_EDGES):
        cases["str-%d" % i] = [v, v]
    for i, v in enumerate(BYTES_EDGES):
        cases["bytes-%d" % i] = [v, bytearray(v)]
    for n in (999, 1000, 1001, 2000, 2001):
        cases["list-%d" % n] = list(range(n))
        cases["dict-%d" % n] = {i: i for i in range(n)}
        cases["set-%d" % n] = set(range(n))
        cases["frozenset-%d" % n] = frozenset(range(n))
        cases["tuple-%d" % n] = tuple(range(n))
    cases["frame-65527"] = ["a" * 65527, "bb"]
    cases["frame-65526"] = ["a" * 65526, "bb"]
    cases["frame-many"] = ["%05d" % i for i in range(30000)]
    cases["singletons"] = [b"a", chr(97), "", b"", "\xe9", "\xe9", b"\xe9"]
    cases["latin1-shared"] = [b"ab", b"cd", "latin1"]
    l = []
    l.append(l)
    cases["list-self"] = l
    d = {}
    d[1] = d
    cases["dict-self"] = d
    inner = []
    t = (inner, 1, 2, 3)
    inner.append(t)
    cases["tuple-via-list"] = t
    inner2 = []
    t2 = (inner2,)
    inner2.append(t2)
    cases["tuple1-via-list"] = [t2, t2]
    shared = ["shared"]
    cases["shared"] = [shared, (shared, shared), {"k": shared}]
    fs = frozenset([1, 2])
    cases["frozenset-shared"] = [fs, fs, {fs: fs}]
    cases["empty"] = [[], (), {}, set(), frozenset(), "", b"", bytearray()]
    cases["complex"] = [1j, complex(1, -0.0), complex(float("inf"), float("nan"))]
    return cases
