//! User classes against CPython: derived types write CPython's bytes at
//! every protocol, CPython loads them with identity intact, and the class
//! protocol's rules (false state, slots, unpicklable objects, strict and
//! generic loading, persistent ids, extensions) hold.

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::{from_hex, python_stdout};
use pypickle::class::{FromGraph, Pickle, ToGraph, Unpickle};
use pypickle::{Category, Persistent, Pickler, Unpickler, Value};

/// Python's view of a byte string, for embedding pickles in scripts.
fn py_bytes(b: &[u8]) -> String {
    pypickle::value::bytes_repr(b)
}

#[derive(Debug, Default, PartialEq, pypickle::Pickle, pypickle::Unpickle)]
#[pickle(module = "__main__", name = "Point")]
struct Point {
    x: i64,
    #[pickle(rename = "y_coord")]
    y: f64,
    label: String,
    tags: Vec<String>,
    #[pickle(skip)]
    cache: u32,
    #[pickle(default)]
    note: Option<String>,
}

#[derive(Debug, Default, PartialEq, pypickle::Pickle, pypickle::Unpickle)]
#[pickle(module = "geometry", name = "Slotted", slots)]
struct Slotted {
    a: i64,
    b: String,
}

const PY_CLASSES: &str = r#"
import pickle, sys, types
class Point:
    def __init__(self, x, y, label, tags, note):
        self.x = x; self.y_coord = y; self.label = label; self.tags = tags; self.note = note
    def __eq__(self, o): return self.__dict__ == o.__dict__
geometry = types.ModuleType('geometry'); sys.modules['geometry'] = geometry
class Slotted:
    __slots__ = ('a', 'b')
    def __init__(self, a, b): self.a = a; self.b = b
    def __eq__(self, o): return (self.a, self.b) == (o.a, o.b)
Slotted.__module__ = 'geometry'; geometry.Slotted = Slotted
"#;

#[test]
fn derived_types_write_cpythons_bytes_at_every_protocol() {
    let point = Point {
        x: 3,
        y: -1.5,
        label: "é".into(),
        tags: vec!["a".into(), "long tag".into()],
        cache: 99,
        note: None,
    };
    let slotted = Slotted {
        a: 70000,
        b: "bee".into(),
    };
    let mut script = String::from(PY_CLASSES);
    script
        .push_str("p = Point(3, -1.5, 'é', ['a', 'long tag'], None)\ns = Slotted(70000, 'bee')\n");
    for proto in 0..=5u8 {
        let ours = pypickle::dumps_as(&point, proto).unwrap();
        script.push_str(&format!(
            "assert pickle.dumps(p, {proto}) == {b}, {proto}\nassert pickle.loads({b}) == p\n",
            b = py_bytes(&ours)
        ));
        let back: Point = pypickle::loads_as(&ours).unwrap();
        assert_eq!(
            back,
            Point {
                cache: 0,
                ..point.clone_fields()
            }
        );
        if proto >= 2 {
            let ours = pypickle::dumps_as(&slotted, proto).unwrap();
            script.push_str(&format!(
                "assert pickle.dumps(s, {proto}) == {b}, {proto}\nassert pickle.loads({b}) == s\n",
                b = py_bytes(&ours)
            ));
            assert_eq!(pypickle::loads_as::<Slotted>(&ours).unwrap(), slotted);
        } else {
            // CPython: "a class that defines __slots__ without defining
            // __getstate__ cannot be pickled" at protocols 0 and 1.
            let err = pypickle::dumps_as(&slotted, proto).unwrap_err();
            assert_eq!(err.classify(), Category::Pickling);
            script.push_str(&format!(
                "try:\n    pickle.dumps(s, {proto}); raise SystemExit('no error')\nexcept TypeError as e:\n    assert 'cannot be pickled' in str(e)\n"
            ));
        }
    }
    script.push_str("print('ok')");
    assert_eq!(python_stdout(&script), "ok\n");
}

impl Point {
    fn clone_fields(&self) -> Point {
        Point {
            x: self.x,
            y: self.y,
            label: self.label.clone(),
            tags: self.tags.clone(),
            cache: self.cache,
            note: self.note.clone(),
        }
    }
}

