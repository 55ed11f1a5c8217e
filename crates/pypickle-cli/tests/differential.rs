//! CPython is the oracle: each test runs one of the Python harnesses in
//! `tests/oracle/` against the `pypickle` binary built for this test run.
//! A harness prints its progress and failures, then `N passed, M failed`,
//! and exits non-zero on any failure. Its output streams through as it
//! runs (visible with `--nocapture`, shown by the test runner on failure).

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::thread;

/// The workspace root, where `tests/oracle/` lives.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Quotes `s` for the harness's `shlex.split`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs `python3 tests/oracle/<script> --pypickle <binary>`, echoing each
/// line of its output, and fails unless it exits 0 with `..., 0 failed`.
fn run_harness(script: &str) {
    let path = format!("{WORKSPACE}/tests/oracle/{script}");
    let mut child = Command::new("python3")
        .arg(&path)
        .arg("--pypickle")
        .arg(shell_quote(env!("CARGO_BIN_EXE_pypickle")))
        .env("PYTHONIOENCODING", "utf-8:backslashreplace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3 (CPython 3.11 is the test oracle): {e}"));

    let mut stderr = child.stderr.take().expect("piped stderr");
    let stderr_reader = thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let mut last_line = String::new();
    for line in BufReader::new(child.stdout.take().expect("piped stdout")).split(b'\n') {
        let line = String::from_utf8_lossy(&line.expect("reading the harness output")).into_owned();
        println!("{line}");
        last_line = line;
    }
    let status = child.wait().expect("waiting for the harness");
    let stderr = stderr_reader.join().expect("the stderr reader");

    assert!(
        status.success() && last_line.ends_with(" 0 failed"),
        "{script} failed ({status}): {last_line}\n{stderr}"
    );
}

#[test]
fn random_graphs_recode_like_cpython_at_every_protocol_pair() {
    run_harness("recode_diff.py");
}

#[test]
fn instances_and_stdlib_types_recode_like_cpython() {
    run_harness("classes_diff.py");
}

#[test]
fn cpython_test_vectors_error_where_cpython_errors() {
    run_harness("pickletester_vectors.py");
}

#[test]
fn mutated_pickles_error_where_cpython_errors() {
    run_harness("mutation_diff.py");
}
