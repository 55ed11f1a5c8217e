//! The public API: streams, errors with offsets, options.

mod common;

use std::io::BufReader;

use pypickle::{Category, Global, Graph, Object, Pickler, Unpickler, Value};

#[test]
fn stream_reads_until_clean_eof() {
    let data: &[u8] = b"\x80\x04K\x01.\x80\x04K\x02.N.";
    let mut u = Unpickler::new();
    let mut reader = BufReader::with_capacity(3, data);
    let first = u.load(&mut reader).unwrap();
    let second = u.load(&mut reader).unwrap();
    let third = u.load(&mut reader).unwrap();
    assert_eq!(first.root(), Value::Int(1));
    assert_eq!(second.root(), Value::Int(2));
    assert_eq!(third.root(), Value::None);
    let err = u.load(&mut reader).unwrap_err();
    assert!(err.is_eof());
}

#[test]
fn truncated_stream_is_an_error_not_an_end() {
    let data: &[u8] = b"\x80\x04K\x01.\x80\x04K";
    let mut u = Unpickler::new();
    let results: Vec<_> = u.stream(data).collect();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.classify(), Category::Eof);
    assert_eq!(err.offset(), Some(8));
}

#[test]
fn empty_and_unfinished_input_are_eof_errors() {
    // CPython: loads(b'') and loads(b'N') raise EOFError.
    assert!(pypickle::loads(b"").unwrap_err().is_eof());
    assert!(pypickle::loads(b"N").unwrap_err().is_eof());
}

#[test]
fn errors_name_the_offset_and_opcode() {
    let err = pypickle::loads(b"\x80\x02K\x01a.").unwrap_err();
    assert_eq!(err.classify(), Category::Syntax);
    assert_eq!(err.offset(), Some(4));
    assert_eq!(err.opcode(), Some("APPEND"));
    assert_eq!(
        err.to_string(),
        "unpickling stack underflow at byte 4 (opcode APPEND)"
    );
}

#[test]
fn strict_policy_names_module_and_class() {
    let data = b"\x80\x03c__main__\nSimpleObject\nq\x00)\x81q\x01.";
    let err = pypickle::loads(data).unwrap_err();
    assert_eq!(err.classify(), Category::Policy);
    assert!(err
        .to_string()
        .starts_with("Can't get attribute 'SimpleObject' on <module '__main__'>"));
    let g = Unpickler::generic().loads(data).unwrap();
    assert!(matches!(g.resolve(g.root()), Some(Object::Instance(_))));
}

#[test]
fn dump_to_writer_matches_dumps() {
    let g =
        pypickle::loads(b"\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01K\x02e.").unwrap();
    let mut out = Vec::new();
    Pickler::new(4).dump(&g, &mut out).unwrap();
    assert_eq!(out, pypickle::dumps(&g, 4).unwrap());
}