#[test]
fn python_written_instances_load_as_derived_types() {
    let script = format!(
        "{PY_CLASSES}\nfor proto in range(6):\n    print(pickle.dumps(Point(1, 2.0, 'x', [], 'n'), proto).hex())\n"
    );
    for line in python_stdout(&script).lines() {
        let data = from_hex(line);
        let p: Point = pypickle::loads_as(&data).unwrap();
        assert_eq!(
            (p.x, p.y, p.label.as_str(), p.note.as_deref()),
            (1, 2.0, "x", Some("n"))
        );
    }
}

#[test]
fn missing_attributes_and_wrong_classes_are_clear_errors() {
    // A Point pickled without its 'label'.
    let script = format!(
        "{PY_CLASSES}\np = Point(1, 2.0, 'x', [], None)\ndel p.label\nprint(pickle.dumps(p, 4).hex())"
    );
    let hex = python_stdout(&script);
    let data = from_hex(&hex);
    let err = pypickle::loads_as::<Point>(&data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the state of __main__.Point has no attribute 'label'"
    );
    let slotted = pypickle::dumps_as(&Slotted::default(), 4).unwrap();
    let err = Unpickler::new()
        .register::<Slotted>()
        .loads_as::<Point>(&slotted)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected an instance of __main__.Point, found an instance of geometry.Slotted"
    );
}

thread_local! {
    static SET_STATE_CALLS: Cell<usize> = const { Cell::new(0) };
}

/// A class whose `__getstate__` returns a false value (0).
#[derive(Debug, Default)]
struct FalseState;

impl Pickle for FalseState {
    const MODULE: &'static str = "__main__";
    const NAME: &'static str = "C";
    fn get_state(&self, _p: &mut ToGraph) -> pypickle::Result<Option<Value>> {
        Ok(Some(Value::Int(0)))
    }
}

impl Unpickle for FalseState {
    const MODULE: &'static str = "__main__";
    const NAME: &'static str = "C";
    fn new(_l: &mut FromGraph, _args: &[Value]) -> pypickle::Result<Self> {
        Ok(FalseState)
    }
    fn set_state(&mut self, _l: &mut FromGraph, _state: Value) -> pypickle::Result<()> {
        SET_STATE_CALLS.with(|c| c.set(c.get() + 1));
        Ok(())
    }
}

#[test]
fn set_state_is_not_called_for_a_false_state_exactly_where_python_skips_it() {
    let script = r#"
import pickle
calls = []
class C:
    def __getstate__(self): return 0
    def __setstate__(self, s): calls.append(s)
for p in range(6):
    calls.clear(); pickle.loads(pickle.dumps(C(), p)); print(p, pickle.dumps(C(), p).hex(), len(calls))
"#;
    for line in python_stdout(script).lines() {
        let mut parts = line.split(' ');
        let proto: u8 = parts.next().unwrap().parse().unwrap();
        let hex = parts.next().unwrap();
        let calls: usize = parts.next().unwrap().parse().unwrap();
        let ours = pypickle::dumps_as(&FalseState, proto).unwrap();
        let hex_ours: String = ours.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex_ours, hex, "protocol {proto}");
        SET_STATE_CALLS.with(|c| c.set(0));
        pypickle::loads_as::<FalseState>(&ours).unwrap();
        assert_eq!(SET_STATE_CALLS.with(Cell::get), calls, "protocol {proto}");
    }
}

#[test]
fn unpicklable_objects_are_pickling_errors() {
    struct Connection {
        socket: std::net::UdpSocket,
    }
    impl Pickle for Connection {
        const MODULE: &'static str = "__main__";
        const NAME: &'static str = "Connection";
        fn get_state(&self, p: &mut ToGraph) -> pypickle::Result<Option<Value>> {
            let mut state = p.state_dict();
            state.field(p, "socket", &self.socket)?;
            state.finish(p).map(Some)
        }
    }
    let conn = Connection {
        socket: std::net::UdpSocket::bind("127.0.0.1:0").unwrap(),
    };
    let err = pypickle::dumps_as(&conn, 4).unwrap_err();
    assert_eq!(err.classify(), Category::Pickling);
    assert_eq!(
        err.to_string(),
        "cannot pickle 'std::net::UdpSocket' object"
    );
}

#[derive(Default, pypickle::Pickle, pypickle::Unpickle)]
#[pickle(module = "__main__", name = "Node")]
struct Node {
    name: String,
    connections: Vec<Rc<RefCell<Node>>>,
}

fn node(name: &str) -> Rc<RefCell<Node>> {
    Rc::new(RefCell::new(Node {
        name: name.into(),
        connections: Vec::new(),
    }))
}

