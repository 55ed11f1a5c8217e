//! CPython is the oracle: each test runs one of the Python harnesses in
//! `tests/oracle/` against the `pypickle` binary built for this test run.
//! A harness prints `N passed, M failed` and exits non-zero on any failure.

use std::path::PathBuf;
use std::process::Command;

fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oracle")
}

fn run_harness(script: &str) {
    let output = Command::new("python3")
        .arg(oracle_dir().join(script))
        .arg("--pypickle")
        .arg(env!("CARGO_BIN_EXE_pypickle"))
        .output()
        .expect("python3 must be installed: CPython is the test oracle");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = stdout.lines().last().unwrap_or_default();
    println!("{script}: {summary}");
    assert!(
        output.status.success(),
        "{script} failed ({})\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        summary.ends_with(" 0 failed"),
        "{script}: no summary line\n{stdout}"
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
