//! The classes a strict load accepts besides the built-in reductions.

use std::collections::HashSet;

use super::Unpickle;
use crate::value::PyStr;

/// A set of classes, by module and qualified name: the Rust side of "the
/// class must be in the reader's namespace". A strict
/// [`Unpickler`](crate::Unpickler) accepts exactly the built-in reductions
/// and the classes registered with it.
///
/// ```
/// use pypickle::class::Registry;
/// let mut registry = Registry::new();
/// assert!(registry.add_class("__main__", "Node"));
/// assert!(!registry.add_class("__main__", "Node"));
/// assert!(registry.contains("__main__", "Node"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Registry {
    classes: HashSet<(String, String)>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// Adds the class `T` rebuilds; false if it was already there.
    pub fn add<T: Unpickle>(&mut self) -> bool {
        self.add_class(T::MODULE, T::NAME)
    }

    /// Adds the class `module.name`; false if it was already there.
    pub fn add_class(&mut self, module: &str, name: &str) -> bool {
        if self.contains(module, name) {
            return false;
        }
        self.classes.insert((module.to_owned(), name.to_owned()))
    }

    /// True when `module.name` is registered.
    pub fn contains(&self, module: &str, name: &str) -> bool {
        // Registries hold a handful of classes, and a scan needs no owned
        // key per lookup.
        self.classes
            .iter()
            .any(|(m, n)| m.as_str() == module && n.as_str() == name)
    }

    /// True when the class named by these strs (as a pickle names it) is
    /// registered; names that are not valid UTF-8 never are.
    pub(crate) fn contains_names(&self, module: &PyStr, name: &PyStr) -> bool {
        match (module.as_str(), name.as_str()) {
            (Some(m), Some(n)) => self.contains(m, n),
            _ => false,
        }
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }
}
