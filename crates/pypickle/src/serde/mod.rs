//! Typed Rust data to and from pickle, through serde.
//!
//! Derive `Serialize` and `Deserialize`, then [`to_vec`] writes the bytes
//! CPython's `pickle.dumps` writes for the Python equivalent of the value,
//! and [`from_slice`] reads any pickle CPython makes into the type:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Record {
//!     id: i64,
//!     name: String,
//!     tags: Vec<String>,
//!     score: Option<f64>,
//! }
//!
//! let rec = Record { id: 7, name: "ada".into(), tags: vec!["x".into()], score: None };
//! let bytes = pypickle::to_vec(&rec)?;
//! // What CPython writes for {'id': 7, 'name': 'ada', 'tags': ['x'], 'score': None}:
//! assert_eq!(
//!     bytes,
//!     b"\x80\x04\x950\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x02id\x94K\x07\x8c\x04name\x94\
//! \x8c\x03ada\x94\x8c\x04tags\x94]\x94\x8c\x01x\x94a\x8c\x05score\x94Nu."
//! );
//! assert_eq!(pypickle::from_slice::<Record>(&bytes)?, rec);
//! # Ok::<(), pypickle::Error>(())
//! ```
//!
//! Strings and bytes borrow from the input when the pickle holds them as
//! raw UTF-8 or raw bytes (the `BINUNICODE` and `BINBYTES` opcodes, which
//! protocols 1 and up write), so `&str`, `&[u8]` and `#[serde(borrow)]
//! Cow<str>` fields cost no copy:
//!
//! ```
//! use std::borrow::Cow;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct User<'a> {
//!     name: &'a str,
//!     #[serde(borrow)]
//!     nick: Cow<'a, str>,
//! }
//!
//! // pickle.dumps({'name': 'ada', 'nick': 'countess'}, 4)
//! let data = b"\x80\x04\x95$\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x04name\x94\x8c\x03ada\x94\x8c\x04nick\x94\x8c\x08countess\x94u.";
//! let user: User = pypickle::from_slice(data)?;
//! assert_eq!(user.name, "ada");
//! assert!(matches!(user.nick, Cow::Borrowed("countess")));
//! # Ok::<(), pypickle::Error>(())
//! ```
//!
//! # How Rust data maps to Python
//!
//! | Rust (serde data model) | Python |
//! |---|---|
//! | `bool` | `bool` |
//! | every integer type, `i128`, `u128`; `BigInt` with [`big_int`] | `int` (of any size) |
//! | `f32`, `f64` | `float` |
//! | `char`, `String`, `&str` | `str` |
//! | bytes (`serde_bytes`, `&[u8]` with `#[serde(with = "serde_bytes")]`) | `bytes` |
//! | `None`, `()`, unit structs | `None` |
//! | `Some(x)`, newtype structs | `x` |
//! | `Vec`, slices, other sequences | `list` |
//! | tuples, tuple structs | `tuple` |
//! | a sequence inside a dict key | `tuple` (hashable) |
//! | a sequence marked with [`as_set`] / [`as_frozenset`] | `set` / `frozenset` (`frozenset` inside a key) |
//! | maps (`HashMap`, `BTreeMap`, ...) | `dict`, keys of any hashable type |
//! | structs | `dict` whose keys are interned strs (as in `obj.__dict__`) |
//! | structs registered with [`SerOptions::class`] | an instance of that class, the fields its `__dict__` |
//! | unit variant `E::A` | `'A'` |
//! | newtype variant `E::B(x)` | `{'B': x}` |
//! | tuple variant `E::C(x, y)` | `{'C': (x, y)}` |
//! | struct variant `E::D { f: x }` | `{'D': {'f': x}}` |
//!
//! Enums are "externally tagged", serde's default and serde-pickle's
//! default. Loading also accepts serde-pickle's "compat" form
//! (`('A',)`, `('B', x)`) and a list for a tuple variant.
//!
//! The bytes are CPython's for that Python value, memo and frames
//! included: strs, bytes, lists, dicts and tuples each take a memo slot;
//! field and variant names are interned, so a repeated name is written once
//! and fetched with `BINGET` after that; `''`, one-character latin-1 strs,
//! `b''` and one-byte bytes are CPython's singletons and are shared too.
//! Below protocol 3 bytes are the call `_codecs.encode(str, 'latin1')`, and
//! below protocol 4 sets are `set(list)`, as CPython writes them. The same
//! bytes come out of [`crate::dumps`] on [`to_value`]'s graph.
//!
//! One-character field names are the exception to "as CPython": CPython's
//! interned one-character names are sometimes and sometimes not the same
//! object as its one-character singletons (it depends on the process's
//! history), so a one-character field name next to an equal one-character
//! str value may be written once where CPython writes it twice. Here they
//! are always one object.
//!
//! A struct registered with [`SerOptions::class`] (or
//! [`SerOptions::class_of`] for a type with the class traits) is written as
//! an instance of that Python class instead, exactly as CPython pickles an
//! instance whose `__dict__` holds the fields (`NEWOBJ` then `BUILD` from
//! protocol 2, `copyreg._reconstructor` before). Loading fills a struct
//! from a class instance's attributes (its dict, or `__slots__` state) when
//! the loader accepts the class: register it with the [`Unpickler`], or
//! load in generic mode.
//!
//! Loading maps Python generously: any of `list`, `tuple`, `set` and
//! `frozenset` fills a Rust sequence, tuple or set; an `int` fills any Rust
//! integer it fits (the error names the value otherwise) or a float;
//! `bytes` and `bytearray` fill byte buffers (or a `Vec<u8>`); `None` fills
//! `Option::None` and `()`; a class instance (loaded in generic mode, or
//! as a registered class) fills a struct from its attributes; a Python 2 `str` loaded with
//! `encoding="bytes"` fills a `String` when it is UTF-8. A value reached
//! twice (a shared object) is read twice; a cycle into a recursive type
//! stops at [`crate::Limits::max_depth`].
//!
//! # Options
//!
//! [`to_vec_with`] takes [`SerOptions`] (protocol, default 4 as in
//! CPython; `fix_imports`). [`from_slice_with`] and [`from_reader_with`]
//! take an [`Unpickler`]: its `encoding` and `errors` for Python 2 strs, its
//! loading policy, persistent-id handling and [`crate::Limits`].
//!
//! # Migrating from serde-pickle
//!
//! | serde-pickle 1.x | pypickle |
//! |---|---|
//! | `serde_pickle::to_vec(&x, SerOptions::new())` | [`to_vec`]`(&x)` (protocol 4, not 3) |
//! | `SerOptions::new().proto_v2()` | [`SerOptions::new`]`().protocol(2)`; any of 0-5 |
//! | `SerOptions::new().compat_enum_repr()` | not written; read by [`from_slice`] |
//! | `serde_pickle::to_writer(&mut w, &x, opts)` | [`to_writer`]`(w, &x)` / [`to_writer_with`] |
//! | `serde_pickle::from_slice(&b, DeOptions::new())` | [`from_slice`]`(&b)` |
//! | `serde_pickle::from_reader(r, opts)` | [`from_reader`]`(r)`; takes a `BufRead` and reads exactly one pickle |
//! | `DeOptions::new().decode_strings()` | `Unpickler::new().encoding("utf-8")` with [`from_slice_with`] |
//! | `DeOptions::new().replace_unresolved_globals()` | no equivalent for typed data: globals are refused, with CPython's message |
//! | `DeOptions::new().replace_recursive_structures()` | not needed: shared objects load; cycles into recursive types are a depth error |
//! | `serde_pickle::value_from_slice` / `Value` | [`crate::loads`] / [`crate::Graph`] |
//! | `serde_pickle::to_value` / `from_value` | [`to_value`] / [`from_value`] (a [`crate::Graph`]) |
//! | `serde_pickle::Error` | [`crate::Error`] ([`crate::Error::classify`]) |
//!
//! Differences to expect: unit and `Option::None` are `None` in both; a
//! tuple variant is a tuple here and a list in serde-pickle (both are
//! read); structs' repeated field names are memo references, so the
//! output is smaller; Rust tuples become Python tuples in both.

