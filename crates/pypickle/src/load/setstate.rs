//! BUILD on objects that keep no state: CPython's default `__setstate__`.
//!
//! BUILD hands an instance, or the result of a call, its state, which the
//! graph keeps. On anything else CPython's `load_build` runs its default:
//! `target.__dict__[k] = v` for each item of a dict state, then
//! `setattr(target, k, v)` for each item of a slot state (the second item
//! of a 2-tuple state). Only a Python function takes attributes, and a
//! type takes an empty dict state; pickle does not carry a function's
//! attributes (CPython dumps a function by its name), so the graph is the
//! same either way. What is left to do here is to find CPython's error,
//! with its message, wherever it raises one.

use crate::known;
use crate::value::{Graph, Object, Value};

/// Checks a BUILD of `state` onto `target`, which is neither an instance
/// nor a call's result. `Err` holds CPython's message.
pub(super) fn default_setstate(graph: &Graph, target: Value, state: Value) -> Result<(), String> {
    let (dict_state, slot_state) = match graph.resolve(state) {
        Some(Object::Tuple(pair)) if pair.len() == 2 => (pair[0], Some(pair[1])),
        _ => (state, None),
    };
    let holder = Holder::of(graph, target);
    if dict_state != Value::None {
        let Some(Object::Dict(items)) = graph.resolve(dict_state) else {
            return Err("state is not a dictionary".into());
        };
        holder.take_dict_items(items.is_empty())?;
    }
    if let Some(slots) = slot_state {
        // CPython's C unpickler wants a dict here, None included.
        let Some(Object::Dict(items)) = graph.resolve(slots) else {
            return Err("slot state is not a dictionary".into());
        };
        for &(key, _) in items {
            let Some(name) = graph.as_str(key) else {
                return Err(format!(
                    "attribute name must be string, not '{}'",
                    graph.type_name_of(key)
                ));
            };
            holder.take_attribute(&name.to_string_lossy())?;
        }
    }
    Ok(())
}

/// What a BUILD target is to CPython's default `__setstate__`.
enum Holder {
    /// A Python function (copyreg's): a `__dict__` and settable attributes.
    Function,
    /// A built-in type: a read-only `__dict__` and no new attributes.
    Type(String),
    /// An object without a `__dict__` (a built-in function, a list, an int),
    /// by its type's name.
    NoDict(&'static str),
    /// A class or function this crate does not know (`module.name`):
    /// whether CPython would take the state turns on its code.
    Unknown(String),
}

impl Holder {
    fn of(graph: &Graph, target: Value) -> Holder {
        let Some(Object::Global(g)) = graph.resolve(target) else {
            return Holder::NoDict(graph.type_name_of(target));
        };
        let module = g.module.to_string_lossy();
        let name = g.name.to_string_lossy();
        match known::function_type_name(&module, &name) {
            Some("function") => Holder::Function,
            Some(builtin) => Holder::NoDict(builtin),
            None if known::is_builtin_type(&module, &name) => Holder::Type(name.into_owned()),
            None => Holder::Unknown(format!("{module}.{name}")),
        }
    }

    /// `target.__dict__[k] = v` for a state's items (none if `empty`).
    fn take_dict_items(&self, empty: bool) -> Result<(), String> {
        match self {
            Holder::Function => Ok(()),
            Holder::Type(_) if empty => Ok(()),
            Holder::Type(_) => Err("'mappingproxy' object does not support item assignment".into()),
            Holder::NoDict(t) => Err(format!("'{t}' object has no attribute '__dict__'")),
            Holder::Unknown(what) => Err(unknown(what)),
        }
    }

    /// `setattr(target, name, v)`.
    fn take_attribute(&self, name: &str) -> Result<(), String> {
        match self {
            // A function's own attributes (`__name__`, `__code__`, ...)
            // check their values; other names go to its `__dict__`.
            Holder::Function if !(name.starts_with("__") && name.ends_with("__")) => Ok(()),
            Holder::Function => Err(format!(
                "setting the function attribute '{name}' is not supported"
            )),
            Holder::Type(t) => Err(format!(
                "cannot set '{name}' attribute of immutable type '{t}'"
            )),
            Holder::NoDict(t) => Err(format!("'{t}' object has no attribute '{name}'")),
            Holder::Unknown(what) => Err(unknown(what)),
        }
    }
}

fn unknown(what: &str) -> String {
    format!("cannot set the state of {what}: BUILD on a class or function is not supported")
}
