//! Typed loading: CPython's pickles at every protocol (Python 2 strs with
//! the encoding options, shared objects), zero-copy borrowing, error
//! messages, hostile input, and migration from serde-pickle in both
//! directions.
#![cfg(feature = "serde")]

mod common;
// Only the fixture types; the property-test strategies go unused here.
#[allow(dead_code)]
mod serde_values;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use common::{from_hex, python_stdout};
use serde::{Deserialize, Serialize};
use serde_values::{Record, Shape};

#[derive(Deserialize, Debug, PartialEq)]
struct Everything {
    rec: Record,
    shapes: Vec<Shape>,
    ints: (u8, i16, u32, i64, u64, i128, u128),
    floats: (f32, f64),
    int_as_float: f64,
    tuple_as_vec: Vec<i32>,
    set_as_set: HashSet<i32>,
    frozen_as_btree: BTreeSet<String>,
    list_as_tuple: (i32, String),
    int_keys: BTreeMap<i32, String>,
    tuple_keys: BTreeMap<(i32, i32), bool>,
    data: serde_bytes::ByteBuf,
    barray: serde_bytes::ByteBuf,
    bytes_as_vec: Vec<u8>,
    none: Option<i32>,
    some: Option<String>,
    unit: (),
    shared_a: Vec<String>,
    shared_b: Vec<String>,
}

/// CPython writes the same value at each protocol; prints `proto hex` lines.
const EVERYTHING: &str = r#"
import pickle
shared = ['s1', 's2']
value = {
    'rec': {'id': 7, 'name': 'ada', 'score': 2.5, 'tags': ['x', 'yz'], 'active': True},
    'shapes': ['Empty', {'Circle': 1.5}, {'Rect': (2, 3)}, {'Rect': [4, 5]},
               {'Poly': {'sides': 5, 'name': 'penta'}}, ('Empty',), ('Circle', 2.5)],
    'ints': (255, -300, 2**32 - 1, -2**63, 2**64 - 1, -2**127, 2**128 - 1),
    'floats': (1.5, 1e300),
    'int_as_float': 3,
    'tuple_as_vec': (1, 2, 3),
    'set_as_set': {1, 2, 3},
    'frozen_as_btree': frozenset({'a', 'b'}),
    'list_as_tuple': [1, 'one'],
    'int_keys': {1: 'one', -2: 'minus two'},
    'tuple_keys': {(1, 2): True, (3, 4): False},
    'data': b'\x00\xffdata',
    'barray': bytearray(b'ba'),
    'bytes_as_vec': b'\x01\x02',
    'none': None,
    'some': 'here',
    'unit': None,
    'shared_a': shared,
    'shared_b': shared,
}
for p in range(6):
    print(p, pickle.dumps(value, p).hex())
"#;

#[test]
fn cpython_pickles_load_into_typed_data_at_every_protocol() {
    let out = python_stdout(EVERYTHING);
    let mut seen = 0;
    for line in out.lines() {
        let (p, data) = line.split_once(' ').unwrap();
        let data = from_hex(data);
        let v: Everything = pypickle::from_slice(&data).unwrap_or_else(|e| panic!("p{p}: {e}"));
        assert_eq!(
            v.rec,
            Record {
                id: 7,
                name: "ada".into(),
                score: 2.5,
                tags: vec!["x".into(), "yz".into()],
                active: true
            }
        );
        assert_eq!(
            v.shapes,
            [
                Shape::Empty,
                Shape::Circle(1.5),
                Shape::Rect(2, 3),
                Shape::Rect(4, 5),
                Shape::Poly {
                    sides: 5,
                    name: "penta".into()
                },
                Shape::Empty,
                Shape::Circle(2.5),
            ]
        );
        assert_eq!(
            v.ints,
            (
                255,
                -300,
                u32::MAX,
                i64::MIN,
                u64::MAX,
                i128::MIN,
                u128::MAX
            )
        );
        assert_eq!(v.floats, (1.5, 1e300));
        assert_eq!(v.int_as_float, 3.0);
        assert_eq!(v.tuple_as_vec, [1, 2, 3]);
        assert_eq!(v.set_as_set, HashSet::from([1, 2, 3]));
        assert_eq!(v.frozen_as_btree, BTreeSet::from(["a".into(), "b".into()]));
        assert_eq!(v.list_as_tuple, (1, "one".into()));
        assert_eq!(
            v.int_keys,
            BTreeMap::from([(1, "one".into()), (-2, "minus two".into())])
        );
        assert_eq!(
            v.tuple_keys,
            BTreeMap::from([((1, 2), true), ((3, 4), false)])
        );
        assert_eq!(v.data.as_slice(), b"\x00\xffdata");
        assert_eq!(v.barray.as_slice(), b"ba");
        assert_eq!(v.bytes_as_vec, [1, 2]);
        assert_eq!((v.none, v.some.as_deref()), (None, Some("here")));
        assert_eq!(v.shared_a, ["s1", "s2"]);
        assert_eq!(v.shared_a, v.shared_b);
        seen += 1;
    }
    assert_eq!(seen, 6);
}

