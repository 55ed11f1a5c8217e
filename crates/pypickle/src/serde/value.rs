//! Typed data to and from the dynamic object model: [`to_value`] builds the
//! [`Graph`] of the Python equivalent, [`from_value`] reads typed data out
//! of a graph.
//!
//! The graph `to_value` builds is the one the direct serializer writes, so
//! `pypickle::dumps(&to_value(&x)?, p)` gives the same bytes as
//! `to_vec_with(&x, p)`: struct field names and enum variant names are one
//! shared str object per distinct name (Python interns them), everything
//! else is a distinct object.

use serde::ser::{self, Serialize};

use super::de::{Lend, Walker};
use crate::class::ToGraph;
use crate::error::{Error, Result};
use crate::value::{Graph, Items, Object, PyStr, Value};

/// Builds the graph of the Python equivalent of `value` (see the
/// [module docs](super) for the mapping).
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Point { x: i32, y: i32 }
/// let g = pypickle::to_value(&vec![Point { x: 1, y: 2 }])?;
/// assert_eq!(g.to_string(), "[{'x': 1, 'y': 2}]");
/// assert_eq!(pypickle::dumps(&g, 4)?, pypickle::to_vec(&vec![Point { x: 1, y: 2 }])?);
/// # Ok::<(), pypickle::Error>(())
/// ```
///
/// One corner differs: below protocol 3, a struct field named `latin1`
/// next to bytes. CPython's `'latin1'` (in the `_codecs.encode` call that
/// writes bytes) is the interned str, the same object as such a field name;
/// [`to_vec`](super::to_vec) shares it as CPython does, while the graph
/// pickler, which cannot tell an interned str in a graph, writes it twice.
///
/// # Errors
///
/// When the value has no Python equivalent: a dict or list used as a dict
/// key (unhashable), or a `Serialize` impl that fails.
pub fn to_value<T: ?Sized + Serialize>(value: &T) -> Result<Graph> {
    let mut b = Builder {
        p: ToGraph::new(),
        in_key: 0,
        next_set: 0,
        next_int: false,
    };
    let root = value.serialize(&mut b)?;
    Ok(b.p.finish(root))
}

/// Reads typed data out of a graph. Strs and bytes can be borrowed from
/// the graph (`&str`, `&[u8]` fields).
///
/// ```
/// let g = pypickle::loads(b"\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01K\x02K\x03e.")?;
/// let v: Vec<u8> = pypickle::from_value(&g)?;
/// assert_eq!(v, [1, 2, 3]);
/// # Ok::<(), pypickle::Error>(())
/// ```
///
/// # Errors
///
/// When the graph does not fit the type (the message names the Python
/// type), or a limit of [`crate::Limits::default`] is reached.
pub fn from_value<'de, T: serde::Deserialize<'de>>(graph: &'de Graph) -> Result<T> {
    Walker::new(graph, Lend::Graph(graph), &crate::Limits::default()).root()
}

struct Builder {
    /// The graph, with one str object per interned name.
    p: ToGraph,
    in_key: u32,
    next_set: u8,
    next_int: bool,
}

impl Builder {
    fn add(&mut self, obj: Object) -> Result<Value> {
        self.p.add(obj)
    }

    fn name(&mut self, name: &'static str) -> Result<Value> {
        self.p.interned(name)
    }

    fn variant(&mut self, variant: &'static str, value: Value) -> Result<Value> {
        if self.in_key > 0 {
            return Err(unhashable("dict"));
        }
        let key = self.name(variant)?;
        self.add(Object::Dict(vec![(key, value)]))
    }
}

#[cold]
fn unhashable(type_name: &str) -> Error {
    Error::unpicklable(format!(
        "unhashable type: '{type_name}' (a dict key must be hashable in Python)"
    ))
}

/// A container being built.
#[doc(hidden)]
pub struct Compound<'b> {
    b: &'b mut Builder,
    kind: Kind,
    items: Items,
    pairs: Vec<(Value, Value)>,
    key: Option<Value>,
}

enum Kind {
    List,
    Tuple,
    Set,
    FrozenSet,
    Dict,
    Variant(&'static str, bool),
}

impl<'b> Compound<'b> {
    fn new(b: &'b mut Builder, kind: Kind, len: usize) -> Self {
        Compound {
            b,
            kind,
            items: Items::with_capacity(len.min(4096)),
            pairs: Vec::new(),
            key: None,
        }
    }

    fn push<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<()> {
        let v = v.serialize(&mut *self.b)?;
        self.items.push(v);
        Ok(())
    }

    fn field<T: ?Sized + Serialize>(&mut self, k: &'static str, v: &T) -> Result<()> {
        let k = self.b.name(k)?;
        let v = v.serialize(&mut *self.b)?;
        self.pairs.push((k, v));
        Ok(())
    }

