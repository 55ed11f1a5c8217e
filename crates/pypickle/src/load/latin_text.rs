//! Bytes built from their latin-1 text in the text's own memory.
//!
//! Below protocol 3, CPython pickles `bytes` as
//! `_codecs.encode(b.decode('latin1'), 'latin1')` (and `bytearray` as
//! `bytearray(text, 'latin-1')`): a str of the bytes' code points, up to
//! twice their size as UTF-8, then the call. Building the bytes in a new
//! buffer would hold both for as long as the graph lives, since the memo
//! keeps the text in the arena. When the text went nowhere but into the
//! call's argument tuple, the call instead turns the text's own buffer into
//! the bytes (every output byte lands at or before its input) and empties
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

use rustc_hash::FxHashMap;

use crate::latin1;
use crate::value::{Graph, ObjId, Object, PyStr, Value};

/// Texts shorter than this are not worth the bookkeeping. (Fuzzing takes
/// every text, so that small inputs reach all of this module.)
#[cfg(not(fuzzing))]
const MIN_TEXT: usize = 4096;
#[cfg(fuzzing)]
const MIN_TEXT: usize = 0;

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
    pub(crate) fn created(&mut self, id: ObjId, len: usize, memo_len: u64) {
        if len >= MIN_TEXT {
            self.watch(id.0, memo_len);
        }
    }

    fn watch(&mut self, id: u32, from: u64) {
        self.watched = id;
        self.watched_from = from;
        self.first_of_interest = from.min(self.taken_from);
    }

    /// DUP, or a PUT out of sequence: the watched text may get a second
    /// holder.
    #[inline(always)]
    pub(crate) fn unwatch(&mut self) {
        if self.watching() {
            self.watch(u32::MAX, u64::MAX);
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
            self.unwatch();
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
    /// text fits latin-1, empties the text and returns the bytes (or
    /// bytearray) built in its buffer. `None` leaves the call to the
    /// general path.
    pub(crate) fn take(
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
        match (graph.get(text), graph.as_str(encoding)) {
            (Some(Object::Str(s)), Some(enc))
                if super::resolve::is_latin1_name(enc) && latin1::fits(s.as_bytes()) => {}
            _ => return None,
        }
        let slot = graph.get_mut(text)?;
        let Object::Str(s) = std::mem::replace(slot, Object::Str(PyStr::from(""))) else {
            return None;
        };
        let memo_from = self.watched_from;
        self.unwatch();
        let data = latin1::from_utf8_in_place(s.into_bytes());
        let obj = if bytearray {
            Object::ByteArray(data)
        } else {
            Object::Bytes(data.into())
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