#[test]
fn python2_strs_load_with_the_encoding_options() {
    // Python 2: pickle.dumps(['caf\xe9', u'caf\xe9'], p) at protocols 0-2.
    let pickles: [&[u8]; 3] = [
        b"(lp0\nS'caf\\xe9'\np1\naVcaf\xe9\np2\na.",
        b"]q\x00(U\x04caf\xe9q\x01X\x05\x00\x00\x00caf\xc3\xa9q\x02e.",
        b"\x80\x02]q\x00(U\x04caf\xe9q\x01X\x05\x00\x00\x00caf\xc3\xa9q\x02e.",
    ];
    for data in pickles {
        let mut latin1 = pypickle::Unpickler::new().encoding("latin1");
        let v: Vec<String> = pypickle::from_slice_with(data, &mut latin1).unwrap();
        assert_eq!(v, ["café", "café"]);
        // As bytes: the py2 str fills a byte buffer; the unicode one is text.
        let mut bytes = pypickle::Unpickler::new().encoding("bytes");
        let (b, s): (serde_bytes::ByteBuf, String) =
            pypickle::from_slice_with(data, &mut bytes).unwrap();
        assert_eq!((b.as_slice(), s.as_str()), (&b"caf\xe9"[..], "café"));
        // ASCII (the default) fails on the non-ASCII py2 str, as CPython.
        let err = pypickle::from_slice::<Vec<String>>(data).unwrap_err();
        assert!(err.to_string().contains("ascii"), "{err}");
    }
    // encoding='bytes' keeps an ASCII py2 str as bytes; a String accepts
    // UTF-8 bytes.
    let mut bytes = pypickle::Unpickler::new().encoding("bytes");
    let s: String = pypickle::from_slice_with(b"U\x05hello.", &mut bytes).unwrap();
    assert_eq!(s, "hello");
}

#[test]
fn shared_and_recursive_objects() {
    // l = [1]; pickle.dumps([l, l], 2): the second is a BINGET.
    let data = b"\x80\x02]q\x00(]q\x01K\x01ah\x01e.";
    let v: Vec<Vec<u8>> = pypickle::from_slice(data).unwrap();
    assert_eq!(v, [[1], [1]]);

    // l = []; l.append(l): a cycle into a recursive type is a depth error.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Tree(Vec<Tree>);
    let cyclic = b"\x80\x02]q\x00h\x00a.";
    let err = pypickle::from_slice::<Tree>(cyclic).unwrap_err();
    assert_eq!(err.classify(), pypickle::Category::Limit, "{err}");
    assert!(err.to_string().contains("depth"), "{err}");

    // A million nested lists: loads without recursion, then stops at the
    // typed depth limit instead of overflowing the stack.
    let mut deep = b"\x80\x04".to_vec();
    deep.extend(std::iter::repeat_n(b']', 1_000_000));
    deep.extend(std::iter::repeat_n(b'a', 999_999));
    deep.push(b'.');
    let err = pypickle::from_slice::<Tree>(&deep).unwrap_err();
    assert_eq!(err.classify(), pypickle::Category::Limit, "{err}");
    let ok = pypickle::from_slice::<serde::de::IgnoredAny>(&deep);
    assert!(ok.is_ok());

    // The depth limit is configurable.
    let nested = b"\x80\x04]]]]aaa.";
    let limits = pypickle::Limits {
        max_depth: 3,
        ..Default::default()
    };
    let mut shallow = pypickle::Unpickler::new().limits(limits);
    assert!(pypickle::from_slice_with::<Tree>(nested, &mut shallow).is_err());
    assert!(pypickle::from_slice::<Tree>(nested).is_ok());
}