#[test]
fn cyclic_typed_graphs_match_cpython_and_keep_identity_in_python() {
    let (root, a, b, c) = (node("root"), node("a"), node("b"), node("c"));
    for (from, to) in [
        (&root, &a),
        (&root, &b),
        (&a, &b),
        (&b, &a),
        (&b, &c),
        (&a, &a),
    ] {
        from.borrow_mut().connections.push(to.clone());
    }
    let mut script = String::from(
        r#"
import pickle
class Node:
    def __init__(self, name): self.name = name; self.connections = []
root, a, b, c = Node('root'), Node('a'), Node('b'), Node('c')
for x, y in [(root, a), (root, b), (a, b), (b, a), (b, c), (a, a)]: x.connections.append(y)
"#,
    );
    for proto in 0..=5u8 {
        let ours = pypickle::dumps_as(&root, proto).unwrap();
        script.push_str(&format!(
            "assert pickle.dumps(root, {proto}) == {b}, {proto}\nr = pickle.loads({b})\nra, rb = r.connections\nassert ra.connections[0] is rb and rb.connections[0] is ra and ra.connections[1] is ra\nassert rb.connections[1].name == 'c'\n",
            b = py_bytes(&ours)
        ));
        // And back in Rust: one node per original node, the same edges.
        let back: Rc<RefCell<Node>> = pypickle::loads_as(&ours).unwrap();
        let ra = back.borrow().connections[0].clone();
        let rb = back.borrow().connections[1].clone();
        assert!(Rc::ptr_eq(&ra.borrow().connections[0], &rb));
        assert!(Rc::ptr_eq(&ra.borrow().connections[1], &ra));
        assert!(Rc::ptr_eq(&rb.borrow().connections[0], &ra));
        assert_eq!(rb.borrow().connections[1].borrow().name, "c");
        for n in [&back, &ra, &rb] {
            n.borrow_mut().connections.clear();
        }
    }
    script.push_str("print('ok')");
    assert_eq!(python_stdout(&script), "ok\n");
    for n in [&root, &a, &b, &c] {
        n.borrow_mut().connections.clear();
    }
}

