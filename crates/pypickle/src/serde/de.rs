//! The deserializer: a loaded object [`Graph`] walked into typed data.
//!
//! Loading is the dynamic loader's job ([`crate::Unpickler`]): memo
//! references, shared objects, every protocol, Python 2 strings with the
//! `encoding`/`errors` options and the resource limits all come from it.
//! This module only walks the graph along the target type. An object
//! reached twice is simply deserialized twice.
//!
//! The walk recurses with the target type, so a recursive type fed a deep
//! or cyclic graph is stopped by a depth limit ([`crate::Limits::max_depth`]),
//! and the bytes a walk may produce, counted as the loader counts them, are
//! bounded by [`crate::Limits::max_alloc`] and by 16 times what the graph
//! holds: sharing cannot make a small pickle expand without bound.
//!
//! Strings and bytes are lent to the visitor (`&'de str`, `&'de [u8]`,
//! borrowed `Cow`) when their data lies whole in the input slice
//! (BINUNICODE and BINBYTES families; the loader records where), or in the
//! graph for [`super::from_value`].

use serde::de::{self, DeserializeSeed, Unexpected, Visitor};

use crate::error::{Error, Result};
use crate::value::expansion::Expansion;
use crate::value::{Graph, IntForm, ObjId, Object, PyInt, PyStr, Value};

/// Where `'de` data can be borrowed from.
#[derive(Clone, Copy)]
pub(crate) enum Lend<'de> {
    /// Nowhere: every str and bytes is handed over transiently.
    Nothing,
    /// The input slice the graph was loaded from (with spans recorded).
    Input(&'de [u8]),
    /// The graph itself, which lives for `'de`.
    Graph(&'de Graph),
}

/// The state of one typed walk over a graph.
pub(crate) struct Walker<'a, 'de> {
    graph: &'a Graph,
    lend: Lend<'de>,
    depth_left: usize,
    max_depth: usize,
    /// Bytes the walk may still produce (strs and bytes data, 16 per item).
    budget: Expansion,
}

/// What a container yields to a seq visitor.
enum Items<'a> {
    Values(std::slice::Iter<'a, Value>),
    Bytes(std::slice::Iter<'a, u8>),
}

impl<'a, 'de> Walker<'a, 'de> {
    pub(crate) fn new(graph: &'a Graph, lend: Lend<'de>, limits: &crate::Limits) -> Self {
        Walker {
            graph,
            lend,
            depth_left: limits.max_depth,
            max_depth: limits.max_depth,
            // Counted as `charge` counts: 16 bytes a value, plus data.
            budget: Expansion::new(16, 1 << 20, limits.max_alloc),
        }
    }

    /// Deserializes the graph's root.
    pub(crate) fn root<T: de::Deserialize<'de>>(&mut self) -> Result<T> {
        let v = self.graph.root();
        T::deserialize(ValueDe { w: self, v })
    }

    #[inline]
    fn obj(&self, id: ObjId) -> Result<&'a Object> {
        self.graph
            .get(id)
            .ok_or_else(|| Error::mismatch(format!("object {} is not in the graph", id.index())))
    }

    #[inline]
    fn charge(&mut self, bytes: usize) -> Result<()> {
        if self.budget.spend(self.graph, bytes as u64 + 16) {
            Ok(())
        } else {
            Err(Error::allocation_limit(self.budget.limit()))
        }
    }

    #[inline]
    fn enter(&mut self) -> Result<()> {
        match self.depth_left.checked_sub(1) {
            Some(d) => {
                self.depth_left = d;
                Ok(())
            }
            None => Err(Error::depth_limit(self.max_depth)),
        }
    }

    #[inline]
    fn leave(&mut self) {
        self.depth_left += 1;
    }

    /// The str `s` (object `id`) as a `&'de str`, when it can be lent.
    #[inline]
    fn lend_str(&self, id: ObjId, s: &PyStr) -> Option<&'de str> {
        match self.lend {
            Lend::Nothing => None,
            Lend::Input(data) => {
                let start = usize::try_from(self.graph.span(id)?).ok()?;
                let bytes = data.get(start..start.checked_add(s.len())?)?;
                crate::utf8::validate(bytes)
            }
            Lend::Graph(g) => match g.get(id)? {
                Object::Str(s) => s.as_str(),
                _ => None,
            },
        }
    }

    /// The bytes `b` (object `id`) as a `&'de [u8]`, when they can be lent.
    #[inline]
    fn lend_bytes(&self, id: ObjId, b: &[u8]) -> Option<&'de [u8]> {
        match self.lend {
            Lend::Nothing => None,
            Lend::Input(data) => {
                let start = usize::try_from(self.graph.span(id)?).ok()?;
                data.get(start..start.checked_add(b.len())?)
            }
            Lend::Graph(g) => match g.get(id)? {
                Object::Buffer(buf) => Some(&buf.data),
                other => other.byte_data(),
            },
        }
    }
}