mod content;
mod de;
mod ser;
mod value;

use std::io;

use crate::error::{Error, Result};
use crate::load::Unpickler;

pub use ser::Serializer;
pub use value::{from_value, to_value};

/// The newtype-struct name [`as_set`] uses to ask for a Python `set`.
const SET_TOKEN: &str = "$pypickle::private::Set";
/// The newtype-struct name [`as_frozenset`] uses to ask for a `frozenset`.
const FROZENSET_TOKEN: &str = "$pypickle::private::FrozenSet";
/// The newtype-struct name [`big_int`] uses for an int of any size.
const BIGINT_TOKEN: &str = "$pypickle::private::BigInt";

/// Options for writing typed data: the protocol and `fix_imports`.
///
/// ```
/// use pypickle::serde::SerOptions;
/// let bytes = pypickle::to_vec_with(&vec![1, 2], SerOptions::new().protocol(2))?;
/// assert_eq!(bytes, b"\x80\x02]q\x00(K\x01K\x02e.");
/// # Ok::<(), pypickle::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SerOptions {
    pub(crate) protocol: u8,
    pub(crate) fix_imports: bool,
    pub(crate) classes: Vec<SerClass>,
}

/// A struct written as an instance of a Python class; see
/// [`SerOptions::class`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SerClass {
    pub(crate) serde_name: &'static str,
    pub(crate) module: &'static str,
    pub(crate) name: &'static str,
}

