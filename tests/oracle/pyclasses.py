"""Ordinary user classes for the instance differential test.

Importable as `pyclasses` (the harness puts this folder on sys.path), so
CPython can load what it pickled. Covers the ways a class shapes its
pickle: plain __dict__, __slots__, __getstate__/__setstate__ (including a
false state), __reduce__, __getnewargs__(_ex)__, builtin subclasses,
namedtuple, Enum, a nested class, and the seed's SimpleObject, State/MyClass
and Node graph.
"""
import collections
import enum


class Plain:
    def __init__(self, x=None):
        self.x = x
        self.name = "plain"


class Empty:
    pass


class Slots:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1
        self.b = [2]


class SlotsAndDict:
    __slots__ = ("a", "__dict__")

    def __init__(self):
        self.a = "slot"
        self.extra = "dict"


class GetSetState:
    def __init__(self):
        self.v = 3

    def __getstate__(self):
        return {"v": self.v, "extra": 1}

    def __setstate__(self, state):
        self.v = state["v"]


class FalseState:
    def __getstate__(self):
        return 0

    def __setstate__(self, state):
        # Protocols 0-1 skip this for a false state; 2+ call it.
        self.seen = state


class Reduce2:
    def __init__(self, a):
        self.a = a

    def __reduce__(self):
        return (Reduce2, (self.a,))


class Reduce3:
    def __init__(self, a):
        self.a = a

    def __reduce__(self):
        return (Reduce3, (self.a,), {"z": 1})


class NewArgs:
    def __new__(cls, *args):
        return super().__new__(cls)

    def __getnewargs__(self):
        return (1, "two")


class NewArgsEx:
    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)

    def __getnewargs_ex__(self):
        return ((1,), {"k": 2})


class MyList(list):
    pass


class MyDict(dict):
    pass


class MyInt(int):
    pass


class MyStr(str):
    pass


Point = collections.namedtuple("Point", "x y")


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Outer:
    class Inner:
        def __init__(self):
            self.v = "inner"


class SimpleObject:
    def __init__(self, name):
        self.name = name
        self.name_backwards = name[::-1]


class State:
    def __init__(self, name):
        self.name = name


class MyClass:
    def __init__(self, name):
        self._set_name(name)

    def _set_name(self, name):
        self.name = name
        self.computed = name[::-1]

    def __getstate__(self):
        return State(self.name)

    def __setstate__(self, state):
        self._set_name(state.name)


class Node:
    def __init__(self, name):
        self.name = name
        self.connections = []

    def add_edge(self, node):
        self.connections.append(node)


def node_graph():
    root, a, b, c = Node("root"), Node("a"), Node("b"), Node("c")
    root.add_edge(a)
    root.add_edge(b)
    a.add_edge(b)
    b.add_edge(a)
    b.add_edge(c)
    a.add_edge(a)
    return root