#[test]
fn deep_typed_data_fails_cleanly_instead_of_overflowing() {
    // A chain deeper than the conversion's depth limit.
    let mut chain = node("0");
    for i in 1..5000 {
        let next = node(&i.to_string());
        next.borrow_mut().connections.push(chain);
        chain = next;
    }
    let err = pypickle::dumps_as(&chain, 4).unwrap_err();
    assert_eq!(err.classify(), Category::Pickling);
    // Dropping the chain iteratively, so the test itself does not recurse.
    let mut cur = Some(chain);
    while let Some(n) = cur {
        cur = n.borrow_mut().connections.pop();
    }
    // Loading a deep graph into a recursive type stops at the limit too.
    let mut data = b"\x80\x04".to_vec();
    for _ in 0..100_000 {
        data.extend_from_slice(b"]\x94");
    }
    data.extend(std::iter::repeat_n(b'a', 100_000 - 1));
    data.push(b'.');
    #[derive(Debug)]
    struct Tree(#[allow(dead_code)] Vec<Tree>);
    impl pypickle::FromPython for Tree {
        fn from_python(l: &mut FromGraph, v: Value) -> pypickle::Result<Self> {
            l.value(v).map(Tree)
        }
    }
    let err = pypickle::loads_as::<Tree>(&data).unwrap_err();
    assert_eq!(err.classify(), Category::Limit);
}

#[test]
fn strict_loads_name_the_missing_class_and_generic_loads_inspect_it() {
    let data = pypickle::dumps_as(
        &Point {
            x: 1,
            label: "p".into(),
            ..Point::default()
        },
        2,
    )
    .unwrap();
    let err = pypickle::loads(&data).unwrap_err();
    assert_eq!(err.classify(), Category::Policy);
    assert!(err
        .to_string()
        .starts_with("Can't get attribute 'Point' on <module '__main__'>"));
    let graph = Unpickler::generic().loads(&data).unwrap();
    let obj = graph.instance(graph.root()).unwrap();
    assert_eq!(
        (obj.module(), obj.class_name()),
        (Some("__main__"), Some("Point"))
    );
    assert!(obj.args().is_empty());
    assert_eq!(obj.attr("x"), Some(Value::Int(1)));
    let names: Vec<String> = obj.attrs().iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(names, ["x", "y_coord", "label", "tags", "note"]);
    // Registering the class by name keeps it generic, but loadable.
    let graph = Unpickler::new()
        .register_class("__main__", "Point")
        .loads(&data);
    assert!(graph.is_ok());
}

#[test]
fn persistent_ids_and_extensions_work_on_the_typed_side() {
    // persistent_id: Points become references to an external store.
    let mut p =
        ToGraph::for_protocol(4).persistent_id(|obj, p| match obj.downcast_ref::<Point>() {
            Some(point) => {
                let key = format!("point:{}", point.x);
                p.value(&key).map(Some)
            }
            None => Ok(None),
        });
    let items = vec![Point {
        x: 7,
        ..Point::default()
    }];
    let root = p.value(&items).unwrap();
    let graph = p.finish(root);
    let data = pypickle::dumps(&graph, 4).unwrap();
    let script = format!(
        r#"
import pickle, io
class U(pickle.Unpickler):
    def persistent_load(self, pid): return ('loaded', pid)
print(U(io.BytesIO({b})).load())
class P(pickle.Pickler):
    def persistent_id(self, obj): return 'point:7' if obj == 'X' else None
f = io.BytesIO(); P(f, 4).dump(['X']); assert f.getvalue() == {b}
"#,
        b = py_bytes(&data)
    );
    assert_eq!(python_stdout(&script), "[('loaded', 'point:7')]\n");
    // persistent_load on the typed side: resolve the id from the graph.
    let graph = Unpickler::new()
        .persistent(Persistent::Keep)
        .loads(&data)
        .unwrap();
    let mut l = FromGraph::new(&graph);
    let ids: Vec<Value> = l.root().unwrap();
    let pid = l.persistent_id(ids[0]).unwrap();
    assert_eq!(l.value::<String>(pid).unwrap(), "point:7");

    // The extension registry: the class is written as EXT1 and read back.
    let point = Point {
        x: 2,
        ..Point::default()
    };
    let data = Pickler::new(2)
        .extension(240, "__main__", "Point")
        .dumps_as(&point)
        .unwrap();
    assert_eq!(&data[..4], b"\x80\x02\x82\xf0");
    let back: Point = Unpickler::new()
        .extension(240, "__main__", "Point")
        .loads_as(&data)
        .unwrap();
    assert_eq!(back.x, 2);
}

/// A class with `__getnewargs_ex__`: `cls.__new__(cls, a, b=b)`.
#[derive(Debug, Default, PartialEq)]
struct WithKwargs {
    a: i64,
    b: i64,
}

impl Pickle for WithKwargs {
    const MODULE: &'static str = "__main__";
    const NAME: &'static str = "K";
    fn new_args(&self, _p: &mut ToGraph) -> pypickle::Result<Vec<Value>> {
        Ok(vec![Value::Int(self.a)])
    }
    fn new_kwargs(&self, p: &mut ToGraph) -> pypickle::Result<Option<Value>> {
        let mut kwargs = std::collections::BTreeMap::new();
        kwargs.insert("b".to_string(), self.b);
        p.value(&kwargs).map(Some)
    }
    fn get_state(&self, p: &mut ToGraph) -> pypickle::Result<Option<Value>> {
        let mut state = p.state_dict();
        state.field(p, "a", &self.a)?;
        state.field(p, "b", &self.b)?;
        state.finish(p).map(Some)
    }
}

impl Unpickle for WithKwargs {
    const MODULE: &'static str = "__main__";
    const NAME: &'static str = "K";
    fn new(_l: &mut FromGraph, _args: &[Value]) -> pypickle::Result<Self> {
        Ok(WithKwargs::default())
    }
    fn new_ex(l: &mut FromGraph, args: &[Value], kwargs: Option<Value>) -> pypickle::Result<Self> {
        let a = l.value(args[0])?;
        let kwargs: std::collections::BTreeMap<String, i64> = l.value(kwargs.unwrap())?;
        Ok(WithKwargs { a, b: kwargs["b"] })
    }
    fn set_state(&mut self, _l: &mut FromGraph, _state: Value) -> pypickle::Result<()> {
        Ok(())
    }
}

#[test]
fn keyword_arguments_to_new_match_cpython_at_every_protocol() {
    // Two instances: the second reuses what the first wrote (below
    // protocol 4, the same `object.__new__`).
    let obj = vec![WithKwargs { a: 1, b: 2 }, WithKwargs { a: 3, b: 4 }];
    let mut script = String::from(
        r#"
import pickle
class K:
    def __init__(self, a, b=0): self.a = a; self.b = b
    def __getnewargs_ex__(self): return ((self.a,), {'b': self.b})
k = [K(1, 2), K(3, 4)]
"#,
    );
    for proto in 0..=5u8 {
        let ours = pypickle::dumps_as(&obj, proto).unwrap();
        script.push_str(&format!(
            "assert pickle.dumps(k, {proto}) == {b}, {proto}\n",
            b = py_bytes(&ours)
        ));
        if proto >= 2 {
            // NEWOBJ_EX (or, below protocol 4, the functools.partial form)
            // hands the keyword arguments to new_ex.
            assert_eq!(pypickle::loads_as::<Vec<WithKwargs>>(&ours).unwrap(), obj);
        }
    }
    script.push_str("print('ok')");
    assert_eq!(python_stdout(&script), "ok\n");
}

#[path = "../../../examples/common/state.rs"]
#[allow(dead_code)]
mod seed_state;

#[test]
fn the_seeds_state_class_crosses_between_rust_and_python() {
    use seed_state::MyClass;
    let obj = MyClass::new("name here");
    // The seed's classes, without their prints.
    let mut script = String::from(
        r#"
import pickle
class State:
    def __init__(self, name): self.name = name
class MyClass:
    def __init__(self, name): self._set_name(name)
    def _set_name(self, name): self.name = name; self.computed = name[::-1]
    def __getstate__(self): return State(self.name)
    def __setstate__(self, state): self._set_name(state.name)
inst = MyClass('name here')
"#,
    );
    for proto in 0..=5u8 {
        let ours = pypickle::dumps_as(&obj, proto).unwrap();
        script.push_str(&format!(
            "assert pickle.dumps(inst, {proto}) == {b}, {proto}\nr = pickle.loads({b})\nassert (r.name, r.computed) == ('name here', 'ereh eman')\nprint(pickle.dumps(inst, {proto}).hex())\n",
            b = py_bytes(&ours)
        ));
    }
    for line in python_stdout(&script).lines() {
        let data = from_hex(line);
        let back: MyClass = pypickle::loads_as(&data).unwrap();
        assert_eq!(back, obj);
    }
}

/// The same class through serde: a struct registered as a class.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct SerdePoint {
    x: i64,
    label: String,
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Marker {}

#[test]
fn serde_structs_registered_as_classes_write_cpythons_instances() {
    let opts = |p: u8| {
        pypickle::serde::SerOptions::new()
            .protocol(p)
            .class("SerdePoint", "geometry", "Point")
            .class("Marker", "__main__", "Marker")
    };
    let value = (
        vec![
            SerdePoint {
                x: 1,
                label: "a".into(),
            },
            SerdePoint {
                x: 70000,
                label: "b c".into(),
            },
        ],
        Marker {},
    );
    let mut script = String::from(
        r#"
import pickle, sys, types
geometry = types.ModuleType('geometry'); sys.modules['geometry'] = geometry
class Point:
    def __init__(self, x, label): self.x = x; self.label = label
    def __eq__(self, o): return self.__dict__ == o.__dict__
Point.__module__ = 'geometry'; geometry.Point = Point
class Marker:
    def __eq__(self, o): return type(o) is Marker
value = ([Point(1, 'a'), Point(70000, 'b c')], Marker())
"#,
    );
    for proto in 0..=5u8 {
        let ours = pypickle::to_vec_with(&value, opts(proto)).unwrap();
        script.push_str(&format!(
            "assert pickle.dumps(value, {proto}) == {b}, {proto}\nassert pickle.loads({b}) == value\n",
            b = py_bytes(&ours)
        ));
        let mut unpickler = Unpickler::new()
            .register_class("geometry", "Point")
            .register_class("__main__", "Marker");
        let back: (Vec<SerdePoint>, Marker) =
            pypickle::from_slice_with(&ours, &mut unpickler).unwrap();
        assert_eq!(back, value);
    }
    script.push_str("print('ok')");
    assert_eq!(python_stdout(&script), "ok\n");
}

#[test]
fn a_derived_class_and_its_serde_twin_write_the_same_bytes() {
    let opts = |p: u8| {
        pypickle::serde::SerOptions::new()
            .protocol(p)
            .class_of::<Point>("Point")
    };
    #[derive(serde::Serialize)]
    struct Point {
        x: i64,
        y_coord: f64,
        label: String,
        tags: Vec<String>,
        note: Option<String>,
    }
    impl Pickle for Point {
        const MODULE: &'static str = "__main__";
        const NAME: &'static str = "Point";
        fn get_state(&self, _p: &mut ToGraph) -> pypickle::Result<Option<Value>> {
            Ok(None)
        }
    }
    let serde_point = Point {
        x: 3,
        y_coord: 0.5,
        label: "p".into(),
        tags: vec!["t".into()],
        note: None,
    };
    let derived = super_point();
    for proto in 0..=5u8 {
        assert_eq!(
            pypickle::to_vec_with(&serde_point, opts(proto)).unwrap(),
            pypickle::dumps_as(&derived, proto).unwrap(),
            "protocol {proto}"
        );
    }
}

/// The derived `Point` with the same data as the serde twin above.
fn super_point() -> self::Point {
    self::Point {
        x: 3,
        y: 0.5,
        label: "p".into(),
        tags: vec!["t".into()],
        cache: 0,
        note: None,
    }
}

#[test]
fn keyword_argument_instances_recode_across_protocols_as_cpython() {
    // CPython's pickle at protocol p (NEWOBJ_EX, or the functools.partial
    // form below 4), loaded generically and written at protocol q, gives
    // what CPython writes for the loaded object at q.
    let script = r#"
import pickle
class K:
    def __init__(self, a, b=0): self.a = a; self.b = b
    def __getnewargs_ex__(self): return ((self.a,), {'b': self.b})
for p in (2, 3, 4, 5):
    src = pickle.dumps([K(1, 2), K(3, 4)], p)
    print(p, src.hex(), *(pickle.dumps(pickle.loads(src), q).hex() for q in range(6)))
"#;
    for line in python_stdout(script).lines() {
        let mut parts = line.split(' ');
        let p = parts.next().unwrap();
        let graph = Unpickler::generic()
            .loads(&from_hex(parts.next().unwrap()))
            .unwrap();
        for (q, expected) in parts.enumerate() {
            let ours = pypickle::dumps(&graph, q as u8).unwrap();
            assert_eq!(ours, from_hex(expected), "from protocol {p} to {q}");
        }
    }
}

#[test]
fn ints_of_every_width_convert_as_python_holds_them() {
    // CPython pickles each int; typed loads take it where it fits and name
    // it where it does not; dumps give CPython's bytes back. (An int too
    // large for a float is an error, as float() raises in Python.)
    let script = r#"
import pickle
for i in (0, -1, 2**63 - 1, -2**63, 2**64 - 1, 2**100, -2**127, 2**127 - 1, 2**128 - 1, -2**200):
    print(i, pickle.dumps(i, 4).hex())
"#;
    for line in python_stdout(script).lines() {
        let (text, hex) = line.split_once(' ').unwrap();
        let data = from_hex(hex);
        let big: num_bigint::BigInt = text.parse().unwrap();
        assert_eq!(
            pypickle::loads_as::<num_bigint::BigInt>(&data).unwrap(),
            big
        );
        let int: pypickle::PyInt = pypickle::loads_as(&data).unwrap();
        assert_eq!(int.to_bigint(), big);
        assert_eq!(pypickle::dumps_as(&int, 4).unwrap(), data, "{text}");
        assert_eq!(
            pypickle::loads_as::<i128>(&data).ok(),
            i128::try_from(&big).ok(),
            "{text}"
        );
        assert_eq!(
            pypickle::loads_as::<u128>(&data).ok(),
            u128::try_from(&big).ok(),
            "{text}"
        );
        // Where a float is wanted, the nearest one, as Python's float().
        let float: f64 = pypickle::loads_as(&data).unwrap();
        assert_eq!(float, text.parse::<f64>().unwrap(), "{text}");
        if let Err(e) = pypickle::loads_as::<u64>(&data) {
            assert!(
                e.to_string()
                    .contains(&format!("int {text} does not fit in u64")),
                "{e}"
            );
        }
    }
    let huge = pypickle::dumps_as(
        &pypickle::PyInt::from(num_bigint::BigInt::from(10).pow(400)),
        4,
    )
    .unwrap();
    let err = pypickle::loads_as::<f64>(&huge).unwrap_err();
    assert!(err.to_string().contains("too large for a float"), "{err}");
}