impl Default for SerOptions {
    fn default() -> Self {
        SerOptions::new()
    }
}

impl SerOptions {
    /// Protocol 4 (CPython's default) with `fix_imports`.
    pub fn new() -> Self {
        SerOptions {
            protocol: crate::DEFAULT_PROTOCOL,
            fix_imports: true,
            classes: Vec::new(),
        }
    }

    /// The protocol, 0 to 5 (higher values mean 5).
    pub fn protocol(mut self, protocol: u8) -> Self {
        self.protocol = protocol.min(crate::HIGHEST_PROTOCOL);
        self
    }

    /// Whether the globals written below protocol 3 (`bytes`, `set`,
    /// `frozenset`) use Python 2 names (`__builtin__`), as CPython does by
    /// default.
    pub fn fix_imports(mut self, fix: bool) -> Self {
        self.fix_imports = fix;
        self
    }
}

impl SerOptions {
    /// Writes the struct serde calls `serde_name` (its Rust name, unless
    /// renamed) as an instance of the Python class `module.qualname`, the
    /// way CPython pickles an instance whose `__dict__` holds the fields;
    /// a struct with no fields has no state. Loading takes such instances
    /// back into the struct when the class is registered with the
    /// [`Unpickler`] (see [`from_slice_with`]).
    ///
    /// ```
    /// use pypickle::serde::SerOptions;
    /// use pypickle::Unpickler;
    ///
    /// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// struct Point { x: i64, y: i64 }
    ///
    /// let opts = SerOptions::new().class("Point", "geometry", "Point");
    /// let bytes = pypickle::to_vec_with(&Point { x: 1, y: 2 }, opts)?;
    /// let graph = Unpickler::generic().loads(&bytes)?;
    /// assert_eq!(graph.to_string(), "geometry.Point(__state__={'x': 1, 'y': 2})");
    ///
    /// let mut unpickler = Unpickler::new().register_class("geometry", "Point");
    /// let back: Point = pypickle::from_slice_with(&bytes, &mut unpickler)?;
    /// assert_eq!(back, Point { x: 1, y: 2 });
    /// # Ok::<(), pypickle::Error>(())
    /// ```
    pub fn class(
        mut self,
        serde_name: &'static str,
        module: &'static str,
        qualname: &'static str,
    ) -> Self {
        self.classes.retain(|c| c.serde_name != serde_name);
        self.classes.push(SerClass {
            serde_name,
            module,
            name: qualname,
        });
        self
    }

    /// [`SerOptions::class`] for a type that also implements the class
    /// traits ([`crate::class::Pickle`], for example with
    /// `#[derive(Pickle)]`): its module and name, under the serde name
    /// `serde_name`.
    pub fn class_of<T: crate::class::Pickle>(self, serde_name: &'static str) -> Self {
        self.class(serde_name, T::MODULE, T::NAME)
    }
}

impl From<u8> for SerOptions {
    fn from(protocol: u8) -> Self {
        SerOptions::new().protocol(protocol)
    }
}

/// Pickles `value` at protocol 4.
///
/// # Errors
///
/// When the value has no Python equivalent (an unhashable dict key) or its
/// `Serialize` impl fails.
pub fn to_vec<T: ?Sized + serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    to_vec_with(value, SerOptions::new())
}

