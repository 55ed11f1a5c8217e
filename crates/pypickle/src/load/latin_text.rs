//! Bytes built from their latin-1 text without keeping the text.
//!
//! Below protocol 3, CPython pickles `bytes` as
//! `_codecs.encode(b.decode('latin1'), 'latin1')` (and `bytearray` as
//! `bytearray(text, 'latin-1')`): a str of the bytes' code points, up to
//! twice their size as UTF-8, then the call. Building the bytes beside
//! the text would hold both for as long as the graph lives, since the memo
//! keeps the text in the arena. When the text went nowhere but into the
//! call's argument tuple, the call instead decodes the bytes and empties
//! the text. A pickle that later fetches the text, or its argument tuple,
//! from the memo gets the text back, rebuilt from the bytes.
//!
//! "Went nowhere else" is tracked without looking at objects: a value gets
//! a second holder only when GET or DUP copies it (a PUT only adds the
//! memo, which is accounted for). So the newest large str is watched from
//! the memo index it may first be stored at: a GET of that index or a
//! later one (the argument tuple is stored later), a DUP, or a PUT out of
//! sequence ends the watch. GETs of earlier entries, almost all of them,
//! cost one compare. (Once a text is emptied, GETs of its memo index and
//! later ones also look up the object fetched: a pickle whose bytes come
//! first and its many GETs after pays a hash look-up per GET.)
//!
//! When the input is in memory, the loader also looks ahead: if the
//! opcodes after a text are exactly those that finish the call
//! ([`predicts_call`]), it decodes the bytes straight from the input and
//! never copies the text at all. The text's object starts empty and the
//! bytes wait here ([`LatinTexts::prepared`]) for the call. Those opcodes
//! only store, fetch and pack the text, never read it; should the watch end
//! some other way all the same, the text is rebuilt from the bytes first.

use rustc_hash::FxHashMap;

use crate::latin1;
use crate::opcode::Opcode;
use crate::value::{Graph, ObjId, Object, PyBytes, PyStr, Value};

/// Texts shorter than this are not worth the bookkeeping. (Fuzzing takes
/// every text, so that small inputs reach all of this module.)
#[cfg(not(fuzzing))]
pub(crate) const MIN_TEXT: usize = 4096;
#[cfg(fuzzing)]
pub(crate) const MIN_TEXT: usize = 0;

pub(crate) struct LatinTexts {
    /// The id of the newest str of `MIN_TEXT` bytes or more while it may
    /// still be taken; `u32::MAX` when none.
    watched: u32,
    /// The memo length when `watched` was made: its entries are at this
    /// index or later.
    watched_from: u64,
    /// Emptied texts, by their id and by their argument tuple's id: the
    /// text's id and the id of the bytes built from it.
    taken: FxHashMap<ObjId, (ObjId, ObjId)>,
    /// The first memo index that may hold an emptied text or its tuple.
    taken_from: u64,
    /// The smaller of `watched_from` and `taken_from`: GETs of earlier
    /// entries need nothing more.
    first_of_interest: u64,
    /// The bytes of the watched text, decoded from the input ahead of the
    /// call (or over the input itself, as a view of it); the text's
    /// object is empty meanwhile.
    prepared: Option<PyBytes>,
}

/// A text emptied by [`LatinTexts::take`], to note once its bytes have an
/// id.
pub(crate) struct Taken {
    text: ObjId,
    args: ObjId,
    memo_from: u64,
}

impl LatinTexts {
    pub(crate) fn new() -> Self {
        LatinTexts {
            watched: u32::MAX,
            watched_from: u64::MAX,
            taken: FxHashMap::default(),
            taken_from: u64::MAX,
            first_of_interest: u64::MAX,
            prepared: None,
        }
    }

    /// True while a text could be taken: calls check for one only then.
    #[inline(always)]
    pub(crate) fn watching(&self) -> bool {
        self.watched != u32::MAX
    }

