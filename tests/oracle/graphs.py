"""Object graphs of every built-in type pickle carries, each with a stable name.

`edge_cases()` lists named boundary cases (sizes, batching, framing,
sharing, cycles, singletons); `random_cases(seed, count)` adds
deterministic random graphs named `random-<seed>-<i>`. A name depends only
on these arguments, so KNOWN_FAILURES entries stay valid.

Sets and frozensets never hold None or NaN, not even inside a tuple or
frozenset element: in CPython 3.11 both hash by memory address (None gets
a fixed hash only in 3.12), so such a set iterates in a different order
in every process. str and bytes hashes need PYTHONHASHSEED=0, which the
harness sets. Dicts keep insertion order, so None and NaN keys are fine.
"""
import random
import struct


def _bits(hexbits):
    """The float whose IEEE-754 bits are `hexbits` (16 hex digits)."""
    return struct.unpack(">d", bytes.fromhex(hexbits))[0]


INTS = [
    ("0", 0), ("1", 1), ("-1", -1), ("127", 127), ("128", 128), ("-128", -128), ("-129", -129),
    ("255", 255), ("256", 256), ("-256", -256), ("65535", 65535), ("65536", 65536), ("-65536", -65536),
    ("2^31-1", 2**31 - 1), ("2^31", 2**31), ("2^31+1", 2**31 + 1),
    ("-2^31+1", -2**31 + 1), ("-2^31", -2**31), ("-2^31-1", -2**31 - 1),
    ("2^32", 2**32), ("2^39", 2**39), ("-2^47-1", -2**47 - 1), ("2^55-1", 2**55 - 1),
    ("-2^55", -2**55), ("2^63-1", 2**63 - 1), ("2^63", 2**63), ("-2^63", -2**63), ("-2^63-1", -2**63 - 1),
    ("2^64-1", 2**64 - 1), ("2^64", 2**64), ("-2^64", -2**64), ("2^64+1", 2**64 + 1),
    ("2^100", 2**100), ("-2^100-1", -2**100 - 1), ("2^127-1", 2**127 - 1), ("2^127", 2**127),
    ("-2^127", -2**127), ("-2^127-1", -2**127 - 1), ("2^128", 2**128), ("-2^128", -2**128),
    ("10^100", 10**100), ("-7^300", -7**300),
    ("2^2039", 2**2039), ("2^2040", 2**2040), ("-2^2040", -2**2040), ("-2^2047", -2**2047),
    ("digits-600", int("9" * 600)), ("digits-neg-1000", -int("12345" * 200)),
]

FLOATS = [
    ("0.0", 0.0), ("-0.0", -0.0), ("1.0", 1.0), ("-1.5", -1.5), ("0.1", 0.1), ("1e16", 1e16),
    ("1e-5", 1e-5), ("1e-4", 1e-4), ("2.5e15", 2.5e15), ("1e22", 1e22), ("1e300", 1e300),
    ("5e-324", 5e-324), ("max", 1.7976931348623157e308), ("123456789.123", 123456789.123),
    ("inf", float("inf")), ("-inf", float("-inf")), ("nan", float("nan")),
    ("nan-negative", _bits("fff8000000000000")), ("nan-payload", _bits("7ff8000000000123")),
]

# Floats whose text form (protocol 0) is tricky; edge cases only, so that a
# bug here shows under its own name instead of in every random graph.
FLOAT_REPRS = [
    # Exactly halfway between two 17-digit reprs: repr rounds half to even (...356.62).
    ("repr-tie", 232228268845356.625), ("repr-tie-small", 0.30000000000000004),
    ("repr-1e16-minus", 9999999999999998.0), ("repr-exp-boundary", 1e-5 * 0.99999999),
]

COMPLEXES = [
    ("0", 0j), ("1j", 1j), ("1-0j", complex(1, -0.0)), ("-1.5+1e16j", complex(-1.5, 1e16)),
    ("inf-nan", complex(float("inf"), float("nan"))),
]

# Text in groups: the case name is str-<group>-<index>.
STRS = {
    "empty": [""],
    "ascii": ["a", "z", "hello world", "latin1", "builtins", "__main__"],
    "latin1": ["\xe9", "\xff", "\x80", "caf\xe9", "\xa0\xb5\xff" * 3],
    "bmp": ["\u20ac", "\u0100", "\uffff", "\u4e2d\u6587", "\ufeffbom"],
    "astral": ["\U0001f600", "\U00010000", "\U0010ffff", "a\U0001f600b"],
    "surrogate": ["\ud800", "\udfff", "a\udc80b", "\ud83d\ude00", "\udbff\udfff\ud800", "x\ud800" * 40],
    "escape": ["\\", "\n", "\r\n", "\x1a", "\x00", "\x7f", "\\u0041", "a\nb\\c\x00d\x1ae", "\t\"'"],
    "size": ["x" * 255, "x" * 256, "\xe9" * 127 + "x", "\xe9" * 128, "\u20ac" * 85, "\u20ac" * 86,
             "y" * 65535, "z" * 65536, "\u20ac" * 21845, "\u20ac" * 21846, "\U0001f600" * 16384,
             "w" * 70000],
}

