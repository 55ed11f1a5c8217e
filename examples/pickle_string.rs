//! The seed's `pickle_string.py`: pickle built-in data to bytes and print
//! them.

use pypickle::{Graph, Object, Value};

fn main() -> pypickle::Result<()> {
    // data = [{'a': 'A', 'b': 2, 'c': 3.0}]
    let mut data = Graph::new();
    let (a, upper_a) = (data.str("a"), data.str("A"));
    let (b, c) = (data.str("b"), data.str("c"));
    let dict = data.add(Object::Dict(vec![
        (a, upper_a),
        (b, Value::Int(2)),
        (c, Value::Float(3.0)),
    ]));
    let list = data.add(Object::List(vec![Value::Ref(dict)]));
    data.set_root(Value::Ref(list));
    println!("DATA: {data}");

    let data_string = pypickle::dumps(&data, pypickle::DEFAULT_PROTOCOL)?;
    println!("PICKLE: {}", pypickle::value::bytes_repr(&data_string));
    Ok(())
}
