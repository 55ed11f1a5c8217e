//! The `pypickle` command: recode and inspect Python pickles.
//!
//! Exit status: 0 on success, 1 for bad input (one line on stderr), 2 for a
//! usage error. It never panics, whatever the input.

mod bench;
mod recode;

use std::io;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Read, rewrite and inspect Python pickles without running Python.
#[derive(Parser)]
#[command(name = "pypickle", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Re-encode every pickle in FILE (or stdin) at another protocol.
    Recode(recode::Args),
    /// Measure load and dump throughput of one file.
    Bench(bench::Args),
}

/// Why a command stopped early.
pub enum Failure {
    /// Bad input or a failed read or write: one line for stderr, status 1.
    Message(String),
    /// The reader of stdout went away (`pypickle ... | head`): nothing
    /// more to say, and status 0, as a Unix filter's quiet end.
    StdoutClosed,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

impl Failure {
    /// A failed write to stdout.
    pub fn stdout(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::StdoutClosed
        } else {
            Failure::Message(format!("<stdout>: {e}"))
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to
            // stderr with status 2.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Recode(args) => recode::run(&args),
        Command::Bench(args) => bench::run(&args),
    };
    match result {
        Ok(()) | Err(Failure::StdoutClosed) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => {
            eprintln!("pypickle: {}", one_line(&message));
            ExitCode::from(1)
        }
    }
}

/// The message with its control characters escaped, so that it stays one
/// line. Messages quote input text as CPython's do, and CPython's own
/// (`could not convert string to float: '1x\n'`) may hold a raw newline.
fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default()); // \n, \r, \u{1f}
        } else {
            out.push(c);
        }
    }
    out
}
