//! Any bytes: loading never panics, and a slice, a shared buffer and a
//! stream load alike; whatever loads also dumps at every protocol (or fails
//! cleanly) and what we dump loads again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pypickle::{Pickler, Unpickler};

fuzz_target!(|data: &[u8]| {
    for mut unpickler in [Unpickler::new(), Unpickler::generic().encoding("latin1")] {
        let loaded = unpickler.loads(data);
        // A shared buffer changes where bytes live, never what loads:
        // neither one handed over (whose latin-1 texts may be decoded over
        // themselves) nor one held elsewhere too.
        let held = pypickle::bytes::Bytes::from(data.to_vec());
        let _also_held = held.clone();
        for shared in [
            unpickler.loads_shared(data.to_vec()),
            unpickler.loads_shared(held),
        ] {
            compare_shared(&loaded, shared);
        }
        // So does a stream in 5-byte pieces, whose frames are read whole.
        let streamed = unpickler.load(std::io::BufReader::with_capacity(5, data));
        match (&loaded, &streamed) {
            (Ok(graph), Ok(streamed)) => assert_eq!(graph.to_string(), streamed.to_string()),
            (Err(_), Err(_)) => {}
            _ => panic!("loads and load disagree"),
        }
        let Ok(graph) = loaded else {
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

/// `loaded`, from a slice, and `shared`, from a shared buffer, agree.
fn compare_shared(
    loaded: &pypickle::Result<pypickle::Graph>,
    shared: pypickle::Result<pypickle::Graph>,
) {
    match (loaded, shared) {
        (Ok(graph), Ok(shared)) => {
            // Python's == is not reflexive (NaN), so compare what shows.
            assert_eq!(graph.to_string(), shared.to_string());
            let dump = |g: &pypickle::Graph| Pickler::new(5).dumps(g).ok();
            assert!(
                dump(graph) == dump(&shared),
                "loads_shared dumps differently"
            );
        }
        (Err(e), Err(shared)) => assert_eq!(e.to_string(), shared.to_string()),
        _ => panic!("loads and loads_shared disagree"),
    }
}
