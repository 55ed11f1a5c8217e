//! Typed values out of an object graph.

use std::any::Any;
use std::collections::HashMap;

use super::{FromPython, Unpickle, DEFAULT_MAX_DEPTH};
use crate::error::{Error, ErrorCode, Result};
use crate::value::expansion::Expansion;
use crate::value::instance::StateAttrs;
use crate::value::{Graph, ObjId, Object, PyStr, Value};

/// Reads typed values out of an object [`Graph`]. It remembers the
/// `Rc`s it made by object, so an object reached twice becomes one `Rc`
/// and cycles through [`Unpickle`] types close.
///
/// ```
/// use pypickle::class::FromGraph;
/// let graph = pypickle::loads(b"\x80\x04]\x94(K\x01K\x02e.")?;
/// let items: Vec<i64> = FromGraph::new(&graph).root()?;
/// assert_eq!(items, [1, 2]);
/// # Ok::<(), pypickle::Error>(())
/// ```
pub struct FromGraph<'g> {
    graph: &'g Graph,
    shared: HashMap<ObjId, Box<dyn Any>>,
    depth: usize,
    max_depth: usize,
    /// Bytes the values read may still take (16 a value, plus str and
    /// bytes data).
    budget: Expansion,
}

pub(crate) fn mismatch(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::TypeMismatch(message.into()))
}

impl<'g> FromGraph<'g> {
    /// A reader of `graph`.
    ///
    /// An object reached twice is read twice (except through `Rc`), so the
    /// values read may take at most 16 times what the graph holds, counted
    /// as typed serde loading counts them (see [`crate::Limits::max_alloc`]):
    /// sharing cannot make a small pickle expand without bound.
    pub fn new(graph: &'g Graph) -> Self {
        FromGraph {
            graph,
            shared: HashMap::new(),
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            budget: Expansion::new(16, 1 << 20, u64::MAX),
        }
    }

    /// Sets how deep typed values may nest (default [`DEFAULT_MAX_DEPTH`]). The conversion
    /// recurses along the target type, so a recursive type reading a deep
    /// (or cyclic, without `Rc`) graph stops here with an error instead of
    /// overflowing the stack.
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The graph being read.
    pub fn graph(&self) -> &'g Graph {
        self.graph
    }

    /// Reads the graph's root as a `T`.
    ///
    /// # Errors
    ///
    /// When the root does not fit `T`.
    pub fn root<T: FromPython>(&mut self) -> Result<T> {
        self.value(self.graph.root())
    }

    /// Reads `v` as a `T`, with the depth and size checks every nested
    /// value goes through.
    ///
    /// # Errors
    ///
    /// When `v` does not fit `T`, values nest too deeply, or shared
    /// objects read over and over exceed the size limit.
    pub fn value<T: FromPython>(&mut self, v: Value) -> Result<T> {
        if self.depth >= self.max_depth {
            return Err(Error::new(ErrorCode::DepthLimit(self.max_depth)));
        }
        let data = match self.graph.resolve(v) {
            Some(Object::Str(s)) => s.len(),
            Some(obj) => obj.byte_data().map_or(0, <[u8]>::len),
            None => 0,
        };
        if !self.budget.spend(self.graph, 16 + data as u64) {
            return Err(Error::new(ErrorCode::AllocationLimit(self.budget.limit())));
        }
        self.depth += 1;
        let out = T::from_python(self, v);
        self.depth -= 1;
        out
    }

    /// The object `v` refers to, or `None` for an atom.
    pub fn object(&self, v: Value) -> Option<&'g Object> {
        self.graph.resolve(v)
    }

    /// The Python type name of `v`, for error messages.
    pub fn type_name(&self, v: Value) -> &'static str {
        match v {
            Value::Ref(_) => self.object(v).map_or("object", Object::type_name),
            _ => v.atom_type_name().unwrap_or("object"),
        }
    }

    /// The persistent id `v` stands for, when `v` is a persistent reference
    /// the loader kept (see [`crate::Persistent::Keep`]).
    pub fn persistent_id(&self, v: Value) -> Option<Value> {
        match self.object(v)? {
            Object::Persistent(pid) => Some(*pid),
            _ => None,
        }
    }

    /// The `(args, kwargs, state)` of an instance of `T`'s class, however
    /// the pickle built it: NEWOBJ, NEWOBJ_EX, `copyreg._reconstructor`,
    /// INST, OBJ, or a call of the class.
    fn instance_parts<T: Unpickle>(&self, v: Value) -> Result<Parts> {
        let Some(inst) = self.graph.instance(v) else {
            return Err(mismatch(format!(
                "expected an instance of {}.{}, found {}",
                T::MODULE,
                T::NAME,
                self.type_name(v)
            )));
        };
        match (inst.module(), inst.class_name()) {
            (Some(m), Some(n)) if m == T::MODULE && n == T::NAME => Ok(Parts {
                args: inst.args().to_vec(),
                kwargs: inst.kwargs(),
                state: inst.state(),
            }),
            (Some(m), Some(n)) => Err(mismatch(format!(
                "expected an instance of {}.{}, found an instance of {m}.{n}",
                T::MODULE,
                T::NAME
            ))),
            _ => Err(mismatch(format!(
                "expected an instance of {}.{}, found an instance of an unnamed class",
                T::MODULE,
                T::NAME
            ))),
        }
    }

    /// Rebuilds an instance of `T`: `T::new(args)`, then `set_state` when
    /// the pickle holds a state.
    ///
    /// # Errors
    ///
    /// When `v` is not an instance of `T`'s class or its data does not fit.
    pub fn instance<T: Unpickle>(&mut self, v: Value) -> Result<T> {
        let (mut obj, state) = self.instance_new::<T>(v)?;
        if let Some(state) = state {
            obj.set_state(self, state)?;
        }
        Ok(obj)
    }

    /// The `Rc` already made for the object `v`, if any.
    pub(crate) fn known<R: Any + Clone>(&self, v: Value) -> Result<Option<R>> {
        let Value::Ref(id) = v else { return Ok(None) };
        match self.shared.get(&id) {
            None => Ok(None),
            Some(any) => any.downcast_ref::<R>().cloned().map(Some).ok_or_else(|| {
                mismatch("one object is read as two different Rust types".to_string())
            }),
        }
    }

    /// Remembers the `Rc` made for the object `v`.
    pub(crate) fn remember<R: Any>(&mut self, v: Value, rc: R) {
        if let Value::Ref(id) = v {
            self.shared.insert(id, Box::new(rc));
        }
    }

    /// Splits an instance of `T` for a two-step rebuild: `T::new`, then
    /// (after the caller made the new object reachable) its state.
    pub(crate) fn instance_new<T: Unpickle>(&mut self, v: Value) -> Result<(T, Option<Value>)> {
        let Parts {
            args,
            kwargs,
            state,
        } = self.instance_parts::<T>(v)?;
        Ok((T::new_ex(self, &args, kwargs)?, state))
    }

    /// The attributes in an instance state: a dict, or the `(dict,
    /// slots)` pair classes with `__slots__` pickle.
    ///
    /// # Errors
    ///
    /// When `state` is neither.
    pub fn attrs<T: Unpickle>(&self, state: Value) -> Result<Attrs<'g>> {
        let state = self
            .graph
            .state_attrs(state)
            .ok_or_else(|| self.bad_state::<T>(state))?;
        Ok(Attrs {
            class: (T::MODULE, T::NAME),
            state,
        })
    }

    fn bad_state<T: Unpickle>(&self, state: Value) -> Error {
        mismatch(format!(
            "the state of {}.{} should be a dict or a (dict, slots) pair, found {}",
            T::MODULE,
            T::NAME,
            self.type_name(state)
        ))
    }
}

