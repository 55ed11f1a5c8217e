//! The seed's `pickle_state.py` classes: `MyClass` pickles a separate
//! `State` object (`__getstate__`) and rebuilds itself from it
//! (`__setstate__`).

use pypickle::class::{FromGraph, Pickle, ToGraph, Unpickle};
use pypickle::{PyStr, Value};

/// `State`: a plain class whose attributes are its fields.
#[derive(Default, pypickle::Pickle, pypickle::Unpickle)]
#[pickle(module = "__main__", name = "State")]
pub struct State {
    pub name: String,
}

impl std::fmt::Display for State {
    // 'State({!r})'.format(self.__dict__)
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "State({{'name': {}}})",
            PyStr::from(self.name.as_str()).repr()
        )
    }
}

#[derive(Debug, Default, PartialEq)]
pub struct MyClass {
    pub name: String,
    pub computed: String,
}

impl MyClass {
    pub fn new(name: &str) -> Self {
        println!("MyClass.__init__({name})");
        let mut obj = MyClass::default();
        obj.set_name(name);
        obj
    }

    fn set_name(&mut self, name: &str) {
        self.name = name.to_owned();
        self.computed = name.chars().rev().collect();
    }
}

impl std::fmt::Display for MyClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MyClass({}) (computed={})",
            PyStr::from(self.name.as_str()).repr(),
            PyStr::from(self.computed.as_str()).repr()
        )
    }
}

impl Pickle for MyClass {
    const MODULE: &'static str = "__main__";
    const NAME: &'static str = "MyClass";

    // __getstate__
    fn get_state(&self, p: &mut ToGraph) -> pypickle::Result<Option<Value>> {
        let state = State {
            name: self.name.clone(),
        };
        println!("__getstate__ -> {state}");
        p.value(&state).map(Some)
    }
}

impl Unpickle for MyClass {
    const MODULE: &'static str = "__main__";
    const NAME: &'static str = "MyClass";

    fn new(_l: &mut FromGraph, _args: &[Value]) -> pypickle::Result<Self> {
        Ok(MyClass::default())
    }

    // __setstate__
    fn set_state(&mut self, l: &mut FromGraph, state: Value) -> pypickle::Result<()> {
        let state: State = l.value(state)?;
        println!("__setstate__({state})");
        self.set_name(&state.name);
        Ok(())
    }

    fn register_fields(registry: &mut pypickle::class::Registry) {
        registry.add::<State>();
    }
}
