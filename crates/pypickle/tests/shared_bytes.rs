//! Large bytes without copies: `Unpickler::loads_shared` makes bytes objects
//! of 4 KiB and more views into the input, and stream loads read them
//! straight into their own buffers. These tests hand CPython's pickles to
//! every way of loading and check the graphs against each other and the
//! re-dumps against CPython's bytes.

mod common;

use std::io::BufReader;

use common::{from_hex, python_stdout};
use pypickle::{Graph, Object, Unpickler, Value};

/// The bytes objects of a graph, in arena order: (length, shared).
fn bytes_objects(g: &Graph) -> Vec<(usize, bool)> {
    g.objects()
        .filter_map(|(_, o)| match o {
            Object::Bytes(b) => Some((b.len(), b.is_shared())),
            _ => None,
        })
        .collect()
}

#[test]
fn cpython_pickles_load_the_same_from_a_slice_a_shared_buffer_and_a_stream() {
    let out = python_stdout(
        r#"
import pickle, random
r = random.Random(5)
for size in (0, 1, 255, 256, 4095, 4096, 70000, 300000):
    blob = r.randbytes(size)
    obj = [blob, blob, blob[: size // 2], bytearray(blob), {'k': blob}, 'tail']
    for p in (3, 4, 5):
        print('%d-p%d' % (size, p), pickle.dumps(obj, p).hex())
"#,
    );
    let mut seen = 0;
    for line in out.lines() {
        let (name, hex) = line.split_once(' ').expect("name and hex");
        let data = from_hex(hex);
        let plain = pypickle::loads(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
        let shared = Unpickler::new()
            .loads_shared(data.clone())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Chunks of 7 bytes make every large read span many refills.
        let streamed = Unpickler::new()
            .load(BufReader::with_capacity(7, data.as_slice()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            plain == shared && plain == streamed,
            "{name}: graphs differ"
        );
        for g in [&shared, &streamed] {
            let proto = data[1];
            assert!(
                pypickle::dumps(g, proto).unwrap() == data,
                "{name}: the re-dump differs from CPython's"
            );
        }
        // Views exactly where the data is large enough, and only there.
        for (len, is_shared) in bytes_objects(&shared) {
            assert_eq!(is_shared, len >= 4096, "{name}: a bytes of {len}");
        }
        assert!(bytes_objects(&plain).iter().all(|&(_, s)| !s));
        seen += 1;
    }
    assert_eq!(seen, 24);
}

#[test]
fn a_view_outlives_the_callers_buffer_and_detaches() {
    let mut g = Graph::new();
    let blob = g.bytes((0..10_000).map(|i| i as u8).collect::<Vec<u8>>());
    g.set_root(blob);
    let data = pypickle::bytes::Bytes::from(pypickle::dumps(&g, 5).unwrap());
    let loaded = pypickle::loads_shared(data.clone()).unwrap();
    drop(data);
    let Value::Ref(id) = loaded.root() else {
        panic!("root is bytes")
    };
    let Some(Object::Bytes(b)) = loaded.get(id) else {
        panic!("root is bytes")
    };
    assert!(b.is_shared());
    let owned = b.clone().into_vec();
    assert_eq!(owned.len(), 10_000);
    assert!(owned.iter().enumerate().all(|(i, &x)| x == i as u8));
}

#[test]
fn truncated_large_bytes_fail_the_same_way_everywhere() {
    let mut g = Graph::new();
    let blob = g.bytes(vec![1u8; 100_000]);
    g.set_root(blob);
    let mut data = pypickle::dumps(&g, 3).unwrap();
    data.truncate(50_000);
    let plain = pypickle::loads(&data).unwrap_err();
    let shared = Unpickler::new().loads_shared(data.clone()).unwrap_err();
    let streamed = Unpickler::new()
        .load(BufReader::with_capacity(7, data.as_slice()))
        .unwrap_err();
    assert!(plain.is_eof() && shared.is_eof() && streamed.is_eof());
    assert_eq!(plain.to_string(), shared.to_string());
    // The stream cannot know the length until it runs out; it reports where.
    assert!(streamed.to_string().contains("50000"), "{streamed}");
}
