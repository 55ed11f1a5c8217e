//! Python's pickle format, read and written exactly as CPython does.
//!
//! A pickle is a small program for a stack machine that rebuilds an object
//! graph. This crate runs that program without executing anything: globals
//! are only names, and the result is an inspectable [`Graph`]. Writing goes
//! the other way and produces the bytes CPython 3.11's `pickle.dumps`
//! produces for the same graph, at every protocol from 0 to 5.
//!
//! Here is the pickle CPython writes for `[{'a': 'A', 'b': 2, 'c': 3.0}]` at
//! protocol 2, loaded, inspected and written again:
//!
//! ```
//! let data = b"\x80\x02]q\x00}q\x01(X\x01\x00\x00\x00aq\x02X\x01\x00\x00\x00Aq\x03X\x01\x00\x00\x00bq\x04K\x02X\x01\x00\x00\x00cq\x05G@\x08\x00\x00\x00\x00\x00\x00ua.";
//! let graph = pypickle::loads(data)?;
//! assert_eq!(graph.to_string(), "[{'a': 'A', 'b': 2, 'c': 3.0}]");
//! assert_eq!(pypickle::dumps(&graph, 2)?, data);
//! # Ok::<(), pypickle::Error>(())
//! ```
//!
//! Several pickles in one stream are read until a clean end of file; a
//! stream cut off inside a pickle is an error:
//!
//! ```
//! let stream: &[u8] = b"\x80\x04K\x01.\x80\x04K\x02.";
//! let mut unpickler = pypickle::Unpickler::new();
//! let roots: Vec<String> = unpickler
//!     .stream(stream)
//!     .map(|g| g.map(|g| g.to_string()))
//!     .collect::<Result<_, _>>()?;
//! assert_eq!(roots, ["1", "2"]);
//! assert!(pypickle::loads(b"\x80\x04K").unwrap_err().is_eof());
//! # Ok::<(), pypickle::Error>(())
//! ```
//!
//! A pickle held in an owned buffer (a file read into a `Vec<u8>`, a
//! network `bytes::Bytes`) loads with [`loads_shared`], which
//! makes its large bytes objects views into the buffer instead of copies:
//!
//! ```
//! // pickle.dumps([b'\x07' * 5000], 4): one bytes of 5000 in a list
//! let mut g = pypickle::Graph::new();
//! let blob = g.bytes(vec![7u8; 5000]);
//! let list = g.add(pypickle::Object::List(vec![blob].into()));
//! g.set_root(pypickle::Value::Ref(list));
//! let file: Vec<u8> = pypickle::dumps(&g, 4)?;
//! let loaded = pypickle::loads_shared(file)?;
//! let shared = loaded.objects().filter(|(_, o)| matches!(o, pypickle::Object::Bytes(b) if b.is_shared()));
//! assert_eq!(shared.count(), 1);
//! # Ok::<(), pypickle::Error>(())
//! ```
//!
//! Typed Rust data goes straight to and from pickle through serde (the
//! default `serde` feature; see [`mod@serde`]): structs are dicts, and the
//! bytes are the ones CPython writes for that dict.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Point { x: i32, y: i32 }
//!
//! let bytes = pypickle::to_vec_with(&Point { x: 1, y: 2 }, 2)?;
//! // pickle.dumps({'x': 1, 'y': 2}, 2)
//! assert_eq!(bytes, b"\x80\x02}q\x00(X\x01\x00\x00\x00xq\x01K\x01X\x01\x00\x00\x00yq\x02K\x02u.");
//! assert_eq!(pypickle::from_slice::<Point>(&bytes)?, Point { x: 1, y: 2 });
//! # }
//! # Ok::<(), pypickle::Error>(())
//! ```
//!
//! Classes the loader does not know are refused by default, with CPython's
//! wording; generic mode keeps them as inspectable objects instead:
//!
//! ```
//! let data = b"\x80\x04\x95\x18\x00\x00\x00\x00\x00\x00\x00\x8c\x08__main__\x94\x8c\x04Node\x94\x93\x94)\x81\x94.";
//! let err = pypickle::loads(data).unwrap_err();
//! assert_eq!(err.to_string(), "Can't get attribute 'Node' on <module '__main__'> at byte 29 (opcode STACK_GLOBAL)");
//! let graph = pypickle::Unpickler::generic().loads(data)?;
//! assert_eq!(graph.to_string(), "__main__.Node()");
//! # Ok::<(), pypickle::Error>(())
//! ```
//!
//! Rust types can be those classes: `#[derive(Pickle, Unpickle)]` (see
//! [`class`]) writes a struct as CPython writes an instance whose
//! `__dict__` holds its fields, and a registered class loads back into the
//! type, `Rc<RefCell<_>>` cycles included:
//!
//! ```
//! # #[cfg(feature = "derive")] {
//! use pypickle::{Pickle, Unpickle};
//!
//! #[derive(Default, Debug, PartialEq, Pickle, Unpickle)]
//! #[pickle(module = "__main__", name = "Node")]
//! struct Node {
//!     name: String,
//! }
//!
//! let bytes = pypickle::dumps_as(&Node { name: "a".into() }, 4)?;
//! assert_eq!(bytes, b"\x80\x04\x95'\x00\x00\x00\x00\x00\x00\x00\x8c\x08__main__\x94\x8c\x04Node\x94\x93\x94)\x81\x94}\x94\x8c\x04name\x94\x8c\x01a\x94sb.");
//! assert_eq!(pypickle::loads_as::<Node>(&bytes)?, Node { name: "a".into() });
//! # }
//! # Ok::<(), pypickle::Error>(())
//! ```
#![deny(missing_docs)]
// `unsafe` is denied everywhere but in three blocks that say why they are
// sound: `utf8::validate`, `PyStr`'s in-place text (`value/pystr.rs`) and
// the call of `latin1`'s SSSE3 steps.
#![deny(unsafe_code)]