/// The Python type name of a value, for error messages.
fn type_name(graph: &Graph, v: Value) -> &'static str {
    match v {
        Value::Ref(id) => graph.get(id).map_or("object", Object::type_name),
        atom => atom.atom_type_name().unwrap_or("object"),
    }
}

/// What serde prints for an unexpected Python value.
fn unexpected<'x>(graph: &'x Graph, v: Value) -> Unexpected<'x> {
    match v {
        Value::None => Unexpected::Other("Python None"),
        Value::Bool(b) => Unexpected::Bool(b),
        Value::Int(i) => Unexpected::Signed(i),
        Value::Float(f) => Unexpected::Float(f),
        Value::Ref(id) => match graph.get(id) {
            Some(Object::Str(s)) => match s.as_str() {
                Some(s) => Unexpected::Str(s),
                None => Unexpected::Other("Python str with lone surrogates"),
            },
            Some(Object::Int(_)) => Unexpected::Other("Python int (big)"),
            Some(Object::Bytes(b)) => Unexpected::Bytes(b),
            Some(o) => Unexpected::Other(python_type(o.type_name())),
            None => Unexpected::Other("Python object"),
        },
    }
}

fn python_type(name: &'static str) -> &'static str {
    match name {
        "bytearray" => "Python bytearray",
        "complex" => "Python complex",
        "tuple" => "Python tuple",
        "list" => "Python list",
        "dict" => "Python dict",
        "set" => "Python set",
        "frozenset" => "Python frozenset",
        "global" => "Python class or function",
        "instance" => "Python class instance",
        "reduce" => "Python object built by a call",
        "persistent" => "Python persistent id",
        "PickleBuffer" => "Python PickleBuffer",
        _ => "Python object",
    }
}

/// One value of the graph, as a serde `Deserializer`.
struct ValueDe<'w, 'a, 'de> {
    w: &'w mut Walker<'a, 'de>,
    v: Value,
}

