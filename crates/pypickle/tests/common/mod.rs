//! Helpers shared by the integration tests that ask CPython for the truth.

use std::process::Command;

/// Runs `python3 -c script` (or `$PYTHON`) and returns its standard output;
/// fails the test if Python cannot run or the script fails.
pub fn python_stdout(script: &str) -> String {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let out = Command::new(&python)
        .args(["-c", script])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "{python} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("python printed UTF-8")
}

/// The bytes of a hex string Python printed with `bytes.hex()`.
#[allow(dead_code)] // Not every test file reads hex.
pub fn from_hex(hex: &str) -> Vec<u8> {
    let hex = hex.trim();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
        .collect()
}
