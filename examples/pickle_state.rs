//! The seed's `pickle_state.py`: a class that pickles a separate `State`
//! object (`__getstate__`) and rebuilds itself from it (`__setstate__`).

#[path = "common/state.rs"]
mod state;

use state::MyClass;

fn main() -> pypickle::Result<()> {
    let inst = MyClass::new("name here");
    println!("Before: {inst}");

    let dumped = pypickle::dumps_as(&inst, pypickle::DEFAULT_PROTOCOL)?;

    let reloaded: MyClass = pypickle::loads_as(&dumped)?;
    println!("After: {reloaded}");
    Ok(())
}