impl<'a, 'de> ValueDe<'_, 'a, 'de> {
    #[cold]
    fn invalid<V: Visitor<'de>>(&self, visitor: &V) -> Error {
        de::Error::invalid_type(unexpected(self.w.graph, self.v), visitor)
    }

    fn big_int<V: Visitor<'de>>(self, b: &PyInt, visitor: V) -> Result<V::Value> {
        // serde's own visitors take u64 from visit_u64 only.
        match b.form() {
            IntForm::Wide(i) => match u64::try_from(i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i128(i),
            },
            IntForm::Big(big) => match u128::try_from(big) {
                Ok(u) => visitor.visit_u128(u),
                Err(_) => Err(Error::mismatch(format!(
                    "invalid value: Python int {b} does not fit in 128 bits, expected {}",
                    Expected(&visitor)
                ))),
            },
        }
    }

    fn str<V: Visitor<'de>>(
        self,
        id: ObjId,
        s: &'a PyStr,
        visitor: V,
        lend: bool,
    ) -> Result<V::Value> {
        self.w.charge(s.len())?;
        if lend {
            if let Some(b) = self.w.lend_str(id, s) {
                return visitor.visit_borrowed_str(b);
            }
        }
        match s.as_str() {
            Some(text) => visitor.visit_str(text),
            None => Err(Error::mismatch(format!(
                "invalid value: Python str {s:?} holds lone surrogates, which Rust strings cannot, expected {}",
                Expected(&visitor)
            ))),
        }
    }

    fn bytes<V: Visitor<'de>>(self, id: ObjId, b: &'a [u8], visitor: V) -> Result<V::Value> {
        self.w.charge(b.len())?;
        match self.w.lend_bytes(id, b) {
            Some(lent) => visitor.visit_borrowed_bytes(lent),
            None => visitor.visit_bytes(b),
        }
    }

    fn seq<V: Visitor<'de>>(self, items: Items<'a>, visitor: V) -> Result<V::Value> {
        self.w.enter()?;
        let mut access = SeqAccess { w: self.w, items };
        let value = visitor.visit_seq(&mut access)?;
        let left = match &access.items {
            Items::Values(i) => i.len(),
            Items::Bytes(i) => i.len(),
        };
        access.w.leave();
        if left > 0 {
            return Err(Error::mismatch(format!(
                "invalid length: the Python sequence has {left} more items than expected"
            )));
        }
        Ok(value)
    }

    fn map<V: Visitor<'de>>(self, items: &'a [(Value, Value)], visitor: V) -> Result<V::Value> {
        self.w.enter()?;
        let mut access = MapAccess {
            w: self.w,
            items: items.iter(),
            value: None,
        };
        let value = visitor.visit_map(&mut access)?;
        access.w.leave();
        Ok(value)
    }

    /// The attributes of an instance's state as one dict: the state's
    /// dict, or its slots when it has no dict; empty without a state.
    fn instance_dict(&self, state: Option<Value>) -> Option<&'a [(Value, Value)]> {
        let Some(state) = state else {
            // No state at all: an instance without attributes.
            return Some(&[]);
        };
        // A serde map reads one slice: the dict's attributes, or the
        // slots' when there is no dict.
        self.w
            .graph
            .state_attrs(state)
            .map(|a| match (a.dict, a.slots) {
                ([], slots) => slots,
                (dict, _) => dict,
            })
    }

    /// Lists, tuples, sets and frozensets as serde sequences; bytes as a
    /// sequence of ints.
    fn any_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Ref(id) = self.v {
            match self.w.obj(id)? {
                Object::List(v) | Object::Tuple(v) | Object::Set(v) | Object::FrozenSet(v) => {
                    return self.seq(Items::Values(v.iter()), visitor)
                }
                other => {
                    if let Some(b) = other.byte_data() {
                        return self.seq(Items::Bytes(b.iter()), visitor);
                    }
                }
            }
        }
        Err(self.invalid(&visitor))
    }
}

/// Shows what a visitor expects, for error messages.
struct Expected<'v, V>(&'v V);

impl<'de, V: Visitor<'de>> std::fmt::Display for Expected<'_, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(f)
    }
}

macro_rules! ints {
    ($($method:ident)*) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.v {
                Value::Int(i) => visitor.visit_i64(i),
                Value::Ref(id) => match self.w.obj(id)? {
                    Object::Int(b) => self.big_int(b, visitor),
                    _ => Err(self.invalid(&visitor)),
                },
                _ => Err(self.invalid(&visitor)),
            }
        }
    )*};
}

