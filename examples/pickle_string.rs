//! The seed's `pickle_string.py`: pickle built-in data to bytes and print
//! them.

#[path = "common/tour_data.rs"]
mod tour_data;

fn main() -> pypickle::Result<()> {
    // [{'a': 'A', 'b': 2, 'c': 3.0}]
    let data = tour_data::data();
    println!("DATA: {data}");

    let data_string = pypickle::dumps(&data, pypickle::DEFAULT_PROTOCOL)?;
    println!("PICKLE: {}", pypickle::value::bytes_repr(&data_string));
    Ok(())
}