    fn finish(self) -> Result<Value> {
        let Compound {
            b,
            kind,
            items,
            pairs,
            ..
        } = self;
        match kind {
            Kind::List => b.add(Object::List(items)),
            Kind::Tuple => b.add(Object::Tuple(items)),
            Kind::Set => b.add(Object::Set(items)),
            Kind::FrozenSet => b.add(Object::FrozenSet(items)),
            Kind::Dict => b.add(Object::Dict(pairs)),
            Kind::Variant(name, is_struct) => {
                let inner = if is_struct {
                    b.add(Object::Dict(pairs))?
                } else {
                    b.add(Object::Tuple(items))?
                };
                b.variant(name, inner)
            }
        }
    }
}

impl<'b> ser::Serializer for &'b mut Builder {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Compound<'b>;
    type SerializeTuple = Compound<'b>;
    type SerializeTupleStruct = Compound<'b>;
    type SerializeTupleVariant = Compound<'b>;
    type SerializeMap = Compound<'b>;
    type SerializeStruct = Compound<'b>;
    type SerializeStructVariant = Compound<'b>;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value> {
        self.p.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value> {
        self.p.int(v)
    }
    fn serialize_u128(self, v: u128) -> Result<Value> {
        self.p.int(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Value> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value> {
        let mut buf = [0; 4];
        self.serialize_str(v.encode_utf8(&mut buf))
    }
    fn serialize_str(self, v: &str) -> Result<Value> {
        self.add(Object::Str(PyStr::from(v)))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value> {
        if std::mem::take(&mut self.next_int) {
            return self.p.int(num_bigint::BigInt::from_signed_bytes_le(v));
        }
        self.add(Object::Bytes(v.into()))
    }
    fn serialize_none(self) -> Result<Value> {
        Ok(Value::None)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<Value> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value> {
        Ok(Value::None)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Ok(Value::None)
    }
    fn serialize_unit_variant(self, _n: &'static str, _i: u32, v: &'static str) -> Result<Value> {
        self.name(v)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<Value> {
        match name {
            super::SET_TOKEN => self.next_set = 1,
            super::FROZENSET_TOKEN => self.next_set = 2,
            super::BIGINT_TOKEN => self.next_int = true,
            _ => return v.serialize(self),
        }
        let r = v.serialize(&mut *self);
        self.next_set = 0;
        self.next_int = false;
        r
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _n: &'static str,
        _i: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Value> {
        if self.in_key > 0 {
            return Err(unhashable("dict"));
        }
        // The key is created before the value, as CPython saves it first.
        let key = self.name(variant)?;
        let value = v.serialize(&mut *self)?;
        self.add(Object::Dict(vec![(key, value)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'b>> {
        let kind = match std::mem::take(&mut self.next_set) {
            1 if self.in_key == 0 => Kind::Set,
            1 | 2 => Kind::FrozenSet,
            _ if self.in_key > 0 => Kind::Tuple,
            _ => Kind::List,
        };
        Ok(Compound::new(self, kind, len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'b>> {
        self.next_set = 0;
        Ok(Compound::new(self, Kind::Tuple, len))
    }
    fn serialize_tuple_struct(self, _n: &'static str, len: usize) -> Result<Compound<'b>> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _n: &'static str,
        _i: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'b>> {
        if self.in_key > 0 {
            return Err(unhashable("dict"));
        }
        self.name(variant)?;
        Ok(Compound::new(self, Kind::Variant(variant, false), len))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'b>> {
        self.next_set = 0;
        if self.in_key > 0 {
            return Err(unhashable("dict"));
        }
        Ok(Compound::new(self, Kind::Dict, 0))
    }
    fn serialize_struct(self, _n: &'static str, len: usize) -> Result<Compound<'b>> {
        self.next_set = 0;
        if self.in_key > 0 {
            return Err(unhashable("dict"));
        }
        let mut c = Compound::new(self, Kind::Dict, 0);
        c.pairs.reserve(len.min(4096));
        Ok(c)
    }
    fn serialize_struct_variant(
        self,
        _n: &'static str,
        _i: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>> {
        if self.in_key > 0 {
            return Err(unhashable("dict"));
        }
        self.name(variant)?;
        Ok(Compound::new(self, Kind::Variant(variant, true), 0))
    }
}

macro_rules! seq_like {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Compound<'_> {
            type Ok = Value;
            type Error = Error;
            fn $method<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<()> {
                self.push(v)
            }
            fn end(self) -> Result<Value> {
                self.finish()
            }
        }
    };
}

seq_like!(SerializeSeq, serialize_element);
seq_like!(SerializeTuple, serialize_element);
seq_like!(SerializeTupleStruct, serialize_field);
seq_like!(SerializeTupleVariant, serialize_field);

impl ser::SerializeMap for Compound<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<()> {
        self.b.in_key += 1;
        let k = k.serialize(&mut *self.b);
        self.b.in_key -= 1;
        self.key = Some(k?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<()> {
        let k = self
            .key
            .take()
            .ok_or_else(|| Error::unpicklable("a map value came before its key"))?;
        let v = v.serialize(&mut *self.b)?;
        self.pairs.push((k, v));
        Ok(())
    }
    fn end(self) -> Result<Value> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, k: &'static str, v: &T) -> Result<()> {
        self.field(k, v)
    }
    fn end(self) -> Result<Value> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, k: &'static str, v: &T) -> Result<()> {
        self.field(k, v)
    }
    fn end(self) -> Result<Value> {
        self.finish()
    }
}
