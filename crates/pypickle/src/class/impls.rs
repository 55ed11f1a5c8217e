//! [`ToPython`] and [`FromPython`] for Rust's own types, mapped to the
//! Python types a Python programmer would use for them.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::rc::Rc;

use num_bigint::BigInt;

use super::from_graph::mismatch;
use super::{FromGraph, FromPython, Registry, ToGraph, ToPython};
use crate::error::{Error, Result};
use crate::value::{Items, Object, PyInt, PyStr, Value};

fn expected(l: &FromGraph, what: &str, v: Value) -> Error {
    mismatch(format!("expected {what}, found {}", l.type_name(v)))
}

// ----- atoms -----

/// The raw value, for reading parts of the graph by hand.
impl FromPython for Value {
    fn from_python(_l: &mut FromGraph, v: Value) -> Result<Self> {
        Ok(v)
    }
}

impl ToPython for bool {
    fn to_python(&self, _p: &mut ToGraph) -> Result<Value> {
        Ok(Value::Bool(*self))
    }
}

impl FromPython for bool {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        match v {
            Value::Bool(b) => Ok(b),
            _ => Err(expected(l, "bool", v)),
        }
    }
}

impl ToPython for () {
    fn to_python(&self, _p: &mut ToGraph) -> Result<Value> {
        Ok(Value::None)
    }
}

impl FromPython for () {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        match v {
            Value::None => Ok(()),
            _ => Err(expected(l, "None", v)),
        }
    }
}

/// The int `v` holds (Python's bools are ints too), at any size.
fn int_of(l: &FromGraph, v: Value) -> Result<PyInt> {
    match v {
        Value::Int(i) => Ok(i.into()),
        Value::Bool(b) => Ok(i64::from(b).into()),
        _ => match l.object(v) {
            Some(Object::Int(i)) => Ok(i.clone()),
            _ => Err(expected(l, "int", v)),
        },
    }
}

macro_rules! ints {
    ($($t:ty),*) => {$(
        impl ToPython for $t {
            fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
                p.int(*self)
            }
        }

        impl FromPython for $t {
            // The fast path is infallible for the widest types.
            #[allow(irrefutable_let_patterns)]
            fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
                if let Value::Int(i) = v {
                    if let Ok(x) = <$t>::try_from(i) {
                        return Ok(x);
                    }
                }
                let int = int_of(l, v)?;
                let fits = match int.to_i128() {
                    Some(i) => <$t>::try_from(i).ok(),
                    None => <$t>::try_from(&int.to_bigint()).ok(),
                };
                fits.ok_or_else(|| {
                    mismatch(format!("int {int} does not fit in {}", stringify!($t)))
                })
            }
        }
    )*};
}

ints!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl ToPython for BigInt {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.int(self.clone())
    }
}

impl FromPython for BigInt {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        int_of(l, v).map(PyInt::into_bigint)
    }
}

impl ToPython for PyInt {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.int(self.clone())
    }
}

impl FromPython for PyInt {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        int_of(l, v)
    }
}

impl ToPython for f64 {
    fn to_python(&self, _p: &mut ToGraph) -> Result<Value> {
        Ok(Value::Float(*self))
    }
}

impl FromPython for f64 {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        match v {
            Value::Float(f) => Ok(f),
            // Python code passes ints where floats are meant; an int too
            // large for a float is an error, as Python's float() raises.
            Value::Int(i) => Ok(i as f64),
            _ => match l.object(v) {
                Some(Object::Int(i)) => i
                    .to_f64()
                    .ok_or_else(|| mismatch(format!("int {i} is too large for a float"))),
                _ => Err(expected(l, "float", v)),
            },
        }
    }
}

impl ToPython for f32 {
    fn to_python(&self, _p: &mut ToGraph) -> Result<Value> {
        Ok(Value::Float(f64::from(*self)))
    }
}

impl FromPython for f32 {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        f64::from_python(l, v).map(|f| f as f32)
    }
}

// ----- text -----

