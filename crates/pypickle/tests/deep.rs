//! A million-deep structure loads, dumps, compares, prints and drops
//! without recursion.

use pypickle::{Graph, Object, Unpickler, Value};

const DEPTH: usize = 1_000_000;

/// `[[[...[]...]]]`, DEPTH lists deep, as a protocol 4 pickle written by
/// hand: DEPTH EMPTY_LISTs, then DEPTH - 1 APPENDs.
fn deep_list_pickle() -> Vec<u8> {
    let mut data = vec![0x80, 4];
    data.extend(std::iter::repeat_n(b']', DEPTH));
    data.extend(std::iter::repeat_n(b'a', DEPTH - 1));
    data.push(b'.');
    data
}

#[test]
fn million_deep_list_round_trips() {
    let graph = pypickle::loads(&deep_list_pickle()).unwrap();
    assert_eq!(graph.len(), DEPTH);
    for protocol in [0, 2, 5] {
        let bytes = pypickle::dumps(&graph, protocol).unwrap();
        let again = pypickle::loads(&bytes).unwrap();
        assert_eq!(again, graph, "protocol {protocol}");
    }
    let text = graph.to_string();
    assert_eq!(text.len(), 2 * DEPTH);
    drop(graph);
}

#[test]
fn million_deep_tuples_and_dicts_dump() {
    let mut g = Graph::new();
    let key = g.str("k");
    let mut v = Value::None;
    for i in 0..DEPTH {
        let obj = if i % 2 == 0 {
            Object::Tuple(vec![v].into())
        } else {
            Object::Dict(vec![(key, v)])
        };
        v = Value::Ref(g.add(obj));
    }
    g.set_root(v);
    let bytes = pypickle::dumps(&g, 4).unwrap();
    let back = Unpickler::new().loads(&bytes).unwrap();
    assert_eq!(back, g);
}