    /// A str of `len` bytes was just added as `id`, with `memo_len`
    /// entries in the memo.
    #[inline(always)]
    pub(crate) fn created(&mut self, id: ObjId, len: usize, memo_len: u64, graph: &mut Graph) {
        if len >= MIN_TEXT {
            self.watch(id.0, memo_len, graph);
        }
    }

    /// The empty str `id` was just added, with `memo_len` entries in the
    /// memo, for a text whose bytes were decoded ahead: `bytes`.
    pub(crate) fn prepared(&mut self, id: ObjId, bytes: PyBytes, memo_len: u64, graph: &mut Graph) {
        self.watch(id.0, memo_len, graph);
        self.prepared = Some(bytes);
    }

    fn watch(&mut self, id: u32, from: u64, graph: &mut Graph) {
        self.release(graph);
        self.watched = id;
        self.watched_from = from;
        self.first_of_interest = from.min(self.taken_from);
    }

    /// Gives the watched text back its characters if they were decoded
    /// ahead, before anything may read it.
    pub(crate) fn release(&mut self, graph: &mut Graph) {
        if let Some(bytes) = self.prepared.take() {
            if let Some(slot) = graph.get_mut(ObjId(self.watched)) {
                *slot = Object::Str(PyStr::from(latin1::decode(&bytes)));
            }
        }
    }

    /// DUP, or a PUT out of sequence: the watched text may get a second
    /// holder.
    #[inline(always)]
    pub(crate) fn unwatch(&mut self, graph: &mut Graph) {
        if self.watching() {
            self.watch(u32::MAX, u64::MAX, graph);
        }
    }

    /// True when a GET of memo entry `idx` may copy a text watched or
    /// emptied here: then call [`LatinTexts::fetched`].
    #[inline(always)]
    pub(crate) fn concerns(&self, idx: u64) -> bool {
        idx >= self.first_of_interest
    }

    /// GET copied `v` from memo entry `idx`: may end the watch, and brings
    /// back a text this module emptied.
    pub(crate) fn fetched(&mut self, idx: u64, v: Value, graph: &mut Graph) {
        if idx >= self.watched_from {
            self.unwatch(graph);
        }
        if let Value::Ref(id) = v {
            self.restore(id, graph);
        }
    }

    fn restore(&mut self, id: ObjId, graph: &mut Graph) {
        let Some((text, bytes)) = self.taken.get(&id).copied() else {
            return;
        };
        let restored = match graph.get(bytes) {
            Some(Object::Bytes(b)) => latin1::decode(b),
            Some(Object::ByteArray(b)) => latin1::decode(b),
            _ => return,
        };
        if let Some(slot) = graph.get_mut(text) {
            *slot = Object::Str(PyStr::from(restored));
        }
        self.taken.retain(|_, &mut (t, _)| t != text);
        if self.taken.is_empty() {
            self.taken_from = u64::MAX;
            self.first_of_interest = self.watched_from;
        }
    }

    /// For the call `_codecs.encode(*args)` (or `bytearray(*args)`): when
    /// `args` are the watched text and a latin-1 encoding name, and the
    /// text's code points are all below 256, empties the text and returns
    /// the bytes (or bytearray). `None` leaves the call to the general
    /// path, with the text whole.
    pub(crate) fn take(
        &mut self,
        graph: &mut Graph,
        bytearray: bool,
        args: Value,
    ) -> Option<(Object, Taken)> {
        let taken = self.try_take(graph, bytearray, args);
        if taken.is_none() {
            self.release(graph);
        }
        taken
    }

    fn try_take(
        &mut self,
        graph: &mut Graph,
        bytearray: bool,
        args: Value,
    ) -> Option<(Object, Taken)> {
        let Value::Ref(args_id) = args else {
            return None;
        };
        let Some(Object::Tuple(items)) = graph.get(args_id) else {
            return None;
        };
        let [Value::Ref(text), encoding] = items[..] else {
            return None;
        };
        if text.0 != self.watched {
            return None;
        }
        let s = match (graph.get(text), graph.as_str(encoding)) {
            (Some(Object::Str(s)), Some(enc)) if super::resolve::is_latin1_name(enc) => s,
            _ => return None,
        };
        let data = match self.prepared.take() {
            Some(bytes) => bytes,
            None => latin1::from_utf8(s.as_bytes())?.into(),
        };
        *graph.get_mut(text)? = Object::Str(PyStr::from(""));
        let memo_from = self.watched_from;
        self.unwatch(graph);
        let obj = if bytearray {
            Object::ByteArray(data.into_vec())
        } else {
            Object::Bytes(data)
        };
        Some((
            obj,
            Taken {
                text,
                args: args_id,
                memo_from,
            },
        ))
    }

