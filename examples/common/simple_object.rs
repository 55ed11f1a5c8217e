//! The seed's `SimpleObject`, shared by the examples that pickle it: a
//! Python class `__main__.SimpleObject` with two attributes.

use pypickle::{Pickle, Unpickle};

#[derive(Debug, Default, PartialEq, Pickle, Unpickle)]
#[pickle(module = "__main__", name = "SimpleObject")]
pub struct SimpleObject {
    pub name: String,
    pub name_backwards: String,
}

// Not every example makes new objects.
#[allow(dead_code)]
impl SimpleObject {
    pub fn new(name: &str) -> Self {
        SimpleObject {
            name: name.to_owned(),
            name_backwards: name.chars().rev().collect(),
        }
    }
}
