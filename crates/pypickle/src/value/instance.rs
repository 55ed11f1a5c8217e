//! Convenient access to generic instances: class name, attributes, args.

use super::{Graph, Object, PyStr, Value};

/// A view of an instance the loader kept generic (an
/// [`Object::Instance`], or an [`Object::Reduce`] that calls a class):
/// which class, which constructor arguments, which attributes.
///
/// ```
/// use pypickle::Unpickler;
/// // pickle.dumps(SimpleObject('pickle'), 2), SimpleObject unknown here.
/// let data = b"\x80\x02c__main__\nSimpleObject\nq\x00)\x81q\x01}q\x02(X\x04\x00\x00\x00nameq\x03X\x06\x00\x00\x00pickleq\x04X\x0e\x00\x00\x00name_backwardsq\x05X\x06\x00\x00\x00elkcipq\x06ub.";
/// let graph = Unpickler::generic().loads(data)?;
/// let obj = graph.instance(graph.root()).unwrap();
/// assert_eq!(obj.module(), Some("__main__"));
/// assert_eq!(obj.class_name(), Some("SimpleObject"));
/// let name = obj.attr("name").unwrap();
/// assert_eq!(graph.as_str(name).unwrap(), "pickle");
/// # Ok::<(), pypickle::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct InstanceView<'g> {
    graph: &'g Graph,
    class: Value,
    args: &'g [Value],
    state: Option<Value>,
}

impl Graph {
    /// A view of `v` as a generic instance, or `None` when it is not one.
    pub fn instance(&self, v: Value) -> Option<InstanceView<'_>> {
        let (class, args, state) = match self.resolve(v)? {
            Object::Instance(i) => (i.class, i.args.as_slice(), i.state),
            Object::Reduce(r) => match self.resolve(r.args)? {
                Object::Tuple(args) => (r.callable, args.as_slice(), r.state),
                _ => (r.callable, &[][..], r.state),
            },
            _ => return None,
        };
        Some(InstanceView {
            graph: self,
            class,
            args,
            state,
        })
    }
}

impl<'g> InstanceView<'g> {
    fn global(&self) -> Option<&'g super::Global> {
        match self.graph.resolve(self.class)? {
            Object::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The module of the class.
    pub fn module(&self) -> Option<&'g str> {
        self.global()?.module.as_str()
    }

    /// The qualified name of the class.
    pub fn class_name(&self) -> Option<&'g str> {
        self.global()?.name.as_str()
    }

    /// The class (normally an [`Object::Global`]).
    pub fn class(&self) -> Value {
        self.class
    }

    /// The arguments given to `cls.__new__` or to the call.
    pub fn args(&self) -> &'g [Value] {
        self.args
    }

    /// The state BUILD set, if any.
    pub fn state(&self) -> Option<Value> {
        self.state
    }

    /// The attribute `name` from the state: its dict, or the slots of a
    /// `(dict, slots)` state.
    pub fn attr(&self, name: &str) -> Option<Value> {
        self.attrs()
            .into_iter()
            .rev()
            .find(|(k, _)| **k == *name)
            .map(|(_, v)| v)
    }

    /// Every attribute in the state, dict first, then slots.
    pub fn attrs(&self) -> Vec<(&'g PyStr, Value)> {
        let dict_items = |v: Value| match self.graph.resolve(v) {
            Some(Object::Dict(items)) => items.as_slice(),
            _ => &[],
        };
        let parts: Vec<&[(Value, Value)]> = match self.state.and_then(|s| self.graph.resolve(s)) {
            Some(Object::Dict(items)) => vec![items],
            Some(Object::Tuple(pair)) if pair.len() == 2 => {
                vec![dict_items(pair[0]), dict_items(pair[1])]
            }
            _ => Vec::new(),
        };
        parts
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((self.graph.as_str(*k)?, *v)))
            .collect()
    }
}
