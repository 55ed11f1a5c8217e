//! The seed's `pickle_stream.py`: several objects in one stream, read
//! back until a clean end of file.

#[path = "common/simple_object.rs"]
mod simple_object;

use pypickle::class::FromGraph;
use pypickle::Unpickler;
use simple_object::SimpleObject;

fn main() -> pypickle::Result<()> {
    let data = [
        SimpleObject::new("pickle"),
        SimpleObject::new("preserve"),
        SimpleObject::new("last"),
    ];

    // Simulate a file.
    let mut out_s: Vec<u8> = Vec::new();

    // Write to the stream.
    for o in &data {
        println!("WRITING : {} ({})", o.name, o.name_backwards);
        pypickle::dump_as(o, pypickle::DEFAULT_PROTOCOL, &mut out_s)?;
    }

    // Set up a readable stream.
    let in_s: &[u8] = &out_s;

    // Read the data, until a clean end of file.
    let mut unpickler = Unpickler::new().register::<SimpleObject>();
    for graph in unpickler.stream(in_s) {
        let o: SimpleObject = FromGraph::new(&graph?).root()?;
        println!("READ    : {} ({})", o.name, o.name_backwards);
    }
    Ok(())
}
