//! Bytes below protocol 3 are `_codecs.encode(text, 'latin1')` calls, and
//! the loader builds large ones in the text's own buffer (see the
//! `load::latin_text` module), or, from a buffer it owns, over the text
//! itself. These tests hand CPython's pickles, plain and crafted, to the
//! loader each way and compare its re-dump with CPython's.

mod common;

use common::{from_hex, python_stdout};
use pypickle::bytes::Bytes;
use pypickle::{Graph, Object, Result, Unpickler};

/// The three ways in: a borrowed slice; a buffer the loader owns, which
/// it may decode texts over; and a shared buffer, which it must not write.
fn load_each_way(data: &[u8]) -> [Result<Graph>; 3] {
    let shared = Bytes::from(data.to_vec());
    let _other_holder = shared.clone();
    [
        pypickle::loads(data),
        Unpickler::new().loads_shared(data.to_vec()),
        Unpickler::new().loads_shared(shared),
    ]
}

/// Loads each `name pickle-hex dump-hex` line each way and checks that
/// the graph re-dumps at protocol `proto` to CPython's bytes.
fn check_lines(out: &str, proto: u8) {
    let mut seen = 0;
    for line in out.lines() {
        let mut fields = line.split_whitespace();
        let (Some(name), Some(data), Some(want)) = (fields.next(), fields.next(), fields.next())
        else {
            panic!("bad line {line:?}");
        };
        for (way, graph) in load_each_way(&from_hex(data)).into_iter().enumerate() {
            let graph = graph.unwrap_or_else(|e| panic!("{name} ({way}): {e}"));
            let got = pypickle::dumps(&graph, proto).unwrap();
            assert!(
                got == from_hex(want),
                "{name} ({way}): the re-dump differs from CPython's"
            );
        }
        seen += 1;
    }
    assert!(seen > 0, "CPython printed no cases");
}

/// A protocol 2 pickle of two large bytes objects and a bytearray, as
/// CPython writes it.
fn blobs_p2() -> Vec<u8> {
    from_hex(python_stdout(
        r#"
import pickle, random
r = random.Random(11)
print(pickle.dumps([r.randbytes(5000), 'x', bytearray(r.randbytes(4500)), r.randbytes(9000)], 2).hex())
"#,
    )
    .trim())
}

#[test]
fn bytes_decoded_over_an_owned_buffer_are_views_of_it() {
    let data = blobs_p2();
    let graph = Unpickler::new().loads_shared(data.clone()).unwrap();
    let shared: Vec<bool> = graph
        .objects()
        .filter_map(|(_, obj)| match obj {
            Object::Bytes(b) => Some(b.is_shared()),
            _ => None,
        })
        .collect();
    // (At protocol 2 a bytearray is `bytearray(bytes)`: its argument is
    // the third.)
    assert_eq!(shared, [true, true, true]);
    // From a borrowed slice they are copies; the graphs are the same.
    let copied = pypickle::loads(&data).unwrap();
    assert_eq!(
        pypickle::dumps(&graph, 2).unwrap(),
        pypickle::dumps(&copied, 2).unwrap()
    );
}

/// Cut short or with a byte changed anywhere, a pickle of large bytes
/// loads from an owned buffer exactly as from a slice: the same graph, or
/// the same error at the same offset.
#[test]
fn an_owned_buffer_fails_where_a_slice_fails() {
    let data = blobs_p2();
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for cut in (0..data.len()).step_by(37) {
        inputs.push(data[..cut].to_vec());
    }
    let spoilers = [0x00, 0x80, 0xC3, 0xC4, 0xFF, b'.', b'R', b'X'];
    for (i, at) in (0..data.len()).step_by(11).enumerate() {
        let mut spoiled = data.clone();
        spoiled[at] = spoilers[i % spoilers.len()];
        inputs.push(spoiled);
    }
    for input in inputs {
        let [slice, owned, shared] = load_each_way(&input);
        let outcome = |r: Result<Graph>| match r {
            Ok(g) => Ok(pypickle::dumps(&g, 2).map_err(|e| e.to_string())),
            Err(e) => Err(e.to_string()),
        };
        let expected = outcome(slice);
        assert_eq!(outcome(owned), expected, "{input:?}");
        assert_eq!(outcome(shared), expected);
    }
}