    /// Notes that the object `take` built is `bytes`, so that fetching the
    /// text or its argument tuple again rebuilds the text.
    pub(crate) fn note(&mut self, taken: Taken, bytes: Value) {
        let Value::Ref(bytes) = bytes else {
            return;
        };
        for id in [taken.text, taken.args] {
            self.taken.insert(id, (taken.text, bytes));
        }
        self.taken_from = self.taken_from.min(taken.memo_from);
        self.first_of_interest = self.watched_from.min(self.taken_from);
    }
}

/// True when `after`, the input right after a text, starts with the
/// opcodes CPython writes to finish `_codecs.encode(text, 'latin1')` or
/// `bytearray(text, 'latin-1')` at protocol 2: a memo put or none, the
/// encoding's name (a new str, or a GET of one `memo_str` finds), a put or
/// none, TUPLE2, a put or none, REDUCE.
pub(crate) fn predicts_call<'g>(after: &[u8], memo_str: impl Fn(u64) -> Option<&'g PyStr>) -> bool {
    let mut rest = after;
    skip_put(&mut rest);
    // The name comes as a str (a 4- or 1-byte length) or from the memo
    // (a 1- or 4-byte index).
    let named = match take_op(&mut rest) {
        Some(Opcode::BinUnicode) => new_name(&mut rest, 4),
        Some(Opcode::ShortBinUnicode) => new_name(&mut rest, 1),
        Some(Opcode::BinGet) => take_uint(&mut rest, 1)
            .and_then(&memo_str)
            .is_some_and(super::resolve::is_latin1_name),
        Some(Opcode::LongBinGet) => take_uint(&mut rest, 4)
            .and_then(&memo_str)
            .is_some_and(super::resolve::is_latin1_name),
        _ => false,
    };
    if !named {
        return false;
    }
    skip_put(&mut rest);
    if take_op(&mut rest) != Some(Opcode::Tuple2) {
        return false;
    }
    skip_put(&mut rest);
    take_op(&mut rest) == Some(Opcode::Reduce)
}

/// A str argument with a `width`-byte length: true when it names latin-1.
fn new_name(rest: &mut &[u8], width: u64) -> bool {
    take_uint(rest, width)
        .and_then(|n| take(rest, n))
        .is_some_and(|name| std::str::from_utf8(name).is_ok_and(super::resolve::is_latin1_label))
}

fn skip_put(rest: &mut &[u8]) {
    let before = *rest;
    let width = match take_op(rest) {
        Some(Opcode::BinPut) => 1,
        Some(Opcode::LongBinPut) => 4,
        Some(Opcode::Memoize) => 0,
        _ => {
            *rest = before;
            return;
        }
    };
    if take(rest, width as u64).is_none() {
        *rest = before;
    }
}

fn take_op(rest: &mut &[u8]) -> Option<Opcode> {
    let (&code, tail) = rest.split_first()?;
    *rest = tail;
    Opcode::from_u8(code)
}

fn take<'a>(rest: &mut &'a [u8], n: u64) -> Option<&'a [u8]> {
    let n = usize::try_from(n).ok()?;
    let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
    *rest = tail;
    Some(head)
}

/// A little-endian unsigned int of `width` bytes.
fn take_uint(rest: &mut &[u8], width: u64) -> Option<u64> {
    let bytes = take(rest, width)?;
    Some(bytes.iter().rev().fold(0, |n, &b| (n << 8) | u64::from(b)))
}