BYTES = [
    ("empty", b""), ("1-nul", b"\x00"), ("1-a", b"a"), ("1-ff", b"\xff"), ("ascii", b"hello"),
    ("high", bytes(range(256))), ("latin1-word", b"latin1"),
    ("size-255", b"\x01" * 255), ("size-256", b"\x02" * 256), ("size-65535", b"b" * 65535),
    ("size-65536", b"c" * 65536), ("size-70000", bytes(range(250)) * 280),
]


def _str_cases():
    for group, values in STRS.items():
        for i, s in enumerate(values):
            yield "str-%s-%d" % (group, i), [s, s]


def _size_cases():
    """Containers of 0 to 6 items, and just below, at and above the
    1000-item batch size."""
    for n in range(7):
        yield "tuple-len-%d" % n, tuple(range(10, 10 + n))
        yield "list-len-%d" % n, list(range(10, 10 + n))
        yield "dict-len-%d" % n, {"k%d" % i: i for i in range(n)}
        yield "set-len-%d" % n, {"e%d" % i for i in range(n)}
        yield "frozenset-len-%d" % n, frozenset(range(n))
    for n in (999, 1000, 1001, 2000, 2001):
        yield "list-len-%d" % n, list(range(n))
        yield "tuple-len-%d" % n, tuple(range(n))
        yield "dict-len-%d" % n, {i: -i for i in range(n)}
        yield "set-len-%d" % n, set(range(n))
        yield "frozenset-len-%d" % n, frozenset(range(n))
    yield "set-str-len-1000", {"s%d" % i for i in range(1000)}
    yield "frozenset-str-len-1001", frozenset("f%d" % i for i in range(1001))
    yield "dict-str-len-1000", {"k%d" % i: "v%d" % i for i in range(1000)}


def _key_cases():
    """Dicts keyed by every hashable built-in type, and a mixed set."""
    yield "dict-keys-str", {"": 0, "a": 1, "\xe9": 2, "\ud800": 3, "\U0001f600": 4}
    yield "dict-keys-int", {0: "a", -1: "b", 256: "c", 2**31: "d", -2**64: "e", 10**30: "f"}
    yield "dict-keys-float", {0.5: 1, -0.0: 2, float("inf"): 3, 1e16: 4, float("nan"): 5}
    yield "dict-keys-bool-none", {True: 1, False: 0, None: None}
    yield "dict-keys-equal", {1: "int", 1.0: "float", True: "bool"}
    yield "dict-keys-bytes", {b"": 1, b"a": 2, b"\xff\x00": 3}
    yield "dict-keys-tuple", {(): 1, (1,): 2, ("a", "b"): 3, (1, (2, (3,))): 4, (None, True, 1.5, b"x"): 5}
    yield "dict-keys-frozenset", {frozenset(): 1, frozenset([1, 2]): 2, frozenset(["a", (1, 2)]): 3}
    yield "dict-keys-mixed", {"k": 1, 2: 2, 3.5: 3, None: 4, b"k": 5, ("k",): 6, frozenset(["k"]): 7, 1j: 8}
    yield "set-mixed", {"s", 1, 2.5, True, b"b", ("t", 1), frozenset([3]), -2**70, 1j}


def _sharing_cases():
    """The same object reached more than once."""
    lst, dct, tup, fs, st = ["shared"], {"k": "v"}, ("t", [1]), frozenset([1, 2]), {"x"}
    s, b, ba = "shared text", b"shared bytes", bytearray(b"ba")
    yield "shared-list", [lst, lst, (lst, lst), {"a": lst}]
    yield "shared-dict", [dct, {"inner": dct}, (dct,)]
    yield "shared-tuple", [tup, tup, [tup]]
    yield "shared-frozenset", [fs, fs, {fs: fs}, {fs}]
    yield "shared-set", [st, st]
    yield "shared-str", [s, s, {s: s}, (s,)]
    yield "shared-bytes", [b, b, (b,)]
    yield "shared-bytearray", [ba, ba]
    yield "shared-complex", [1 + 2j] * 3
    yield "shared-empty-tuple", [(), (), ((),)]
    yield "shared-keys", [{"k1": 1, "k2": 2}, {"k1": 3, "k2": 4}]
    key = "same key object"
    yield "shared-key-object", [{key: 1}, {key: 2}, key]