#[test]
fn shared_objects_cannot_expand_without_bound() {
    // a = [0]*8; then 40 times a = [a]*8 with memo references: a few
    // hundred bytes that stand for 8**40 items when read as a tree.
    #[derive(Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Tree {
        Leaf(i64),
        Node(Vec<Tree>),
    }
    let mut data = b"\x80\x04]\x94(".to_vec();
    data.extend([b'K', 0].repeat(8));
    data.push(b'e');
    for i in 0..40u8 {
        data.extend(b"]\x94(");
        for _ in 0..8 {
            data.extend([b'h', i]);
        }
        data.push(b'e');
        let _ = i;
    }
    data.push(b'.');
    // Every list is memo entry 2i (the MEMOIZE after `]`), fetched by BINGET.
    let graph = pypickle::loads(&data);
    if let Ok(g) = &graph {
        assert!(g.len() < 100);
    }
    let limits = pypickle::Limits {
        max_alloc: 1 << 24,
        max_depth: 100,
        ..Default::default()
    };
    let mut u = pypickle::Unpickler::new().limits(limits);
    let err = pypickle::from_slice_with::<Tree>(&data, &mut u)
        .err()
        .expect("expansion is bounded");
    assert_eq!(err.classify(), pypickle::Category::Limit, "{err}");
    // With the default limits too: a walk may produce at most 16 times
    // what the graph holds, 16 bytes a slot (41 lists of 8: 41 * 9 * 256
    // bytes), plus 1 MiB; not `max_alloc` (16 GiB, more than a machine
    // has once typed values are allocated).
    let err = pypickle::from_slice::<Tree>(&data)
        .err()
        .expect("expansion is bounded by default");
    let limit = 41 * 9 * 256 + (1 << 20);
    assert_eq!(
        err.to_string(),
        format!("allocation limit of {limit} bytes exceeded")
    );
    // The class traits' reader stops at the same size.
    struct AnyTree;
    impl pypickle::FromPython for AnyTree {
        fn from_python(
            l: &mut pypickle::class::FromGraph,
            v: pypickle::Value,
        ) -> pypickle::Result<Self> {
            if let Some(pypickle::Object::List(items)) = l.object(v) {
                for &item in items.iter() {
                    l.value::<AnyTree>(item)?;
                }
            }
            Ok(AnyTree)
        }
    }
    let graph = pypickle::loads(&data).unwrap();
    let err = pypickle::class::FromGraph::new(&graph)
        .max_depth(100)
        .root::<AnyTree>()
        .err()
        .expect("expansion is bounded");
    assert_eq!(
        err.to_string(),
        format!("allocation limit of {limit} bytes exceeded")
    );
}

