//! The seed's `pickle_unpickle.py`: a round trip gives an equal object,
//! not the same one.

#[path = "common/tour_data.rs"]
mod tour_data;

fn main() -> pypickle::Result<()> {
    // [{'a': 'A', 'b': 2, 'c': 3.0}]
    let data1 = tour_data::data();
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
