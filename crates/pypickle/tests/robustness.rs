//! No input makes the codec panic: CPython-made pickles, truncated at every
//! offset and mutated at random, either load or fail with an error, from a
//! slice and from a stream alike; what loads also dumps at every protocol
//! (or fails cleanly) and loads back.

mod common;

use std::io::BufReader;

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
        let loaded = unpickler.loads(data);
        // A stream in 5-byte pieces loads exactly what the slice does.
        let streamed = unpickler.load(BufReader::with_capacity(5, data));
        match (&loaded, &streamed) {
            (Ok(a), Ok(b)) => assert_eq!(a.to_string(), b.to_string(), "{data:?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("slice {loaded:?} but stream {streamed:?}: {data:?}"),
        }
        let Ok(graph) = loaded else {
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

/// A dict subclass instance that is its own key: CPython pickles it from
/// protocol 2 (the instance is memoized before its items) and raises
/// RecursionError below, where `copyreg._reduce_ex` saves `dict(obj)`, a
/// new dict holding the instance, before the instance. (Found by fuzzing:
/// the walk used to grow without end.)
#[test]
fn objects_reached_again_before_memoization_are_errors_not_endless_walks() {
    // pickle.dumps(c, 2) for: class C(dict): __hash__ = object.__hash__;
    // c = C(); c[c] = 'x'. The other protocols' bytes come from CPython too.
    let p2 = b"\x80\x02c__main__\nC\nq\x00)\x81q\x01h\x01X\x01\x00\x00\x00xq\x02s.";
    let p4 = b"\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x08__main__\x94\x8c\x01C\x94\x93\x94)\x81\x94h\x03\x8c\x01x\x94s.";
    let g = Unpickler::generic().loads(p2).unwrap();
    for protocol in 0..=1 {
        let err = Pickler::new(protocol).dumps(&g).unwrap_err();
        assert!(err.to_string().contains("maximum recursion depth"), "{err}");
    }
    assert_eq!(Pickler::new(2).dumps(&g).unwrap(), p2);
    assert_eq!(Pickler::new(4).dumps(&g).unwrap(), p4);

    // A tuple holding itself, which only the Graph API can build.
    let mut g = pypickle::Graph::new();
    let t = g.add(pypickle::Object::Tuple(
        vec![pypickle::Value::Int(1)].into(),
    ));
    if let Some(pypickle::Object::Tuple(items)) = g.get_mut(t) {
        items.push(pypickle::Value::Ref(t));
    }
    g.set_root(pypickle::Value::Ref(t));
    for protocol in 0..=5 {
        let err = Pickler::new(protocol).dumps(&g).unwrap_err();
        assert!(err.to_string().contains("maximum recursion depth"), "{err}");
    }
}

/// Lists of numbers (ints of up to 128 bits among them) and of short strs
/// after a MARK load in loops of their own (`load/machine/run.rs`), the
/// numbers straight into their list when an APPENDS follows. What
/// they load re-dumps to CPython's bytes (a batch of 1000 items and more),
/// and a pickle cut anywhere, or loaded under a tight allocation limit,
/// fails exactly as the main loop makes it fail. Below protocol 4 a stream
/// has no frames to look ahead in, so it takes the main loop throughout:
/// the comparison with it is the differential test.
#[test]
fn runs_of_numbers_and_strs_load_as_in_cpython_whole_or_cut() {
    let out = common::python_stdout(
        r#"
import pickle
numbers = [0, 1, 255, 256, 65535, 65536, -1, 2**31 - 1, -2**31, 1.5, -0.0, None, True, False,
           2**31, -2**31 - 1, 2**40, 2**63 - 1, 2**63, -2**63 - 1, 2**100, -2**127, 2**127 - 1, 2**128]
strs = ['', 'a', 'key', 'h\u00e9llo', '\u20ac' * 30, 'x' * 255, 'y' * 256, '\ud800', 'z' * 5000]
# A tuple's numbers (or strs) right after a list that holds items: the run
# takes them for the list's APPENDS, then finds TUPLE and puts them back on
# the stack.
after_list = [[], (1, 2, 3, 4), [5], (6, 2**100, 7.5, None), [2**100, 2], (3, 4, 5, 6),
              list(range(1000)), (7, 8, 9, 10), ['q'], ('a', 'b', 'c', 'd'),
              ['s%d' % i for i in range(1010)], ('e', 'f', 'g', 'h'), ['r'], ('i', 'x' * 40)]
obj = [numbers * 42, tuple(numbers), {'k': numbers[:5]}, numbers[:3], [2**100],
       strs, [s + str(i) for i in range(300) for s in ('a', 'bb')], ['same'] * 5, (strs[1], 2, strs[2]),
       after_list]
for p in range(1, 6):
    print(pickle.dumps(obj, p).hex())
"#,
    );
    let tight = || {
        Unpickler::generic().limits(pypickle::Limits {
            max_alloc: 3000,
            ..pypickle::Limits::default()
        })
    };
    for (line, protocol) in out.lines().zip(1u8..) {
        let data = common::from_hex(line);
        let graph = Unpickler::generic().loads(&data).unwrap();
        assert_eq!(Pickler::new(protocol).dumps(&graph).unwrap(), data);
        let streamed = Unpickler::generic()
            .load(BufReader::with_capacity(7, &data[..]))
            .unwrap();
        assert_eq!(Pickler::new(protocol).dumps(&streamed).unwrap(), data);
        let from_slice = tight().loads(&data).unwrap_err();
        let from_stream = tight().load(&data[..]).unwrap_err();
        assert_eq!(
            from_slice.to_string(),
            from_stream.to_string(),
            "p{protocol}"
        );
        for cut in 0..data.len() - 1 {
            let err = fails_alike(&data[..cut], &format!("p{protocol} cut at {cut}"));
            assert!(err.is_eof(), "p{protocol} cut at {cut}: {err}");
        }
    }
}

/// Loads `data` from a slice and from a stream in 7-byte pieces: both must
/// fail, with the same message. Returns the error.
fn fails_alike(data: &[u8], what: &str) -> pypickle::Error {
    let from_slice = Unpickler::generic().loads(data).unwrap_err();
    let from_stream = Unpickler::generic()
        .load(BufReader::with_capacity(7, data))
        .unwrap_err();
    assert_eq!(from_slice.to_string(), from_stream.to_string(), "{what}");
    from_slice
}

/// A pickle's frames end every 64 KiB, mostly inside a batch of numbers or
/// strs; from a slice, where a frame only checks that its bytes are there,
/// the runs read on over FRAME. Whole, cut around each FRAME, or with a
/// frame that claims more bytes than remain, such pickles load as a
/// stream loads them (which reads each frame whole) and re-dump to
/// CPython's bytes.
#[test]
fn runs_read_on_over_frames() {
    let out = common::python_stdout(
        r#"
import pickle, pickletools
obj = [list(range(-90000, 90000, 3)) + [0.5 * i for i in range(15000)] + [2**70] * 300,
       ['s%d' % i for i in range(40000)]]
for p in (4, 5):
    data = pickle.dumps(obj, p)
    frames = [pos for op, arg, pos in pickletools.genops(data) if op.name == 'FRAME']
    print(data.hex(), ','.join(map(str, frames)))
"#,
    );
    for line in out.lines() {
        let (hex, frames) = line.split_once(' ').expect("a pickle and its frames");
        let data = common::from_hex(hex);
        let frames: Vec<usize> = frames.split(',').map(|f| f.parse().unwrap()).collect();
        assert!(frames.len() > 5, "too few frames to test");
        let graph = Unpickler::generic().loads(&data).unwrap();
        assert_eq!(Pickler::new(data[1]).dumps(&graph).unwrap(), data);
        for &frame in &frames[1..] {
            for cut in frame - 3..frame + 12 {
                fails_alike(&data[..cut], &format!("cut at {cut}"));
            }
            // The frame's length made one more than the bytes left.
            let mut spoiled = data.clone();
            let left = (data.len() - frame - 9) as u64 + 1;
            spoiled[frame + 1..frame + 9].copy_from_slice(&left.to_le_bytes());
            let err = fails_alike(&spoiled, &format!("frame at {frame}"));
            assert!(err.is_eof(), "frame at {frame}: {err}");
        }
    }
}
