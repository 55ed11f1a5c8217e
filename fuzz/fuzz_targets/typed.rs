//! Any bytes into typed data, through serde and through the class traits:
//! errors, never a panic or a stack overflow, whatever the target type.
//! What loads as a `Tree` is serialized again at every protocol and must
//! load back to the same value.
#![no_main]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use pypickle::{Pickle, Unpickle, Unpickler};
use serde::{Deserialize, Serialize};

/// A recursive serde type with every kind of field.
#[derive(Deserialize, Serialize)]
enum Tree<'a> {
    Leaf(i64),
    Text(&'a str),
    Bytes(#[serde(with = "serde_bytes")] &'a [u8]),
    Node {
        children: Vec<Tree<'a>>,
        meta: BTreeMap<String, Option<f64>>,
    },
    Pair(Box<Tree<'a>>, Box<Tree<'a>>),
}

/// A class whose instances may point at each other, cycles included.
#[derive(Default, Pickle, Unpickle)]
#[pickle(module = "__main__", name = "Node")]
struct Node {
    name: String,
    connections: Vec<Rc<RefCell<Node>>>,
}

/// The serializer's round trip: `tree` written at each protocol loads back
/// to a tree that writes the same bytes (bytes, not `==`: floats may be
/// NaN). Protocols 0-2 write strs and bytes as text, which cannot be
/// borrowed, so only their successful loads are compared.
fn round_trip(tree: &Tree) {
    for protocol in 0..=5 {
        let Ok(bytes) = pypickle::to_vec_with(tree, protocol) else {
            continue;
        };
        match pypickle::from_slice::<Tree>(&bytes) {
            Ok(back) => assert!(
                pypickle::to_vec_with(&back, protocol).ok() == Some(bytes),
                "the round trip changed the value at protocol {protocol}"
            ),
            Err(e) => assert!(protocol < 3, "protocol {protocol}: {e}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(tree) = pypickle::from_slice::<Tree>(data) {
        round_trip(&tree);
    }
    let _ = pypickle::from_slice::<Vec<(u8, String)>>(data);
    let mut generic = Unpickler::generic().encoding("bytes");
    let _ = pypickle::from_slice_with::<Tree>(data, &mut generic);
    if let Ok(node) = Unpickler::new().loads_as::<Rc<RefCell<Node>>>(data) {
        // Break the cycles the data may have made, so nothing leaks.
        let mut seen = Vec::new();
        let mut work = vec![node];
        while let Some(n) = work.pop() {
            if seen.iter().any(|s| Rc::ptr_eq(s, &n)) {
                continue;
            }
            work.extend(n.borrow_mut().connections.drain(..));
            seen.push(n);
        }
    }
});
