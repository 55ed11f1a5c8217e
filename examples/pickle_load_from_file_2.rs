//! The seed's `pickle_load_from_file_2.py`: with the class registered (the
//! Rust side of importing it), the same file loads.

#[path = "common/simple_object.rs"]
mod simple_object;

use std::fs::File;
use std::io::BufReader;

use pypickle::class::FromGraph;
use simple_object::SimpleObject;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let filename = std::env::args()
        .nth(1)
        .ok_or("usage: pickle_load_from_file_2 FILE")?;

    let in_s = BufReader::new(File::open(filename)?);
    let mut unpickler = pypickle::Unpickler::new().register::<SimpleObject>();
    for graph in unpickler.stream(in_s) {
        let o: SimpleObject = FromGraph::new(&graph?).root()?;
        println!("READ: {} ({})", o.name, o.name_backwards);
    }
    Ok(())
}
