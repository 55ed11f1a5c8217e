//! The seed's `pickle_dump_to_file_1.py`: instances of a class written to
//! the file named on the command line.

#[path = "common/simple_object.rs"]
mod simple_object;

use std::fs::File;
use std::io::BufWriter;

use simple_object::SimpleObject;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = [
        SimpleObject::new("pickle"),
        SimpleObject::new("preserve"),
        SimpleObject::new("last"),
    ];

    let filename = std::env::args()
        .nth(1)
        .ok_or("usage: pickle_dump_to_file_1 FILE")?;

    let mut out_s = BufWriter::new(File::create(filename)?);
    for o in &data {
        println!("WRITING: {} ({})", o.name, o.name_backwards);
        pypickle::dump_as(o, pypickle::DEFAULT_PROTOCOL, &mut out_s)?;
    }
    Ok(())
}
