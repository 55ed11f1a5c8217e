"""Ordinary user classes for the instance differential test (classes_diff.py).

Importable as `pyclasses` (the harnesses and fake_recode.py put this
folder on sys.path), so CPython can load what it pickled. Each class
shapes its pickle a different way: plain __dict__, __slots__,
__getstate__/__setstate__ (including false states), __reduce__ in its
forms, __getnewargs__ and __getnewargs_ex__, builtin subclasses with
attributes, namedtuple, Enum, nested classes, and the seed's SimpleObject,
State/MyClass pair and Node graph.
"""
import collections
import enum


class Plain:
    """A plain instance: NEWOBJ + BUILD with its __dict__ (p2+)."""

    def __init__(self, x=None):
        self.x = x
        self.name = "plain"


class Empty:
    """No attributes, so no state and no BUILD."""


def helper():
    """A module-level function, pickled as a global."""


# -- __slots__ -----------------------------------------------------------------


class Slots:
    """Slots without __dict__: state is (None, {slots}); p0/p1 refuse it."""

    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1
        self.b = [2]


class SlotsPartlySet(Slots):
    """An inherited slot layout with one slot left unset."""

    __slots__ = ("c",)

    def __init__(self):
        self.a = "only a"


class SlotsAndDict:
    """Slots plus __dict__: state is ({dict}, {slots})."""

    __slots__ = ("a", "__dict__")

    def __init__(self):
        self.a = "slot"
        self.extra = "dict"


class SlotsWithGetstate:
    """Slots with its own __getstate__, so p0/p1 can pickle it too."""

    __slots__ = ("a",)

    def __init__(self):
        self.a = 5

    def __getstate__(self):
        return {"a": self.a}

    def __setstate__(self, state):
        self.a = state["a"]


# -- __getstate__ / __setstate__ ------------------------------------------------------


class GetSetState:
    """A dict state that differs from __dict__."""

    def __init__(self):
        self.v = 3

    def __getstate__(self):
        return {"v": self.v, "extra": [1, 2]}

    def __setstate__(self, state):
        self.v = state["v"]


class FalseState:
    """A false state: p0/p1 drop it (no BUILD); p2+ write it and BUILD."""

    state = 0  # what an instance loaded without BUILD reports

    def __init__(self, state=0):
        self.state = state

    def __getstate__(self):
        return self.state

    def __setstate__(self, state):
        self.state = state


class State:
    """The seed's state holder."""

    def __init__(self, name):
        self.name = name


class MyClass:
    """The seed's class whose state is a State instance."""

    def __init__(self, name):
        self._set_name(name)

    def _set_name(self, name):
        self.name = name
        self.computed = name[::-1]

    def __getstate__(self):
        return State(self.name)

    def __setstate__(self, state):
        self._set_name(state.name)


# -- __reduce__ ---------------------------------------------------------------------


class Reduce2:
    """__reduce__ -> (callable, args)."""

    def __init__(self, a):
        self.a = a

    def __reduce__(self):
        return (Reduce2, (self.a,))


class Reduce3:
    """__reduce__ -> (callable, args, state)."""

    def __init__(self, a):
        self.a = a

    def __reduce__(self):
        return (Reduce3, (self.a,), {"z": 1, "a": self.a})


class ReduceItems:
    """__reduce__ -> (callable, args, None, listitems, dictitems)."""

    def __init__(self):
        self.items = []
        self.mapping = {}

    def append(self, item):
        self.items.append(item)

    def extend(self, items):
        self.items.extend(items)

    def __setitem__(self, key, value):
        self.mapping[key] = value

    def __reduce__(self):
        return (ReduceItems, (), None, iter(self.items), iter(self.mapping.items()))


def set_state(obj, state):
    """The state_setter of ReduceSetter."""
    obj.state = state


class ReduceSetter:
    """__reduce__ with a state_setter (6 items): TUPLE2, REDUCE, POP."""

    def __init__(self, state):
        self.state = state

    def __reduce__(self):
        return (ReduceSetter, (None,), self.state, None, None, set_state)


class Singleton:
    """__reduce__ -> a str: pickled as the global pyclasses.SINGLETON."""

    def __reduce__(self):
        return "SINGLETON"


SINGLETON = Singleton()


# -- __getnewargs__ / __getnewargs_ex__ -------------------------------------------------


class NewArgs:
    """__getnewargs__: NEWOBJ with arguments (p2+)."""

    def __new__(cls, *args):
        return super().__new__(cls)

    def __init__(self, *args):
        self.args = args

    def __getnewargs__(self):
        return (1, "two")


class NewArgsEx:
    """__getnewargs_ex__ with kwargs: NEWOBJ_EX at p4+, functools.partial at p2/p3."""

    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)

    def __getnewargs_ex__(self):
        return ((1,), {"k": 2, "flag": True})


class NewArgsExNoKwargs:
    """__getnewargs_ex__ with empty kwargs: plain NEWOBJ."""

    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)

    def __getnewargs_ex__(self):
        return (("only", "args"), {})


# -- builtin subclasses -------------------------------------------------------------


class MyList(list):
    pass


class MyDict(dict):
    pass


class MyInt(int):
    pass


class MyStr(str):
    pass


class MyTuple(tuple):
    pass


Point = collections.namedtuple("Point", "x y")


class Color(enum.Enum):
    RED = 1
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Outer:
    """Nested classes: dotted qualnames, via getattr below protocol 4."""

    class Inner:
        def __init__(self):
            self.v = "inner"

        class Deeper:
            pass


# -- the seed's examples --------------------------------------------------------------


class SimpleObject:
    def __init__(self, name):
        self.name = name
        self.name_backwards = name[::-1]


class Node:
    """A simple digraph node."""

    def __init__(self, name):
        self.name = name
        self.connections = []

    def add_edge(self, node):
        self.connections.append(node)


def node_graph():
    """The seed's graph: root->a, root->b, a->b, b->a, b->c, a->a."""
    root, a, b, c = Node("root"), Node("a"), Node("b"), Node("c")
    root.add_edge(a)
    root.add_edge(b)
    a.add_edge(b)
    b.add_edge(a)
    b.add_edge(c)
    a.add_edge(a)
    return root
