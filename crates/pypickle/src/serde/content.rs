//! A recording of serde calls, for sequences and maps of unknown length.
//!
//! CPython's bytes for a list or dict depend on its length (one item:
//! APPEND/SETITEM without MARK; batches of 1000). serde may start a
//! sequence or map without saying how long it is (`#[serde(flatten)]`,
//! iterators without an exact size), so the serializer records its items
//! here and replays them once the length is known. Lengths that are given
//! never come this way.

use serde::ser::{self, Serialize};

use crate::error::{Error, Result};

/// One recorded value.
pub(crate) enum Content {
    Bool(bool),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Char(char),
    Str(String),
    Bytes(Vec<u8>),
    None,
    Some(Box<Content>),
    Unit,
    UnitStruct(&'static str),
    UnitVariant(&'static str, u32, &'static str),
    NewtypeStruct(&'static str, Box<Content>),
    NewtypeVariant(&'static str, u32, &'static str, Box<Content>),
    Seq(Vec<Content>),
    Tuple(Vec<Content>),
    TupleStruct(&'static str, Vec<Content>),
    TupleVariant(&'static str, u32, &'static str, Vec<Content>),
    /// Keys and values alternate.
    Map(Vec<Content>),
    Struct(&'static str, Vec<(&'static str, Content)>),
    StructVariant(
        &'static str,
        u32,
        &'static str,
        Vec<(&'static str, Content)>,
    ),
}

impl Serialize for Content {
    fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use ser::{
            SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
            SerializeTupleStruct, SerializeTupleVariant,
        };
        match self {
            Content::Bool(v) => s.serialize_bool(*v),
            Content::I64(v) => s.serialize_i64(*v),
            Content::U64(v) => s.serialize_u64(*v),
            Content::I128(v) => s.serialize_i128(*v),
            Content::U128(v) => s.serialize_u128(*v),
            Content::F64(v) => s.serialize_f64(*v),
            Content::Char(v) => s.serialize_char(*v),
            Content::Str(v) => s.serialize_str(v),
            Content::Bytes(v) => s.serialize_bytes(v),
            Content::None => s.serialize_none(),
            Content::Some(v) => s.serialize_some(&**v),
            Content::Unit => s.serialize_unit(),
            Content::UnitStruct(n) => s.serialize_unit_struct(n),
            Content::UnitVariant(n, i, v) => s.serialize_unit_variant(n, *i, v),
            Content::NewtypeStruct(n, v) => s.serialize_newtype_struct(n, &**v),
            Content::NewtypeVariant(n, i, var, v) => s.serialize_newtype_variant(n, *i, var, &**v),
            Content::Seq(items) => {
                let mut c = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    c.serialize_element(item)?;
                }
                c.end()
            }
            Content::Tuple(items) => {
                let mut c = s.serialize_tuple(items.len())?;
                for item in items {
                    c.serialize_element(item)?;
                }
                c.end()
            }
            Content::TupleStruct(n, items) => {
                let mut c = s.serialize_tuple_struct(n, items.len())?;
                for item in items {
                    c.serialize_field(item)?;
                }
                c.end()
            }
            Content::TupleVariant(n, i, v, items) => {
                let mut c = s.serialize_tuple_variant(n, *i, v, items.len())?;
                for item in items {
                    c.serialize_field(item)?;
                }
                c.end()
            }
            Content::Map(items) => {
                let mut c = s.serialize_map(Some(items.len() / 2))?;
                for pair in items.chunks_exact(2) {
                    c.serialize_entry(&pair[0], &pair[1])?;
                }
                c.end()
            }
            Content::Struct(n, fields) => {
                let mut c = s.serialize_struct(n, fields.len())?;
                for (k, v) in fields {
                    c.serialize_field(k, v)?;
                }
                c.end()
            }
            Content::StructVariant(n, i, var, fields) => {
                let mut c = s.serialize_struct_variant(n, *i, var, fields.len())?;
                for (k, v) in fields {
                    c.serialize_field(k, v)?;
                }
                c.end()
            }
        }
    }
}

/// Records serde calls as [`Content`].
pub(crate) struct ContentSerializer;

/// A compound being recorded.
pub(crate) struct ContentCompound {
    kind: CompoundKind,
    items: Vec<Content>,
    fields: Vec<(&'static str, Content)>,
}

enum CompoundKind {
    Seq,
    Tuple,
    TupleStruct(&'static str),
    TupleVariant(&'static str, u32, &'static str),
    Map,
    Struct(&'static str),
    StructVariant(&'static str, u32, &'static str),
}

impl ContentCompound {
    fn new(kind: CompoundKind, len: usize) -> Self {
        // The capacity is only a hint: cap it so a wrong one costs little.
        ContentCompound {
            kind,
            items: Vec::with_capacity(len.min(1024)),
            fields: Vec::new(),
        }
    }

    fn push<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<()> {
        self.items.push(v.serialize(ContentSerializer)?);
        Ok(())
    }

    fn field<T: ?Sized + Serialize>(&mut self, k: &'static str, v: &T) -> Result<()> {
        self.fields.push((k, v.serialize(ContentSerializer)?));
        Ok(())
    }

    fn finish(self) -> Content {
        match self.kind {
            CompoundKind::Seq => Content::Seq(self.items),
            CompoundKind::Tuple => Content::Tuple(self.items),
            CompoundKind::TupleStruct(n) => Content::TupleStruct(n, self.items),
            CompoundKind::TupleVariant(n, i, v) => Content::TupleVariant(n, i, v, self.items),
            CompoundKind::Map => Content::Map(self.items),
            CompoundKind::Struct(n) => Content::Struct(n, self.fields),
            CompoundKind::StructVariant(n, i, v) => Content::StructVariant(n, i, v, self.fields),
        }
    }
}

impl ser::Serializer for ContentSerializer {
    type Ok = Content;
    type Error = Error;
    type SerializeSeq = ContentCompound;
    type SerializeTuple = ContentCompound;
    type SerializeTupleStruct = ContentCompound;
    type SerializeTupleVariant = ContentCompound;
    type SerializeMap = ContentCompound;
    type SerializeStruct = ContentCompound;
    type SerializeStructVariant = ContentCompound;

    fn serialize_bool(self, v: bool) -> Result<Content> {
        Ok(Content::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Content> {
        Ok(Content::I64(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Content> {
        Ok(Content::I64(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Content> {
        Ok(Content::I64(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Content> {
        Ok(Content::I64(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Content> {
        Ok(Content::I128(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Content> {
        Ok(Content::U64(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Content> {
        Ok(Content::U64(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Content> {
        Ok(Content::U64(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Content> {
        Ok(Content::U64(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Content> {
        Ok(Content::U128(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Content> {
        Ok(Content::F64(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Content> {
        Ok(Content::F64(v))
    }
    fn serialize_char(self, v: char) -> Result<Content> {
        Ok(Content::Char(v))
    }
    fn serialize_str(self, v: &str) -> Result<Content> {
        Ok(Content::Str(v.into()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Content> {
        Ok(Content::Bytes(v.into()))
    }
    fn serialize_none(self) -> Result<Content> {
        Ok(Content::None)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<Content> {
        Ok(Content::Some(Box::new(v.serialize(self)?)))
    }
    fn serialize_unit(self) -> Result<Content> {
        Ok(Content::Unit)
    }
    fn serialize_unit_struct(self, n: &'static str) -> Result<Content> {
        Ok(Content::UnitStruct(n))
    }
    fn serialize_unit_variant(self, n: &'static str, i: u32, v: &'static str) -> Result<Content> {
        Ok(Content::UnitVariant(n, i, v))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        n: &'static str,
        v: &T,
    ) -> Result<Content> {
        Ok(Content::NewtypeStruct(n, Box::new(v.serialize(self)?)))
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        n: &'static str,
        i: u32,
        var: &'static str,
        v: &T,
    ) -> Result<Content> {
        Ok(Content::NewtypeVariant(
            n,
            i,
            var,
            Box::new(v.serialize(self)?),
        ))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<ContentCompound> {
        Ok(ContentCompound::new(CompoundKind::Seq, len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<ContentCompound> {
        Ok(ContentCompound::new(CompoundKind::Tuple, len))
    }
    fn serialize_tuple_struct(self, n: &'static str, len: usize) -> Result<ContentCompound> {
        Ok(ContentCompound::new(CompoundKind::TupleStruct(n), len))
    }
    fn serialize_tuple_variant(
        self,
        n: &'static str,
        i: u32,
        v: &'static str,
        len: usize,
    ) -> Result<ContentCompound> {
        Ok(ContentCompound::new(
            CompoundKind::TupleVariant(n, i, v),
            len,
        ))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<ContentCompound> {
        Ok(ContentCompound::new(
            CompoundKind::Map,
            len.unwrap_or(0).saturating_mul(2),
        ))
    }
    fn serialize_struct(self, n: &'static str, _len: usize) -> Result<ContentCompound> {
        Ok(ContentCompound::new(CompoundKind::Struct(n), 0))
    }
    fn serialize_struct_variant(
        self,
        n: &'static str,
        i: u32,
        v: &'static str,
        _len: usize,
    ) -> Result<ContentCompound> {
        Ok(ContentCompound::new(
            CompoundKind::StructVariant(n, i, v),
            0,
        ))
    }
}

macro_rules! compound {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for ContentCompound {
            type Ok = Content;
            type Error = Error;
            fn $method<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<()> {
                self.push(v)
            }
            fn end(self) -> Result<Content> {
                Ok(self.finish())
            }
        }
    };
}

compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);

impl ser::SerializeMap for ContentCompound {
    type Ok = Content;
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<()> {
        self.push(k)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<()> {
        self.push(v)
    }
    fn end(self) -> Result<Content> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for ContentCompound {
    type Ok = Content;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, k: &'static str, v: &T) -> Result<()> {
        self.field(k, v)
    }
    fn end(self) -> Result<Content> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for ContentCompound {
    type Ok = Content;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, k: &'static str, v: &T) -> Result<()> {
        self.field(k, v)
    }
    fn end(self) -> Result<Content> {
        Ok(self.finish())
    }
}
