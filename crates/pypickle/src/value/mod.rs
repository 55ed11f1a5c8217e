//! The object model: a graph of Python objects held in an arena.
//!
//! A pickle describes an object graph, not a tree: an object reached twice
//! is one object, and cycles are allowed. A [`Graph`] owns every object in a
//! vector and objects refer to each other by [`ObjId`], so shared objects and
//! cycles cost nothing, nothing leaks, and dropping a million-deep structure
//! is a flat loop.
//!
//! Values without identity in pickle (None, bools, ints, floats) live inline
//! in [`Value`]; everything else is an [`Object`] in the arena.
//!
//! ```
//! use pypickle::{Graph, Object, Value};
//!
//! // l = [1, 'two']; l.append(l)
//! let mut g = Graph::new();
//! let two = g.str("two");
//! let l = g.add(Object::List(vec![Value::Int(1), two].into()));
//! g.list_mut(l).unwrap().push(Value::Ref(l));
//! g.set_root(Value::Ref(l));
//! assert_eq!(g.to_string(), "[1, 'two', [...]]");
//! ```

mod eq;
pub(crate) mod expansion;
pub(crate) mod instance;
mod items;
pub(crate) mod key;
mod pybytes;
mod pyint;
pub(crate) mod pystr;
mod repr;

pub use instance::InstanceView;
pub use items::Items;
pub use pybytes::PyBytes;
pub use pyint::PyInt;
pub(crate) use pyint::{signed_len, IntForm};
pub use pystr::{CodePoints, PyStr};
pub use repr::bytes_repr;

/// The index of an [`Object`] in its [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjId(pub(crate) u32);

impl ObjId {
    /// The position of the object in the arena.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One Python value: an atom held inline, or a reference to an object.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Value {
    /// `None`.
    #[default]
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An int that fits in 64 bits. Larger ints are [`Object::Int`].
    Int(i64),
    /// A float.
    Float(f64),
    /// Any other object, by its id in the graph.
    Ref(ObjId),
}

/// An object in the arena: every Python value that has identity in pickle.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    /// An int outside the 64-bit range. Ints have no identity in pickle; the
    /// arena only holds their value ([`PyInt`]).
    Int(PyInt),
    /// A `str`.
    Str(PyStr),
    /// A `bytes`: an owned buffer, or a view into the buffer it was loaded
    /// from ([`PyBytes`]).
    Bytes(PyBytes),
    /// A `bytearray`.
    ByteArray(Vec<u8>),
    /// A `complex`.
    Complex {
        /// The real part.
        re: f64,
        /// The imaginary part.
        im: f64,
    },
    /// A `tuple`.
    Tuple(Items),
    /// A `list`.
    List(Items),
    /// A `dict`: key-value pairs in insertion order.
    Dict(Vec<(Value, Value)>),
    /// A `set`, in the order its items were loaded or added.
    Set(Items),
    /// A `frozenset`, in the order its items were loaded or added.
    FrozenSet(Items),
    /// A reference to a class or function by name: `module.qualname`.
    Global(Box<Global>),
    /// An instance of a class, built the way `object.__reduce_ex__` describes
    /// it: `cls.__new__(cls, *args, **kwargs)`, then state.
    Instance(Box<Instance>),
    /// The result of calling a callable, as `__reduce__` describes it.
    Reduce(Box<Reduce>),
    /// An object stored outside the pickle, named by a persistent id.
    Persistent(Value),
    /// An out-of-band buffer (protocol 5).
    Buffer(Box<Buffer>),
}

/// A class or function reference: what the GLOBAL opcode names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    /// The module, in Python 3 spelling (`builtins`, not `__builtin__`).
    pub module: PyStr,
    /// The qualified name, which may be dotted (`Outer.Inner`).
    pub name: PyStr,
}

impl Global {
    /// True when a qualified name is empty or has an empty dotted part
    /// (`''`, `'.x'`, `'a..b'`): no attribute has such a name, so nothing
    /// is found by it.
    pub(crate) fn has_empty_part(qualname: &PyStr) -> bool {
        qualname
            .as_bytes()
            .split(|&b| b == b'.')
            .any(<[u8]>::is_empty)
    }

    /// True when nothing could be found by these names: an empty module,
    /// or an empty part of the qualified name.
    pub(crate) fn names_nothing(&self) -> bool {
        self.module.as_bytes().is_empty() || Self::has_empty_part(&self.name)
    }
}