#[test]
fn large_bytes_below_protocol_3_load_as_in_cpython() {
    let out = python_stdout(
        r#"
import pickle, random
r = random.Random(3)
for size in (1, 4095, 4096, 70000):
    for kind in (bytes, bytearray):
        for data in (r.randbytes(size), bytes(range(256)) * (size // 256 + 1)):
            obj = [kind(data), kind(data[: size // 2]), 'tail']
            for p in (0, 1, 2):
                print('%s-%d-p%d' % (kind.__name__, size, p), pickle.dumps(obj, p).hex(), pickle.dumps(obj, 2).hex())
"#,
    );
    check_lines(&out, 2);
}

#[test]
fn texts_fetched_again_after_their_bytes_are_built_come_back() {
    let out = python_stdout(
        r#"
import pickle, random, struct
r = random.Random(7)
def binunicode(s):
    b = s.encode('utf-8')
    return b'X' + struct.pack('<I', len(b)) + b
T = ''.join(chr(r.randrange(256)) for _ in range(6000))
encode = b'c_codecs\nencode\nq\x00'
head = b'\x80\x02' + encode + binunicode(T) + b'q\x01' + binunicode('latin1') + b'q\x02\x86q\x03Rq\x04'
cases = {
    # The text, fetched from the memo after the call.
    'text-again': head + b'h\x01\x86.',
    # The argument tuple, fetched after the call.
    'args-again': head + b'h\x03\x86.',
    # Both, twice.
    'both-twice': head + b'h\x01h\x03h\x01h\x03(t.',
    # The text put in a list first, then fetched for the call.
    'text-in-list-first': b'\x80\x02]q\x09' + binunicode(T) + b'q\x01a0' + encode
        + b'h\x01' + binunicode('latin1') + b'\x86Rh\x09\x86.',
    # bytearray(text, 'latin-1'), the text fetched again.
    'bytearray-text-again': b'\x80\x02c__builtin__\nbytearray\nq\x00' + binunicode(T)
        + b'q\x01' + binunicode('latin-1') + b'\x86Rh\x01\x86.',
    # The encoding's name from the memo, as CPython writes every call
    # after the first; the text fetched again.
    'name-from-memo': b'\x80\x02' + binunicode('latin1') + b'q\x00' + encode.replace(b'q\x00', b'q\x01')
        + binunicode(T) + b'q\x02h\x00\x86q\x03Rq\x04h\x02\x86.',
    # Protocol 4's MEMOIZE and SHORT_BINUNICODE around the text.
    'memoize': b'\x80\x04' + encode + binunicode(T) + b'\x94\x8c\x06latin1\x94\x86\x94R\x94h\x01\x86.',
    # The text put at an index out of sequence: it may have a second
    # holder, so the call goes the general way with the text whole.
    'put-out-of-sequence': b'\x80\x02' + encode + binunicode(T) + b'r\x00\x10\x00\x00'
        + binunicode('latin1') + b'\x86Rj\x00\x10\x00\x00\x86.',
    # The encoding's name from a memo entry put out of sequence, far
    # beyond the others.
    'name-from-far-memo': b'\x80\x02' + binunicode('latin1') + b'r\x00\x10\x00\x000' + encode
        + binunicode(T) + b'j\x00\x10\x00\x00\x86R.',
}
for name, data in cases.items():
    print(name, data.hex(), pickle.dumps(pickle.loads(data), 2).hex())
"#,
    );
    check_lines(&out, 2);
}

#[test]
fn a_large_text_past_latin1_is_an_error_as_in_cpython() {
    let out = python_stdout(
        r#"
import pickle, struct
T = 'x' * 5000 + '\u0100'
b = T.encode('utf-8')
data = b'\x80\x02c_codecs\nencode\nq\x00X' + struct.pack('<I', len(b)) + b + b'q\x01X\x06\x00\x00\x00latin1\x86R.'
try:
    pickle.loads(data)
except UnicodeEncodeError as e:
    print(data.hex(), e)
"#,
    );
    let (data, message) = out
        .trim()
        .split_once(' ')
        .expect("CPython refused the pickle");
    for result in load_each_way(&from_hex(data)) {
        let err = result.unwrap_err();
        assert!(err.to_string().contains(message), "{err} / {message}");
    }
}
