//! `pypickle recode`: every pickle of a stream, re-encoded independently.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use pypickle::{Pickler, Unpickler};

use crate::Failure;

/// Arguments of `pypickle recode`.
#[derive(clap::Args)]
pub struct Args {
    /// The protocol to write, 0 to 5.
    #[arg(long, default_value_t = pypickle::DEFAULT_PROTOCOL, value_parser = clap::value_parser!(u8).range(0..=5))]
    protocol: u8,
    /// How Python 2 strs are decoded, as Python's Unpickler `encoding`
    /// (`ASCII`, `latin1`, `utf-8`, or `bytes` to keep them as bytes).
    #[arg(long, default_value = "ASCII")]
    encoding: String,
    /// The error handler for `--encoding`, as Python's `errors`.
    #[arg(long, default_value = "strict")]
    errors: String,
    /// The input file; standard input when absent or `-`.
    file: Option<PathBuf>,
}

/// Reads the whole input: the file, or standard input.
pub fn read_input(file: &Option<PathBuf>) -> Result<Vec<u8>, String> {
    match file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
        }
        _ => {
            let mut data = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut data)
                .map_err(|e| format!("<stdin>: {e}"))?;
            Ok(data)
        }
    }
}

/// Runs `recode`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let data = read_input(&args.file)?;
    let mut unpickler = Unpickler::generic()
        .encoding(&args.encoding)
        .errors(&args.errors);
    let mut pickler = Pickler::new(args.protocol);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut stream = unpickler.stream_slice(&data);
    let mut index = 0usize;
    loop {
        let graph = match stream.next() {
            None => break,
            Some(Ok(graph)) => graph,
            Some(Err(e)) => return Err(describe(index, &e).into()),
        };
        let bytes = pickler.dumps(&graph).map_err(|e| describe(index, &e))?;
        out.write_all(&bytes).map_err(Failure::stdout)?;
        index += 1;
    }
    out.flush().map_err(Failure::stdout)
}

/// One line naming the pickle and the error. Offsets count from the start
/// of the input, since one reader runs over the whole stream.
fn describe(index: usize, e: &pypickle::Error) -> String {
    format!("pickle #{index}: {e}")
}