def _cycle_cases():
    """Containers that reach themselves."""
    l = []
    l.append(l)
    yield "cycle-list-self", l
    d = {}
    d["self"] = d
    yield "cycle-dict-self", d
    t = ([],)
    t[0].append(t)
    yield "cycle-tuple1-via-list", t
    yield "cycle-tuple1-via-list-twice", [t, t]
    inner = []
    t2 = (inner, "x")
    inner.append(t2)
    yield "cycle-tuple2-via-list", t2
    inner = []
    t3 = (1, inner, 3)
    inner.append(t3)
    yield "cycle-tuple3-via-list", [t3]
    inner = []
    t4 = (inner, 1, 2, 3)
    inner.append(t4)
    yield "cycle-tuple4-via-list", t4
    inner = {}
    t5 = ("a", inner, "c", "d", "e")
    inner["back"] = t5
    yield "cycle-tuple5-via-dict", [t5, inner]
    a, b = [], []
    a.append(b)
    b.append(a)
    yield "cycle-two-lists", a
    outer = []
    nested = ((outer,),)
    outer.append(nested)
    yield "cycle-nested-tuples", nested
    d = {}
    d["l"] = [d, (d,)]
    yield "cycle-dict-list-tuple", d


def _framing_cases():
    """Frame boundaries (protocol 4+) and unframed large values."""
    yield "frame-65526", ["a" * 65526, "bb"]
    yield "frame-65527", ["a" * 65527, "bb"]
    yield "frame-many-small", ["%05d" % i for i in range(20000)]
    yield "frame-large-bytes-mid", [1, b"x" * 65536, 2, "after"]
    yield "frame-large-str-mid", ["before", "y" * 65536, ("after",)]
    yield "frame-large-bytearray", [bytearray(b"z" * 65536), bytearray(b"small")]


def _singleton_cases():
    """CPython's loads returns shared '', 1-char latin-1 strs, b'' and
    1-byte bytes, so a re-dump may GET one that the input wrote twice."""
    yield "singleton-str-bytes", [b"a", chr(97), "a"]
    yield "singleton-empty", ["", "", b"", b"", bytearray(), bytearray()]
    yield "singleton-latin1", ["\xe9", "\xe9", b"\xe9", "\u20ac", "\u20ac"]
    yield "singleton-latin1-word", [b"ab", b"cd", "latin1", b""]
    yield "singleton-keys", [{"a": "a"}, {"a": b"a"}]