impl<'a, 'de> de::Deserializer<'de> for ValueDe<'_, 'a, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let id = match self.v {
            Value::None => return visitor.visit_unit(),
            Value::Bool(b) => return visitor.visit_bool(b),
            Value::Int(i) => return visitor.visit_i64(i),
            Value::Float(f) => return visitor.visit_f64(f),
            Value::Ref(id) => id,
        };
        match self.w.obj(id)? {
            Object::Int(b) => self.big_int(b, visitor),
            Object::Str(s) => self.str(id, s, visitor, true),
            Object::Bytes(b) => self.bytes(id, b, visitor),
            Object::ByteArray(b) => self.bytes(id, b, visitor),
            Object::Buffer(buf) => self.bytes(id, &buf.data, visitor),
            Object::List(v) | Object::Tuple(v) | Object::Set(v) | Object::FrozenSet(v) => {
                self.seq(Items::Values(v.iter()), visitor)
            }
            Object::Dict(items) => self.map(items, visitor),
            _ => Err(self.invalid(&visitor)),
        }
    }

    #[inline]
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::Bool(b) => visitor.visit_bool(b),
            _ => Err(self.invalid(&visitor)),
        }
    }

    ints!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    #[inline]
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::Float(f) => visitor.visit_f64(f),
            // A Python int where a float is wanted, as Python itself allows.
            Value::Int(i) => visitor.visit_f64(i as f64),
            Value::Ref(id) => match self.w.obj(id)? {
                Object::Int(b) => match b.to_f64() {
                    Some(f) => visitor.visit_f64(f),
                    None => Err(Error::mismatch(format!(
                        "invalid value: Python int {b} is too large for a float, expected {}",
                        Expected(&visitor)
                    ))),
                },
                _ => Err(self.invalid(&visitor)),
            },
            _ => Err(self.invalid(&visitor)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Ref(id) = self.v {
            match self.w.obj(id)? {
                Object::Str(s) => return self.str(id, s, visitor, true),
                // Python 2 str loaded with encoding='bytes'.
                Object::Bytes(b) => return self.bytes(id, b, visitor),
                _ => {}
            }
        }
        Err(self.invalid(&visitor))
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Ref(id) = self.v {
            match self.w.obj(id)? {
                Object::Str(s) => return self.str(id, s, visitor, false),
                Object::Bytes(b) => {
                    self.w.charge(b.len())?;
                    return visitor.visit_bytes(b);
                }
                _ => {}
            }
        }
        Err(self.invalid(&visitor))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Ref(id) = self.v {
            match self.w.obj(id)? {
                Object::Bytes(b) => return self.bytes(id, b, visitor),
                Object::ByteArray(b) => return self.bytes(id, b, visitor),
                Object::Buffer(buf) => return self.bytes(id, &buf.data, visitor),
                Object::Str(s) => return self.str(id, s, visitor, true),
                Object::List(_) | Object::Tuple(_) => return self.any_seq(visitor),
                _ => {}
            }
        }
        Err(self.invalid(&visitor))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::None => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::None => visitor.visit_unit(),
            Value::Ref(id) if matches!(self.w.obj(id)?, Object::Tuple(v) if v.is_empty()) => {
                visitor.visit_unit()
            }
            _ => Err(self.invalid(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == super::BIGINT_TOKEN {
            // A Python int of any size, as signed little-endian bytes.
            let bytes = match self.v {
                Value::Int(i) => num_bigint::BigInt::from(i).to_signed_bytes_le(),
                Value::Ref(id) => match self.w.obj(id)? {
                    Object::Int(b) => b.to_signed_bytes_le(),
                    _ => return Err(self.invalid(&visitor)),
                },
                _ => return Err(self.invalid(&visitor)),
            };
            self.w.charge(bytes.len())?;
            return visitor
                .visit_newtype_struct(de::value::BytesDeserializer::<Error>::new(&bytes));
        }
        visitor.visit_newtype_struct(self)
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.any_seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.any_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.any_seq(visitor)
    }

    #[inline]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Ref(id) = self.v {
            if let Object::Dict(items) = self.w.obj(id)? {
                return self.map(items, visitor);
            }
        }
        Err(self.invalid(&visitor))
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if let Value::Ref(id) = self.v {
            match self.w.obj(id)? {
                Object::Dict(items) => return self.map(items, visitor),
                Object::List(v) | Object::Tuple(v) => {
                    return self.seq(Items::Values(v.iter()), visitor)
                }
                // A class instance (generic mode or a registered class):
                // its attributes, the dict of its state.
                Object::Instance(inst) => {
                    if let Some(items) = self.instance_dict(inst.state) {
                        return self.map(items, visitor);
                    }
                }
                _ => {}
            }
        }
        Err(self.invalid(&visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let (tag, value) = match self.v {
            Value::Ref(id) => match self.w.obj(id)? {
                // A unit variant: 'Variant'.
                Object::Str(_) | Object::Bytes(_) => (self.v, None),
                // {'Variant': value}
                Object::Dict(items) if items.len() == 1 => (items[0].0, Some(items[0].1)),
                // serde-pickle's compat form: ('Variant',) or ('Variant', value).
                Object::Tuple(v) if v.len() == 1 => (v[0], None),
                Object::Tuple(v) if v.len() == 2 => (v[0], Some(v[1])),
                _ => return Err(self.invalid(&visitor)),
            },
            _ => return Err(self.invalid(&visitor)),
        };
        self.w.enter()?;
        let r = visitor.visit_enum(EnumAccess {
            w: self.w,
            tag,
            value,
        });
        self.w.leave();
        r
    }

    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Ref(id) = self.v {
            match self.w.obj(id)? {
                Object::Str(s) => return self.str(id, s, visitor, false),
                Object::Bytes(b) => return visitor.visit_bytes(b),
                _ => {}
            }
        }
        if let Value::Int(i) = self.v {
            if let Ok(u) = u64::try_from(i) {
                return visitor.visit_u64(u);
            }
        }
        Err(self.invalid(&visitor))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'w, 'a, 'de> {
    w: &'w mut Walker<'a, 'de>,
    items: Items<'a>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, '_, 'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let v = match &mut self.items {
            Items::Values(i) => match i.next() {
                Some(v) => *v,
                None => return Ok(None),
            },
            Items::Bytes(i) => match i.next() {
                Some(b) => Value::Int(*b as i64),
                None => return Ok(None),
            },
        };
        self.w.charge(0)?;
        seed.deserialize(ValueDe { w: self.w, v }).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(match &self.items {
            Items::Values(i) => i.len(),
            Items::Bytes(i) => i.len(),
        })
    }
}

