//! Typed serde data against CPython: what `to_vec` writes, CPython loads
//! into the Python value a user would expect, and CPython's own
//! `pickle.dumps` of that value gives the same bytes, at every protocol.
//! The other way, CPython's pickles load into typed data.
#![cfg(feature = "serde")]

mod common;
mod serde_values;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use common::python_stdout;
use serde::{Deserialize, Serialize};
use serde_values::{Record, Shape};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Unit;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Meters(f64);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Pair(i32, String);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Renamed {
    #[serde(rename = "not an identifier")]
    a: u8,
    #[serde(rename = "a")]
    b: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Blob {
    #[serde(with = "serde_bytes")]
    data: Vec<u8>,
    #[serde(with = "serde_bytes")]
    small: Vec<u8>,
    #[serde(with = "serde_bytes")]
    empty: Vec<u8>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Sets {
    #[serde(with = "pypickle::serde::as_set")]
    s: BTreeSet<i32>,
    #[serde(with = "pypickle::serde::as_frozenset")]
    f: BTreeSet<i32>,
    #[serde(with = "pypickle::serde::as_set")]
    e: BTreeSet<i32>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Bigs {
    #[serde(with = "pypickle::serde::big_int")]
    pos: num_bigint::BigInt,
    #[serde(with = "pypickle::serde::big_int")]
    neg: num_bigint::BigInt,
    #[serde(with = "pypickle::serde::big_int")]
    small: num_bigint::BigInt,
}

#[derive(Serialize, Debug)]
struct Empty {}

#[derive(Serialize, Debug)]
struct One {
    only: Vec<u8>,
}

#[derive(Serialize, Debug)]
struct Three {
    a: Option<u8>,
    b: One,
    c: Empty,
}

/// Strs of every byte length up to 40 (past the short copy's 16), ASCII
/// and not, and two-byte strs on both sides of the latin-1 singletons.
fn strs_by_length() -> (Vec<String>, String) {
    let mut strs = Vec::new();
    let mut py = Vec::new();
    for n in 0..=40 {
        let ascii: String = (0..n).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        strs.push(ascii.clone());
        py.push(format!("F('{ascii}')"));
        // n bytes again: 'é' is two.
        let accented = "é".repeat(n / 2) + &"z".repeat(n % 2);
        strs.push(accented.clone());
        py.push(format!("F('{accented}')"));
    }
    for s in ["ab", "\u{7f}x", "é", "ÿ", "ā", "é", "ab"] {
        py.push(format!("F({})", python_str(s)));
        strs.push(s.to_string());
    }
    (strs, format!("[{}]", py.join(", ")))
}

/// `s` as a Python str literal.
fn python_str(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        let _ = write!(out, "\\U{:08x}", c as u32);
    }
    out + "'"
}

#[derive(Serialize, Debug)]
struct Flat {
    id: u8,
    #[serde(flatten)]
    extra: BTreeMap<String, i32>,
}

/// A case: the bytes at each protocol, and the Python expression of the
/// value, where `I(s)` is an interned str and `F(s)`/`FB(b)` a fresh str or
/// bytes object (CPython shares equal constants of one code object).
struct Case {
    name: &'static str,
    expr: String,
    bytes: Vec<Vec<u8>>,
}

fn case<T: Serialize>(name: &'static str, value: &T, expr: impl Into<String>) -> Case {
    let bytes = (0..=5u8)
        .map(|p| {
            let direct = pypickle::to_vec_with(value, p).unwrap();
            let graph = pypickle::to_value(value).unwrap();
            let via_graph = pypickle::dumps(&graph, p).unwrap();
            assert_eq!(
                direct, via_graph,
                "{name} p{p}: to_vec differs from dumps(to_value)"
            );
            let mut to_writer = Vec::new();
            pypickle::to_writer_with(&mut to_writer, value, p).unwrap();
            assert_eq!(direct, to_writer, "{name} p{p}: to_writer differs");
            direct
        })
        .collect();
    Case {
        name,
        expr: expr.into(),
        bytes,
    }
}

/// Writes `data` to a file of this test process and returns its path.
fn temp_file(name: &str, data: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("pypickle-{}-{name}", std::process::id()));
    std::fs::write(&path, data).unwrap();
    path.to_str().unwrap().to_owned()
}

fn hex(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

fn cases() -> Vec<Case> {
    let rec = Record {
        id: 7,
        name: "ada".into(),
        score: 2.5,
        tags: vec!["x".into(), "yz".into(), "yz".into()],
        active: true,
    };
    let rec_py = "{I('id'): 7, I('name'): F('ada'), I('score'): 2.5, I('tags'): ['x', F('yz'), F('yz')], I('active'): True}";
    let big_list: Vec<String> = (0..2001).map(|i| format!("s{i}")).collect();
    let big_map: BTreeMap<u32, u32> = (0..2000).map(|i| (i, i)).collect();
    let map_1000: BTreeMap<u32, bool> = (0..1000).map(|i| (i, true)).collect();
    let strs_1 = strs_by_length();
    let mut int_keys = BTreeMap::new();
    int_keys.insert(1i64, "one".to_string());
    int_keys.insert(-5, "minus five".to_string());
    let mut tuple_keys = BTreeMap::new();
    tuple_keys.insert((1u8, "a".to_string()), 1.5f64);
    tuple_keys.insert((2, "bc".to_string()), 2.5);
    let mut vec_keys = BTreeMap::new();
    vec_keys.insert(vec![1u8, 2], "v");
    let mut set_keys = BTreeMap::new();
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct K(#[serde(with = "pypickle::serde::as_set")] BTreeSet<u8>);
    set_keys.insert(K([3u8].into()), 0u8);
    let mut str_keys = BTreeMap::new();
    str_keys.insert("id".to_string(), vec![Some(1u8), None]);
    str_keys.insert("é".to_string(), vec![]);
    vec![
        case("record", &rec, rec_py),
        case(
            "records",
            &vec![rec.clone(), rec.clone()],
            format!("[{rec_py}, {rec_py}]"),
        ),
        case("empty list", &Vec::<u8>::new(), "[]"),
        case("one item", &vec![1u8], "[1]"),
        case(
            "2001 strs",
            &big_list,
            "[F('s%d' % i) for i in range(2001)]",
        ),
        case("1000 items", &vec![0u8; 1000], "[0] * 1000"),
        case("999 items", &vec![1u8; 999], "[1] * 999"),
        case("1001 items", &vec![2u8; 1001], "[2] * 1001"),
        case(
            "lists of 0 to 3, 255, 256 items",
            &[0, 1, 2, 3, 255, 256]
                .map(|n| (0..n).collect::<Vec<u16>>())
                .to_vec(),
            "[list(range(n)) for n in (0, 1, 2, 3, 255, 256)]",
        ),
        case(
            "300 records",
            &vec![rec.clone(); 300],
            format!("[{rec_py} for _ in range(300)]"),
        ),
        case("strs by length", &strs_1.0, strs_1.1.clone()),
        case(
            "strs by length, memo past 256",
            &(vec![Vec::<u8>::new(); 300], &strs_1.0),
            format!("([[] for _ in range(300)], {})", strs_1.1),
        ),
        case(
            "structs of 0, 1 and 3 fields",
            &vec![
                Three {
                    a: Some(1),
                    b: One { only: vec![] },
                    c: Empty {},
                },
                Three {
                    a: None,
                    b: One { only: vec![1, 2] },
                    c: Empty {},
                },
            ],
            "[{I('a'): 1, I('b'): {I('only'): []}, I('c'): {}}, {I('a'): None, I('b'): {I('only'): [1, 2]}, I('c'): {}}]",
        ),
        case(
            "2000 int keys",
            &big_map,
            "{i: i for i in range(2000)}",
        ),
        case("1000 keys", &map_1000, "{i: True for i in range(1000)}"),
        case("int keys", &int_keys, "{-5: F('minus five'), 1: F('one')}"),
        case("tuple keys", &tuple_keys, "{(1, 'a'): 1.5, (2, F('bc')): 2.5}"),
        case("vec key is a tuple", &vec_keys, "{(1, 2): 'v'}"),
        case("set key is a frozenset", &set_keys, "{frozenset({3}): 0}"),
        case(
            "str keys",
            &str_keys,
            "{F('id'): [1, None], 'é': []}",
        ),
        case(
            "ints",
            &(
                0u8,
                255u8,
                256u16,
                65535u16,
                65536u32,
                -1i8,
                i32::MIN,
                i64::MAX,
                u64::MAX,
            ),
            "(0, 255, 256, 65535, 65536, -1, -2**31, 2**63-1, 2**64-1)",
        ),
        case(
            "big ints",
            &(i128::MIN, u128::MAX, 1i128 << 70),
            "(-2**127, 2**128-1, 2**70)",
        ),
        case(
            "BigInt",
            &Bigs {
                pos: num_bigint::BigInt::from(3).pow(300),
                neg: -num_bigint::BigInt::from(2).pow(2000),
                small: 7.into(),
            },
            "{I('pos'): 3**300, I('neg'): -2**2000, I('small'): 7}",
        ),
        case(
            "floats",
            &vec![0.0, -0.0, 1.5, 1e300, f64::INFINITY, f64::NEG_INFINITY, 0.1],
            "[0.0, -0.0, 1.5, 1e300, float('inf'), float('-inf'), 0.1]",
        ),
        case("f32", &1.5f32, "1.5"),
        case("chars", &('a', 'é', 'ł', '😀'), "('a', 'é', F('ł'), F('😀'))"),
        case(
            "strs",
            &vec!["", "a", "", "a", "ab", "ab", "ÿ", "ÿ", "naïve ünïcode", "\u{1f600}\u{0}\n\\"],
            "['', 'a', '', 'a', F('ab'), F('ab'), 'ÿ', 'ÿ', F('naïve ünïcode'), F('\\U0001f600\\x00\\n\\\\')]",
        ),
        case("long str", &"x".repeat(70_000), "F('x' * 70000)"),
        case(
            "frame edge",
            &("a".repeat(65_527), "bb"),
            "(F('a' * 65527), F('bb'))",
        ),
        case(
            "bytes",
            &Blob {
                data: b"\x00\xffbytes".to_vec(),
                small: b"b".to_vec(),
                empty: vec![],
            },
            "{I('data'): FB(b'\\x00\\xffbytes'), I('small'): b'b', I('empty'): b''}",
        ),
        case(
            "shared bytes",
            &vec![
                serde_bytes::ByteBuf::from(b"".to_vec()),
                serde_bytes::ByteBuf::from(b"".to_vec()),
                serde_bytes::ByteBuf::from(b"a".to_vec()),
                serde_bytes::ByteBuf::from(b"a".to_vec()),
                serde_bytes::ByteBuf::from(b"ab".to_vec()),
                serde_bytes::ByteBuf::from(b"ab".to_vec()),
            ],
            "[b'', b'', b'a', b'a', FB(b'ab'), FB(b'ab')]",
        ),
        case(
            "bytes and a str",
            &(serde_bytes::ByteBuf::from(b"a".to_vec()), "a", "latin1"),
            "(b'a', F('a'), F('latin1'))",
        ),
        case(
            "big bytes",
            &serde_bytes::ByteBuf::from(vec![7u8; 70_000]),
            "FB(b'\\x07' * 70000)",
        ),
        case(
            "options",
            &vec![Some(1), None, Some(3)],
            "[1, None, 3]",
        ),
        case("unit", &(), "None"),
        case("unit struct", &Unit, "None"),
        case("newtype struct", &Meters(3.5), "3.5"),
        case("tuple struct", &Pair(-1, "p".into()), "(-1, 'p')"),
        case("empty tuple", &(), "None"),
        case("tuples", &((1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)), "((1,), (1, 2), (1, 2, 3), (1, 2, 3, 4))"),
        case(
            "enums",
            &vec![
                Shape::Empty,
                Shape::Circle(1.0),
                Shape::Rect(2, 3),
                Shape::Poly {
                    sides: 5,
                    name: "penta".into(),
                },
                Shape::Empty,
                Shape::Circle(2.0),
            ],
            "[I('Empty'), {I('Circle'): 1.0}, {I('Rect'): (2, 3)}, {I('Poly'): {I('sides'): 5, I('name'): F('penta')}}, I('Empty'), {I('Circle'): 2.0}]",
        ),
        case(
            "renamed fields",
            &Renamed {
                a: 1,
                b: "b".into(),
            },
            "{I('not an identifier'): 1, I('a'): F('b')}",
        ),
        case(
            "sets",
            &Sets {
                s: [1, 2, 3].into(),
                f: [4].into(),
                e: BTreeSet::new(),
            },
            "{I('s'): {1, 2, 3}, I('f'): frozenset({4}), I('e'): set()}",
        ),
        case(
            "1000-item set",
            &Sets {
                s: (0..1000).collect(),
                f: (0..1000).collect(),
                e: (0..1001).collect(),
            },
            "{I('s'): set(range(1000)), I('f'): frozenset(range(1000)), I('e'): set(range(1001))}",
        ),
        case(
            "flatten (map of unknown length)",
            &Flat {
                id: 1,
                extra: [("k".to_string(), 2)].into(),
            },
            "{I('id'): 1, 'k': 2}",
        ),
        case(
            "flatten, one entry",
            &Flat {
                id: 1,
                extra: BTreeMap::new(),
            },
            "{I('id'): 1}",
        ),
        case(
            "nested",
            &vec![vec![vec![Some(Shape::Rect(1, 1))]]],
            "[[[{I('Rect'): (1, 1)}]]]",
        ),
    ]
}

const CHECK: &str = r#"
import pickle, sys
I = sys.intern
def F(s): return (s + '\0')[:-1]
def FB(b): return (b + b'\0')[:-1]
bad = 0
n = 0
for line in open(sys.argv[1], encoding='utf-8').read().splitlines():
    name, proto, data, expr = line.split('\t')
    proto = int(proto)
    data = bytes.fromhex(data)
    value = eval(expr)
    n += 1
    try:
        loaded = pickle.loads(data)
    except Exception as e:
        print(f'{name} p{proto}: CPython cannot load: {e!r}')
        bad += 1
        continue
    if loaded != value and not (loaded != loaded):
        print(f'{name} p{proto}: loads gives {loaded!r:.300}, expected {value!r:.300}')
        bad += 1
    ours = data
    theirs = pickle.dumps(value, proto)
    if ours != theirs:
        print(f'{name} p{proto}: bytes differ\n ours   {ours[:400]!r}\n theirs {theirs[:400]!r}')
        bad += 1
print(f'checked {n} bad {bad}')
"#;

#[test]
fn cpython_loads_to_vec_output_and_writes_the_same_bytes() {
    let cases = cases();
    let mut input = String::new();
    for c in &cases {
        for (p, b) in c.bytes.iter().enumerate() {
            let _ = writeln!(input, "{}\t{p}\t{}\t{}", c.name, hex(b), c.expr);
        }
    }
    let path = temp_file("serde-cpython-cases.txt", input.as_bytes());
    let script = format!("import sys\nsys.argv = ['', {:?}]\n{CHECK}", path);
    let out = python_stdout(&script);
    assert!(
        out.trim_end()
            .ends_with(&format!("checked {} bad 0", cases.len() * 6)),
        "{out}"
    );
}

const CHECK_RANDOM: &str = r#"
import math, pickle, struct, sys
def N(x):
    if isinstance(x, float):
        return ('f', 'nan' if math.isnan(x) else struct.pack('>d', x))
    if isinstance(x, bool):
        return ('b', x)
    if isinstance(x, int):
        return ('i', x)
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(N(i) for i in x))
    if isinstance(x, (set, frozenset)):
        return (type(x).__name__, frozenset(N(i) for i in x))
    if isinstance(x, dict):
        return ('dict', len(x), frozenset((N(k), N(v)) for k, v in x.items()))
    return (type(x).__name__, x)
bad = n = 0
for line in open(sys.argv[1], encoding='utf-8').read().splitlines():
    proto, data, expr = line.split('\t')
    value = eval(bytes.fromhex(expr).decode('utf-8'), {'nan': float('nan'), 'inf': float('inf')})
    n += 1
    try:
        loaded = pickle.loads(bytes.fromhex(data))
    except Exception as e:
        print(f'p{proto}: CPython cannot load: {e!r}')
        bad += 1
        continue
    if N(loaded) != N(value):
        print(f'p{proto}: loads gives {loaded!r:.500}\n expected {value!r:.500}')
        bad += 1
print(f'checked {n} bad {bad}')
"#;

/// Arbitrary typed values (the property tests' generator, fixed seed):
/// CPython loads what `to_vec` writes at every protocol, and gets the
/// Python value whose repr `to_value` prints.
#[test]
fn cpython_loads_arbitrary_typed_values() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut input = String::new();
    let mut count = 0;
    for _ in 0..48 {
        let node = serde_values::node()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let expr = pypickle::to_value(&node).unwrap().to_string();
        for p in 0..=5u8 {
            let bytes = pypickle::to_vec_with(&node, p).unwrap();
            let _ = writeln!(input, "{p}\t{}\t{}", hex(&bytes), hex(expr.as_bytes()));
            count += 1;
        }
    }
    let path = temp_file("serde-cpython-random.txt", input.as_bytes());
    let script = format!("import sys\nsys.argv = ['', {:?}]\n{CHECK_RANDOM}", path);
    let out = python_stdout(&script);
    assert!(
        out.trim_end().ends_with(&format!("checked {count} bad 0")),
        "{out}"
    );
}