def edge_cases():
    """Named boundary cases, in a fixed order: a list of (name, object)."""
    cases = [("none", None), ("bools", [True, False, True]),
             ("empty-containers", [[], (), {}, set(), frozenset(), "", b"", bytearray()])]
    cases += [("int-" + name, v) for name, v in INTS]
    cases += [("float-" + name, v) for name, v in FLOATS + FLOAT_REPRS]
    cases += [("complex-" + name, v) for name, v in COMPLEXES]
    cases += list(_str_cases())
    cases += [("bytes-" + name, [v, v]) for name, v in BYTES]
    cases += [("bytearray-" + name, [bytearray(v), bytearray(v)]) for name, v in BYTES]
    for generate in (_size_cases, _key_cases, _sharing_cases, _cycle_cases, _framing_cases,
                     _singleton_cases):
        cases += list(generate())
    names = [name for name, _ in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return cases


class RandomGraph:
    """Builds random object graphs from one seeded random.Random.

    Lists, dicts and sets join the pool of shareable objects as soon as
    they are created, so an item may be the container itself or one of its
    ancestors: that is how random cycles arise. Hashable values have their
    own pool, so set elements and dict keys get shared too.
    """

    def __init__(self, rng):
        self.r = rng
        self.pool = []
        self.hashable_pool = []

    # -- atoms ----------------------------------------------------------------

    def int_(self):
        r = self.r
        pick = r.random()
        if pick < 0.3:
            return r.choice(INTS)[1]
        if pick < 0.7:
            return r.randrange(-300, 70000)
        return r.randrange(-2 ** r.randrange(1, 300), 2 ** r.randrange(1, 300))

    def float_(self, allow_nan=True):
        r = self.r
        if r.random() < 0.4:
            v = r.choice(FLOATS)[1]
        else:
            v = r.choice([r.uniform(-1e6, 1e6), r.random() * 10 ** r.randrange(-30, 30),
                          float(r.randrange(-10**6, 10**6))])
        return v if allow_nan or v == v else 0.25

    def str_(self):
        r = self.r
        if r.random() < 0.4:
            group = r.choice(["empty", "ascii", "latin1", "bmp", "astral", "surrogate", "escape"])
            return r.choice(STRS[group])
        ranges = [(32, 127), (0, 32), (128, 256), (256, 0xd800), (0xd800, 0xe000), (0xe000, 0x10000),
                  (0x10000, 0x110000)]
        n = r.choice([0, 1, 1, 2, 5, 12, 30]) if r.random() < 0.97 else r.choice([255, 256])
        return "".join(chr(r.randrange(*r.choice(ranges))) for _ in range(n))

    def bytes_(self):
        r = self.r
        if r.random() < 0.4:
            return r.choice(BYTES[:7])[1]
        n = r.choice([0, 1, 1, 3, 10, 40]) if r.random() < 0.97 else r.choice([255, 256])
        return bytes(r.randrange(256) for _ in range(n))

    def atom(self):
        r = self.r
        kind = r.randrange(10)
        if kind == 0:
            return r.choice([None, True, False])
        if kind in (1, 2):
            return self.int_()
        if kind == 3:
            return self.float_()
        if kind == 4:
            return complex(self.float_(), self.float_())
        if kind in (5, 6):
            return self.str_()
        if kind == 7:
            return self.bytes_()
        if kind == 8:
            return bytearray(self.bytes_())
        return "s%d" % r.randrange(50)  # a small vocabulary: equal but distinct strs

    # -- hashables (dict keys and set elements) ---------------------------------

    def hashable(self, depth=2):
        """A hashable value with no None or NaN anywhere inside."""
        r = self.r
        if self.hashable_pool and r.random() < 0.15:
            return r.choice(self.hashable_pool)
        kind = r.randrange(10)
        if kind < 3:
            v = self.str_() if r.random() < 0.5 else "k%d" % r.randrange(200)
        elif kind < 5:
            v = self.int_()
        elif kind == 5:
            v = r.choice([self.float_(allow_nan=False), True, False])
        elif kind == 6:
            v = self.bytes_()
        elif kind == 7 and depth > 0:
            v = tuple(self.hashable(depth - 1) for _ in range(r.randrange(0, 5)))
        elif kind == 8 and depth > 0:
            v = frozenset(self.hashable(depth - 1) for _ in range(r.randrange(0, 5)))
        else:
            v = complex(self.float_(allow_nan=False), 1.0)
        if r.random() < 0.2:
            self.hashable_pool.append(v)
        return v

    def key(self):
        """A dict key: any hashable, None and NaN included."""
        r = self.r
        pick = r.random()
        if pick < 0.04:
            return None
        if pick < 0.06:
            return float("nan")
        return self.hashable()

    # -- containers ---------------------------------------------------------------

    def length(self):
        r = self.r
        return r.choice([0, 1, 2, 3, 4, 5]) if r.random() < 0.92 else r.randrange(6, 25)

    def value(self, depth):
        """Any value; containers only while `depth` lasts."""
        r = self.r
        if self.pool and r.random() < 0.12:
            return r.choice(self.pool)
        if depth <= 0 or r.random() < 0.35:
            v = self.atom()
        else:
            make = r.choice([self.list_, self.tuple_, self.dict_, self.set_, self.frozenset_,
                             self.cyclic_tuple])
            v = make(depth - 1)
        if isinstance(v, (str, bytes, bytearray, tuple, complex)) and r.random() < 0.25:
            self.pool.append(v)
        return v

    def list_(self, depth):
        lst = []
        self.pool.append(lst)
        lst.extend(self.value(depth) for _ in range(self.length()))
        return lst

    def dict_(self, depth):
        d = {}
        self.pool.append(d)
        for _ in range(self.length()):
            d[self.key()] = self.value(depth)
        return d

    def tuple_(self, depth):
        return tuple(self.value(depth) for _ in range(self.length()))

    def set_(self, depth):
        s = {self.hashable() for _ in range(self.length())}
        self.pool.append(s)
        return s

    def frozenset_(self, depth):
        return frozenset(self.hashable() for _ in range(self.length()))

    def cyclic_tuple(self, depth):
        """A tuple whose first item is a list that contains the tuple."""
        inner = [self.value(depth)]
        t = (inner,) + tuple(self.value(depth) for _ in range(self.r.randrange(0, 4)))
        inner.append(t)
        return t


def random_cases(seed, count, depth=4):
    """`count` random graphs: a list of ("random-<seed>-<i>", object)."""
    cases = []
    for i in range(count):
        g = RandomGraph(random.Random(seed * 1_000_003 + i))
        cases.append(("random-%d-%d" % (seed, i), [g.value(depth) for _ in range(g.r.randrange(1, 5))]))
    return cases