struct MapAccess<'w, 'a, 'de> {
    w: &'w mut Walker<'a, 'de>,
    items: std::slice::Iter<'a, (Value, Value)>,
    value: Option<Value>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, '_, 'de> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.items.next() {
            Some(&(k, v)) => {
                self.value = Some(v);
                self.w.charge(0)?;
                seed.deserialize(ValueDe { w: self.w, v: k }).map(Some)
            }
            None => Ok(None),
        }
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let v = self
            .value
            .take()
            .ok_or_else(|| Error::mismatch("a map value was asked for before its key"))?;
        seed.deserialize(ValueDe { w: self.w, v })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct EnumAccess<'w, 'a, 'de> {
    w: &'w mut Walker<'a, 'de>,
    tag: Value,
    value: Option<Value>,
}

impl<'w, 'a, 'de> de::EnumAccess<'de> for EnumAccess<'w, 'a, 'de> {
    type Error = Error;
    type Variant = VariantAccess<'w, 'a, 'de>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, VariantAccess<'w, 'a, 'de>)> {
        let tag = seed.deserialize(ValueDe {
            w: self.w,
            v: self.tag,
        })?;
        Ok((
            tag,
            VariantAccess {
                w: self.w,
                value: self.value,
            },
        ))
    }
}

struct VariantAccess<'w, 'a, 'de> {
    w: &'w mut Walker<'a, 'de>,
    value: Option<Value>,
}

impl VariantAccess<'_, '_, '_> {
    #[cold]
    fn missing(what: &str) -> Error {
        Error::mismatch(format!(
            "invalid type: Python str (a unit variant), expected {what}"
        ))
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'_, '_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        match self.value {
            None | Some(Value::None) => Ok(()),
            Some(v) => Err(Error::mismatch(format!(
                "invalid type: Python {}, expected a unit variant (None)",
                type_name(self.w.graph, v)
            ))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        match self.value {
            Some(v) => seed.deserialize(ValueDe { w: self.w, v }),
            None => Err(Self::missing("a newtype variant")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        match self.value {
            Some(v) => de::Deserializer::deserialize_seq(ValueDe { w: self.w, v }, visitor),
            None => Err(Self::missing("a tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.value {
            Some(v) => {
                de::Deserializer::deserialize_struct(ValueDe { w: self.w, v }, "", fields, visitor)
            }
            None => Err(Self::missing("a struct variant")),
        }
    }
}