impl ToPython for str {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.add(Object::Str(self.into()))
    }
}

impl ToPython for String {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        self.as_str().to_python(p)
    }
}

impl FromPython for String {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        match l.object(v) {
            Some(Object::Str(s)) => s.as_str().map(str::to_owned).ok_or_else(|| {
                mismatch("a str with lone surrogates cannot be a Rust String (use PyStr)")
            }),
            _ => Err(expected(l, "str", v)),
        }
    }
}

impl ToPython for PyStr {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.add(Object::Str(self.clone()))
    }
}

impl FromPython for PyStr {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        match l.object(v) {
            Some(Object::Str(s)) => Ok(s.clone()),
            _ => Err(expected(l, "str", v)),
        }
    }
}

// ----- containers -----

impl<T: ToPython> ToPython for Option<T> {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        match self {
            Some(v) => v.to_python(p),
            None => Ok(Value::None),
        }
    }
}

impl<T: FromPython> FromPython for Option<T> {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        match v {
            Value::None => Ok(None),
            _ => T::from_python(l, v).map(Some),
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry)
    }
}

fn list_of<'a, T: ToPython + 'a>(
    p: &mut ToGraph,
    items: impl Iterator<Item = &'a T>,
) -> Result<Items> {
    items.map(|item| p.value(item)).collect()
}

/// The items of a list, tuple, set or frozenset.
fn items_of<'g>(l: &FromGraph<'g>, v: Value, what: &str) -> Result<&'g [Value]> {
    match l.object(v) {
        Some(Object::List(items) | Object::Tuple(items))
        | Some(Object::Set(items) | Object::FrozenSet(items)) => Ok(items),
        _ => Err(expected(l, what, v)),
    }
}

impl<T: ToPython> ToPython for Vec<T> {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.container(|p| list_of(p, self.iter()).map(Object::List))
    }
}

impl<T: FromPython> FromPython for Vec<T> {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        let items = items_of(l, v, "a list")?;
        items.iter().map(|&item| l.value(item)).collect()
    }

    fn register(registry: &mut Registry) {
        T::register(registry)
    }
}

impl<K: ToPython, V: ToPython, S> ToPython for HashMap<K, V, S> {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.container(|p| dict_of(p, self.iter()))
    }
}

impl<K: ToPython, V: ToPython> ToPython for BTreeMap<K, V> {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.container(|p| dict_of(p, self.iter()))
    }
}

fn dict_of<'a, K: ToPython + 'a, V: ToPython + 'a>(
    p: &mut ToGraph,
    pairs: impl Iterator<Item = (&'a K, &'a V)>,
) -> Result<Object> {
    let mut items = Vec::new();
    for (k, v) in pairs {
        items.push((p.value(k)?, p.value(v)?));
    }
    Ok(Object::Dict(items))
}

/// Any Rust map from a Python dict.
fn map_of<K: FromPython, V: FromPython, M: FromIterator<(K, V)>>(
    l: &mut FromGraph,
    v: Value,
) -> Result<M> {
    let pairs = match l.object(v) {
        Some(Object::Dict(items)) => items,
        _ => return Err(expected(l, "a dict", v)),
    };
    pairs
        .iter()
        .map(|&(k, v)| Ok((l.value(k)?, l.value(v)?)))
        .collect()
}

impl<K, V, S> FromPython for HashMap<K, V, S>
where
    K: FromPython + Eq + Hash,
    V: FromPython,
    S: BuildHasher + Default,
{
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        map_of(l, v)
    }

    fn register(registry: &mut Registry) {
        K::register(registry);
        V::register(registry);
    }
}

impl<K: FromPython + Ord, V: FromPython> FromPython for BTreeMap<K, V> {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        map_of(l, v)
    }

    fn register(registry: &mut Registry) {
        K::register(registry);
        V::register(registry);
    }
}

impl<T: ToPython, S> ToPython for HashSet<T, S> {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.container(|p| list_of(p, self.iter()).map(Object::Set))
    }
}