#[test]
fn dump_to_writer_hands_over_pieces_with_the_same_bytes() {
    // More than the 1 MiB the pickler buffers, with a large bytes object
    // that skips framing in the middle.
    let mut py = String::from("import pickle,sys\nx=[f'item {i}' for i in range(150000)]\n");
    py.push_str("x.insert(70000, b'y'*100000)\nsys.stdout.buffer.write(pickle.dumps(x, 5))\n");
    let data = std::process::Command::new("python3")
        .args(["-c", &py])
        .output()
        .unwrap()
        .stdout;
    let g = pypickle::loads(&data).unwrap();
    assert!(pypickle::dumps(&g, 5).unwrap() == data, "CPython's bytes");
    for p in [0, 2, 4, 5] {
        struct Pieces(usize, Vec<u8>);
        impl std::io::Write for Pieces {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0 += 1;
                self.1.extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut pieces = Pieces(0, Vec::new());
        Pickler::new(p).dump(&g, &mut pieces).unwrap();
        assert!(pieces.1 == pypickle::dumps(&g, p).unwrap(), "p{p}");
        assert!(pieces.0 > 1, "p{p}: written in pieces");
    }
}

#[test]
fn persistent_ids_go_through_the_hook() {
    // pickle of [persistent('x')] at protocol 2
    let data = b"\x80\x02]q\x00X\x01\x00\x00\x00xq\x01Qa.";
    assert_eq!(
        pypickle::loads(data).unwrap_err().classify(),
        Category::Policy
    );
    let g = Unpickler::new()
        .persistent_load(|g, pid| {
            let name = g.as_str(pid).map(|s| s.to_string()).unwrap_or_default();
            Ok(g.str(format!("loaded {name}")))
        })
        .loads(data)
        .unwrap();
    assert_eq!(g.to_string(), "['loaded x']");
    let kept = Unpickler::generic().loads(data).unwrap();
    assert_eq!(pypickle::dumps(&kept, 2).unwrap(), data);
}

#[test]
fn out_of_band_buffers() {
    // pickle.dumps(PickleBuffer(bytearray(b'abc')), 5, buffer_callback=lambda b: False)
    let data = b"\x80\x05\x97.";
    assert_eq!(
        pypickle::loads(data).unwrap_err().classify(),
        Category::Policy
    );
    let g = Unpickler::new()
        .buffers([b"abc".to_vec()])
        .loads(data)
        .unwrap();
    let mut taken = Vec::new();
    let out = Pickler::new(5)
        .buffer_callback(move |b| {
            taken.push(b.data.clone());
            true
        })
        .dumps(&g)
        .unwrap();
    assert_eq!(out, data);
    // In band, as pickle.dumps(PickleBuffer(bytearray(b'abc')), 5) writes it.
    assert_eq!(
        pypickle::dumps(&g, 5).unwrap(),
        b"\x80\x05\x95\x0e\x00\x00\x00\x00\x00\x00\x00\x96\x03\x00\x00\x00\x00\x00\x00\x00abc\x94."
    );
    // A read-only buffer goes out of band with READONLY_BUFFER.
    let ro = Unpickler::new()
        .buffers([b"abc".to_vec()])
        .loads(b"\x80\x05\x97\x98.")
        .unwrap();
    assert_eq!(
        Pickler::new(5)
            .buffer_callback(|_| true)
            .dumps(&ro)
            .unwrap(),
        b"\x80\x05\x97\x98."
    );
    assert_eq!(
        pypickle::dumps(&g, 4).unwrap_err().classify(),
        Category::Pickling
    );
}

#[test]
fn extension_registry() {
    // copyreg.add_extension('mod', 'Cls', 300); pickle.dumps(Cls, 2)
    let data = b"\x80\x02\x83\x2c\x01.";
    assert!(pypickle::loads(data).is_err());
    let g = Unpickler::generic()
        .extension(300, "mod", "Cls")
        .loads(data)
        .unwrap();
    assert_eq!(g.to_string(), "mod.Cls");
    assert_eq!(
        Pickler::new(2)
            .extension(300, "mod", "Cls")
            .dumps(&g)
            .unwrap(),
        data
    );
    assert_eq!(
        Pickler::new(2).dumps(&g).unwrap(),
        b"\x80\x02cmod\nCls\nq\x00."
    );
}

#[test]
fn duplicate_keys_merge_as_in_a_python_dict() {
    // Inputs and expected re-dumps from CPython: pickle.dumps(pickle.loads(x), 2).
    let cases: &[(&[u8], &[u8])] = &[
        (
            b"\x80\x02}(K\x01K\x02\x88K\x03K\x01K\x04G?\xf0\x00\x00\x00\x00\x00\x00K\x05u.",
            b"\x80\x02}q\x00K\x01K\x05s.",
        ),
        (
            b"\x80\x04\x8f(K\x01\x88K\x02G?\xf0\x00\x00\x00\x00\x00\x00\x90.",
            b"\x80\x02c__builtin__\nset\nq\x00]q\x01(K\x01K\x02e\x85q\x02Rq\x03.",
        ),
        (
            b"\x80\x02}(X\x01\x00\x00\x00aK\x01X\x01\x00\x00\x00bK\x02X\x01\x00\x00\x00aK\x03u.",
            b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01K\x03X\x01\x00\x00\x00bq\x02K\x02u.",
        ),
    ];
    for (input, expected) in cases {
        let g = pypickle::loads(input).unwrap();
        assert_eq!(pypickle::dumps(&g, 2).unwrap(), *expected);
    }
    // A large dict takes the hashed path: 2000 keys, every one twice.
    let mut data = b"\x80\x02}(".to_vec();
    for round in 0..2 {
        for k in 0..2000u16 {
            data.push(b'M');
            data.extend_from_slice(&k.to_le_bytes());
            data.extend_from_slice(&[b'K', round]);
        }
    }
    data.extend_from_slice(b"u.");
    let g = pypickle::loads(&data).unwrap();
    let Some(Object::Dict(items)) = g.resolve(g.root()) else {
        panic!()
    };
    assert_eq!(items.len(), 2000);
    assert!(items.iter().all(|(_, v)| *v == Value::Int(1)));
}

#[test]
fn wide_int_keys_merge_with_equal_ints_and_floats_as_in_cpython() {
    // Dict keys around and beyond 128 bits (held inline up to 128, as
    // digits beyond), each written again as an equal float or a padded
    // LONG1, in a small dict and in a large one (the hashed path). CPython
    // loads each and re-dumps it; so do we.
    let script = r#"
import pickle, struct
def long1(i):
    n = (i.bit_length() + 8) // 8 + 2  # padded: CPython reads any width
    return b'\x8a' + bytes([n]) + i.to_bytes(n, 'little', signed=True)
def binfloat(f):
    return b'G' + struct.pack('>d', f)
keys = [2**64, -2**64 - 1, 2**70, -2**100, 2**127 - 1, -2**127, 2**127, 2**128, -2**128, 2**200]
def pickle_of(pairs):
    out = b'\x80\x02}('
    for k, v in pairs:
        out += k + b'K' + bytes([v])
    return out + b'u.'
small = [(long1(k), i) for i, k in enumerate(keys)]
small += [(binfloat(float(k)), 20 + i) for i, k in enumerate(keys) if float(k) == k]
small += [(long1(k), 40 + i) for i, k in enumerate(keys[::2])]
large = [(long1(2**100 + i), i % 200) for i in range(1500)]
large += [(binfloat(float(2**100 + i)), 201) for i in range(0, 1500, 7)]
for pairs in (small, large):
    data = pickle_of(pairs)
    print(data.hex(), pickle.dumps(pickle.loads(data), 2).hex())
"#;
    for line in common::python_stdout(script).lines() {
        let (input, expected) = line.split_once(' ').unwrap();
        let g = pypickle::loads(&common::from_hex(input)).unwrap();
        assert_eq!(pypickle::dumps(&g, 2).unwrap(), common::from_hex(expected));
    }
}

#[test]
fn unhashable_keys_are_errors() {
    // CPython: TypeError: unhashable type: 'list'
    let err = pypickle::loads(b"\x80\x02}]K\x01s.").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unhashable type: 'list' at byte 6 (opcode SETITEM)"
    );
    // Items set on a generic instance are a dict subclass's: the same rule
    // (CPython, with `class D(dict): pass`: unhashable type: 'dict'). Found
    // by the fuzzer: such a key used to load, then fail to load again once
    // re-dumped through `dict(obj)` below protocol 2.
    let data = b"\x80\x02c__main__\nD\n)\x81}K\x01s.";
    let err = pypickle::Unpickler::generic().loads(data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unhashable type: 'dict' at byte 19 (opcode SETITEM)"
    );
}

