//! Rust types as Python classes, and typed data to and from object graphs.
//!
//! Python pickles an instance as its class's name plus what
//! `__reduce_ex__` returns: arguments for `cls.__new__` and a state, which
//! `__setstate__` (or a plain `__dict__` update) applies on load. The traits
//! here play those parts for Rust types:
//!
//! - [`Pickle`]: the class (module and qualified name), `__getnewargs__`
//!   and `__getstate__`: what is pickled;
//! - [`Unpickle`]: the class, `__new__` and `__setstate__`: how it comes back.
//!
//! [`ToPython`] and [`FromPython`] convert any typed value to and from a
//! [`Graph`](crate::Graph); every [`Pickle`] type is [`ToPython`] and every
//! [`Unpickle`] type is [`FromPython`]. `Rc<RefCell<T>>` keeps identity both
//! ways, so shared objects and cycles survive.
//!
//! The derive macros in `pypickle-derive` write these impls for a struct
//! whose fields are its `__dict__`. By hand, the seed's `SimpleObject`:
//!
//! ```
//! use pypickle::class::{FromGraph, Pickle, ToGraph, Unpickle};
//! use pypickle::{Result, Value};
//!
//! #[derive(Debug, Default, PartialEq)]
//! struct SimpleObject {
//!     name: String,
//!     name_backwards: String,
//! }
//!
//! impl Pickle for SimpleObject {
//!     const MODULE: &'static str = "__main__";
//!     const NAME: &'static str = "SimpleObject";
//!
//!     fn get_state(&self, p: &mut ToGraph) -> Result<Option<Value>> {
//!         let mut state = p.state_dict();
//!         state.field(p, "name", &self.name)?;
//!         state.field(p, "name_backwards", &self.name_backwards)?;
//!         Ok(Some(state.finish(p)?))
//!     }
//! }
//!
//! impl Unpickle for SimpleObject {
//!     const MODULE: &'static str = "__main__";
//!     const NAME: &'static str = "SimpleObject";
//!
//!     fn new(_l: &mut FromGraph, _args: &[Value]) -> Result<Self> {
//!         Ok(SimpleObject::default())
//!     }
//!     fn set_state(&mut self, l: &mut FromGraph, state: Value) -> Result<()> {
//!         let attrs = l.attrs::<Self>(state)?;
//!         self.name = attrs.get(l, "name")?;
//!         self.name_backwards = attrs.get(l, "name_backwards")?;
//!         Ok(())
//!     }
//! }
//!
//! let obj = SimpleObject { name: "pickle".into(), name_backwards: "elkcip".into() };
//! let bytes = pypickle::dumps_as(&obj, 4)?;
//! // What CPython writes for the same instance of a Python class.
//! assert_eq!(bytes, b"\x80\x04\x95O\x00\x00\x00\x00\x00\x00\x00\x8c\x08__main__\x94\x8c\x0cSimpleObject\x94\x93\x94)\x81\x94}\x94(\x8c\x04name\x94\x8c\x06pickle\x94\x8c\x0ename_backwards\x94\x8c\x06elkcip\x94ub.");
//!
//! // A strict load refuses the class unless it is registered...
//! let err = pypickle::loads(&bytes).unwrap_err();
//! assert_eq!(err.to_string(), "Can't get attribute 'SimpleObject' on <module '__main__'> at byte 37 (opcode STACK_GLOBAL)");
//! // ...which loading as the type does.
//! let back: SimpleObject = pypickle::loads_as(&bytes)?;
//! assert_eq!(back, obj);
//! # Ok::<(), pypickle::Error>(())
//! ```

mod from_graph;
mod impls;
mod registry;
mod to_graph;

pub use from_graph::{Attrs, FromGraph};
pub use registry::Registry;
pub use to_graph::{StateDict, ToGraph};

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use crate::error::Result;
use crate::value::Value;

/// How deep typed values may nest, both ways. CPython's pickler stops at
/// the interpreter's recursion limit (1000 by default); typed conversion
/// recurses along the Rust type, so it stops too, with an error, well
/// before the native stack could run out.
pub const DEFAULT_MAX_DEPTH: usize = 1000;

/// A value that can be written into an object graph.
pub trait ToPython {
    /// Adds this value to the graph `p` is building and returns it.
    ///
    /// # Errors
    ///
    /// When the value cannot be pickled (see [`crate::Error::unpicklable`]).
    fn to_python(&self, p: &mut ToGraph) -> Result<Value>;
}

/// A value that can be rebuilt from an object graph.
pub trait FromPython: Sized {
    /// Rebuilds a value from `v`, an atom or an object of `l`'s graph.
    ///
    /// # Errors
    ///
    /// When `v` is not something this type can be made from.
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self>;

    /// Adds the classes this type may rebuild to `registry`, so that a
    /// strict load of it accepts them. Containers pass the call on to their
    /// item types; classes add themselves and their fields' types.
    fn register(_registry: &mut Registry) {}