/// A generic instance of a class the loader did not resolve to a native type.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Instance {
    /// The class: normally a [`Object::Global`].
    pub class: Value,
    /// Positional arguments for `cls.__new__`.
    pub args: Vec<Value>,
    /// Keyword arguments for `cls.__new__` (NEWOBJ_EX), if any.
    pub kwargs: Option<Value>,
    /// The state given to BUILD (`__setstate__`), if any.
    pub state: Option<Value>,
    /// Items appended by APPEND/APPENDS (a list subclass).
    pub list_items: Vec<Value>,
    /// Items set by SETITEM/SETITEMS (a dict subclass).
    pub dict_items: Vec<(Value, Value)>,
    /// A function that applies `state` instead of BUILD: `__reduce__`'s
    /// sixth item, pickled as the call `state_setter(obj, state)`.
    pub state_setter: Option<Value>,
}

/// A generic call result: `callable(*args)`, as `__reduce__` describes it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Reduce {
    /// What is called: normally a [`Object::Global`].
    pub callable: Value,
    /// The argument tuple.
    pub args: Value,
    /// The state given to BUILD, if any.
    pub state: Option<Value>,
    /// Items appended by APPEND/APPENDS.
    pub list_items: Vec<Value>,
    /// Items set by SETITEM/SETITEMS.
    pub dict_items: Vec<(Value, Value)>,
    /// A function that applies `state` instead of BUILD: `__reduce__`'s
    /// sixth item, pickled as the call `state_setter(obj, state)`.
    pub state_setter: Option<Value>,
}

/// An out-of-band buffer: data handed over beside the pickle (protocol 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buffer {
    /// The buffer's bytes.
    pub data: Vec<u8>,
    /// True when the pickle marked the buffer read-only.
    pub readonly: bool,
}

/// An object graph: the arena of objects and the root value.
///
/// `loads` returns one; `dumps` writes one. Build graphs by adding objects
/// with [`Graph::add`] and the shorthand constructors.
#[derive(Clone, Default)]
pub struct Graph {
    objects: Vec<Object>,
    root: Value,
    /// One-byte bytes objects that are distinct objects in CPython. Python
    /// shares `b''` and one-byte bytes made from pickle bytes opcodes, but
    /// not those `_codecs.encode` builds; the pickler needs to know which.
    pub(crate) distinct_bytes: std::collections::HashSet<ObjId>,
    /// For zero-copy typed loading (serde): where in the input slice the
    /// data of each str and bytes object lies, by object id (`u64::MAX`:
    /// nowhere). `None` unless the load asked for it, so the dynamic loader
    /// pays nothing.
    pub(crate) spans: Option<Vec<u64>>,
}

impl Graph {
    /// An empty graph whose root is `None`.
    pub fn new() -> Self {
        Graph::default()
    }

    /// An empty graph with room for `n` objects.
    pub fn with_capacity(n: usize) -> Self {
        Graph {
            objects: Vec::with_capacity(n),
            root: Value::None,
            distinct_bytes: Default::default(),
            spans: None,
        }
    }

    /// The root value: what was pickled.
    pub fn root(&self) -> Value {
        self.root
    }

    /// Replaces the root value.
    pub fn set_root(&mut self, root: Value) {
        self.root = root;
    }

    /// Adds an object and returns its id.
    ///
    /// # Panics
    ///
    /// Panics if the graph already holds 2^32 - 1 objects.
    pub fn add(&mut self, obj: Object) -> ObjId {
        self.try_add(obj).expect("graph holds too many objects")
    }

    /// Adds an object and returns its id, or `None` when the graph is full
    /// (2^32 - 1 objects).
    pub fn try_add(&mut self, obj: Object) -> Option<ObjId> {
        let id = u32::try_from(self.objects.len())
            .ok()
            .filter(|&i| i != u32::MAX)?;
        self.objects.push(obj);
        Some(ObjId(id))
    }

    /// Adds a str and returns a reference to it.
    pub fn str(&mut self, s: impl Into<PyStr>) -> Value {
        Value::Ref(self.add(Object::Str(s.into())))
    }

    /// Adds a bytes object and returns a reference to it.
    pub fn bytes(&mut self, b: impl Into<Vec<u8>>) -> Value {
        Value::Ref(self.add(Object::Bytes(PyBytes::from(b.into()))))
    }

    /// Adds an int of any size and returns it, inline when it fits in `i64`.
    pub fn int(&mut self, i: impl Into<PyInt>) -> Value {
        let i: PyInt = i.into();
        match i.to_i64() {
            Some(small) => Value::Int(small),
            None => Value::Ref(self.add(Object::Int(i))),
        }
    }

    /// The object with this id, if it exists.
    pub fn get(&self, id: ObjId) -> Option<&Object> {
        self.objects.get(id.index())
    }

    /// The object with this id, mutably, if it exists.
    pub fn get_mut(&mut self, id: ObjId) -> Option<&mut Object> {
        self.objects.get_mut(id.index())
    }

    /// The object a value refers to, or `None` for inline atoms.
    pub fn resolve(&self, v: Value) -> Option<&Object> {
        match v {
            Value::Ref(id) => self.get(id),
            _ => None,
        }
    }

