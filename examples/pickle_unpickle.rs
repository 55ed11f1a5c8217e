//! The seed's `pickle_unpickle.py`: a round trip gives an equal object,
//! not the same one.

use pypickle::{Graph, Object, Value};

fn main() -> pypickle::Result<()> {
    let mut data1 = Graph::new();
    let (a, upper_a) = (data1.str("a"), data1.str("A"));
    let (b, c) = (data1.str("b"), data1.str("c"));
    let dict = data1.add(Object::Dict(vec![
        (a, upper_a),
        (b, Value::Int(2)),
        (c, Value::Float(3.0)),
    ]));
    let list = data1.add(Object::List(vec![Value::Ref(dict)]));
    data1.set_root(Value::Ref(list));
    println!("BEFORE:  {data1}");

    let data1_string = pypickle::dumps(&data1, pypickle::DEFAULT_PROTOCOL)?;

    let data2 = pypickle::loads(&data1_string)?;
    println!("AFTER :  {data2}");

    println!("SAME? : {}", py_bool(std::ptr::eq(&data1, &data2)));
    println!("EQUAL?: {}", py_bool(data1 == data2));
    Ok(())
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}