    /// Rebuilds a value reached through `Rc<RefCell<_>>`. The default
    /// converts, then wraps; [`Unpickle`] types make the object reachable
    /// before they set its state, so that cycles through it close.
    ///
    /// # Errors
    ///
    /// As [`FromPython::from_python`].
    fn from_python_shared(l: &mut FromGraph, v: Value) -> Result<Rc<RefCell<Self>>>
    where
        Self: 'static,
    {
        let rc = Rc::new(RefCell::new(Self::from_python(l, v)?));
        l.remember(v, rc.clone());
        Ok(rc)
    }
}

/// What pickling an instance writes: Python's `__reduce_ex__` for plain
/// classes, made of `__getnewargs__` and `__getstate__`.
///
/// Every `Pickle` type is [`ToPython`]: it is written as CPython writes an
/// instance (`cls.__new__(cls, *args)` then BUILD with the state, or
/// `copyreg._reconstructor` at protocols 0 and 1).
pub trait Pickle: Any {
    /// The module that defines the class, as `cls.__module__` gives it.
    const MODULE: &'static str;
    /// The qualified name, as `cls.__qualname__` gives it (`Outer.Inner`).
    const NAME: &'static str;

    /// The positional arguments for `cls.__new__`, as `__getnewargs__`
    /// returns them. None by default.
    ///
    /// # Errors
    ///
    /// When an argument cannot be pickled.
    fn new_args(&self, _p: &mut ToGraph) -> Result<Vec<Value>> {
        Ok(Vec::new())
    }

    /// The keyword arguments for `cls.__new__`, as the dict
    /// `__getnewargs_ex__` returns beside the arguments. None by default;
    /// with some, CPython writes NEWOBJ_EX from protocol 4, and a
    /// `functools.partial` of `object.__new__` below it.
    ///
    /// # Errors
    ///
    /// When an argument cannot be pickled.
    fn new_kwargs(&self, _p: &mut ToGraph) -> Result<Option<Value>> {
        Ok(None)
    }

    /// The state, as `__getstate__` returns it: usually the instance dict
    /// (see [`ToGraph::state_dict`]), `None` for no state at all. As in
    /// Python, a false state is not written at protocols 0 and 1, so
    /// [`Unpickle::set_state`] is not called for it on load.
    ///
    /// # Errors
    ///
    /// When part of the state cannot be pickled.
    fn get_state(&self, p: &mut ToGraph) -> Result<Option<Value>>;

    /// True when the state is `__slots__`-style, `(None, {slot: value})`,
    /// as CPython makes it for classes without a `__dict__`. Such
    /// instances cannot be pickled at protocols 0 and 1, as in CPython.
    fn slots_state(&self) -> bool {
        false
    }
}

/// How an instance comes back: Python's `__new__` and `__setstate__`.
///
/// Every `Unpickle` type is [`FromPython`], for generic instances of its
/// class (NEWOBJ, NEWOBJ_EX, `copyreg._reconstructor`, INST, OBJ).
pub trait Unpickle: Sized + Any {
    /// The module of the class instances are rebuilt from.
    const MODULE: &'static str;
    /// The qualified name of the class instances are rebuilt from.
    const NAME: &'static str;

    /// `cls.__new__(cls, *args)`: a new instance before its state is set.
    ///
    /// # Errors
    ///
    /// When the arguments do not fit.
    fn new(l: &mut FromGraph, args: &[Value]) -> Result<Self>;

    /// `cls.__new__(cls, *args, **kwargs)`, for pickles that pass keyword
    /// arguments (NEWOBJ_EX). Calls [`Unpickle::new`] by default, which
    /// ignores them.
    ///
    /// # Errors
    ///
    /// When the arguments do not fit.
    fn new_ex(l: &mut FromGraph, args: &[Value], _kwargs: Option<Value>) -> Result<Self> {
        Self::new(l, args)
    }

    /// `__setstate__(state)`. Called only when the pickle holds a state for
    /// the instance (a BUILD), exactly when Python would call it.
    ///
    /// # Errors
    ///
    /// When the state does not fit.
    fn set_state(&mut self, l: &mut FromGraph, state: Value) -> Result<()>;

    /// Adds the classes the state may contain to `registry` (the fields'
    /// types). Nothing by default.
    fn register_fields(_registry: &mut Registry) {}
}

impl<T: Pickle> ToPython for T {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.instance(self)
    }
}

impl<T: Unpickle> FromPython for T {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        l.instance::<T>(v)
    }

    fn register(registry: &mut Registry) {
        if registry.add::<T>() {
            T::register_fields(registry);
        }
    }

    fn from_python_shared(l: &mut FromGraph, v: Value) -> Result<Rc<RefCell<Self>>> {
        let (obj, state) = l.instance_new::<T>(v)?;
        let rc = Rc::new(RefCell::new(obj));
        // Reachable before its state is set: the state may lead back here.
        l.remember(v, rc.clone());
        if let Some(state) = state {
            rc.borrow_mut().set_state(l, state)?;
        }
        Ok(rc)
    }
}
