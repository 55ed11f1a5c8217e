//! Typed values into an object graph.

use std::any::Any;
use std::collections::HashMap;

use super::{Pickle, ToPython, DEFAULT_MAX_DEPTH};
use crate::error::{Error, Result};
use crate::value::{Global, Graph, Instance, Items, ObjId, Object, PyInt, Value};

/// A hook that may turn an instance into a persistent id, as Python's
/// `Pickler.persistent_id` does: return `Some(pid)` to write the object as
/// a reference to something stored elsewhere.
type PersistentId = Box<dyn FnMut(&dyn Any, &mut ToGraph) -> Result<Option<Value>>>;

/// Builds an object [`Graph`] from typed values, keeping what Python would
/// keep: one str object per attribute name (names are interned in Python),
/// and one object per `Rc` however often it is reached, cycles included.
///
/// ```
/// use pypickle::class::ToGraph;
/// let mut p = ToGraph::new();
/// let root = p.value(&vec![(1i64, "one".to_string())])?;
/// let graph = p.finish(root);
/// assert_eq!(graph.to_string(), "[(1, 'one')]");
/// # Ok::<(), pypickle::Error>(())
/// ```
pub struct ToGraph {
    graph: Graph,
    names: HashMap<&'static str, Value>,
    /// The one class object of each class, by module and name.
    classes: HashMap<(&'static str, &'static str), Value>,
    shared: HashMap<*const (), ObjId>,
    /// The slot the next added object takes: reserved for an `Rc` before
    /// its contents are converted, so that cycles can point at it.
    next_slot: Option<ObjId>,
    depth: usize,
    max_depth: usize,
    persistent_id: Option<PersistentId>,
    /// The protocol the graph is for, when known: some classes cannot be
    /// pickled at every protocol.
    protocol: Option<u8>,
}

impl Default for ToGraph {
    fn default() -> Self {
        ToGraph::new()
    }
}

impl ToGraph {
    /// An empty builder.
    pub fn new() -> Self {
        ToGraph {
            graph: Graph::new(),
            names: HashMap::new(),
            classes: HashMap::new(),
            shared: HashMap::new(),
            next_slot: None,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            persistent_id: None,
            protocol: None,
        }
    }

    /// A builder for a graph that will be pickled at `protocol`, so that
    /// what CPython refuses at that protocol is refused here.
    pub fn for_protocol(protocol: u8) -> Self {
        ToGraph {
            protocol: Some(protocol),
            ..ToGraph::new()
        }
    }

    /// Sets how deep values may nest (default [`DEFAULT_MAX_DEPTH`]).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Sets the persistent-id hook, Python's `Pickler.persistent_id`. It
    /// sees every instance of a [`Pickle`] type (as `&dyn Any`) before it is
    /// written; `Some(pid)` writes a persistent reference instead.
    pub fn persistent_id(
        mut self,
        hook: impl FnMut(&dyn Any, &mut ToGraph) -> Result<Option<Value>> + 'static,
    ) -> Self {
        self.persistent_id = Some(Box::new(hook));
        self
    }

    /// The graph built so far.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Finishes the graph with `root` as its root.
    pub fn finish(mut self, root: Value) -> Graph {
        self.graph.set_root(root);
        self.graph
    }

    /// Converts a value, with the depth check every nested value goes
    /// through.
    ///
    /// # Errors
    ///
    /// When the value cannot be pickled or nests too deeply.
    pub fn value<T: ToPython + ?Sized>(&mut self, v: &T) -> Result<Value> {
        if self.depth >= self.max_depth {
            return Err(Error::unpicklable(format!(
                "maximum recursion depth exceeded while pickling an object (limit {})",
                self.max_depth
            )));
        }
        self.depth += 1;
        let out = v.to_python(self);
        self.depth -= 1;
        out
    }

    /// Adds an object and returns a reference to it.
    ///
    /// # Errors
    ///
    /// When the graph is full (2^32 - 1 objects).
    pub fn add(&mut self, obj: Object) -> Result<Value> {
        if let Some(id) = self.next_slot.take() {
            if let Some(slot) = self.graph.get_mut(id) {
                *slot = obj;
            }
            return Ok(Value::Ref(id));
        }
        self.graph
            .try_add(obj)
            .map(Value::Ref)
            .ok_or_else(|| Error::unpicklable("too many objects for one graph"))
    }

    /// Adds an int of any size: inline when it fits in `i64`, else a big
    /// int object.
    ///
    /// # Errors
    ///
    /// When the graph is full.
    pub fn int(&mut self, i: impl Into<PyInt>) -> Result<Value> {
        let i: PyInt = i.into();
        match i.to_i64() {
            Some(small) => Ok(Value::Int(small)),
            None => self.add(Object::Int(i)),
        }
    }

    /// Reserves the next object's id, for containers whose items may refer
    /// back to them.
    fn reserve(&mut self) -> Result<ObjId> {
        match self.add(Object::Tuple(Items::new()))? {
            Value::Ref(id) => Ok(id),
            _ => Err(Error::unpicklable("object reservation failed")),
        }
    }

    fn fill(&mut self, id: ObjId, obj: Object) {
        if let Some(slot) = self.graph.get_mut(id) {
            *slot = obj;
        }
    }

    /// Adds a container, converting its items after it is in the graph, as
    /// Python creates a list or dict before saving what is inside.
    pub(crate) fn container(
        &mut self,
        fill: impl FnOnce(&mut Self) -> Result<Object>,
    ) -> Result<Value> {
        let id = self.reserve()?;
        let obj = fill(self)?;
        self.fill(id, obj);
        Ok(Value::Ref(id))
    }

