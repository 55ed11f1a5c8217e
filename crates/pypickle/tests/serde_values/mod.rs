//! Arbitrary typed values for the serde property tests: a struct that
//! covers the serde data model (every integer width, i128/u128, floats with
//! NaN and -0.0, chars, strs with any Unicode, bytes, options, maps with int,
//! tuple and str keys, every kind of enum variant, sets, nesting).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::collection::{btree_map, btree_set, hash_map, vec};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// The records of the benchmark dataset, as a user would type them.
#[allow(dead_code)] // Not every test file uses every fixture.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
pub struct Record {
    pub id: i64,
    pub name: String,
    pub score: f64,
    pub tags: Vec<String>,
    pub active: bool,
}

/// An enum with every kind of variant.
#[allow(dead_code)]
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
pub enum Shape {
    Empty,
    Circle(f64),
    Rect(u32, u32),
    Poly { sides: u8, name: String },
}

/// A float compared by bits, except that any NaN equals any NaN (protocol
/// 0 writes floats as text, which keeps neither NaN's sign nor payload).
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
#[serde(transparent)]
pub struct Float(pub f64);

impl PartialEq for Float {
    fn eq(&self, other: &Float) -> bool {
        (self.0.is_nan() && other.0.is_nan()) || self.0.to_bits() == other.0.to_bits()
    }
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum Variant {
    Unit,
    Newtype(i64),
    Tuple(u8, String),
    Struct { a: Option<i32>, b: Vec<u8> },
    Empty(),
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Leaf {
    pub name: String,
    pub value: Float,
    pub kind: Variant,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Node {
    pub id: i64,
    pub name: String,
    pub score: Float,
    pub big: i128,
    pub ubig: u128,
    pub unsigned: u64,
    pub small: u8,
    pub ch: char,
    pub opt: Option<String>,
    pub data: ByteBuf,
    pub tags: Vec<String>,
    pub int_map: BTreeMap<i32, String>,
    pub tuple_map: BTreeMap<(u8, String), bool>,
    pub str_map: HashMap<String, Variant>,
    pub variants: Vec<Variant>,
    pub triple: (u16, i8, Option<Float>),
    pub children: Vec<Leaf>,
    #[serde(with = "pypickle::serde::as_set")]
    pub set: BTreeSet<i16>,
    #[serde(with = "pypickle::serde::as_frozenset")]
    pub frozen: BTreeSet<String>,
    pub nested: Vec<Vec<Option<Leaf>>>,
}

pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Short names, often repeated: singletons and field-name look-alikes.
        prop::sample::select(vec!["", "a", "é", "id", "name", "ab", "ÿ", "latin"])
            .prop_map(String::from),
        any::<String>(),
        vec(any::<char>(), 0..4).prop_map(String::from_iter),
    ]
}

pub fn float() -> impl Strategy<Value = Float> {
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

pub fn variant() -> impl Strategy<Value = Variant> {
    prop_oneof![
        Just(Variant::Unit),
        Just(Variant::Empty()),
        any::<i64>().prop_map(Variant::Newtype),
        (any::<u8>(), text()).prop_map(|(a, b)| Variant::Tuple(a, b)),
        (any::<Option<i32>>(), vec(any::<u8>(), 0..4)).prop_map(|(a, b)| Variant::Struct { a, b }),
    ]
}

pub fn leaf() -> impl Strategy<Value = Leaf> {
    (text(), float(), variant()).prop_map(|(name, value, kind)| Leaf { name, value, kind })
}

prop_compose! {
    pub fn node()(
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