/// Pickles `value` with options; a protocol number converts into
/// [`SerOptions`].
///
/// ```
/// let bytes = pypickle::to_vec_with(&(1, "a"), 0)?;
/// assert_eq!(bytes, b"(I1\nVa\np0\ntp1\n.");
/// # Ok::<(), pypickle::Error>(())
/// ```
///
/// # Errors
///
/// As [`to_vec`].
pub fn to_vec_with<T: ?Sized + serde::Serialize>(
    value: &T,
    options: impl Into<SerOptions>,
) -> Result<Vec<u8>> {
    let mut ser = Serializer::with_sink(options.into(), None, 256);
    value.serialize(&mut ser)?;
    ser.finish()
}

/// Pickles `value` at protocol 4 to a writer, handing it completed frames
/// as they are done.
///
/// # Errors
///
/// As [`to_vec`], plus I/O errors of the writer.
pub fn to_writer<W: io::Write, T: ?Sized + serde::Serialize>(writer: W, value: &T) -> Result<()> {
    to_writer_with(writer, value, SerOptions::new())
}

/// Pickles `value` with options to a writer.
///
/// # Errors
///
/// As [`to_writer`].
pub fn to_writer_with<W: io::Write, T: ?Sized + serde::Serialize>(
    mut writer: W,
    value: &T,
    options: impl Into<SerOptions>,
) -> Result<()> {
    let mut ser = Serializer::with_sink(options.into(), Some(&mut writer), 1 << 16);
    value.serialize(&mut ser)?;
    ser.finish().map(drop)
}

/// Reads typed data from one pickle, with the default (strict) loading
/// options. `&str` and `&[u8]` fields borrow from `data`.
///
/// # Errors
///
/// Malformed input or a refused global (as [`crate::loads`]), or a pickle
/// whose value does not fit `T`: the message names the Python type.
pub fn from_slice<'de, T: serde::Deserialize<'de>>(data: &'de [u8]) -> Result<T> {
    from_slice_with(data, &mut Unpickler::new())
}

/// Reads typed data from one pickle with an [`Unpickler`]'s options.
///
/// ```
/// // A Python 2 pickle of the str 'caf\xe9' (protocol 0).
/// let data = b"S'caf\\xe9'\np0\n.";
/// let mut latin1 = pypickle::Unpickler::new().encoding("latin1");
/// let s: String = pypickle::from_slice_with(data, &mut latin1)?;
/// assert_eq!(s, "café");
/// # Ok::<(), pypickle::Error>(())
/// ```
///
/// # Errors
///
/// As [`from_slice`].
pub fn from_slice_with<'de, T: serde::Deserialize<'de>>(
    data: &'de [u8],
    unpickler: &mut Unpickler,
) -> Result<T> {
    let record = std::mem::replace(&mut unpickler.record_spans, true);
    let graph = unpickler.loads(data);
    unpickler.record_spans = record;
    let graph = graph?;
    de::Walker::new(&graph, de::Lend::Input(data), &unpickler.limits).root()
}

/// Reads typed data from one pickle in a buffered stream, consuming
/// exactly its bytes.
///
/// # Errors
///
/// As [`from_slice`]; an empty stream is an EOF error.
pub fn from_reader<R: io::BufRead, T: serde::de::DeserializeOwned>(reader: R) -> Result<T> {
    from_reader_with(reader, &mut Unpickler::new())
}

/// Reads typed data from one pickle in a buffered stream with an
/// [`Unpickler`]'s options.
///
/// # Errors
///
/// As [`from_reader`].
pub fn from_reader_with<R: io::BufRead, T: serde::de::DeserializeOwned>(
    reader: R,
    unpickler: &mut Unpickler,
) -> Result<T> {
    let graph = unpickler.load(reader)?;
    de::Walker::new(&graph, de::Lend::Nothing, &unpickler.limits).root()
}

/// Writes a Rust sequence (a `HashSet`, `BTreeSet`, `Vec`, ...) as a Python
/// `set`; use it as `#[serde(with = "pypickle::serde::as_set")]`. Inside a
/// dict key it becomes a `frozenset`. Loading takes any Python sequence or
/// set. Other serde formats see a plain sequence.
///
/// ```
/// use std::collections::BTreeSet;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Tagged {
///     #[serde(with = "pypickle::serde::as_set")]
///     tags: BTreeSet<u8>,
/// }
/// let t = Tagged { tags: [1, 2].into() };
/// let g = pypickle::to_value(&t)?;
/// assert_eq!(g.to_string(), "{'tags': {1, 2}}");
/// let back: Tagged = pypickle::from_slice(&pypickle::to_vec(&t)?)?;
/// assert_eq!(back.tags, t.tags);
/// # Ok::<(), pypickle::Error>(())
/// ```
pub mod as_set {
    /// Serializes a sequence as a Python `set`.
    ///
    /// # Errors
    ///
    /// As the serializer's.
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: serde::Serialize,
        S: serde::Serializer,
    {
        serializer.serialize_newtype_struct(super::SET_TOKEN, value)
    }