#[test]
fn stream_frames_are_read_whole_as_cpython_reads_them_from_a_file() {
    // A frame that claims more than the stream holds fails at FRAME, even
    // though its STOP arrives first; a frame that runs past its STOP leaves
    // the rest for the next load. CPython, reading a buffered file, says:
    let out = common::python_stdout(
        r#"
import io, pickle
cases = [
    b'\x80\x04\x95\x64\x00\x00\x00\x00\x00\x00\x00K\x01.',
    b'\x80\x04\x95\x08\x00\x00\x00\x00\x00\x00\x00K\x01.K\x02.K\x03.',
]
for data in cases:
    f = io.BufferedReader(io.BytesIO(data))
    seen = []
    while True:
        try:
            seen.append(repr(pickle.load(f)))
        except EOFError:
            seen.append('eof')
            break
        except pickle.UnpicklingError:
            seen.append('error')
            break
    print(data.hex(), ' '.join(seen))
"#,
    );
    for line in out.lines() {
        let (hex, want) = line.split_once(' ').unwrap();
        let data = common::from_hex(hex);
        let mut u = Unpickler::new();
        let mut seen = Vec::new();
        for result in u.stream(BufReader::with_capacity(4, data.as_slice())) {
            seen.push(result.map_or("error".into(), |g| g.to_string()));
        }
        // The stream ends cleanly where CPython's next load meets EOF.
        if seen.last().map(String::as_str) != Some("error") {
            seen.push("eof".into());
        }
        assert_eq!(seen.join(" "), want, "{hex}");
    }
}