/// What an instance is made of: `__new__`'s arguments and the state.
struct Parts {
    args: Vec<Value>,
    kwargs: Option<Value>,
    state: Option<Value>,
}

/// The attributes of an instance state; see [`FromGraph::attrs`].
pub struct Attrs<'g> {
    class: (&'static str, &'static str),
    state: StateAttrs<'g>,
}

impl<'g> Attrs<'g> {
    /// The value of attribute `name`, if the state has it. Slots win over
    /// the dict, as `setattr` after `__dict__.update` does.
    pub fn raw(&self, name: &str) -> Option<Value> {
        self.state.get(name)
    }

    /// Attribute `name` as a `T`.
    ///
    /// # Errors
    ///
    /// When the attribute is missing (naming it and the class) or does not
    /// fit `T`.
    pub fn get<T: FromPython>(&self, l: &mut FromGraph, name: &str) -> Result<T> {
        match self.raw(name) {
            Some(v) => l.value(v).map_err(|e| self.in_attr(name, e)),
            None => Err(mismatch(format!(
                "the state of {}.{} has no attribute '{name}'",
                self.class.0, self.class.1
            ))),
        }
    }

    /// Attribute `name` as a `T`, or `None` when the state lacks it.
    ///
    /// # Errors
    ///
    /// When the attribute is there but does not fit `T`.
    pub fn get_opt<T: FromPython>(&self, l: &mut FromGraph, name: &str) -> Result<Option<T>> {
        match self.raw(name) {
            Some(v) => l.value(v).map(Some).map_err(|e| self.in_attr(name, e)),
            None => Ok(None),
        }
    }

    fn in_attr(&self, name: &str, e: Error) -> Error {
        if e.classify() != crate::Category::Data {
            return e;
        }
        mismatch(format!(
            "attribute '{name}' of {}.{}: {e}",
            self.class.0, self.class.1
        ))
    }

    /// Every attribute name in the state, dict first, then slots.
    pub fn names(&self) -> impl Iterator<Item = &'g PyStr> + 'g {
        self.state.iter().map(|(k, _)| k)
    }
}
