//! The seed's `pickle_load_from_file_1.py`: loading instances of a class
//! the reader does not know fails, naming the module and the class.

use std::fs::File;
use std::io::BufReader;

fn main() {
    // Python prints a traceback ending in the error; we print the error.
    if let Err(e) = run() {
        eprintln!("Error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let filename = std::env::args()
        .nth(1)
        .ok_or("usage: pickle_load_from_file_1 FILE")?;

    let in_s = BufReader::new(File::open(filename)?);
    // No class is registered: a strict load refuses __main__.SimpleObject.
    for graph in pypickle::Unpickler::new().stream(in_s) {
        let o = graph?;
        let obj = o.instance(o.root()).ok_or("not an instance")?;
        let attr = |name| {
            obj.attr(name)
                .and_then(|v| o.as_str(v))
                .map(|s| s.to_string())
        };
        println!(
            "READ: {} ({})",
            attr("name").unwrap_or_default(),
            attr("name_backwards").unwrap_or_default()
        );
    }
    Ok(())
}