#[test]
fn memo_indices_put_far_ahead_stay_when_the_memo_grows_over_them() {
    // PUT 2000 first (far ahead), then 0..999 and 2500; GET 2000 must
    // still find the first list, as CPython's dict memo does.
    let out = common::python_stdout(
        r#"
import pickle, struct
put = lambda i: b'r' + struct.pack('<I', i)
data = b'\x80\x02]K\x07a' + put(2000) + b'0'
for i in range(1000):
    data += b']' + put(i) + b'0'
data += b']' + put(2500) + b'0' + b'j' + struct.pack('<I', 2000) + b'.'
print(data.hex(), repr(pickle.loads(data)))
"#,
    );
    let (hex, want) = out.trim().split_once(' ').unwrap();
    let graph = pypickle::loads(&common::from_hex(hex)).unwrap();
    assert_eq!(graph.to_string(), want);
}

#[test]
fn appends_setitems_and_additems_with_no_items_do_nothing_whatever_the_object() {
    // CPython checks the object under the mark only when there is
    // something to add to it.
    let inputs: [&[u8]; 6] = [
        b"\x80\x04K\x01(e.",
        b"\x80\x04K\x01(u.",
        b"\x80\x04K\x01(\x90.",
        b"\x80\x02N(e.",
        b"\x80\x04C\x01x(u.",
        b"(lp0\nI1\n(e.",
    ];
    assert_load_as_in_cpython(&inputs);
    // With items, the object must take them, as in CPython.
    let err = pypickle::loads(b"\x80\x04K\x01(K\x02e.").unwrap_err();
    assert!(
        err.to_string()
            .contains("'int' object has no attribute 'append'"),
        "{err}"
    );
}

/// Checks that each input loads to the value CPython's `pickle.loads`
/// gives, compared by `repr`.
fn assert_load_as_in_cpython(inputs: &[&[u8]]) {
    for (data, cpython) in inputs.iter().zip(cpython_outcomes(inputs)) {
        let want = cpython.unwrap_or_else(|e| panic!("CPython refuses {data:?}: {e}"));
        let g = pypickle::loads(data).unwrap_or_else(|e| panic!("{data:?}: {e}"));
        assert_eq!(g.to_string(), want, "{data:?}");
    }
}

/// Checks that each input fails to load, in the strict and the generic
/// mode, with the message CPython's `pickle.loads` raises; returns those.
fn assert_fail_as_in_cpython(inputs: &[&[u8]]) -> Vec<String> {
    assert_fail_as_in_cpython_in(inputs, &[Unpickler::new, Unpickler::generic])
}

/// As [`assert_fail_as_in_cpython`], in the given loading modes.
fn assert_fail_as_in_cpython_in(inputs: &[&[u8]], modes: &[fn() -> Unpickler]) -> Vec<String> {
    let mut messages = Vec::new();
    for (data, cpython) in inputs.iter().zip(cpython_outcomes(inputs)) {
        let want = cpython
            .err()
            .unwrap_or_else(|| panic!("CPython loads {data:?}"));
        for mode in modes {
            let err = mode().loads(data).expect_err(&want).to_string();
            assert!(err.contains(&want), "{data:?}: {err} (CPython: {want})");
        }
        messages.push(want);
    }
    messages
}

/// Checks that CPython loads each input and that the given loading modes
/// do too, for values this crate keeps as calls or prints otherwise.
fn assert_load_where_cpython_does(inputs: &[&[u8]], modes: &[fn() -> Unpickler]) {
    for (data, cpython) in inputs.iter().zip(cpython_outcomes(inputs)) {
        assert!(cpython.is_ok(), "CPython refuses {data:?}: {cpython:?}");
        for mode in modes {
            mode()
                .loads(data)
                .unwrap_or_else(|e| panic!("{data:?}: {e}"));
        }
    }
}

