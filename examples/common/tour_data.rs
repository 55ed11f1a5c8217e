//! The seed's first data structure, `[{'a': 'A', 'b': 2, 'c': 3.0}]`, as
//! an object graph.

use pypickle::{Graph, Object, Value};

pub fn data() -> Graph {
    let mut data = Graph::new();
    let (a, upper_a) = (data.str("a"), data.str("A"));
    let (b, c) = (data.str("b"), data.str("c"));
    let dict = data.add(Object::Dict(vec![
        (a, upper_a),
        (b, Value::Int(2)),
        (c, Value::Float(3.0)),
    ]));
    let list = data.add(Object::List(vec![Value::Ref(dict)].into()));
    data.set_root(Value::Ref(list));
    data
}