    /// The str object for an attribute or variant name. Python interns
    /// these, so every use of one name is one object, which the pickler
    /// writes once and then fetches from the memo.
    ///
    /// # Errors
    ///
    /// When the graph is full.
    pub fn interned(&mut self, name: &'static str) -> Result<Value> {
        if let Some(&v) = self.names.get(name) {
            return Ok(v);
        }
        let v = self.add_unreserved(Object::Str(name.into()))?;
        self.names.insert(name, v);
        Ok(v)
    }

    /// Adds an object that is not the one a reserved slot waits for: a
    /// name or a class, made on the way to the reserved object.
    fn add_unreserved(&mut self, obj: Object) -> Result<Value> {
        let reserved = self.next_slot.take();
        let v = self.add(obj);
        self.next_slot = reserved;
        v
    }

    /// Starts an instance dict: `{attribute name: value}` with interned
    /// names, for [`Pickle::get_state`].
    pub fn state_dict(&mut self) -> StateDict {
        StateDict { items: Vec::new() }
    }

    /// Writes `pid` as a persistent reference (Python's `persistent_id`
    /// returning `pid`): the loader resolves it, the pickle holds only it.
    ///
    /// # Errors
    ///
    /// When the graph is full.
    pub fn persistent(&mut self, pid: Value) -> Result<Value> {
        self.add(Object::Persistent(pid))
    }

    /// A value shared through a pointer (an `Rc`), converted once and then
    /// referred to. The slot of the first object `convert` adds is reserved
    /// up front, so the value's own contents can point back at it.
    ///
    /// # Errors
    ///
    /// What `convert` returns, or an error when `convert` did not add its
    /// own object first (then cycles could not point at it).
    pub(crate) fn shared(
        &mut self,
        key: *const (),
        convert: impl FnOnce(&mut Self) -> Result<Value>,
    ) -> Result<Value> {
        if let Some(&id) = self.shared.get(&key) {
            return Ok(Value::Ref(id));
        }
        let id = self.reserve()?;
        self.shared.insert(key, id);
        self.next_slot = Some(id);
        let v = convert(self)?;
        if self.next_slot.take().is_some() {
            // No new object (an atom, or an object made earlier): nothing
            // can have referred to the slot, which stays unused.
            self.shared.remove(&key);
            return Ok(v);
        }
        if v != Value::Ref(id) {
            return Err(Error::unpicklable(
                "a shared value's ToPython must add its own object before its contents",
            ));
        }
        Ok(v)
    }

    /// Writes an instance of a class the way CPython does for a plain
    /// Python class: `cls.__new__(cls, *args)`, then the state.
    ///
    /// # Errors
    ///
    /// When the arguments or the state cannot be pickled, or the class has
    /// `__slots__`-style state and the protocol is below 2 (CPython's "a
    /// class that defines __slots__ without defining __getstate__ cannot be
    /// pickled").
    pub fn instance<T: Pickle>(&mut self, obj: &T) -> Result<Value> {
        if obj.slots_state() && self.protocol.is_some_and(|p| p < 2) {
            return Err(Error::unpicklable(
                "a class that defines __slots__ without defining __getstate__ cannot be pickled",
            ));
        }
        if let Some(mut hook) = self.persistent_id.take() {
            let pid = hook(obj as &dyn Any, self);
            self.persistent_id = Some(hook);
            if let Some(pid) = pid? {
                return self.persistent(pid);
            }
        }
        let id = self.reserve()?;
        let class = self.class::<T>()?;
        let args = obj.new_args(self)?;
        let kwargs = obj.new_kwargs(self)?;
        let state = obj.get_state(self)?;
        self.fill(
            id,
            Object::Instance(Box::new(Instance {
                class,
                args,
                kwargs,
                state,
                ..Instance::default()
            })),
        );
        Ok(Value::Ref(id))
    }

    /// The class object for `T`, one per class.
    fn class<T: Pickle>(&mut self) -> Result<Value> {
        let key = (T::MODULE, T::NAME);
        if let Some(&v) = self.classes.get(&key) {
            return Ok(v);
        }
        let v = self.add_unreserved(Object::Global(Box::new(Global {
            module: T::MODULE.into(),
            name: T::NAME.into(),
        })))?;
        self.classes.insert(key, v);
        Ok(v)
    }
}

/// An instance dict under construction; see [`ToGraph::state_dict`].
pub struct StateDict {
    items: Vec<(Value, Value)>,
}

impl StateDict {
    /// Adds the attribute `name` with the converted `value`.
    ///
    /// # Errors
    ///
    /// When the value cannot be pickled.
    pub fn field<T: ToPython + ?Sized>(
        &mut self,
        p: &mut ToGraph,
        name: &'static str,
        value: &T,
    ) -> Result<()> {
        let key = p.interned(name)?;
        let value = p.value(value)?;
        self.items.push((key, value));
        Ok(())
    }

    /// Adds an attribute whose value is already in the graph.
    ///
    /// # Errors
    ///
    /// When the graph is full.
    pub fn raw(&mut self, p: &mut ToGraph, name: &'static str, value: Value) -> Result<()> {
        let key = p.interned(name)?;
        self.items.push((key, value));
        Ok(())
    }

    /// True when no attribute was added.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds the dict to the graph and returns it.
    ///
    /// # Errors
    ///
    /// When the graph is full.
    pub fn finish(self, p: &mut ToGraph) -> Result<Value> {
        p.add(Object::Dict(self.items))
    }
}