#[test]
fn strs_and_bytes_borrow_from_the_input() {
    #[derive(Deserialize)]
    struct Borrowed<'a> {
        name: &'a str,
        #[serde(borrow)]
        cow: Cow<'a, str>,
        #[serde(borrow)]
        tags: Vec<&'a str>,
    }
    #[derive(Deserialize)]
    struct Data<'a> {
        #[serde(borrow)]
        data: &'a serde_bytes::Bytes,
    }
    #[derive(Serialize)]
    struct Owned {
        name: String,
        cow: String,
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
        tags: Vec<String>,
    }
    let owned = Owned {
        name: "ada".into(),
        cow: "lovelace".into(),
        data: b"\x00\x01".to_vec(),
        tags: vec!["x".into(), "yz".into(), "x".into()],
    };
    for p in 1..=5 {
        let data = pypickle::to_vec_with(&owned, p).unwrap();
        let range = data.as_ptr_range();
        let b: Borrowed = pypickle::from_slice(&data).unwrap();
        let inside = |s: &[u8]| range.contains(&s.as_ptr());
        assert!(inside(b.name.as_bytes()), "p{p}");
        assert!(
            matches!(b.cow, Cow::Borrowed(s) if inside(s.as_bytes())),
            "p{p}"
        );
        // Bytes are raw from protocol 3 on (below, they are a call).
        if p >= 3 {
            let d: Data = pypickle::from_slice(&data).unwrap();
            assert!(inside(d.data), "p{p}");
        }
        assert!(b.tags.iter().all(|t| inside(t.as_bytes())), "p{p}");
        assert_eq!(
            (b.name, &*b.cow, &b.tags[..]),
            ("ada", "lovelace", &["x", "yz", "x"][..])
        );
    }
    // Protocol 0 strs are escaped text: &str cannot borrow, Cow and String can.
    let data = pypickle::to_vec_with(&("ada",), 0).unwrap();
    let err = pypickle::from_slice::<(&str,)>(&data).unwrap_err();
    assert!(err.to_string().contains("borrowed"), "{err}");
    let (cow,): (Cow<str>,) = pypickle::from_slice(&data).unwrap();
    assert_eq!(cow, "ada");
    // A graph lends its strs to from_value.
    let g = pypickle::loads(&data).unwrap();
    let (s,): (&str,) = pypickle::from_value(&g).unwrap();
    assert_eq!(s, "ada");
}

#[test]
fn errors_name_the_python_type_and_value() {
    let list = pypickle::to_vec(&vec![1, 2]).unwrap();
    let err = pypickle::from_slice::<String>(&list).unwrap_err();
    assert_eq!(err.classify(), pypickle::Category::Data);
    assert_eq!(
        err.to_string(),
        "invalid type: Python list, expected a string"
    );
    let big = pypickle::to_vec(&300).unwrap();
    let err = pypickle::from_slice::<u8>(&big).unwrap_err();
    assert_eq!(err.to_string(), "invalid value: integer `300`, expected u8");
    let huge = pypickle::to_vec(&u128::MAX).unwrap();
    let err = pypickle::from_slice::<i64>(&huge).unwrap_err();
    assert!(
        err.to_string()
            .contains("340282366920938463463374607431768211455"),
        "{err}"
    );
    let err =
        pypickle::from_slice::<Record>(&pypickle::to_vec(&BTreeMap::from([("id", 1)])).unwrap())
            .unwrap_err();
    assert_eq!(err.to_string(), "missing field `name`");
    // A class instance is refused by the loader, in CPython's words.
    let inst = b"\x80\x04\x95\x18\x00\x00\x00\x00\x00\x00\x00\x8c\x08__main__\x94\x8c\x04Node\x94\x93\x94)\x81\x94.";
    let err = pypickle::from_slice::<Record>(inst).unwrap_err();
    assert!(
        err.to_string().starts_with("Can't get attribute 'Node'"),
        "{err}"
    );
    // Unhashable keys cannot be written.
    let err = pypickle::to_vec(&BTreeMap::from([(BTreeMap::from([(1, 1)]), 1)])).unwrap_err();
    assert_eq!(err.classify(), pypickle::Category::Pickling);
    assert!(err.to_string().contains("unhashable type: 'dict'"), "{err}");
}

#[test]
fn hostile_input_never_panics() {
    // Every truncation and a spread of byte flips of a typed pickle: errors,
    // never panics.
    let rec = Record {
        id: 1,
        name: "n".into(),
        score: 0.5,
        tags: vec!["t".into(), "uv".into()],
        active: false,
    };
    for p in 0..=5 {
        let data = pypickle::to_vec_with(&vec![rec.clone(), rec.clone()], p).unwrap();
        for cut in 0..data.len() {
            let _ = pypickle::from_slice::<Vec<Record>>(&data[..cut]);
        }
        for i in 0..data.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = data.clone();
                bad[i] ^= flip;
                let _ = pypickle::from_slice::<Vec<Record>>(&bad);
                let _ = pypickle::from_slice::<Vec<BTreeMap<String, (i8, bool)>>>(&bad);
            }
        }
    }
}