    /// Deserializes a set from any Python sequence or set.
    ///
    /// # Errors
    ///
    /// As the deserializer's.
    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: serde::Deserialize<'de>,
        D: serde::Deserializer<'de>,
    {
        T::deserialize(deserializer)
    }
}

/// Writes a Rust sequence as a Python `frozenset`; use it as
/// `#[serde(with = "pypickle::serde::as_frozenset")]`.
pub mod as_frozenset {
    /// Serializes a sequence as a Python `frozenset`.
    ///
    /// # Errors
    ///
    /// As the serializer's.
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: serde::Serialize,
        S: serde::Serializer,
    {
        serializer.serialize_newtype_struct(super::FROZENSET_TOKEN, value)
    }

    /// Deserializes a set from any Python sequence or set.
    ///
    /// # Errors
    ///
    /// As the deserializer's.
    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: serde::Deserialize<'de>,
        D: serde::Deserializer<'de>,
    {
        T::deserialize(deserializer)
    }
}

/// Reads and writes a [`num_bigint::BigInt`] as a Python `int` of any
/// size; use it as `#[serde(with = "pypickle::serde::big_int")]`. (Rust's
/// `i128` and `u128` need nothing: they are Python ints already.) Other
/// serde formats see the int's signed little-endian bytes.
///
/// ```
/// use num_bigint::BigInt;
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// struct Big(#[serde(with = "pypickle::serde::big_int")] BigInt);
///
/// let n = Big(BigInt::from(3).pow(100));
/// let bytes = pypickle::to_vec(&n)?;
/// assert_eq!(pypickle::to_value(&n)?.to_string(), "515377520732011331036461129765621272702107522001");
/// assert_eq!(pypickle::from_slice::<Big>(&bytes)?, n);
/// // Any Python int loads, small ones too.
/// assert_eq!(pypickle::from_slice::<Big>(&pypickle::to_vec(&-5)?)?, Big(BigInt::from(-5)));
/// # Ok::<(), pypickle::Error>(())
/// ```
pub mod big_int {
    use num_bigint::BigInt;

    struct SignedBytes<'a>(&'a [u8]);

    impl serde::Serialize for SignedBytes<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    /// Serializes a `BigInt` as a Python int.
    ///
    /// # Errors
    ///
    /// As the serializer's.
    pub fn serialize<S: serde::Serializer>(
        value: &BigInt,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let bytes = value.to_signed_bytes_le();
        serializer.serialize_newtype_struct(super::BIGINT_TOKEN, &SignedBytes(&bytes))
    }

    /// Deserializes a `BigInt` from a Python int (or, in other formats,
    /// from its signed little-endian bytes or any integer).
    ///
    /// # Errors
    ///
    /// When the value is not an int.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BigInt, D::Error> {
        deserializer.deserialize_newtype_struct(super::BIGINT_TOKEN, IntVisitor)
    }

    struct IntVisitor;

    impl<'de> serde::de::Visitor<'de> for IntVisitor {
        type Value = BigInt;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an int")
        }

        fn visit_newtype_struct<D: serde::Deserializer<'de>>(
            self,
            d: D,
        ) -> Result<BigInt, D::Error> {
            d.deserialize_bytes(self)
        }

        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<BigInt, E> {
            Ok(BigInt::from_signed_bytes_le(v))
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<BigInt, E> {
            Ok(v.into())
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<BigInt, E> {
            Ok(v.into())
        }

        fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<BigInt, E> {
            Ok(v.into())
        }

        fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<BigInt, E> {
            Ok(v.into())
        }
    }
}

impl serde::ser::Error for Error {
    #[cold]
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::unpicklable(msg)
    }
}

impl serde::de::Error for Error {
    #[cold]
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::mismatch(msg)
    }
}