    /// The Python type name of a value, as `type(v).__name__` prints it
    /// (`object` for a dangling reference).
    pub(crate) fn type_name_of(&self, v: Value) -> &'static str {
        v.atom_type_name()
            .or_else(|| self.resolve(v).map(Object::type_name))
            .unwrap_or("object")
    }

    /// The list with this id, mutably.
    pub fn list_mut(&mut self, id: ObjId) -> Option<&mut Items> {
        match self.get_mut(id)? {
            Object::List(items) => Some(items),
            _ => None,
        }
    }

    /// The str a value refers to.
    pub fn as_str(&self, v: Value) -> Option<&PyStr> {
        match self.resolve(v)? {
            Object::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number of objects in the arena.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when the arena holds no objects.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Remembers that the data of object `id` starts at byte `start` of the
    /// input, when spans are being recorded.
    #[inline]
    pub(crate) fn note_span(&mut self, id: ObjId, start: u64) {
        if let Some(spans) = &mut self.spans {
            let i = id.index();
            if spans.len() <= i {
                spans.resize(i + 1, u64::MAX);
            }
            spans[i] = start;
        }
    }

    /// Where the data of object `id` starts in the input, if recorded.
    #[inline]
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn span(&self, id: ObjId) -> Option<u64> {
        let start = *self.spans.as_ref()?.get(id.index())?;
        (start != u64::MAX).then_some(start)
    }

    /// What the graph holds, in the units walks that follow shared objects
    /// count (one per object, per container slot and per byte of str or
    /// bytes data): such a walk (a repr, typed loading) may go over the
    /// graph [`EXPANSION`] times ([`expansion`]), so that sharing cannot
    /// make a small pickle expand without bound.
    pub(crate) fn content_size(&self) -> u64 {
        self.objects.iter().fold(0u64, |n, obj| {
            n.saturating_add(1 + obj.content_weight() as u64)
        })
    }

    /// Every object with its id, in arena order.
    ///
    /// A loaded graph also holds objects the pickle built only on the way,
    /// such as the argument tuples of calls. The latin-1 text behind bytes
    /// pickled at protocols 0-2 is one of them: the loader builds the bytes
    /// in the text's memory, so such a text, when nothing else refers to
    /// it, is left as `''`.
    pub fn objects(&self) -> impl Iterator<Item = (ObjId, &Object)> {
        self.objects
            .iter()
            .enumerate()
            .map(|(i, o)| (ObjId(i as u32), o))
    }
}

/// How many times over a walk that follows shared objects may go over the
/// graph's [`Graph::content_size`].
pub(crate) const EXPANSION: u64 = 16;

impl Object {
    /// The object's own share of [`Graph::content_size`]: its container
    /// slots, or its bytes of str or bytes data.
    pub(crate) fn content_weight(&self) -> usize {
        match self {
            Object::Str(s) => s.len(),
            Object::Bytes(b) => b.len(),
            Object::ByteArray(b) => b.len(),
            Object::Tuple(v) | Object::List(v) | Object::Set(v) | Object::FrozenSet(v) => v.len(),
            Object::Dict(v) => 2 * v.len(),
            // The class or callable, arguments, kwargs and state.
            Object::Instance(i) => i.args.len() + i.list_items.len() + 2 * i.dict_items.len() + 3,
            Object::Reduce(r) => r.list_items.len() + 2 * r.dict_items.len() + 3,
            _ => 0,
        }
    }

    /// The data of a `bytes` or a `bytearray`; `None` for any other object.
    pub fn byte_data(&self) -> Option<&[u8]> {
        match self {
            Object::Bytes(b) => Some(b),
            Object::ByteArray(b) => Some(b),
            _ => None,
        }
    }

    /// The Python type name, as `type(obj).__name__` prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Object::Int(_) => "int",
            Object::Str(_) => "str",
            Object::Bytes(_) => "bytes",
            Object::ByteArray(_) => "bytearray",
            Object::Complex { .. } => "complex",
            Object::Tuple(_) => "tuple",
            Object::List(_) => "list",
            Object::Dict(_) => "dict",
            Object::Set(_) => "set",
            Object::FrozenSet(_) => "frozenset",
            Object::Global(_) => "global",
            Object::Instance(_) => "instance",
            Object::Reduce(_) => "reduce",
            Object::Persistent(_) => "persistent",
            Object::Buffer(_) => "PickleBuffer",
        }
    }
}

impl Value {
    /// The Python type name of an inline value, or `None` for a reference.
    pub fn atom_type_name(&self) -> Option<&'static str> {
        match self {
            Value::None => Some("NoneType"),
            Value::Bool(_) => Some("bool"),
            Value::Int(_) => Some("int"),
            Value::Float(_) => Some("float"),
            Value::Ref(_) => None,
        }
    }
}
