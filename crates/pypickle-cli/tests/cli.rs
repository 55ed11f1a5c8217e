//! The command line contract: exit statuses and one-line errors.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn pypickle(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pypickle"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn recode_writes_each_pickle_of_the_stream() {
    let out = pypickle(&["recode", "--protocol", "2"], b"K\x01.K\x02.");
    assert!(out.status.success());
    assert_eq!(out.stdout, b"\x80\x02K\x01.\x80\x02K\x02.");
}

#[test]
fn bad_input_exits_1_with_one_line() {
    let out = pypickle(&["recode"], b"\x80\x04K\x01.\x80\x04]a");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("pickle #1") && err.contains("at byte"),
        "{err}"
    );
}

#[test]
fn input_text_quoted_in_an_error_stays_on_one_line() {
    // CPython: ValueError: could not convert string to float: '-a5\n',
    // with a raw newline, as the text FLOAT read.
    let out = pypickle(&["recode"], b"F-a5\n.");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "pypickle: pickle #0: could not convert string to float: '-a5\\n' at byte 0 (opcode FLOAT)\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        pypickle(&["recode", "--protocol", "9"], b"").status.code(),
        Some(2)
    );
    assert_eq!(pypickle(&["frobnicate"], b"").status.code(), Some(2));
    assert_eq!(pypickle(&[], b"").status.code(), Some(2));
}

#[test]
fn encoding_options_reach_the_unpickler() {
    // A Python 2 str '\xe9' (protocol 0), decoded as latin-1, then bytes.
    let data = b"S'\\xe9'\np0\n.";
    assert_eq!(pypickle(&["recode"], data).status.code(), Some(1));
    let latin1 = pypickle(&["recode", "--protocol", "0", "--encoding", "latin1"], data);
    assert_eq!(latin1.stdout, b"V\xe9\np0\n.");
    let bytes = pypickle(&["recode", "--protocol", "3", "--encoding", "bytes"], data);
    assert_eq!(bytes.stdout, b"\x80\x03C\x01\xe9q\x00.");
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap deterministic sweep; the fuzz targets go further.
    let mut seed = 0x2545f4914f6cdd1du64;
    for _ in 0..300 {
        let len = (seed % 40) as usize;
        let mut data = Vec::with_capacity(len);
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let alphabet = b"(]}NKJ\x8c\x94ahqes.tu\x85\x93\x81Rbc\n0123";
            data.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let out = pypickle(&["recode"], &data);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{data:?}: {out:?}"
        );
    }
}

#[test]
fn bench_reports_load_dump_memcpy_and_memory() {
    // pickle.dumps([b'x' * 100, 'abc'], 4), from CPython.
    let mut data = b"\x80\x04\x95\x72\x00\x00\x00\x00\x00\x00\x00]\x94(Cd".to_vec();
    data.extend_from_slice(&[b'x'; 100]);
    data.extend_from_slice(b"\x94\x8c\x03abc\x94e.");
    let path = std::env::temp_dir().join(format!("pypickle-bench-{}.pkl", std::process::id()));
    std::fs::write(&path, &data).unwrap();
    let out = pypickle(&["bench", "--runs", "1", path.to_str().unwrap()], b"");
    std::fs::remove_file(&path).unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "file ", "load ", "shared ", "dump p4 ", "first ", "memcpy ", "RSS ",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "{line:?} in {text}"
        );
    }
    assert!(
        text.contains(&format!("({} bytes, 3 objects)", data.len())),
        "{text}"
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // `pypickle ... | head`: the reader goes away before the output ends.
    let mut data = Vec::new();
    for i in 0..2000u32 {
        data.extend_from_slice(b"\x80\x04J");
        data.extend_from_slice(&i.to_le_bytes());
        data.push(b'.');
    }
    let path = std::env::temp_dir().join(format!("pypickle-closed-{}.pkl", std::process::id()));
    std::fs::write(&path, &data).unwrap();
    for args in [
        vec!["recode", path.to_str().unwrap()],
        vec!["bench", "--runs", "1", path.to_str().unwrap()],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pypickle"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    }
    std::fs::remove_file(&path).unwrap();
}
