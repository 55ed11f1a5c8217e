//! Any bytes into typed data, through serde and through the class traits:
//! errors, never a panic or a stack overflow, whatever the target type.
#![no_main]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use pypickle::{Pickle, Unpickle, Unpickler};
use serde::Deserialize;

/// A recursive serde type with every kind of field.
#[derive(Deserialize)]
#[allow(dead_code)]
enum Tree<'a> {
    Leaf(i64),
    Text(&'a str),
    Bytes(#[serde(with = "serde_bytes")] &'a [u8]),
    Node { children: Vec<Tree<'a>>, meta: BTreeMap<String, Option<f64>> },
    Pair(Box<Tree<'a>>, Box<Tree<'a>>),
}

/// A class whose instances may point at each other, cycles included.
#[derive(Default, Pickle, Unpickle)]
#[pickle(module = "__main__", name = "Node")]
struct Node {
    name: String,
    connections: Vec<Rc<RefCell<Node>>>,
}

fuzz_target!(|data: &[u8]| {
    let _ = pypickle::from_slice::<Tree>(data);
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