impl<T: ToPython> ToPython for BTreeSet<T> {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.container(|p| list_of(p, self.iter()).map(Object::Set))
    }
}

impl<T: FromPython + Eq + Hash, S: BuildHasher + Default> FromPython for HashSet<T, S> {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        let items = items_of(l, v, "a set")?;
        items.iter().map(|&item| l.value(item)).collect()
    }

    fn register(registry: &mut Registry) {
        T::register(registry)
    }
}

impl<T: FromPython + Ord> FromPython for BTreeSet<T> {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        let items = items_of(l, v, "a set")?;
        items.iter().map(|&item| l.value(item)).collect()
    }

    fn register(registry: &mut Registry) {
        T::register(registry)
    }
}

macro_rules! tuples {
    ($(($n:expr; $($t:ident $i:tt),+))*) => {$(
        impl<$($t: ToPython),+> ToPython for ($($t,)+) {
            fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
                // A tuple is made after its items, as in Python.
                let items = Items::from([$(p.value(&self.$i)?),+]);
                p.add(Object::Tuple(items))
            }
        }

        impl<$($t: FromPython),+> FromPython for ($($t,)+) {
            fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
                let items = items_of(l, v, "a tuple")?;
                if items.len() != $n {
                    return Err(mismatch(format!(
                        "expected a tuple of {} items, found {}",
                        $n,
                        items.len()
                    )));
                }
                Ok(($(l.value::<$t>(items[$i])?,)+))
            }

            fn register(registry: &mut Registry) {
                $($t::register(registry);)+
            }
        }
    )*};
}

tuples! {
    (1; A 0)
    (2; A 0, B 1)
    (3; A 0, B 1, C 2)
    (4; A 0, B 1, C 2, D 3)
    (5; A 0, B 1, C 2, D 3, E 4)
    (6; A 0, B 1, C 2, D 3, E 4, F 5)
}

// ----- shared objects -----

impl<T: ToPython + ?Sized> ToPython for Rc<T> {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.shared(Rc::as_ptr(self) as *const (), |p| (**self).to_python(p))
    }
}

impl<T: FromPython + 'static> FromPython for Rc<T> {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        if let Some(rc) = l.known::<Rc<T>>(v)? {
            return Ok(rc);
        }
        let rc = Rc::new(T::from_python(l, v)?);
        l.remember(v, rc.clone());
        Ok(rc)
    }

    fn register(registry: &mut Registry) {
        T::register(registry)
    }
}

impl<T: ToPython + ?Sized> ToPython for Rc<RefCell<T>> {
    fn to_python(&self, p: &mut ToGraph) -> Result<Value> {
        p.shared(Rc::as_ptr(self) as *const (), |p| {
            let inner = self.try_borrow().map_err(|_| {
                Error::unpicklable("cannot pickle a RefCell that is borrowed mutably")
            })?;
            inner.to_python(p)
        })
    }
}

impl<T: FromPython + 'static> FromPython for Rc<RefCell<T>> {
    fn from_python(l: &mut FromGraph, v: Value) -> Result<Self> {
        if let Some(rc) = l.known::<Rc<RefCell<T>>>(v)? {
            return Ok(rc);
        }
        T::from_python_shared(l, v)
    }

    fn register(registry: &mut Registry) {
        T::register(registry)
    }
}

// ----- what cannot be pickled -----

macro_rules! unpicklable {
    ($($t:ty => $name:expr),*) => {$(
        /// Runtime state of the operating system: refused, as CPython
        /// refuses its sockets and files.
        impl ToPython for $t {
            fn to_python(&self, _p: &mut ToGraph) -> Result<Value> {
                Err(Error::unpicklable(concat!("cannot pickle '", $name, "' object")))
            }
        }
    )*};
}

unpicklable! {
    std::fs::File => "std::fs::File",
    std::net::TcpStream => "std::net::TcpStream",
    std::net::TcpListener => "std::net::TcpListener",
    std::net::UdpSocket => "std::net::UdpSocket",
    std::process::Child => "std::process::Child"
}
