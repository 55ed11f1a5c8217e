//! Property tests: arbitrary typed values round-trip through `to_vec` and
//! `from_slice` at every protocol, `to_vec` writes what `dumps(to_value)`
//! writes, and `from_value(to_value(x))` gives `x` back.
#![cfg(feature = "serde")]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::collection::{btree_map, btree_set, hash_map, vec};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// A float compared by bits, except that any NaN equals any NaN (protocol
/// 0 writes floats as text, which keeps neither NaN's sign nor payload).
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
#[serde(transparent)]
struct Float(f64);

impl PartialEq for Float {
    fn eq(&self, other: &Float) -> bool {
        (self.0.is_nan() && other.0.is_nan()) || self.0.to_bits() == other.0.to_bits()
    }
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
enum Variant {
    Unit,
    Newtype(i64),
    Tuple(u8, String),
    Struct { a: Option<i32>, b: Vec<u8> },
    Empty(),
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Leaf {
    name: String,
    value: Float,
    kind: Variant,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Node {
    id: i64,
    name: String,
    score: Float,
    big: i128,
    ubig: u128,
    unsigned: u64,
    small: u8,
    ch: char,
    opt: Option<String>,
    data: ByteBuf,
    tags: Vec<String>,
    int_map: BTreeMap<i32, String>,
    tuple_map: BTreeMap<(u8, String), bool>,
    str_map: HashMap<String, Variant>,
    variants: Vec<Variant>,
    triple: (u16, i8, Option<Float>),
    children: Vec<Leaf>,
    #[serde(with = "pypickle::serde::as_set")]
    set: BTreeSet<i16>,
    #[serde(with = "pypickle::serde::as_frozenset")]
    frozen: BTreeSet<String>,
    nested: Vec<Vec<Option<Leaf>>>,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Short names, often repeated: singletons and field-name look-alikes.
        prop::sample::select(vec!["", "a", "é", "id", "name", "ab", "ÿ", "latin"])
            .prop_map(String::from),
        any::<String>(),
        vec(any::<char>(), 0..4).prop_map(String::from_iter),
    ]
}

fn float() -> impl Strategy<Value = Float> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(-0.0),
        Just(f64::INFINITY),
        Just(1e16),
        Just(0.1),
    ]
    .prop_map(Float)
}

fn variant() -> impl Strategy<Value = Variant> {
    prop_oneof![
        Just(Variant::Unit),
        Just(Variant::Empty()),
        any::<i64>().prop_map(Variant::Newtype),
        (any::<u8>(), text()).prop_map(|(a, b)| Variant::Tuple(a, b)),
        (any::<Option<i32>>(), vec(any::<u8>(), 0..4)).prop_map(|(a, b)| Variant::Struct { a, b }),
    ]
}

fn leaf() -> impl Strategy<Value = Leaf> {
    (text(), float(), variant()).prop_map(|(name, value, kind)| Leaf { name, value, kind })
}

prop_compose! {
    fn node()(
        (id, name, score, big, ubig, unsigned, small, ch) in (
            any::<i64>(), text(), float(), any::<i128>(), any::<u128>(), any::<u64>(),
            any::<u8>(), any::<char>(),
        ),
        (opt, data, tags) in (
            proptest::option::of(text()),
            vec(any::<u8>(), 0..6).prop_map(ByteBuf::from), vec(text(), 0..6),
        ),
        (int_map, tuple_map, str_map, variants, triple) in (
            btree_map(any::<i32>(), text(), 0..4),
            btree_map((any::<u8>(), text()), any::<bool>(), 0..4),
            hash_map(text(), variant(), 0..4),
            vec(variant(), 0..6),
            (any::<u16>(), any::<i8>(), proptest::option::of(float())),
        ),
        (children, set, frozen, nested) in (
            vec(leaf(), 0..4),
            btree_set(any::<i16>(), 0..5),
            btree_set(text(), 0..3),
            vec(vec(proptest::option::of(leaf()), 0..3), 0..3),
        ),
    ) -> Node {
        Node {
            id, name, score, big, ubig, unsigned, small, ch, opt, data, tags,
            int_map, tuple_map, str_map, variants, triple, children, set, frozen, nested,
        }
    }
}

fn check<T>(x: &T) -> Result<(), TestCaseError>
where
    T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
{
    let graph = pypickle::to_value(x).unwrap();
    let back: T = pypickle::from_value(&graph).unwrap();
    prop_assert_eq!(&back, x);
    for p in 0..=5u8 {
        let bytes = pypickle::to_vec_with(x, p).unwrap();
        prop_assert_eq!(
            &bytes,
            &pypickle::dumps(&graph, p).unwrap(),
            "protocol {}",
            p
        );
        let back: T = pypickle::from_slice(&bytes).unwrap();
        prop_assert_eq!(&back, x, "protocol {}", p);
        let back: T = pypickle::from_reader(&bytes[..]).unwrap();
        prop_assert_eq!(&back, x, "protocol {} (reader)", p);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn nodes_round_trip(x in node()) {
        check(&x)?;
    }

    #[test]
    fn lists_of_nodes_round_trip(x in vec(node(), 0..3)) {
        check(&x)?;
    }

    #[test]
    fn top_level_values_round_trip(
        s in text(), v in variant(), f in float(), b in any::<i128>(), t in (any::<bool>(), any::<char>()),
    ) {
        check(&s)?;
        check(&v)?;
        check(&f)?;
        check(&b)?;
        check(&t)?;
    }
}

#[test]
fn batch_boundaries_round_trip() {
    for n in [0, 1, 2, 999, 1000, 1001, 2000, 2001] {
        let list: Vec<u32> = (0..n).collect();
        let map: BTreeMap<u32, u32> = (0..n).map(|i| (i, i)).collect();
        let strs: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        check(&list).unwrap();
        check(&map).unwrap();
        check(&strs).unwrap();
    }
}
