//! Any bytes: loading never panics; whatever loads also dumps at every
//! protocol (or fails cleanly) and what we dump loads again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pypickle::{Pickler, Unpickler};

fuzz_target!(|data: &[u8]| {
    for mut unpickler in [Unpickler::new(), Unpickler::generic().encoding("latin1")] {
        let Ok(graph) = unpickler.loads(data) else {
            continue;
        };
        let _ = graph.to_string();
        let _ = graph == graph.clone();
        for protocol in 0..=5 {
            if let Ok(bytes) = Pickler::new(protocol).dumps(&graph) {
                Unpickler::generic()
                    .encoding("latin1")
                    .loads(&bytes)
                    .expect("what pypickle writes, pypickle reads");
            }
        }
    }
});