pub mod class;
pub mod compat;
pub mod dump;
mod error;
mod known;
mod latin1;
pub mod load;
pub mod opcode;
#[cfg(feature = "serde")]
pub mod serde;
pub(crate) mod text;
mod utf8;
pub mod value;

/// The shared buffer type of [`Unpickler::loads_shared`] and [`PyBytes`].
pub use bytes;
pub use dump::{Pickler, DEFAULT_PROTOCOL, HIGHEST_PROTOCOL};
pub use error::{Category, Error, Result};
pub use load::{Limits, Persistent, Policy, Unpickler};
pub use value::{
    Buffer, Global, Graph, Instance, InstanceView, Items, ObjId, Object, PyBytes, PyInt, PyStr,
    Reduce, Value,
};

pub use class::{FromPython, Pickle, ToPython, Unpickle};
/// Derives [`class::Pickle`] for a struct whose fields are an instance's
/// `__dict__`; see the `pypickle-derive` crate for the attributes.
#[cfg(feature = "derive")]
pub use pypickle_derive::Pickle;
/// Derives [`class::Unpickle`] for a struct whose fields are an instance's
/// `__dict__`; see the `pypickle-derive` crate for the attributes.
#[cfg(feature = "derive")]
pub use pypickle_derive::Unpickle;

#[cfg(feature = "serde")]
pub use self::serde::{
    from_reader, from_reader_with, from_slice, from_slice_with, from_value, to_value, to_vec,
    to_vec_with, to_writer, to_writer_with,
};

use std::io;

// The README's examples run as doctests (its class example needs the
// derive, its typed-data example serde).
#[cfg(all(doctest, feature = "derive", feature = "serde"))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// Loads one pickle from bytes with the default (strict) options.
///
/// # Errors
///
/// Malformed or truncated input, or a global the strict policy refuses.
pub fn loads(data: &[u8]) -> Result<Graph> {
    Unpickler::new().loads(data)
}

/// Loads one pickle from a shared buffer with the default (strict)
/// options; bytes objects of 4 KiB and more are views into `data` (see
/// [`Unpickler::loads_shared`]).
///
/// # Errors
///
/// As [`loads`].
pub fn loads_shared(data: impl Into<bytes::Bytes>) -> Result<Graph> {
    Unpickler::new().loads_shared(data)
}

/// Loads one pickle from a buffered stream, consuming exactly its bytes.
///
/// # Errors
///
/// As [`loads`]; an empty stream is an EOF error.
pub fn load<R: io::BufRead>(reader: R) -> Result<Graph> {
    Unpickler::new().load(reader)
}

/// Loads one pickle from bytes as a typed value, accepting the classes `T`
/// rebuilds (see [`class`]).
///
/// # Errors
///
/// As [`loads`], or when the data does not fit `T`.
pub fn loads_as<T: class::FromPython>(data: &[u8]) -> Result<T> {
    Unpickler::new().loads_as(data)
}

/// Loads one pickle from a buffered stream as a typed value, accepting the
/// classes `T` rebuilds.
///
/// # Errors
///
/// As [`load()`], or when the data does not fit `T`.
pub fn load_as<T: class::FromPython, R: io::BufRead>(reader: R) -> Result<T> {
    Unpickler::new().load_as(reader)
}

/// Pickles a typed value at `protocol`: the bytes CPython writes for the
/// equivalent Python objects.
///
/// # Errors
///
/// When the value cannot be pickled at this protocol.
pub fn dumps_as<T: class::ToPython + ?Sized>(value: &T, protocol: u8) -> Result<Vec<u8>> {
    Pickler::new(protocol).dumps_as(value)
}

/// Pickles a typed value at `protocol` to a writer.
///
/// # Errors
///
/// As [`dumps_as`], plus I/O errors of the writer.
pub fn dump_as<T: class::ToPython + ?Sized, W: io::Write>(
    value: &T,
    protocol: u8,
    writer: W,
) -> Result<()> {
    Pickler::new(protocol).dump_as(value, writer)
}

/// Pickles a graph at `protocol` (0 to 5).
///
/// # Errors
///
/// When a value cannot be written at this protocol.
pub fn dumps(graph: &Graph, protocol: u8) -> Result<Vec<u8>> {
    Pickler::new(protocol).dumps(graph)
}

/// Pickles a graph at `protocol` to a writer.
///
/// # Errors
///
/// As [`dumps`], plus I/O errors of the writer.
pub fn dump<W: io::Write>(graph: &Graph, protocol: u8, writer: W) -> Result<()> {
    Pickler::new(protocol).dump(graph, writer)
}