#[test]
fn what_serde_pickle_writes_we_load() {
    let recs = vec![
        Record {
            id: -3,
            name: "naïve".into(),
            score: 1e-3,
            tags: vec![],
            active: true,
        },
        Record {
            id: 1 << 40,
            name: String::new(),
            score: -0.0,
            tags: vec!["a".into(), "bc".into()],
            active: false,
        },
    ];
    let shapes = vec![
        Shape::Empty,
        Shape::Circle(0.5),
        Shape::Rect(1, 2),
        Shape::Poly {
            sides: 3,
            name: "tri".into(),
        },
    ];
    let blob = serde_bytes::ByteBuf::from(b"\x00bytes".to_vec());
    let opts = [
        serde_pickle::SerOptions::new(),
        serde_pickle::SerOptions::new().proto_v2(),
        serde_pickle::SerOptions::new().compat_enum_repr(),
        serde_pickle::SerOptions::new()
            .proto_v2()
            .compat_enum_repr(),
    ];
    for o in opts {
        let data = serde_pickle::to_vec(&recs, o.clone()).unwrap();
        assert_eq!(pypickle::from_slice::<Vec<Record>>(&data).unwrap(), recs);
        let data = serde_pickle::to_vec(&shapes, o.clone()).unwrap();
        assert_eq!(pypickle::from_slice::<Vec<Shape>>(&data).unwrap(), shapes);
        let data = serde_pickle::to_vec(&blob, o.clone()).unwrap();
        assert_eq!(
            pypickle::from_slice::<serde_bytes::ByteBuf>(&data).unwrap(),
            blob
        );
        let map = BTreeMap::from([((1, 2), u64::MAX), ((3, 4), 0)]);
        let data = serde_pickle::to_vec(&map, o).unwrap();
        assert_eq!(
            pypickle::from_slice::<BTreeMap<(i32, i32), u64>>(&data).unwrap(),
            map
        );
    }
}