/// What CPython's `pickle.loads` makes of each input: the `repr` of the
/// value, or the exception's message (newlines escaped).
fn cpython_outcomes(inputs: &[&[u8]]) -> Vec<Result<String, String>> {
    let out = common::python_stdout(&format!(
        "import pickle\nfor d in {}:\n    try:\n        print('ok', repr(pickle.loads(bytes.fromhex(d))))\n    except Exception as e:\n        print('error', str(e).replace('\\n', '\\\\n'))",
        python_hex_list(inputs)
    ));
    let outcomes: Vec<_> = out
        .lines()
        .map(|line| match line.split_once(' ') {
            Some(("ok", value)) => Ok(value.to_owned()),
            _ => Err(line.strip_prefix("error ").unwrap_or(line).to_owned()),
        })
        .collect();
    assert_eq!(outcomes.len(), inputs.len(), "{out}");
    outcomes
}

/// A Python list literal of the inputs as hex strings.
fn python_hex_list(inputs: &[&[u8]]) -> String {
    let hex: Vec<String> = inputs
        .iter()
        .map(|d| {
            format!(
                "'{}'",
                d.iter().map(|b| format!("{b:02x}")).collect::<String>()
            )
        })
        .collect();
    format!("[{}]", hex.join(", "))
}

#[test]
fn calls_of_builtins_that_cpython_refuses_are_errors_with_its_message() {
    let inputs: [&[u8]; 29] = [
        b"c__builtin__\nset\n(I1\nI2\ntR.",
        b"c__builtin__\nset\n(ccopyreg\n_reconstructor\ntR.",
        b"c__builtin__\nbytearray\n(c_codecs\nencode\ntR.",
        b"c__builtin__\nset\n(c__builtin__\nset\ntR.",
        b"c__builtin__\ncomplex\n(c__builtin__\nobject\ntR.",
        b"c__builtin__\nfrozenset\n(NtR.",
        b"c__builtin__\nset\n(F1.5\ntR.",
        b"c__builtin__\nset\n(c__builtin__\ncomplex\n(I1\nI2\ntRtR.",
        b"c__builtin__\nbytearray\n(I1\nI2\nI3\nI4\ntR.",
        b"c__builtin__\nbytearray\n(Vx\ntR.",
        b"c__builtin__\nbytearray\n(NtR.",
        b"c__builtin__\nbytearray\n((U\x01xttR.",
        b"c__builtin__\nbytearray\n((lI1\naI256\natR.",
        b"c__builtin__\nbytearray\n((I1\nL-1L\nttR.",
        b"c__builtin__\nbytearray\n((dF1.0\nI1\nstR.",
        b"c__builtin__\nbytearray\n(c__builtin__\nset\n((lI1\naNatRtR.",
        b"c__builtin__\nbytearray\n(Vx\nI3\ntR.",
        b"c__builtin__\nbytearray\n(I1\nVlatin1\ntR.",
        b"c__builtin__\ncomplex\n(I1\nI2\nI3\ntR.",
        b"c__builtin__\ncomplex\n(V1\nI2\ntR.",
        b"c__builtin__\ncomplex\n(I1\n(I2\nttR.",
        b"c__builtin__\ncomplex\n((ltR.",
        b"c_codecs\nencode\n)R.",
        b"c__builtin__\nbytearray\n(I-1\ntR.",
        b"c__builtin__\nbytearray\n(L18446744073709551616L\ntR.",
        b"ccopy_reg\n_reconstructor\n)R.",
        b"ccopy_reg\n_reconstructor\n(NNNNtR.",
        b"ccopy_reg\n__newobj__\n)R.",
        b"\x80\x04ccopyreg\n__newobj_ex__\nNN\x86R.",
    ];
    assert_fail_as_in_cpython(&inputs);
    // Calls that turn on what is not modelled: CPython takes them, and
    // here they stay calls.
    let taken: [&[u8]; 3] = [
        b"c__builtin__\ncomplex\n(V1+2j\ntR.",
        b"c__builtin__\nset\n(Vab\ntR.",
        b"c__builtin__\nbytearray\n(I3\ntR.",
    ];
    assert_load_where_cpython_does(&taken, &[Unpickler::generic]);
}

#[test]
fn bytearray_of_a_list_or_tuple_of_ints_loads_as_in_cpython() {
    assert_load_as_in_cpython(&[
        b"c__builtin__\nbytearray\n((lI1\naI255\naI00\natR.",
        b"c__builtin__\nbytearray\n((I1\nI01\nttR.",
        b"\x80\x02c__builtin__\nbytearray\n)\x85R.",
    ]);
}

