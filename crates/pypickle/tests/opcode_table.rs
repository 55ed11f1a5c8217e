//! Differential test: the opcode table against CPython's
//! `pickletools.opcodes`, entry by entry.

use std::fmt::Write;

mod common;

use common::python_stdout;
use pypickle::opcode::{ArgKind, OpcodeInfo, StackObject, OPCODES};

/// Prints one compact JSON object per line: every opcode in pickletools
/// order, then every stack object the opcodes mention, in first-use order.
const PICKLETOOLS_DUMP: &str = r#"
import json, pickletools as pt

LAYOUT = {
    pt.UP_TO_NEWLINE: "line",
    pt.TAKEN_FROM_ARGUMENT1: "counted uint1",
    pt.TAKEN_FROM_ARGUMENT4: "counted int4",
    pt.TAKEN_FROM_ARGUMENT4U: "counted uint4",
    pt.TAKEN_FROM_ARGUMENT8U: "counted uint8",
}

def show(obj):
    print(json.dumps(obj, separators=(",", ":")))

seen = []
for op in pt.opcodes:
    arg = op.arg
    show({
        "name": op.name,
        "code": ord(op.code),
        "arg": arg and arg.name,
        "layout": arg and LAYOUT.get(arg.n, "fixed %d" % arg.n),
        "stack_before": [s.name for s in op.stack_before],
        "stack_after": [s.name for s in op.stack_after],
        "proto": op.proto,
        "doc": op.doc.split("\n", 1)[0],
    })
    for s in op.stack_before + op.stack_after:
        if not any(s is t for t in seen):
            seen.append(s)
for s in seen:
    show({"stack_object": s.name, "doc": s.doc.strip().split("\n", 1)[0]})
"#;

fn python_lines(script: &str) -> Vec<String> {
    python_stdout(script).lines().map(str::to_owned).collect()
}

/// A JSON string literal, escaped as Python's `json.dumps` escapes it.
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => write!(out, "\\u{:04x}", u32::from(c)).unwrap(),
        }
    }
    out.push('"');
    out
}

fn json_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_owned(), json_str)
}

fn json_names(objects: &[StackObject]) -> String {
    let names: Vec<_> = objects.iter().map(|o| json_str(o.name)).collect();
    format!("[{}]", names.join(","))
}

/// The argument layout in terms of pickletools' `ArgumentDescriptor.n`.
fn layout(arg: ArgKind) -> String {
    match arg {
        ArgKind::Int(_) | ArgKind::Float8 => format!("fixed {}", arg.fixed_len().unwrap()),
        ArgKind::Line(_) => "line".to_owned(),
        ArgKind::Counted(counted) => format!("counted {}", counted.prefix().name()),
    }
}

fn opcode_json(info: &OpcodeInfo) -> String {
    format!(
        r#"{{"name":{},"code":{},"arg":{},"layout":{},"stack_before":{},"stack_after":{},"proto":{},"doc":{}}}"#,
        json_str(info.name),
        info.code,
        json_opt(info.arg.map(ArgKind::name)),
        json_opt(info.arg.map(layout).as_deref()),
        json_names(info.stack_before),
        json_names(info.stack_after),
        info.proto,
        json_str(info.doc),
    )
}

#[test]
fn opcode_table_matches_pickletools() {
    let mut expected = python_lines(PICKLETOOLS_DUMP).into_iter();

    for info in &OPCODES {
        let python = expected.next().expect("pickletools has fewer opcodes");
        assert_eq!(opcode_json(info), python, "opcode {}", info.name);
    }

    let mut seen: Vec<StackObject> = Vec::new();
    for info in &OPCODES {
        for &object in info.stack_before.iter().chain(info.stack_after) {
            if !seen.contains(&object) {
                seen.push(object);
            }
        }
    }
    for object in &seen {
        let rust = format!(
            r#"{{"stack_object":{},"doc":{}}}"#,
            json_str(object.name),
            json_str(object.doc)
        );
        let python = expected
            .next()
            .expect("pickletools has fewer stack objects");
        assert_eq!(rust, python, "stack object {}", object.name);
    }

    let rest: Vec<_> = expected.collect();
    assert!(rest.is_empty(), "pickletools has more entries: {rest:#?}");
}