#[test]
fn what_we_write_serde_pickle_and_cpython_load() {
    let recs = vec![
        Record {
            id: 5,
            name: "x".into(),
            score: 1.0,
            tags: vec!["t".into()],
            active: true,
        };
        3
    ];
    let shapes = vec![
        Shape::Empty,
        Shape::Circle(0.5),
        Shape::Rect(1, 2),
        Shape::Poly {
            sides: 3,
            name: "tri".into(),
        },
    ];
    let blob = serde_bytes::ByteBuf::from(b"\x00bytes".to_vec());
    let de = serde_pickle::DeOptions::new;
    let mut script = String::from("import pickle\n");
    for p in 0..=5u8 {
        let data = pypickle::to_vec_with(&recs, p).unwrap();
        assert_eq!(
            serde_pickle::from_slice::<Vec<Record>>(&data, de()).unwrap(),
            recs,
            "p{p}"
        );
        script += &format!(
            "assert pickle.loads(bytes.fromhex('{}')) == [{{'id': 5, 'name': 'x', 'score': 1.0, 'tags': ['t'], 'active': True}}] * 3\n",
            data.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let data = pypickle::to_vec_with(&shapes, p).unwrap();
        assert_eq!(
            serde_pickle::from_slice::<Vec<Shape>>(&data, de()).unwrap(),
            shapes,
            "p{p}"
        );
        let data = pypickle::to_vec_with(&blob, p).unwrap();
        assert_eq!(
            serde_pickle::from_slice::<serde_bytes::ByteBuf>(&data, de()).unwrap(),
            blob,
            "p{p}"
        );
    }
    script += "print('ok')\n";
    assert_eq!(python_stdout(&script).trim(), "ok");
}

#[test]
fn big_ints_of_any_size() {
    use num_bigint::BigInt;
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Big(#[serde(with = "pypickle::serde::big_int")] num_bigint::BigInt);
    for n in [
        num_bigint::BigInt::from(0),
        num_bigint::BigInt::from(-1),
        num_bigint::BigInt::from(i64::MIN),
        num_bigint::BigInt::from(u128::MAX),
        -num_bigint::BigInt::from(7).pow(1000),
    ] {
        for p in 0..=5u8 {
            let data = pypickle::to_vec_with(&Big(n.clone()), p).unwrap();
            assert_eq!(pypickle::from_slice::<Big>(&data).unwrap(), Big(n.clone()));
        }
    }
    // A Python int too large for i128 is an error naming it for i128, and
    // loads as a BigInt.
    let data = pypickle::to_vec(&Big(num_bigint::BigInt::from(2).pow(130))).unwrap();
    let err = pypickle::from_slice::<i128>(&data).unwrap_err();
    assert!(
        err.to_string()
            .contains("1361129467683753853853498429727072845824"),
        "{err}"
    );
    // Ints of 65-128 bits (held inline) and wider ones where a float is
    // wanted: the nearest float, or an error where Python's float() raises
    // OverflowError.
    for (n, f) in [
        (BigInt::from(1) << 100u32, 2f64.powi(100)),
        (-(BigInt::from(3) << 200u32), -3.0 * 2f64.powi(200)),
    ] {
        let data = pypickle::to_vec(&Big(n)).unwrap();
        assert_eq!(pypickle::from_slice::<f64>(&data).unwrap(), f);
    }
    let data = pypickle::to_vec(&Big(BigInt::from(10).pow(400))).unwrap();
    let err = pypickle::from_slice::<f64>(&data).unwrap_err();
    assert!(err.to_string().contains("too large for a float"), "{err}");
    // Not an int: the error names the Python type.
    let err = pypickle::from_slice::<Big>(&pypickle::to_vec("x").unwrap()).unwrap_err();
    assert!(err.to_string().contains("expected an int"), "{err}");
}

#[test]
fn to_writer_hands_over_frames_with_the_same_bytes() {
    // More than the 1 MiB the serializer buffers before handing frames
    // over, with a large str that skips framing in the middle.
    let mut items: Vec<String> = (0..150_000).map(|i| format!("item {i}")).collect();
    items.insert(70_000, "x".repeat(100_000));
    for p in [0, 2, 4, 5] {
        let whole = pypickle::to_vec_with(&items, p).unwrap();
        let mut chunks = Vec::new();
        struct Recorder<'a>(&'a mut Vec<usize>, Vec<u8>);
        impl std::io::Write for Recorder<'_> {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.push(b.len());
                self.1.extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut rec = Recorder(&mut chunks, Vec::new());
        pypickle::to_writer_with(&mut rec, &items, p).unwrap();
        assert!(rec.1 == whole, "p{p}");
        assert!(chunks.len() > 1, "p{p}: written in pieces");
        let back: Vec<String> = pypickle::from_reader(&whole[..]).unwrap();
        assert_eq!(back, items);
    }
}

#[test]
fn class_instances_fill_structs_from_their_attributes() {
    // CPython pickles instances of a plain class (__dict__ state) and of a
    // class with __slots__ and a __dict__ ((dict, slots) state).
    const SCRIPT: &str = r#"
import pickle
class Record:
    def __init__(self):
        self.id, self.name, self.score, self.tags, self.active = 7, 'ada', 2.5, ['x', 'yz'], True
class Slotted:
    __slots__ = ('extra', '__dict__')
    def __init__(self):
        self.extra = 1
        self.id, self.name, self.score, self.tags, self.active = 8, 'bob', 0.5, [], False
for p in range(6):
    # Below protocol 2 CPython cannot pickle __slots__ without __getstate__.
    print(p, pickle.dumps([Record(), Slotted() if p >= 2 else Record()], p).hex())
"#;
    for line in python_stdout(SCRIPT).lines() {
        let (p, data) = line.split_once(' ').unwrap();
        let data = from_hex(data);
        let mut generic = pypickle::Unpickler::generic();
        let v: Vec<Record> =
            pypickle::from_slice_with(&data, &mut generic).unwrap_or_else(|e| panic!("p{p}: {e}"));
        assert_eq!(v[0].id, 7, "p{p}");
        assert_eq!(v[0].tags, ["x", "yz"], "p{p}");
        if p != "0" && p != "1" {
            assert_eq!(
                (v[1].id, v[1].name.as_str(), v[1].active),
                (8, "bob", false),
                "p{p}"
            );
        }
        // The strict default refuses the unknown class, in CPython's words.
        let err = pypickle::from_slice::<Vec<Record>>(&data).unwrap_err();
        assert!(err.to_string().contains("Record"), "p{p}: {err}");
    }
}
