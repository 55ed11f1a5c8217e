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
    kwargs: Option<Value>,
    state: Option<Value>,
}

/// The attributes an instance state holds: BUILD's dict, and the slots of
/// a `(dict, slots)` state, as classes with `__slots__` pickle them.
#[derive(Clone, Copy)]
pub(crate) struct StateAttrs<'g> {
    graph: &'g Graph,
    pub(crate) dict: &'g [(Value, Value)],
    pub(crate) slots: &'g [(Value, Value)],
}

impl Graph {
    /// A view of `v` as a generic instance, or `None` when it is not one.
    pub fn instance(&self, v: Value) -> Option<InstanceView<'_>> {
        let (class, args, kwargs, state) = match self.resolve(v)? {
            Object::Instance(i) => (i.class, i.args.as_slice(), i.kwargs, i.state),
            Object::Reduce(r) => match self.resolve(r.args)? {
                Object::Tuple(args) => (r.callable, args.as_slice(), None, r.state),
                _ => (r.callable, &[][..], None, r.state),
            },
            _ => return None,
        };
        Some(InstanceView {
            graph: self,
            class,
            args,
            kwargs,
            state,
        })
    }

    /// `state` read as attributes: a dict, `None` (no attributes), or a
    /// `(dict or None, slots or None)` pair. `None` for any other state.
    pub(crate) fn state_attrs(&self, state: Value) -> Option<StateAttrs<'_>> {
        let dict = |v: Value| match v {
            Value::None => Some(&[][..]),
            _ => match self.resolve(v)? {
                Object::Dict(items) => Some(items.as_slice()),
                _ => None,
            },
        };
        let (dict, slots) = match self.resolve(state) {
            Some(Object::Tuple(pair)) if pair.len() == 2 => (dict(pair[0])?, dict(pair[1])?),
            _ => (dict(state)?, &[][..]),
        };
        Some(StateAttrs {
            graph: self,
            dict,
            slots,
        })
    }
}

impl<'g> StateAttrs<'g> {
    /// The value of attribute `name`, if the state has it. Slots win over
    /// the dict, and a later key over an earlier one, as setting them in
    /// order does.
    pub(crate) fn get(&self, name: &str) -> Option<Value> {
        let find = |items: &[(Value, Value)]| {
            items
                .iter()
                .rev()
                .find(|(k, _)| self.graph.as_str(*k).is_some_and(|s| *s == *name))
                .map(|(_, v)| *v)
        };
        find(self.slots).or_else(|| find(self.dict))
    }

    /// Every attribute with its value, dict first, then slots.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'g PyStr, Value)> + 'g {
        let graph = self.graph;
        self.dict
            .iter()
            .chain(self.slots)
            .filter_map(move |(k, v)| Some((graph.as_str(*k)?, *v)))
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

    /// The keyword arguments given to `cls.__new__` (NEWOBJ_EX), if any.
    pub fn kwargs(&self) -> Option<Value> {
        self.kwargs
    }

    /// The state BUILD set, if any.
    pub fn state(&self) -> Option<Value> {
        self.state
    }

    fn state_attrs(&self) -> Option<StateAttrs<'g>> {
        self.graph.state_attrs(self.state?)
    }

    /// The attribute `name` from the state: its dict, or the slots of a
    /// `(dict, slots)` state.
    pub fn attr(&self, name: &str) -> Option<Value> {
        self.state_attrs()?.get(name)
    }

    /// Every attribute in the state, dict first, then slots.
    pub fn attrs(&self) -> Vec<(&'g PyStr, Value)> {
        self.state_attrs()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }
}
