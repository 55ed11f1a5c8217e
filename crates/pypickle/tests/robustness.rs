//! No input makes the codec panic: CPython-made pickles, truncated at every
//! offset and mutated at random, either load or fail with an error; what
//! loads also dumps at every protocol (or fails cleanly) and loads back.

use pypickle::{Pickler, Unpickler};

const SAMPLES: &[&[u8]] = &[
    include_bytes!("../../../examples/data/tour.p4.pkl"),
    include_bytes!("../../../examples/data/seed.p0.pkl"),
    include_bytes!("../../../examples/data/seed.p2.pkl"),
    include_bytes!("../../../examples/data/stream.p4.pkl"),
];

/// A small deterministic generator (xorshift64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn exercise(data: &[u8]) {
    for mut unpickler in [Unpickler::new(), Unpickler::generic()] {
        let Ok(graph) = unpickler.loads(data) else {
            continue;
        };
        let _ = graph.to_string();
        for protocol in 0..=5 {
            if let Ok(bytes) = Pickler::new(protocol).dumps(&graph) {
                Unpickler::generic()
                    .loads(&bytes)
                    .unwrap_or_else(|e| panic!("our own output failed to load: {e}: {data:?}"));
            }
        }
    }
}

#[test]
fn every_truncation_is_an_error() {
    // The stream sample holds several pickles, so only the others apply.
    for sample in &SAMPLES[..3] {
        for cut in 0..sample.len() - 1 {
            let err = Unpickler::generic().loads(&sample[..cut]).unwrap_err();
            assert!(err.is_eof() || err.offset().is_some(), "{err}");
        }
    }
}

#[test]
fn random_mutations_never_panic() {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for round in 0..100_000 {
        let sample = SAMPLES[round % SAMPLES.len()];
        let mut data = sample.to_vec();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(data.len());
            match rng.below(3) {
                0 => data[at] = rng.next() as u8,
                1 => {
                    data.remove(at);
                }
                _ => data.insert(at, rng.next() as u8),
            }
        }
        exercise(&data);
    }
}