#[test]
fn empty_lines_where_cpython_wants_text_are_truncated_pickles() {
    let inputs: [&[u8]; 7] = [
        b"c\nset\n.",
        b"c__builtin__\n\n.",
        b"(i\nset\n.",
        b"(i__builtin__\n\n.",
        b"I\n.",
        b"N(g\n.",
        b"Np\n.",
    ];
    let expected = assert_fail_as_in_cpython(&inputs);
    assert!(expected.iter().all(|m| m == "pickle data was truncated"));
}

#[test]
fn global_and_inst_names_decode_as_in_cpython() {
    // GLOBAL decodes its lines as UTF-8, INST as ASCII; INST looks for
    // its mark before it reads them.
    let inputs: [&[u8]; 8] = [
        b"c\xc3\nx\n.",
        b"cab\xc3(\nx\n.",
        b"c\xed\xa0\x80\nx\n.",
        b"cmod\nx\xe9\n.",
        b"(i\xc3\xa9\nx\n.",
        b"(imod\n\xc3\xa9\n.",
        b"i\xff\nx\n.",
        b"imod",
    ];
    assert_fail_as_in_cpython(&inputs);
}

#[test]
fn build_on_objects_that_keep_no_state_as_in_cpython() {
    // CPython's default __setstate__: a Python function takes any dict
    // state and new attributes, a type an empty dict state, anything an
    // empty slot state; the rest are errors.
    let taken: [&[u8]; 6] = [
        b"]N}\x86b.",
        b"ccopyreg\n_reconstructor\n}X\x01\x00\x00\x00aK\x01sb.",
        b"ccopyreg\n_reconstructor\n}K\x01K\x01sb.",
        b"ccopyreg\n_reconstructor\nN}X\x01\x00\x00\x00aK\x01s\x86b.",
        b"c_codecs\nencode\nN}\x86b.",
        b"c__builtin__\nset\n}b.",
    ];
    assert_load_where_cpython_does(&taken, &[Unpickler::new, Unpickler::generic]);
    let refused: [&[u8]; 14] = [
        b"]NX\x01\x00\x00\x00aK\x01}\x86b.",
        b"]N}X\x01\x00\x00\x00aK\x01s\x86b.",
        b"]N}K\x01K\x01s\x86b.",
        b"]}b.",
        b"]K\x01b.",
        b"]K\x01N\x86b.",
        b"]NN\x86b.",
        b"N}b.",
        b"ccopyreg\n_reconstructor\nK\x01b.",
        b"c_codecs\nencode\n}b.",
        b"c_codecs\nencode\nN}X\x01\x00\x00\x00aK\x01s\x86b.",
        b"c__builtin__\nset\n}X\x01\x00\x00\x00aK\x01sb.",
        b"c__builtin__\nset\nN}X\x01\x00\x00\x00aK\x01s\x86b.",
        b"c__builtin__\nobject\nN}K\x01K\x01s\x86b.",
    ];
    assert_fail_as_in_cpython(&refused);
}

#[test]
fn calls_of_what_cpython_cannot_call_are_errors_with_its_message() {
    // Data, and what a call of a built-in type returns; the argument list
    // is checked first.
    let inputs: [&[u8]; 5] = [b"K\x01)R.", b"K\x01]R.", b"(K\x01o.", b"(]K\x01o.", b"(No."];
    assert_fail_as_in_cpython(&inputs);
    // Calls of built-in types the strict policy refuses anyway.
    let made: [&[u8]; 3] = [
        b"\x80\x03cbuiltins\ncomplex\nK\x01K\x02\x86\x81)R.",
        b"cbuiltins\nset\nX\x02\x00\x00\x00ab\x85R)R.",
        b"\x80\x02cbuiltins\nobject\n)\x81)R.",
    ];
    assert_fail_as_in_cpython_in(&made, &[Unpickler::generic]);
    assert!(made
        .iter()
        .all(|data| Unpickler::new().loads(data).is_err()));
    // What `type()` makes is a class: calling it stays a call.
    let class = b"\x80\x02cbuiltins\ntype\nX\x01\x00\x00\x00A)}\x87R)R.";
    assert_load_where_cpython_does(&[class], &[Unpickler::generic]);
}

#[test]
fn globals_with_empty_names_fail_to_load_and_to_dump() {
    // STACK_GLOBAL of ('', 'set'), ('builtins', ''), ('builtins', '.set')
    // and ('builtins', 'set..x'), in both loading modes.
    let inputs: [&[u8]; 4] = [
        b"\x80\x04\x8c\x00\x8c\x03set\x93.",
        b"\x80\x04\x8c\x08builtins\x8c\x00\x93.",
        b"\x80\x04\x8c\x08builtins\x8c\x04.set\x93.",
        b"\x80\x04\x8c\x08builtins\x8c\x06set..x\x93.",
    ];
    let expected = cpython_outcomes(&inputs);
    for (data, cpython) in inputs.iter().zip(&expected) {
        let cpython = cpython.as_ref().expect_err("CPython refuses it");
        for mut u in [Unpickler::new(), Unpickler::generic()] {
            assert!(u.loads(data).is_err(), "{data:?} (CPython: {cpython})");
        }
    }
    assert_eq!(
        expected[0],
        Err("Empty module name".to_owned()),
        "CPython's words for an empty module"
    );
    let err = pypickle::loads(inputs[0]).unwrap_err();
    assert!(err.to_string().contains("Empty module name"), "{err}");

    // A graph built by hand with such a global cannot be written at any
    // protocol: no loader would find it.
    let mut g = Graph::new();
    let empty = g.add(Object::Global(Box::new(Global {
        module: "builtins".into(),
        name: ".set".into(),
    })));
    g.set_root(Value::Ref(empty));
    for protocol in 0..=5 {
        assert!(
            pypickle::dumps(&g, protocol).is_err(),
            "protocol {protocol}"
        );
    }
}

#[test]
fn newobj_of_a_known_function_fails_with_cpythons_message() {
    let inputs: [&[u8]; 4] = [
        b"\x80\x02c_codecs\nencode\n)\x81.",
        b"\x80\x04c_codecs\nencode\n)}\x92.",
        b"\x80\x02ccopyreg\n_reconstructor\n)\x81.",
        b"\x80\x02c__builtin__\ngetattr\n)\x81.",
    ];
    assert_fail_as_in_cpython(&inputs);
}

#[test]
fn append_and_appends_onto_a_bytearray_take_ints_that_fit_a_byte() {
    let loads: [&[u8]; 3] = [
        b"c__builtin__\nbytearray\n(tRI15\na.",
        b"c__builtin__\nbytearray\n(tR(I1\nI2\nI01\ne.",
        b"\x80\x04\x8c\x08builtins\x8c\tbytearray\x93)R(K\x00K\xffe.",
    ];
    assert_load_as_in_cpython(&loads);
    assert_fail_as_in_cpython(&[
        b"c__builtin__\nbytearray\n(tRI300\na.",
        b"c__builtin__\nbytearray\n(tR(I1\nI-1\ne.",
        b"c__builtin__\nbytearray\n(tRL300000000000000000000L\na.",
        b"c__builtin__\nbytearray\n(tR(Vx\ne.",
        b"c__builtin__\nbytearray\n(tRF1.0\na.",
    ]);
}

#[test]
fn setitem_onto_a_list_or_a_bytearray_assigns_by_index_as_in_cpython() {
    let loads: [&[u8]; 5] = [
        b"](K\x05K\x06eK\x00K\x07s.",
        b"](K\x05K\x06eJ\xff\xff\xff\xffK\x07s.",
        b"](K\x05K\x06e(\x88K\x07K\x00K\x08u.",
        b"c__builtin__\nbytearray\n(C\x02abtRK\x00K\x07s.",
        b"c__builtin__\nbytearray\n(C\x02abtRJ\xfe\xff\xff\xffK\x07s.",
    ];
    assert_load_as_in_cpython(&loads);
    assert_fail_as_in_cpython(&[
        b"]K\x00K\x01s.",
        b"](K\x05K\x06eK\x02K\x07s.",
        b"](K\x05K\x06eX\x01\x00\x00\x00aK\x07s.",
        b"](K\x05K\x06e\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01K\x07s.",
        b"](K\x05K\x06eG\x00\x00\x00\x00\x00\x00\x00\x00K\x07s.",
        b"c__builtin__\nbytearray\n(C\x02abtRK\x00M\x00\x01s.",
        b"c__builtin__\nbytearray\n(C\x02abtRK\x05K\x07s.",
        b"c__builtin__\nbytearray\n(C\x02abtRVa\nK\x07s.",
        b"c__builtin__\nbytearray\n(C\x02abtRK\x00Va\ns.",
    ]);
}
