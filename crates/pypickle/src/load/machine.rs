//! The pickle machine: the stack, the marks and the memo, and one arm per
//! opcode with CPython's semantics (`Modules/_pickle.c`).
//!
//! Every pop respects the fence of the innermost MARK, exactly as CPython's
//! `Pdata` does, so bad stacks fail with CPython's messages. The machine
//! never recurses: the input cannot make it use more native stack.

use std::collections::HashMap;

use num_bigint::BigInt;

use super::latin_text::{self, LatinTexts};
use super::read::Read;
use super::resolve::{self, Policy};
use super::setstate;
use super::{Persistent, Unpickler};
use crate::error::{Error, ErrorCode, Result};
use crate::opcode::Opcode;
use crate::text::{self, IntText, Py2Text};
use crate::value::key::{repeated_keys, unhashable_type};
use crate::value::pystr::INLINE;
use crate::value::{
    Buffer, Graph, Instance, Items, ObjId, Object, PyBytes, PyInt, PyStr, Reduce, Value,
};

/// The memo: dense for the indices picklers write (0, 1, 2, ...), sparse
/// for anything a hostile pickle makes up.
///
/// A dense entry is 4 bytes, not a 16-byte `Value`: picklers memoize
/// objects, so an entry is an object id plus one (0: empty). The rare
/// atom (a crafted pickle may memoize an int) is marked [`Memo::ATOM`] and
/// kept in `sparse` under its index. A large graph's memo is millions of
/// entries, so this saves pages the kernel would fault in for every load.
#[derive(Default)]
struct Memo {
    dense: Vec<u32>,
    sparse: HashMap<u64, Value>,
    len: u64,
}

impl Memo {
    /// The dense mark of an entry held in `sparse`.
    const ATOM: u32 = u32::MAX;

    #[inline]
    fn get(&self, idx: u64) -> Option<Value> {
        match self.dense.get(idx as usize) {
            // An empty dense entry may have been set in `sparse` before the
            // dense part grew over it.
            Some(&0 | &Self::ATOM) | None => self.sparse.get(&idx).copied(),
            Some(&e) => Some(Value::Ref(ObjId(e - 1))),
        }
    }

    /// The dense entry for `v` at `idx`, recording an atom in `sparse`.
    #[inline(always)]
    fn entry(&mut self, idx: u64, v: Value) -> u32 {
        match v {
            Value::Ref(id) if id.0 < Self::ATOM - 1 => id.0 + 1,
            _ => self.atom_entry(idx, v),
        }
    }

    /// `entry` for what is not an object id, which only crafted pickles
    /// memoize.
    #[cold]
    #[inline(never)]
    fn atom_entry(&mut self, idx: u64, v: Value) -> u32 {
        self.sparse.insert(idx, v);
        Self::ATOM
    }

    /// True when `idx` is the next index and surely new: the dense part
    /// is full and nothing is in `sparse`, so [`Memo::push`] may append.
    #[inline(always)]
    fn is_next(&self, idx: u64) -> bool {
        idx == self.len && idx == self.dense.len() as u64 && self.sparse.is_empty()
    }

    /// MEMOIZE and well-behaved PUTs: appends `v` as the next entry, once
    /// [`Memo::is_next`] says that index is new.
    #[inline(always)]
    fn push(&mut self, v: Value) {
        let e = self.entry(self.dense.len() as u64, v);
        self.dense.push(e);
        self.len += 1;
    }

    fn put(&mut self, idx: u64, v: Value) {
        let dense_len = self.dense.len() as u64;
        if idx >= dense_len && idx > 2 * self.len + 1024 {
            // Grow the dense part only while it stays at least half full,
            // so made-up indices cannot make a few bytes cost megabytes.
            if self.sparse.insert(idx, v).is_none() {
                self.len += 1;
            }
            return;
        }
        if idx >= dense_len {
            self.dense.resize(idx as usize + 1, 0);
        }
        let old = self.dense[idx as usize];
        // The index may be in `sparse` too: as an atom, or set there before
        // the dense part grew over it. It moves to the dense entry.
        let known = self.sparse.remove(&idx).is_some() || old != 0;
        self.dense[idx as usize] = self.entry(idx, v);
        if !known {
            self.len += 1;
        }
    }
}

/// What [`Machine::first_keys`] found about the keys of a dict's first
/// batch.
enum FirstKeys {
    /// Hashable and free of repeats.
    Distinct,
    /// Hashable, with these repeats (as [`repeated_keys`] gives them) to
    /// merge now.
    Repeats(Vec<(usize, usize)>),
    /// Hashable; repeats are merged at STOP.
    Unchecked,
}

pub(crate) struct Machine<'u> {
    opts: &'u mut Unpickler,
    graph: Graph,
    stack: Vec<Value>,
    marks: Vec<usize>,
    /// The innermost mark's position, or 0: kept beside `marks` since
    /// every pop compares against it.
    fence: usize,
    memo: Memo,
    proto: u8,
    alloc: u64,
    /// Dicts and sets with two or more items whose keys were not checked
    /// for repeats as they came; those merge at STOP. In the order each
    /// got such keys, so a frozenset used as a key comes before its dict.
    filled: Vec<ObjId>,
    /// The dicts in `filled`, which a later batch must not list again. A
    /// dict whose first batch was checked is not listed unless another
    /// batch comes, so most records never get here.
    listed_dicts: rustc_hash::FxHashSet<ObjId>,
    /// The keys of the last batch that went into an empty dict and was
    /// found hashable and free of repeats. Records pickled in a row share
    /// their key objects through the memo, so the same keys come back.
    known_keys: Vec<Value>,
    /// Room to gather a batch's keys in.
    key_scratch: Vec<Value>,
    /// The input offset just past the last REDUCE, so that POP can tell
    /// whether REDUCE came right before it (a state setter). Kept by REDUCE
    /// alone, so other opcodes pay nothing for it.
    reduce_end: u64,
    /// Bytes built from their latin-1 text at protocols 0-2, without
    /// keeping the text.
    latin: LatinTexts,
    /// The text the machine stopped before, for the loader to decode over
    /// itself: its length, and its opcode's offset and name for errors.
    split_text: Option<(u64, u64, Opcode)>,
    /// See [`Read::frames_only_check`]: runs read on over FRAME.
    frames_only_check: bool,
}

/// Where a run of the machine ended.
pub(crate) enum Outcome {
    /// The input was empty.
    Empty,
    /// At STOP: the graph is whole.
    Stopped,
    /// Before a text of this many bytes that finishes a latin-1 encode
    /// call, for the loader to decode (a splittable input only).
    SplitText(u64),
}

mod run;

// Empty containers as constants: the arena copies them from read-only
// memory. Built on the stack, the copy read them back right after the
// stores that built them, which stalls.
const EMPTY_TUPLE: Object = Object::Tuple(Items::new());
const EMPTY_LIST: Object = Object::List(Items::new());
const EMPTY_DICT: Object = Object::Dict(Vec::new());
const EMPTY_SET: Object = Object::Set(Items::new());

/// What `n` values held by a container cost against the allocation
/// limit: 16 bytes each, the size of a [`Value`].
#[inline(always)]
fn values_cost(n: usize) -> u64 {
    n as u64 * 16
}

fn bad(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::TypeMismatch(msg.into()))
}

fn text_err(e: text::TextError) -> Error {
    match e {
        text::TextError::Truncated => Error::new(ErrorCode::Truncated),
        text::TextError::Invalid(m) => Error::new(ErrorCode::BadText(m)),
    }
}

impl<'u> Machine<'u> {
    pub(crate) fn new(opts: &'u mut Unpickler) -> Self {
        Machine {
            opts,
            graph: Graph::new(),
            stack: Vec::new(),
            marks: Vec::new(),
            fence: 0,
            memo: Memo::default(),
            proto: 0,
            alloc: 0,
            filled: Vec::new(),
            listed_dicts: Default::default(),
            known_keys: Vec::new(),
            key_scratch: Vec::new(),
            reduce_end: u64::MAX,
            latin: LatinTexts::new(),
            split_text: None,
            frames_only_check: false,
        }
    }

    /// Runs opcodes to STOP. `Ok(None)` when the input is empty.
    pub(crate) fn run<'de, R: Read<'de>>(mut self, input: &mut R) -> Result<Option<Graph>> {
        let outcome = self.begin(input)?;
        self.run_on(input, outcome)
    }

    /// Runs on from `outcome` to STOP, reading any text the machine
    /// stopped before from `input` itself. (Only a splittable input stops
    /// at a text, and its loader may not be able to split it off after
    /// all.)
    pub(crate) fn run_on<'de, R: Read<'de>>(
        mut self,
        input: &mut R,
        mut outcome: Outcome,
    ) -> Result<Option<Graph>> {
        while let Outcome::SplitText(n) = outcome {
            self.read_split_text(input, n)?;
            outcome = self.resume(input)?;
        }
        Ok(match outcome {
            Outcome::Empty => None,
            _ => Some(self.graph),
        })
    }

    /// Starts a load: runs opcodes from the first.
    pub(crate) fn begin<'de, R: Read<'de>>(&mut self, input: &mut R) -> Result<Outcome> {
        // Real pickles spend about 8-16 bytes per object; sizing the arena
        // for the densest up front saves its regrowth copies, and room never
        // used is never touched, so it takes no memory. Capped, since the
        // input might be one huge string (1M objects are 40 MB).
        let hint = input.remaining_hint() / 8;
        self.graph = Graph::with_capacity(hint.min(1 << 20));
        if self.opts.record_spans {
            self.graph.spans = Some(Vec::new());
        }
        self.stack.reserve(64);
        let Some(first) = input.next_byte()? else {
            return Ok(Outcome::Empty);
        };
        self.run_from(first, input)
    }

    /// Goes on after a text split off: from the opcode after it, which
    /// `input` starts with.
    pub(crate) fn resume<'de, R: Read<'de>>(&mut self, input: &mut R) -> Result<Outcome> {
        match input.next_byte()? {
            Some(code) => self.run_from(code, input),
            None => Err(Error::at(ErrorCode::Truncated, input.offset())),
        }
    }

    /// Runs opcodes from `code`, just read, to STOP or a text to split.
    fn run_from<'de, R: Read<'de>>(&mut self, mut code: u8, input: &mut R) -> Result<Outcome> {
        self.frames_only_check = input.frames_only_check();
        loop {
            let at = input.offset() - 1;
            let Some(op) = Opcode::from_u8(code) else {
                return Err(Error::at(ErrorCode::UnknownOpcode(code), at));
            };
            match self.step(op, input) {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => return Err(e.with_offset(at).with_opcode(op.name())),
            }
            code = match input.next_byte()? {
                Some(b) => b,
                None => return Err(Error::at(ErrorCode::Truncated, input.offset())),
            };
        }
        Ok(match self.split_text {
            Some((n, _, _)) => Outcome::SplitText(n),
            None => Outcome::Stopped,
        })
    }

    // ----- stack primitives, fenced by the innermost mark as in CPython -----

    #[inline]
    fn fence(&self) -> usize {
        self.fence
    }

    #[inline]
    fn push_mark(&mut self) {
        self.marks.push(self.stack.len());
        self.fence = self.stack.len();
    }

    #[cold]
    fn underflow(&self) -> Error {
        Error::new(if self.marks.is_empty() {
            ErrorCode::StackUnderflow
        } else {
            ErrorCode::UnexpectedMark
        })
    }

    #[inline]
    fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    #[inline]
    fn pop(&mut self) -> Result<Value> {
        if self.stack.len() <= self.fence() {
            return Err(self.underflow());
        }
        Ok(self.stack.pop().unwrap_or_default())
    }

    fn top(&self) -> Result<Value> {
        if self.stack.len() <= self.fence() {
            return Err(self.underflow());
        }
        Ok(self.stack[self.stack.len() - 1])
    }

    /// Pops the innermost mark and returns its stack position.
    fn pop_mark(&mut self) -> Result<usize> {
        let at = self
            .marks
            .pop()
            .ok_or_else(|| Error::new(ErrorCode::MarkNotFound))?;
        self.fence = self.marks.last().copied().unwrap_or(0);
        Ok(at)
    }

    /// Pops everything above the innermost mark, and the mark, into the
    /// items of a new object.
    fn pop_to_mark(&mut self) -> Result<Items> {
        let at = self.pop_mark()?;
        let items = Items::from_slice(&self.stack[at..]);
        self.stack.truncate(at);
        Ok(items)
    }

    /// Pops the innermost mark and hands `f` the items above it, straight
    /// from the stack (no copy), then pops them too. `f` must not use the
    /// stack, which is lent out meanwhile.
    #[inline]
    fn with_marked<T>(&mut self, f: impl FnOnce(&mut Self, &[Value]) -> Result<T>) -> Result<T> {
        let at = self.pop_mark()?;
        self.with_items_from(at, f)
    }

    /// As [`Machine::with_marked`], also handing `f` the object under the
    /// mark: what APPENDS, SETITEMS and ADDITEMS work on, fenced by the
    /// next mark like any pop. With no items above the mark there is
    /// nothing to do, whatever the object, and `f` is not called: CPython
    /// checks the object only when it has items to add.
    #[inline]
    fn with_marked_target(
        &mut self,
        f: impl FnOnce(&mut Self, Value, &[Value]) -> Result<()>,
    ) -> Result<()> {
        let at = self.pop_mark()?;
        if at <= self.fence() {
            return Err(self.underflow());
        }
        if at == self.stack.len() {
            return Ok(());
        }
        let target = self.stack[at - 1];
        self.with_items_from(at, |m, items| f(m, target, items))
    }

    #[inline]
    fn with_items_from<T>(
        &mut self,
        at: usize,
        f: impl FnOnce(&mut Self, &[Value]) -> Result<T>,
    ) -> Result<T> {
        let stack = std::mem::take(&mut self.stack);
        let out = f(self, &stack[at..]);
        self.stack = stack;
        self.stack.truncate(at);
        out
    }

    fn charge(&mut self, bytes: u64) -> Result<()> {
        if self.try_charge(bytes) {
            return Ok(());
        }
        Err(Error::new(ErrorCode::AllocationLimit(
            self.opts.limits.max_alloc,
        )))
    }

    /// Charges `bytes` against the allocation limit if they fit under it
    /// (leaving the count as it was if not): true when charged.
    #[inline(always)]
    fn try_charge(&mut self, bytes: u64) -> bool {
        let alloc = self.alloc.saturating_add(bytes);
        let fits = alloc <= self.opts.limits.max_alloc;
        if fits {
            self.alloc = alloc;
        }
        fits
    }

    #[inline(always)]
    fn add(&mut self, obj: Object) -> Result<Value> {
        let id = self.graph.try_add(obj).ok_or_else(|| self.full())?;
        Ok(Value::Ref(id))
    }

    #[inline(always)]
    fn push_obj(&mut self, obj: Object) -> Result<()> {
        let v = self.add(obj)?;
        self.push(v);
        Ok(())
    }

    /// Zero-copy serde: the str or bytes just pushed holds the `len` input
    /// bytes that end at `end`.
    #[inline]
    fn note_span(&mut self, end: u64, len: u64) {
        if let (true, Some(&Value::Ref(id))) = (self.graph.spans.is_some(), self.stack.last()) {
            self.graph.note_span(id, end - len);
        }
    }

    fn object(&self, v: Value) -> Option<&Object> {
        self.graph.resolve(v)
    }

    // ----- argument readers -----

    /// An N-byte little-endian unsigned argument. The width is a constant
    /// so the copy compiles to a plain load.
    #[inline]
    fn uint_arg<'de, R: Read<'de>, const N: usize>(input: &mut R) -> Result<u64> {
        let b = input.read_exact(N as u64)?;
        let mut buf = [0u8; 8];
        buf[..N].copy_from_slice(&b[..N]);
        Ok(u64::from_le_bytes(buf))
    }

    /// An unsigned argument whose width (1, 2, 4 or 8) the opcode decides.
    #[inline]
    fn len_arg<'de, R: Read<'de>>(input: &mut R, width: usize) -> Result<u64> {
        match width {
            1 => Self::uint_arg::<R, 1>(input),
            2 => Self::uint_arg::<R, 2>(input),
            4 => Self::uint_arg::<R, 4>(input),
            _ => Self::uint_arg::<R, 8>(input),
        }
    }

    fn i32_arg<'de, R: Read<'de>>(input: &mut R) -> Result<i32> {
        let b = input.read_exact(4)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A signed 4-byte length that CPython rejects when negative.
    fn signed_len<'de, R: Read<'de>>(input: &mut R, what: &str) -> Result<u64> {
        let n = Self::i32_arg(input)?;
        if n < 0 {
            return Err(bad(format!("{what} pickle has negative byte count")));
        }
        Ok(n as u64)
    }

    /// BINUNICODE and friends: pushes the str. Valid UTF-8 (almost every
    /// str) is built inline; lone surrogates and errors go the long way.
    /// `window`, when given, is the input from `bytes` on (see
    /// [`Machine::add_str`]).
    #[inline(always)]
    fn push_str(&mut self, bytes: &[u8], window: Option<&[u8; INLINE]>) -> Result<()> {
        self.charge(bytes.len() as u64)?;
        self.push_charged_str(bytes, window)
    }

    /// `push_str` once the str's bytes are charged.
    #[inline(always)]
    fn push_charged_str(&mut self, bytes: &[u8], window: Option<&[u8; INLINE]>) -> Result<()> {
        let v = match crate::utf8::validate(bytes) {
            Some(s) => self.add_str(s, window).ok_or_else(|| self.full())?,
            None => self.add(Self::surrogatepass_str(bytes)?)?,
        };
        self.pushed_text(v, bytes.len());
        Ok(())
    }

    /// Adds the str `s` to the graph, or `None` when the graph is full.
    ///
    /// An empty str is added and then filled where it lies. A str built
    /// aside and moved in was read back whole right after its bytes were
    /// copied in, and that read stalls until the copy's stores are done.
    /// With a `window` (the input from `s` on), a short `s` is copied in
    /// one fixed-size move.
    #[inline(always)]
    fn add_str(&mut self, s: &str, window: Option<&[u8; INLINE]>) -> Option<Value> {
        const EMPTY: Object = Object::Str(PyStr::empty());
        let id = self.graph.try_add(EMPTY)?;
        if let Some(Object::Str(slot)) = self.graph.get_mut(id) {
            slot.fill(s, window);
        }
        Some(Value::Ref(id))
    }

    /// The error of a graph that holds as many objects as it can.
    #[cold]
    fn full(&self) -> Error {
        Error::new(ErrorCode::AllocationLimit(self.opts.limits.max_alloc))
    }

    /// Pushes the new str `v` of `len` bytes; large ones may become bytes
    /// without their text (see `latin_text`).
    #[inline(always)]
    fn pushed_text(&mut self, v: Value, len: usize) {
        if let Value::Ref(id) = v {
            self.latin.created(id, len, self.memo.len, &mut self.graph);
        }
        self.push(v);
    }

    /// SHORT_BINUNICODE, BINUNICODE, BINUNICODE8: a `W`-byte length, then
    /// UTF-8 (surrogates allowed). True when the machine stops before the
    /// text, for the loader to decode it (see `large_bin_unicode`).
    #[inline(always)]
    fn bin_unicode<'de, R: Read<'de>, const W: usize>(&mut self, input: &mut R) -> Result<bool> {
        let n = Self::uint_arg::<R, W>(input)?;
        if n >= latin_text::MIN_TEXT as u64 {
            return self.large_bin_unicode(input, n, W);
        }
        let window = input.lookahead().first_chunk();
        let text = input.read_exact(n)?;
        self.push_str(&text, window)?;
        self.note_span(input.offset(), n);
        Ok(false)
    }

    /// `bin_unicode` of a text that may be bytes at protocols 0-2: when the
    /// opcodes after it finish `_codecs.encode(text, 'latin1')`, the
    /// bytes are decoded straight from the input and the text is never
    /// copied (see `latin_text`). From an input the loader owns, the
    /// machine instead stops before the text, charged, and the loader
    /// decodes it over itself: see [`Machine::take_split_text`].
    #[inline(never)]
    fn large_bin_unicode<'de, R: Read<'de>>(
        &mut self,
        input: &mut R,
        n: u64,
        width: usize,
    ) -> Result<bool> {
        let ahead = input.lookahead();
        let predicted = match usize::try_from(n).ok().and_then(|n| ahead.get(n..)) {
            Some(after) => self.encode_call_predicted(after),
            None => false,
        };
        if predicted && input.splittable() && self.graph.spans.is_none() {
            // The text is there whole (it has an `after`), so reading it
            // could not fail: the charge is the first error it could meet.
            self.charge(n)?;
            let at = input.offset() - width as u64 - 1;
            let op = match width {
                4 => Opcode::BinUnicode,
                _ => Opcode::BinUnicode8,
            };
            self.split_text = Some((n, at, op));
            return Ok(true);
        }
        let text = input.read_exact(n)?;
        // Charged first, as `push_str` does, before the bytes take memory.
        self.charge(n)?;
        let bytes = if predicted {
            crate::latin1::from_utf8(&text)
        } else {
            None
        };
        match bytes {
            Some(bytes) => self.push_prepared(bytes.into())?,
            None => self.push_charged_str(&text, None)?,
        }
        self.note_span(input.offset(), n);
        Ok(false)
    }

    /// Pushes the empty str of a text whose bytes were decoded ahead of
    /// the call that takes them.
    fn push_prepared(&mut self, bytes: PyBytes) -> Result<()> {
        let v = self.add(Object::Str(PyStr::empty()))?;
        if let Value::Ref(id) = v {
            self.latin
                .prepared(id, bytes, self.memo.len, &mut self.graph);
        }
        self.push(v);
        Ok(())
    }

    /// The loader's part of a text the machine stopped before: `bytes`,
    /// decoded over the text itself, or `None` when the text is not
    /// latin-1 and `text` holds it as it came. Then `resume` goes on.
    pub(crate) fn take_split_text(&mut self, bytes: Option<PyBytes>, text: &[u8]) -> Result<()> {
        let Some((_, at, op)) = self.split_text.take() else {
            return Ok(());
        };
        match bytes {
            Some(bytes) => self.push_prepared(bytes),
            None => self.push_charged_str(text, None),
        }
        .map_err(|e| e.with_offset(at).with_opcode(op.name()))
    }

    /// A text the machine stopped before, read from `input` after all:
    /// for an input that cannot split it off.
    fn read_split_text<'de, R: Read<'de>>(&mut self, input: &mut R, n: u64) -> Result<()> {
        let Some((_, at, op)) = self.split_text else {
            return Ok(());
        };
        let text = input
            .read_exact(n)
            .map_err(|e| e.with_offset(at).with_opcode(op.name()))?;
        let bytes = crate::latin1::from_utf8(&text).map(PyBytes::from);
        self.take_split_text(bytes, &text)
    }

    /// True when the stack top is `_codecs.encode` or `bytearray` and
    /// `after`, the input after a text about to be pushed, finishes the
    /// call of it on the text and a latin-1 name.
    fn encode_call_predicted(&self, after: &[u8]) -> bool {
        let callable = match self.stack.last() {
            Some(&v) if self.stack.len() > self.fence() => v,
            _ => return false,
        };
        matches!(
            resolve::global_of(&self.graph, callable),
            Some(("_codecs", "encode") | ("builtins", "bytearray"))
        ) && latin_text::predicts_call(after, |idx| {
            self.memo.get(idx).and_then(|v| self.graph.as_str(v))
        })
    }

    #[inline(never)]
    fn surrogatepass_str(bytes: &[u8]) -> Result<Object> {
        text::validate_utf8_surrogatepass(bytes).map_err(text_err)?;
        PyStr::from_surrogatepass(bytes.to_vec())
            .map(Object::Str)
            .ok_or_else(|| bad("invalid surrogatepass UTF-8"))
    }

    fn py2_string(&mut self, data: &[u8]) -> Result<Object> {
        self.charge(data.len() as u64)?;
        match text::decode_py2_string(data, &self.opts.encoding, &self.opts.errors)
            .map_err(text_err)?
        {
            Py2Text::Bytes(b) => Ok(Object::Bytes(b.into())),
            Py2Text::Str(s) => PyStr::from_surrogatepass(s)
                .map(Object::Str)
                .ok_or_else(|| bad("decoded text is not valid")),
        }
    }

    fn int_value(&mut self, i: IntText) -> Result<Value> {
        Ok(match i {
            IntText::Bool(b) => Value::Bool(b),
            IntText::Small(i) => Value::Int(i),
            IntText::Big(b) => self.big_int(b)?,
        })
    }

    fn big_int(&mut self, b: BigInt) -> Result<Value> {
        let bytes = b.bits() / 8;
        self.int_value_of(PyInt::from(b), bytes)
    }

    /// The value of an int: inline when it fits in `i64` (a crafted pickle
    /// may pad a small int), else an arena object charged `bytes` against
    /// the allocation limit.
    #[inline(always)]
    fn int_value_of(&mut self, i: PyInt, bytes: u64) -> Result<Value> {
        match i.to_i64() {
            Some(small) => Ok(Value::Int(small)),
            None => {
                self.charge(bytes)?;
                self.add(Object::Int(i))
            }
        }
    }

    /// GET and friends: the memo entry `idx`, copied.
    #[inline(always)]
    fn memo_get(&mut self, idx: i64) -> Result<Value> {
        if self.latin.concerns(idx as u64) {
            self.latin_fetched(idx as u64);
        }
        u64::try_from(idx)
            .ok()
            .and_then(|i| self.memo.get(i))
            .ok_or_else(|| Error::new(ErrorCode::MemoKeyMissing(idx)))
    }

    /// A GET that may concern a text `latin_text` watches or emptied.
    #[cold]
    #[inline(never)]
    fn latin_fetched(&mut self, idx: u64) {
        if let Some(v) = self.memo.get(idx) {
            self.latin.fetched(idx, v, &mut self.graph);
        }
    }

    /// PUT, BINPUT, LONG_BINPUT and MEMOIZE. Picklers number the memo
    /// 0, 1, 2, ...: that case appends inline, anything else goes the long
    /// way.
    ///
    /// The stack top is matched in place, not copied: the value was just
    /// pushed, its tag and payload by separate stores, and a copy reads all
    /// 16 bytes at once, which stalls until the stores are done.
    #[inline(always)]
    fn memo_put(&mut self, idx: u64) -> Result<()> {
        let next = self.appends_to_memo(idx);
        match self.stack.last() {
            Some(&Value::Ref(id)) if next => {
                self.memo.push(Value::Ref(id));
                Ok(())
            }
            _ => self.memo_put_slow(idx, next),
        }
    }

    /// True when a put of the stack top at `idx` appends to the memo: the
    /// top is above the innermost mark, and `idx` the next index, within
    /// the limit.
    #[inline(always)]
    fn appends_to_memo(&self, idx: u64) -> bool {
        self.stack.len() > self.fence() && self.is_next_memo_index(idx)
    }

    /// True when `idx` is the memo's next index, within the limit.
    #[inline(always)]
    fn is_next_memo_index(&self, idx: u64) -> bool {
        self.memo.is_next(idx) && idx <= self.opts.limits.max_memo_index
    }

    /// `memo_put` of anything but an object appended in sequence: `next`
    /// says whether `idx` is the next index, which an atom (only crafted
    /// pickles memoize one) also takes inline.
    #[inline(never)]
    fn memo_put_slow(&mut self, idx: u64, next: bool) -> Result<()> {
        let v = self.top()?;
        if next {
            self.memo.push(v);
            return Ok(());
        }
        self.memo_put_elsewhere(idx, v)
    }

    fn memo_put_elsewhere(&mut self, idx: u64, v: Value) -> Result<()> {
        self.latin.unwatch(&mut self.graph);
        if idx > self.opts.limits.max_memo_index {
            return Err(Error::new(ErrorCode::MemoLimit(
                self.opts.limits.max_memo_index as usize,
            )));
        }
        self.memo.put(idx, v);
        Ok(())
    }

    fn global(&mut self, module: PyStr, name: PyStr) -> Result<()> {
        let (module, name) = self.map_name(module, name);
        let obj = resolve::find_class(self.opts.policy, &self.opts.registry, module, name)?;
        self.push_obj(obj)
    }

    /// Applies `fix_imports` to names in protocol 0-2 pickles.
    fn map_name(&self, module: PyStr, name: PyStr) -> (PyStr, PyStr) {
        if self.proto < 3 && self.opts.fix_imports {
            if let (Some(m), Some(n)) = (module.as_str(), name.as_str()) {
                if let Some((m3, n3)) = crate::compat::to_python3(m, n) {
                    return (PyStr::from(m3), PyStr::from(n3));
                }
            }
        }
        (module, name)
    }

    /// GLOBAL's and INST's two lines: the module and the name, each
    /// decoded by `decode` (UTF-8 for GLOBAL, ASCII for INST, as in
    /// CPython). An empty line is "pickle data was truncated" in CPython,
    /// which wants at least one byte before each newline.
    fn global_names<'de, R: Read<'de>>(
        input: &mut R,
        decode: fn(&[u8]) -> std::result::Result<&str, text::TextError>,
    ) -> Result<(PyStr, PyStr)> {
        let mut name = || -> Result<PyStr> {
            let line = input.read_line()?;
            if line.is_empty() {
                return Err(Error::new(ErrorCode::Truncated));
            }
            decode(&line).map(PyStr::from).map_err(text_err)
        };
        Ok((name()?, name()?))
    }

    // ----- containers -----

    #[inline]
    fn check_hashable(&self, v: Value) -> Result<()> {
        match unhashable_type(&self.graph, v) {
            Some(t) => Err(Error::new(ErrorCode::Unhashable(format!(
                "unhashable type: '{t}'"
            )))),
            None => Ok(()),
        }
    }

    /// Inserts `[k, v, k, v, ...]` into the dict `id`, which holds
    /// `before` items. Repeated keys are merged now when the keys are
    /// plain, else once the whole pickle is read; see
    /// [`Machine::merge_keys`].
    fn dict_insert(&mut self, id: ObjId, before: usize, flat: &[Value], what: &str) -> Result<()> {
        if !flat.len().is_multiple_of(2) {
            return Err(bad(format!("odd number of items for {what}")));
        }
        self.charge(values_cost(flat.len()))?;
        let first = if before == 0 {
            self.first_keys(flat)?
        } else {
            for pair in flat.chunks_exact(2) {
                self.check_hashable(pair[0])?;
            }
            FirstKeys::Unchecked
        };
        let Some(Object::Dict(items)) = self.graph.get_mut(id) else {
            return Ok(());
        };
        if items.capacity() == 0 {
            // The common case, EMPTY_DICT then one SETITEMS: one exact
            // allocation, without reserve's growth arithmetic.
            *items = Vec::with_capacity(flat.len() / 2);
        } else {
            items.reserve(flat.len() / 2);
        }
        items.extend(flat.chunks_exact(2).map(|p| (p[0], p[1])));
        if let FirstKeys::Repeats(repeats) = &first {
            merge_pairs(items, repeats);
        }
        // Keys merged now need no merge at STOP unless more come.
        if matches!(first, FirstKeys::Unchecked) && items.len() >= 2 && self.listed_dicts.insert(id)
        {
            self.filled.push(id);
        }
        Ok(())
    }

    /// Checks that the keys of the first batch of a dict are hashable and,
    /// when they can be merged now, finds their repeats: none when they
    /// are the same objects as the last batch found free of repeats; else
    /// those of plain keys (strs, bytes, ints, names, atoms). Other keys
    /// may hold frozensets whose own repeats merge only at STOP, so they
    /// wait for [`Machine::merge_keys`].
    fn first_keys(&mut self, flat: &[Value]) -> Result<FirstKeys> {
        // `same_keys` over the batch's keys, spelled out: through a mapped
        // iterator it costs records 1.4% more instructions.
        let known = &self.known_keys;
        if flat.len() / 2 == known.len()
            && flat
                .chunks_exact(2)
                .zip(known)
                .all(|(p, k)| same_value(p[0], *k))
        {
            return Ok(FirstKeys::Distinct);
        }
        let mut plain = true;
        for pair in flat.chunks_exact(2) {
            if let Value::Ref(id) = pair[0] {
                match self.graph.get(id) {
                    Some(
                        Object::Str(_) | Object::Bytes(_) | Object::Int(_) | Object::Global(_),
                    ) => {}
                    _ => {
                        self.check_hashable(pair[0])?;
                        plain = false;
                    }
                }
            }
        }
        if !plain {
            return Ok(FirstKeys::Unchecked);
        }
        if flat.len() < 4 {
            return Ok(FirstKeys::Distinct);
        }
        let keys = &mut self.key_scratch;
        keys.clear();
        keys.extend(flat.chunks_exact(2).map(|p| p[0]));
        let repeats = repeated_keys(&self.graph, keys, &mut Vec::new());
        if repeats.is_empty() {
            std::mem::swap(&mut self.known_keys, &mut self.key_scratch);
            return Ok(FirstKeys::Distinct);
        }
        Ok(FirstKeys::Repeats(repeats))
    }

    /// Adds items to the set or frozenset `id`; duplicates merge at STOP.
    fn set_insert(&mut self, id: ObjId, items: &[Value]) -> Result<()> {
        self.charge(values_cost(items.len()))?;
        for &k in items {
            self.check_hashable(k)?;
        }
        if let Some(Object::Set(set) | Object::FrozenSet(set)) = self.graph.get_mut(id) {
            let before = set.len();
            set.extend_from_slice(items);
            if before < 2 && set.len() >= 2 {
                self.filled.push(id);
            }
        }
        Ok(())
    }

    /// Merges duplicate keys the way a Python dict or set would have while
    /// it was filled: the first key keeps its place, the last value wins.
    /// Done once per container at the end, since nothing observes the
    /// containers while a pickle loads.
    fn merge_keys(&mut self) {
        // Each container is listed once, in the order it got keys that
        // were not checked: a frozenset (built whole) before any dict
        // that uses it as a key.
        let filled = std::mem::take(&mut self.filled);
        let mut keys = Vec::new();
        let mut scratch = Vec::new();
        // The keys of the last container found free of repeats. Records
        // pickled in a row share their key objects through the memo, so
        // the same key sequence comes back again and again.
        let mut known_distinct: Vec<Value> = Vec::new();
        for id in filled {
            keys.clear();
            match self.graph.get(id) {
                Some(Object::Dict(items)) => keys.extend(items.iter().map(|kv| kv.0)),
                Some(Object::Set(items) | Object::FrozenSet(items)) => {
                    keys.extend_from_slice(items)
                }
                _ => continue,
            }
            if same_keys(keys.iter().copied(), &known_distinct) {
                continue;
            }
            let repeats = repeated_keys(&self.graph, &keys, &mut scratch);
            if repeats.is_empty() {
                std::mem::swap(&mut keys, &mut known_distinct);
                continue;
            }
            match self.graph.get_mut(id) {
                Some(Object::Dict(items)) => merge_pairs(items, &repeats),
                Some(Object::Set(items) | Object::FrozenSet(items)) => {
                    items.retain(except(&repeats))
                }
                _ => {}
            }
        }
    }

    /// APPEND/APPENDS onto the object at `target`.
    fn append(&mut self, target: Value, items: &[Value]) -> Result<()> {
        self.charge(values_cost(items.len()))?;
        let Value::Ref(id) = target else {
            return Err(bad(format!(
                "'{}' object has no attribute 'append'",
                target.atom_type_name().unwrap_or("object")
            )));
        };
        match self.graph.get_mut(id) {
            // EMPTY_LIST then APPENDS: one exact allocation.
            Some(Object::List(list)) if list.is_empty() => *list = Items::from_slice(items),
            Some(Object::List(list)) => list.extend_from_slice(items),
            Some(Object::Instance(inst)) => inst.list_items.extend_from_slice(items),
            Some(Object::Reduce(r)) => r.list_items.extend_from_slice(items),
            Some(Object::ByteArray(_)) => return self.extend_bytearray(id, items),
            Some(other) => {
                return Err(bad(format!(
                    "'{}' object has no attribute 'append'",
                    other.type_name()
                )))
            }
            None => return Err(bad("dangling reference")),
        }
        Ok(())
    }

    /// APPEND/APPENDS onto a bytearray, which has `append` and `extend`
    /// too: each item must be an int that fits a byte.
    #[cold]
    fn extend_bytearray(&mut self, id: ObjId, items: &[Value]) -> Result<()> {
        let bytes = items
            .iter()
            .map(|&v| self.byte_of(v))
            .collect::<Result<Vec<u8>>>()?;
        if let Some(Object::ByteArray(b)) = self.graph.get_mut(id) {
            b.extend_from_slice(&bytes);
        }
        Ok(())
    }

    /// A value stored into a bytearray: an int that fits a byte.
    fn byte_of(&self, v: Value) -> Result<u8> {
        let byte = match resolve::item_byte(&self.graph, v) {
            // An instance's `__index__` is not known here: refused.
            resolve::ItemByte::Unknown => resolve::ItemByte::NotAnInt(self.type_name(v)),
            byte => byte,
        };
        match byte {
            resolve::ItemByte::Byte(b) => Ok(b),
            refused => Err(bad(refused.refusal().unwrap_or_default())),
        }
    }

    /// SETITEM/SETITEMS onto a list or a bytearray: `obj[i] = v` for each
    /// pair, as CPython's `PyObject_SetItem` does for int indices.
    #[cold]
    fn assign_items(&mut self, id: ObjId, flat: &[Value]) -> Result<()> {
        let bytearray = matches!(self.graph.get(id), Some(Object::ByteArray(_)));
        for pair in flat.chunks_exact(2) {
            let (key, v) = (pair[0], pair[1]);
            let index = match resolve::index_of(&self.graph, key) {
                Some(Some(i)) => i,
                Some(None) => return Err(bad("cannot fit 'int' into an index-sized integer")),
                None => {
                    let what = if bytearray { "bytearray" } else { "list" };
                    return Err(bad(format!(
                        "{what} indices must be integers or slices, not {}",
                        self.type_name(key)
                    )));
                }
            };
            let len = match self.graph.get(id) {
                Some(Object::List(items)) => items.len(),
                Some(Object::ByteArray(bytes)) => bytes.len(),
                _ => 0,
            };
            let at = if index < 0 { index + len as i64 } else { index };
            let Some(at) = usize::try_from(at).ok().filter(|&at| at < len) else {
                return Err(bad(if bytearray {
                    "bytearray index out of range"
                } else {
                    "list assignment index out of range"
                }));
            };
            let byte = if bytearray { self.byte_of(v)? } else { 0 };
            match self.graph.get_mut(id) {
                Some(Object::List(items)) => items[at] = v,
                Some(Object::ByteArray(bytes)) => bytes[at] = byte,
                _ => {}
            }
        }
        Ok(())
    }

    /// SETITEM/SETITEMS of `[k, v, k, v, ...]` onto the object at `target`.
    fn set_items(&mut self, target: Value, flat: &[Value]) -> Result<()> {
        let Value::Ref(id) = target else {
            return Err(bad(format!(
                "'{}' object does not support item assignment",
                target.atom_type_name().unwrap_or("object")
            )));
        };
        match self.graph.get(id) {
            // The common case, first and with one lookup.
            Some(Object::Dict(items)) => {
                let before = items.len();
                return self.dict_insert(id, before, flat, "SETITEMS");
            }
            // Items set on an instance are a dict subclass's items: their
            // keys must be hashable, as Python's dict insists, and as
            // re-dumping them through `dict(obj)` needs.
            Some(Object::Instance(_) | Object::Reduce(_)) => {
                for pair in flat.chunks_exact(2) {
                    self.check_hashable(pair[0])?;
                }
            }
            _ => {}
        }
        let pairs = flat.chunks_exact(2).map(|p| (p[0], p[1]));
        match self.graph.get_mut(id) {
            Some(Object::Dict(items)) => {
                let before = items.len();
                return self.dict_insert(id, before, flat, "SETITEMS");
            }
            _ if !flat.len().is_multiple_of(2) => {
                return Err(bad("odd number of items for SETITEMS"))
            }
            Some(Object::List(_) | Object::ByteArray(_)) => return self.assign_items(id, flat),
            Some(Object::Instance(inst)) => inst.dict_items.extend(pairs),
            Some(Object::Reduce(r)) => r.dict_items.extend(pairs),
            Some(other) => {
                return Err(bad(format!(
                    "'{}' object does not support item assignment",
                    other.type_name()
                )))
            }
            None => return Err(bad("dangling reference")),
        }
        self.charge(values_cost(flat.len()))
    }

    /// TUPLE1, TUPLE2 and TUPLE3: the top `N` items, moved as an array
    /// (`split_off`'s copy of a variable length is a memcpy call).
    #[inline(always)]
    fn small_tuple<const N: usize>(&mut self) -> Result<()> {
        if self.stack.len() < self.fence() + N {
            return Err(self.underflow());
        }
        let at = self.stack.len() - N;
        let items = Items::from_slice(&self.stack[at..]);
        self.stack.truncate(at);
        self.make_tuple(items)
    }

    fn make_tuple(&mut self, items: Items) -> Result<()> {
        self.charge(values_cost(items.len()))?;
        self.push_obj(Object::Tuple(items))
    }

    fn tuple_items(&self, v: Value, err: &str) -> Result<Vec<Value>> {
        match self.object(v) {
            Some(Object::Tuple(items)) => Ok(items.to_vec()),
            _ => Err(bad(err.to_string())),
        }
    }

    // ----- calls -----

    /// REDUCE and friends: `callable(*args)`.
    fn call(&mut self, callable: Value, args: Value) -> Result<()> {
        // CPython checks the argument list first, then the callable.
        let arg_items = self.tuple_items(args, "argument list must be a tuple")?;
        if let Some(t) = self.uncallable_type(callable) {
            return Err(bad(format!("'{t}' object is not callable")));
        }
        if self.latin.watching() {
            if let Some(taken) = self.take_latin_text(callable, args) {
                return taken;
            }
        }
        if let Some(obj) = resolve::native_call(&self.graph, callable, &arg_items, self.proto)? {
            // A nested class named through getattr is still subject to policy.
            let obj = match obj {
                Object::Global(g) => {
                    resolve::find_class(self.opts.policy, &self.opts.registry, g.module, g.name)?
                }
                other => other,
            };
            // `_codecs.encode` makes a new one-byte bytes object each time.
            let distinct = matches!(&obj, Object::Bytes(b) if b.len() == 1);
            let v = self.add(obj)?;
            if let Value::Ref(id) = v {
                self.fill_native_set(id)?;
                if distinct {
                    self.graph.distinct_bytes.insert(id);
                }
            }
            self.push(v);
            return Ok(());
        }
        if self.opts.policy == Policy::Strict
            && !self.registered(callable)
            && !resolve::is_partial_of_new(&self.graph, callable, &arg_items)
        {
            return Err(bad(format!(
                "calling {} is not allowed by the strict loading policy",
                self.graph.repr(callable)
            )));
        }
        self.push_obj(Object::Reduce(Box::new(Reduce {
            callable,
            args,
            ..Reduce::default()
        })))
    }

    /// `_codecs.encode(text, 'latin1')` and `bytearray(text, 'latin-1')`
    /// built in the text's own buffer, when nothing else holds the text.
    #[inline(never)]
    fn take_latin_text(&mut self, callable: Value, args: Value) -> Option<Result<()>> {
        let bytearray = match resolve::global_of(&self.graph, callable) {
            Some(("_codecs", "encode")) => false,
            Some(("builtins", "bytearray")) => true,
            _ => {
                // Not reached with a text decoded ahead (its call was
                // foreseen); should it be, the call reads the text whole.
                self.latin.release(&mut self.graph);
                return None;
            }
        };
        let (obj, taken) = self.latin.take(&mut self.graph, bytearray, args)?;
        Some(self.add(obj).map(|v| {
            self.latin.note(taken, v);
            self.push(v);
        }))
    }

    /// True when `v` is a class registered for strict loading.
    fn registered(&self, v: Value) -> bool {
        match self.object(v) {
            Some(Object::Global(g)) => self.opts.registry.contains_names(&g.module, &g.name),
            _ => false,
        }
    }

    /// A set built by `set(list)` is filled through [`Machine::set_insert`]
    /// like any other: unhashable items are errors, duplicates merge at STOP.
    fn fill_native_set(&mut self, id: ObjId) -> Result<()> {
        if let Some(Object::Set(items) | Object::FrozenSet(items)) = self.graph.get_mut(id) {
            let items = std::mem::take(items);
            self.set_insert(id, &items)?;
        }
        Ok(())
    }

    fn new_instance(
        &mut self,
        class: Value,
        args: Vec<Value>,
        kwargs: Option<Value>,
        op: &str,
    ) -> Result<()> {
        let not_a_type = match self.object(class) {
            Some(Object::Global(g)) => crate::known::function_type_name(
                g.module.as_str().unwrap_or(""),
                g.name.as_str().unwrap_or(""),
            ),
            Some(Object::Reduce(_)) => None,
            _ => Some(self.type_name(class)),
        };
        if let Some(t) = not_a_type {
            return Err(bad(format!("{op} class argument must be a type, not {t}")));
        }
        if self.opts.policy == Policy::Strict && !self.registered(class) {
            return Err(bad(format!(
                "creating an instance of {} is not allowed by the strict loading policy",
                self.graph.repr(class)
            )));
        }
        self.push_obj(Object::Instance(Box::new(Instance {
            class,
            args,
            kwargs,
            ..Instance::default()
        })))
    }

    fn build(&mut self, state: Value) -> Result<()> {
        let target = self.top()?;
        if let Value::Ref(id) = target {
            match self.graph.get_mut(id) {
                Some(Object::Instance(inst)) => {
                    inst.state = Some(state);
                    return Ok(());
                }
                Some(Object::Reduce(r)) => {
                    r.state = Some(state);
                    return Ok(());
                }
                Some(_) => {}
                None => return Err(bad("dangling reference")),
            }
        }
        setstate::default_setstate(&self.graph, target, state).map_err(bad)
    }

    fn persistent(&mut self, pid: Value) -> Result<()> {
        let v = match &mut self.opts.persistent {
            Persistent::Refuse => return Err(Error::new(ErrorCode::PersistentIdRefused)),
            Persistent::Keep => self.add(Object::Persistent(pid))?,
            Persistent::Call(f) => {
                // The function may change objects; checked keys are no
                // longer known.
                self.known_keys.clear();
                f(&mut self.graph, pid)?
            }
        };
        self.push(v);
        Ok(())
    }

    fn extension(&mut self, code: i64) -> Result<()> {
        if code <= 0 {
            return Err(bad("EXT specifies code <= 0"));
        }
        let Some((module, name)) = self.opts.extensions.get(&code).cloned() else {
            return Err(Error::new(ErrorCode::UnregisteredExtension(code)));
        };
        let obj = resolve::find_class(
            self.opts.policy,
            &self.opts.registry,
            module.into(),
            name.into(),
        )?;
        self.push_obj(obj)
    }

    /// Executes one opcode. Returns true at STOP.
    // One call site: inlined into the loop, the opcode's arm runs without a
    // call and its Result is not materialized (-20% instructions per load).
    #[inline(always)]
    fn step<'de, R: Read<'de>>(&mut self, op: Opcode, input: &mut R) -> Result<bool> {
        match op {
            Opcode::Mark => {
                if self.marks.len() >= self.opts.limits.max_marks {
                    return Err(Error::new(ErrorCode::DepthLimit(
                        self.opts.limits.max_marks,
                    )));
                }
                self.push_mark();
                match input.peek_byte() {
                    Some(code) if run::is_number(code) => {
                        input.scan_ahead(|ahead| (self.number_run(ahead), ()));
                    }
                    Some(code) if run::is_str(code) => {
                        input.scan_ahead(|ahead| (self.str_run(ahead), ()));
                    }
                    _ => {}
                }
            }
            Opcode::Stop => {
                let v = self.pop()?;
                self.merge_keys();
                self.graph.set_root(v);
                return Ok(true);
            }
            Opcode::Pop => {
                if self.marks.last() == Some(&self.stack.len()) {
                    self.pop_mark()?;
                } else {
                    let v = self.pop()?;
                    // POP has no argument: REDUCE ended where POP began.
                    if input.offset() == self.reduce_end.wrapping_add(1) {
                        self.adopt_state_setter(v);
                    }
                }
            }
            Opcode::PopMark => {
                let at = self.pop_mark()?;
                self.stack.truncate(at);
            }
            Opcode::Dup => {
                let v = self.top()?;
                self.latin.unwatch(&mut self.graph);
                self.push(v);
            }
            Opcode::None => self.push(Value::None),
            Opcode::NewTrue => self.push(Value::Bool(true)),
            Opcode::NewFalse => self.push(Value::Bool(false)),
            Opcode::Int => {
                let line = input.read_line()?;
                let v = text::parse_int_opcode(&line).map_err(text_err)?;
                let v = self.int_value(v)?;
                self.push(v);
            }
            Opcode::BinInt => {
                let v = Self::i32_arg(input)?;
                self.push(Value::Int(v as i64));
            }
            Opcode::BinInt1 => {
                let v = Self::len_arg(input, 1)?;
                self.push(Value::Int(v as i64));
            }
            Opcode::BinInt2 => {
                let v = Self::len_arg(input, 2)?;
                self.push(Value::Int(v as i64));
            }
            Opcode::Long => {
                let line = input.read_line()?;
                let v = text::parse_long_opcode(&line).map_err(text_err)?;
                let v = self.int_value(v)?;
                self.push(v);
            }
            Opcode::Long1 | Opcode::Long4 => {
                let n = if op == Opcode::Long1 {
                    Self::uint_arg::<R, 1>(input)?
                } else {
                    Self::signed_len(input, "LONG")?
                };
                let data = input.read_exact(n)?;
                let v = if data.is_empty() {
                    Value::Int(0)
                } else if let Some(buf) = sign_extended::<8>(&data) {
                    Value::Int(i64::from_le_bytes(buf))
                } else if let Some(buf) = sign_extended::<16>(&data) {
                    // Up to 128 bits: held inline, no digits to allocate.
                    self.int_value_of(PyInt::from(i128::from_le_bytes(buf)), n)?
                } else {
                    let b = BigInt::from_signed_bytes_le(&data);
                    self.big_int(b)?
                };
                self.push(v);
            }
            Opcode::Float => {
                let line = input.read_line()?;
                let v = text::parse_float(&line).map_err(text_err)?;
                self.push(Value::Float(v));
            }
            Opcode::BinFloat => {
                let b = input.read_exact(8)?;
                let mut buf = [0u8; 8];
                buf.copy_from_slice(&b);
                self.push(Value::Float(f64::from_be_bytes(buf)));
            }
            Opcode::String => {
                let line = input.read_line()?;
                let data = text::decode_quoted_string(&line).map_err(text_err)?;
                let obj = self.py2_string(&data)?;
                self.push_obj(obj)?;
            }
            Opcode::BinString | Opcode::ShortBinString => {
                let n = if op == Opcode::ShortBinString {
                    Self::uint_arg::<R, 1>(input)?
                } else {
                    Self::signed_len(input, "BINSTRING")?
                };
                let data = input.read_exact(n)?;
                let data = data.to_vec();
                let obj = self.py2_string(&data)?;
                self.push_obj(obj)?;
            }
            Opcode::BinBytes | Opcode::ShortBinBytes | Opcode::BinBytes8 | Opcode::ByteArray8 => {
                let width = match op {
                    Opcode::ShortBinBytes => 1,
                    Opcode::BinBytes => 4,
                    _ => 8,
                };
                let n = Self::len_arg(input, width)?;
                let obj = if op == Opcode::ByteArray8 {
                    Object::ByteArray(input.read_owned(n)?)
                } else {
                    Object::Bytes(input.read_bytes(n)?)
                };
                self.charge(n)?;
                self.push_obj(obj)?;
                self.note_span(input.offset(), n);
            }
            Opcode::Unicode => {
                let line = input.read_line()?;
                let data = text::decode_raw_unicode_escape(&line).map_err(text_err)?;
                self.charge(data.len() as u64)?;
                let s = PyStr::from_surrogatepass(data).ok_or_else(|| bad("invalid text"))?;
                let len = s.len();
                let v = self.add(Object::Str(s))?;
                self.pushed_text(v, len);
            }
            Opcode::ShortBinUnicode => {
                self.bin_unicode::<R, 1>(input)?;
            }
            Opcode::BinUnicode => {
                if self.bin_unicode::<R, 4>(input)? {
                    return Ok(true);
                }
            }
            Opcode::BinUnicode8 => {
                if self.bin_unicode::<R, 8>(input)? {
                    return Ok(true);
                }
            }
            Opcode::EmptyTuple => self.push_obj(EMPTY_TUPLE)?,
            Opcode::Tuple => {
                let items = self.pop_to_mark()?;
                self.make_tuple(items)?;
            }
            Opcode::Tuple1 => self.small_tuple::<1>()?,
            Opcode::Tuple2 => self.small_tuple::<2>()?,
            Opcode::Tuple3 => self.small_tuple::<3>()?,
            Opcode::EmptyList => self.push_obj(EMPTY_LIST)?,
            Opcode::List => {
                let items = self.pop_to_mark()?;
                self.charge(values_cost(items.len()))?;
                self.push_obj(Object::List(items))?;
            }
            Opcode::EmptyDict => self.push_obj(EMPTY_DICT)?,
            Opcode::Dict => {
                let v = self.with_marked(|m, items| {
                    let v = m.add(Object::Dict(Vec::with_capacity(items.len() / 2)))?;
                    if let Value::Ref(id) = v {
                        m.dict_insert(id, 0, items, "DICT")?;
                    }
                    Ok(v)
                })?;
                self.push(v);
            }
            Opcode::EmptySet => self.push_obj(EMPTY_SET)?,
            Opcode::FrozenSet => {
                let v = self.with_marked(|m, items| {
                    let v = m.add(Object::FrozenSet(Items::with_capacity(items.len())))?;
                    if let Value::Ref(id) = v {
                        m.set_insert(id, items)?;
                    }
                    Ok(v)
                })?;
                self.push(v);
            }
            Opcode::AddItems => {
                self.with_marked_target(|m, target, items| match target {
                    Value::Ref(id) if matches!(m.graph.get(id), Some(Object::Set(_))) => {
                        m.set_insert(id, items)
                    }
                    _ => {
                        let name = m.type_name(target);
                        Err(bad(format!("'{name}' object has no attribute 'add'")))
                    }
                })?;
            }
            Opcode::Append => {
                let v = self.pop()?;
                let target = self.top()?;
                self.append(target, &[v])?;
            }
            Opcode::Appends => {
                self.with_marked_target(|m, target, items| m.append(target, items))?;
            }
            Opcode::SetItem => {
                let v = self.pop()?;
                let k = self.pop()?;
                let target = self.top()?;
                self.set_items(target, &[k, v])?;
            }
            Opcode::SetItems => {
                self.with_marked_target(|m, target, items| m.set_items(target, items))?;
            }
            Opcode::Get => {
                let line = input.read_line()?;
                let idx = text::parse_memo_index(&line).map_err(text_err)?;
                let v = self.memo_get(idx)?;
                self.push(v);
            }
            // One arm per argument width, so each read is a fixed-size load.
            Opcode::BinGet => {
                let idx = Self::len_arg(input, 1)?;
                let v = self.memo_get(idx as i64)?;
                self.push(v);
            }
            Opcode::LongBinGet => {
                let idx = Self::len_arg(input, 4)?;
                let v = self.memo_get(idx as i64)?;
                self.push(v);
            }
            Opcode::Put => {
                let line = input.read_line()?;
                let idx = text::parse_memo_index(&line).map_err(text_err)?;
                let idx = u64::try_from(idx).map_err(|_| bad("negative PUT argument"))?;
                self.memo_put(idx)?;
            }
            Opcode::BinPut => {
                let idx = Self::len_arg(input, 1)?;
                self.memo_put(idx)?;
            }
            Opcode::LongBinPut => {
                let idx = Self::len_arg(input, 4)?;
                self.memo_put(idx)?;
            }
            Opcode::Memoize => {
                let idx = self.memo.len;
                self.memo_put(idx)?;
            }
            Opcode::Global => {
                let (module, name) = Self::global_names(input, text::decode_utf8_strict)?;
                self.global(module, name)?;
            }
            Opcode::StackGlobal => {
                let name = self.pop()?;
                let module = self.pop()?;
                match (
                    self.graph.as_str(module).cloned(),
                    self.graph.as_str(name).cloned(),
                ) {
                    (Some(m), Some(n)) => self.global(m, n)?,
                    _ => return Err(bad("STACK_GLOBAL requires str")),
                }
            }
            Opcode::Inst => {
                // CPython looks for the mark before it reads the lines.
                let args = self.pop_to_mark()?;
                let (module, name) = Self::global_names(input, text::decode_ascii_strict)?;
                self.global(module, name)?;
                let class = self.pop()?;
                self.instantiate(class, args.into_vec())?;
            }
            Opcode::Obj => {
                let items = self.pop_to_mark()?;
                let Some((&class, args)) = items.split_first() else {
                    return Err(self.underflow());
                };
                self.instantiate(class, args.to_vec())?;
            }
            Opcode::Reduce => {
                let args = self.pop()?;
                let callable = self.pop()?;
                self.call(callable, args)?;
                self.reduce_end = input.offset();
            }
            Opcode::NewObj => {
                let args = self.pop()?;
                let class = self.pop()?;
                let args = self.tuple_items(args, "NEWOBJ expected an arg tuple.")?;
                self.new_instance(class, args, None, "NEWOBJ")?;
            }
            Opcode::NewObjEx => {
                let kwargs = self.pop()?;
                let args = self.pop()?;
                let class = self.pop()?;
                let args = self.tuple_items(args, "NEWOBJ_EX args argument must be a tuple")?;
                if !matches!(self.object(kwargs), Some(Object::Dict(_))) {
                    return Err(bad("NEWOBJ_EX kwargs argument must be a dict"));
                }
                let has_kwargs =
                    matches!(self.object(kwargs), Some(Object::Dict(d)) if !d.is_empty());
                self.new_instance(class, args, has_kwargs.then_some(kwargs), "NEWOBJ_EX")?;
            }
            Opcode::Build => {
                let state = self.pop()?;
                self.build(state)?;
            }
            Opcode::PersId => {
                let line = input.read_line()?;
                if !line.is_ascii() {
                    return Err(bad("persistent IDs in protocol 0 must be ASCII strings"));
                }
                let pid = PyStr::from(std::str::from_utf8(&line).unwrap_or_default());
                let pid = self.add(Object::Str(pid))?;
                self.persistent(pid)?;
            }
            Opcode::BinPersId => {
                let pid = self.pop()?;
                self.persistent(pid)?;
            }
            Opcode::Ext1 => {
                let code = Self::len_arg(input, 1)? as i64;
                self.extension(code)?;
            }
            Opcode::Ext2 => {
                let code = Self::len_arg(input, 2)? as i64;
                self.extension(code)?;
            }
            Opcode::Ext4 => {
                let code = Self::i32_arg(input)? as i64;
                self.extension(code)?;
            }
            Opcode::Proto => {
                let p = Self::len_arg(input, 1)?;
                if p > crate::HIGHEST_PROTOCOL as u64 {
                    return Err(Error::new(ErrorCode::UnsupportedProtocol(p as i64)));
                }
                self.proto = p as u8;
            }
            Opcode::Frame => {
                let n = Self::len_arg(input, 8)?;
                input.frame(n)?;
            }
            Opcode::NextBuffer => {
                let Some(buffers) = self.opts.buffers.as_mut() else {
                    return Err(Error::new(ErrorCode::NoBuffers));
                };
                let Some(data) = buffers.next() else {
                    return Err(Error::new(ErrorCode::BuffersExhausted));
                };
                self.push_obj(Object::Buffer(Box::new(Buffer {
                    data,
                    readonly: false,
                })))?;
            }
            Opcode::ReadOnlyBuffer => {
                let target = self.top()?;
                match target {
                    Value::Ref(id) => match self.graph.get_mut(id) {
                        Some(Object::Buffer(b)) => b.readonly = true,
                        Some(Object::Bytes(_)) => {}
                        Some(other) => {
                            let t = other.type_name();
                            return Err(bad(format!("a bytes-like object is required, not '{t}'")));
                        }
                        None => return Err(bad("dangling reference")),
                    },
                    _ => {
                        let t = self.type_name(target);
                        return Err(bad(format!("a bytes-like object is required, not '{t}'")));
                    }
                }
            }
        }
        Ok(false)
    }

    /// `setter(obj, state)` called and dropped right away (REDUCE, POP) is
    /// how CPython applies a `__reduce__` state_setter; record it on `obj`
    /// so that it is written again.
    fn adopt_state_setter(&mut self, popped: Value) {
        let Some(Object::Reduce(call)) = self.object(popped) else {
            return;
        };
        let (setter, args) = (call.callable, call.args);
        let Some(Object::Tuple(pair)) = self.object(args) else {
            return;
        };
        let &[Value::Ref(target), state] = pair.as_slice() else {
            return;
        };
        match self.graph.get_mut(target) {
            Some(Object::Instance(inst)) if inst.state_setter.is_none() => {
                inst.state_setter = Some(setter);
                inst.state = Some(state);
            }
            Some(Object::Reduce(r)) if r.state_setter.is_none() => {
                r.state_setter = Some(setter);
                r.state = Some(state);
            }
            _ => {}
        }
    }

    /// INST and OBJ: `cls(*args)`.
    fn instantiate(&mut self, class: Value, args: Vec<Value>) -> Result<()> {
        if let Some(t) = self.uncallable_type(class) {
            return Err(bad(format!("'{t}' object is not callable")));
        }
        if !matches!(self.object(class), Some(Object::Global(_))) {
            return Err(bad("INST/OBJ class argument isn't a type object"));
        }
        if let Some(obj) = resolve::native_call(&self.graph, class, &args, self.proto)? {
            return self.push_obj(obj);
        }
        self.new_instance(class, args, None, "NEWOBJ")
    }

    /// The type of a value CPython could not call: data, and what a call
    /// of a built-in type returns (but for `type` and `staticmethod`).
    /// `None` for names, persistent objects and other instances and call
    /// results, which may be callable.
    fn uncallable_type(&self, v: Value) -> Option<&'static str> {
        let made_by = |maker: Value| {
            let (module, name) = resolve::global_of(&self.graph, maker)?;
            crate::known::builtin_type(module, name)
                .filter(|t| !crate::known::instances_are_callable(t))
        };
        match self.object(v) {
            Some(Object::Global(_) | Object::Persistent(_)) => None,
            Some(Object::Instance(inst)) => made_by(inst.class),
            Some(Object::Reduce(r)) => made_by(r.callable),
            Some(other) => Some(other.type_name()),
            None => Some(self.type_name(v)),
        }
    }

    fn type_name(&self, v: Value) -> &'static str {
        self.graph.type_name_of(v)
    }
}

/// True when `keys` are the values of `known`, in order: the same
/// objects (or equal atoms), so the same answer about repeats.
#[inline]
fn same_keys(keys: impl ExactSizeIterator<Item = Value>, known: &[Value]) -> bool {
    keys.len() == known.len() && keys.zip(known).all(|(a, k)| same_value(a, *k))
}

/// Non-empty little-endian two's complement `data` widened to `N` bytes
/// with its sign, or `None` when it is longer than `N`.
#[inline(always)]
fn sign_extended<const N: usize>(data: &[u8]) -> Option<[u8; N]> {
    let last = *data.last()?;
    if data.len() > N {
        return None;
    }
    let mut buf = [if last & 0x80 != 0 { 0xff } else { 0 }; N];
    buf[..data.len()].copy_from_slice(data);
    Some(buf)
}

/// Merges the repeated keys of a dict's `items` as a Python dict would
/// have while it was filled: the first key keeps its place, the last value
/// wins. `repeats` is [`repeated_keys`]'s answer for the keys.
fn merge_pairs(items: &mut Vec<(Value, Value)>, repeats: &[(usize, usize)]) {
    if repeats.is_empty() {
        return;
    }
    for &(dup, first) in repeats {
        items[first].1 = items[dup].1;
    }
    items.retain_mut(except(repeats));
}

/// A `retain` test that drops the positions named first in `repeats`
/// (sorted) and keeps the rest, for `Vec` and [`Items`] alike.
fn except<T>(repeats: &[(usize, usize)]) -> impl FnMut(&mut T) -> bool + '_ {
    let mut drop = repeats.iter().map(|r| r.0).peekable();
    let mut pos = 0;
    move |_| {
        let keep = drop.peek() != Some(&pos);
        if !keep {
            drop.next();
        }
        pos += 1;
        keep
    }
}

/// True when two values are the same object or the same atom, bit for bit.
#[inline]
fn same_value(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Ref(x), Value::Ref(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long1_up_to_128_bits_matches_the_generic_path() {
        let two = BigInt::from(2);
        let mut cases = Vec::new();
        for bits in [63u32, 64, 65, 100, 126, 127, 128, 200] {
            let p = two.pow(bits);
            cases.extend([p.clone(), -p.clone(), p.clone() - 1, -p.clone() + 1, -p - 1]);
        }
        for n in cases {
            let mut bytes = n.to_signed_bytes_le();
            // Minimal and padded encodings (CPython reads both).
            for pad in [0usize, 3] {
                let fill = if n < BigInt::from(0) { 0xff } else { 0 };
                bytes.extend(std::iter::repeat_n(fill, pad));
                let mut data = vec![0x80, 2, 0x8a, bytes.len() as u8];
                data.extend_from_slice(&bytes);
                data.push(b'.');
                let g = crate::loads(&data).unwrap();
                let got = match g.root() {
                    Value::Int(i) => BigInt::from(i),
                    v => match g.resolve(v) {
                        Some(Object::Int(b)) => b.to_bigint(),
                        other => panic!("{other:?}"),
                    },
                };
                assert_eq!(got, n, "{bytes:?}");
                assert_eq!(matches!(g.root(), Value::Int(_)), i64::try_from(&n).is_ok());
            }
        }
    }

    /// Loads a protocol 4 pickle of one BINUNICODE holding `payload`.
    fn load_binunicode(payload: &[u8]) -> Result<Graph> {
        let mut data = vec![0x80, 4, b'X'];
        data.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        data.extend_from_slice(payload);
        data.push(b'.');
        crate::loads(&data)
    }

    #[test]
    fn long_strs_validate_as_short_ones() {
        let load = load_binunicode;
        let text = "h\u{e9}llo \u{65e5}\u{672c} \u{1f680} ".repeat(20);
        let g = load(text.as_bytes()).unwrap();
        assert_eq!(g.as_str(g.root()).unwrap().as_str(), Some(text.as_str()));
        // A lone surrogate (surrogatepass) deep in a long str.
        let mut lone = text.as_bytes().to_vec();
        lone.extend_from_slice(b"\xed\xa0\x80!");
        let g = load(&lone).unwrap();
        let s = g.as_str(g.root()).unwrap();
        assert_eq!(s.as_str(), None);
        assert_eq!(s.as_bytes(), &lone[..]);
        // Invalid UTF-8 deep in a long str is an error.
        let mut bad = text.into_bytes();
        bad.push(0xff);
        assert!(load(&bad).is_err());
    }

    #[test]
    fn keys_checked_when_filled_still_merge_when_more_come() {
        let load = |body: &[u8]| {
            let mut data = vec![0x80, 4];
            data.extend_from_slice(body);
            data.push(b'.');
            crate::loads(&data).unwrap().to_string()
        };
        // A first batch of distinct keys, then a batch repeating one.
        let d = load(b"}(\x8c\x01aK\x01\x8c\x01bK\x02u(\x8c\x01aK\x03u");
        assert_eq!(d, "{'a': 3, 'b': 2}");
        // The second dict reuses the first one's key objects (known
        // distinct), then gets a repeat.
        let l = load(
            b"](}(\x8c\x01a\x94K\x01\x8c\x01b\x94K\x02u}(h\x00K\x03h\x01K\x04u(\x8c\x01bK\x05ue",
        );
        assert_eq!(l, "[{'a': 1, 'b': 2}, {'a': 3, 'b': 5}]");
        // Repeats within a first batch of plain keys, and of ints.
        assert_eq!(load(b"}(\x8c\x01aK\x01\x8c\x01aK\x02u"), "{'a': 2}");
        // Past eight keys (the hash table path): the first key keeps its
        // place, the last value wins.
        let mut body = b"}(".to_vec();
        for (k, v) in [
            b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h', b'i', b'c', b'a',
        ]
        .into_iter()
        .zip(1u8..)
        {
            body.extend_from_slice(&[0x8c, 1, k, b'K', v]);
        }
        body.push(b'u');
        assert_eq!(
            load(&body),
            "{'a': 11, 'b': 2, 'c': 10, 'd': 4, 'e': 5, 'f': 6, 'g': 7, 'h': 8, 'i': 9}"
        );
        assert_eq!(
            load(b"}(K\x01K\x01G?\xf0\x00\x00\x00\x00\x00\x00K\x02u"),
            "{1: 2}"
        );
        // Keys not checked as they come (tuples), in three batches: the
        // dict is merged once, at STOP.
        assert_eq!(
            load(b"}(K\x01K\x02\x86K\x01u(K\x03K\x04\x86K\x02u(K\x01K\x02\x86K\x03u"),
            "{(1, 2): 3, (3, 4): 2}"
        );
    }

    #[test]
    fn short_strs_validate_as_std_does() {
        let load = load_binunicode;
        // Every length up to the 64-byte block, with a character of each
        // width ending the text, cut short, or followed by a stray byte.
        for len in 0..64 {
            for tail in ["\u{e9}", "\u{65e5}", "\u{1f680}"] {
                let text = "a".repeat(len) + tail;
                let whole = text.as_bytes();
                for cut in [whole.len(), whole.len() - 1] {
                    let bytes = &whole[..cut];
                    let g = load(bytes);
                    match std::str::from_utf8(bytes) {
                        Ok(s) => {
                            let g = g.unwrap();
                            assert_eq!(g.as_str(g.root()).unwrap().as_str(), Some(s));
                        }
                        Err(_) => assert!(g.is_err(), "{bytes:?}"),
                    }
                }
                let mut stray = whole.to_vec();
                stray.push(0x80);
                assert!(load(&stray).is_err());
            }
        }
    }

    #[test]
    fn memo_gaps_go_sparse() {
        let mut memo = Memo::default();
        for i in 0..1000u64 {
            memo.put(i * 1024, Value::Int(i as i64));
        }
        assert!(memo.dense.len() <= 3 * 1024, "{}", memo.dense.len());
        assert_eq!(memo.len, 1000);
        assert_eq!(memo.get(999 * 1024), Some(Value::Int(999)));
        assert_eq!(memo.get(5), None);
    }

    #[test]
    fn memo_keeps_atoms_and_replacements_apart_from_ids() {
        let mut memo = Memo::default();
        memo.put(0, Value::Ref(ObjId(7)));
        memo.put(1, Value::Int(-3));
        memo.put(2, Value::Ref(ObjId(u32::MAX - 1)));
        assert_eq!(memo.get(0), Some(Value::Ref(ObjId(7))));
        assert_eq!(memo.get(1), Some(Value::Int(-3)));
        assert_eq!(memo.get(2), Some(Value::Ref(ObjId(u32::MAX - 1))));
        memo.put(1, Value::Ref(ObjId(0)));
        memo.put(0, Value::None);
        assert_eq!(memo.get(0), Some(Value::None));
        assert_eq!(memo.get(1), Some(Value::Ref(ObjId(0))));
        assert_eq!(memo.sparse.len(), 2, "id u32::MAX - 1 and the None");
        assert_eq!(memo.len, 3);
        assert_eq!(memo.get(3), None);
    }

    #[test]
    fn memo_entries_set_before_the_dense_part_grows_over_them_stay() {
        let mut memo = Memo::default();
        memo.put(2000, Value::Ref(ObjId(1)));
        assert_eq!(memo.sparse.len(), 1);
        for i in 0..1000u64 {
            memo.put(i, Value::Ref(ObjId(i as u32)));
        }
        memo.put(2500, Value::Ref(ObjId(2)));
        assert!(memo.dense.len() > 2000, "the dense part grew over 2000");
        assert_eq!(memo.get(2000), Some(Value::Ref(ObjId(1))));
        assert_eq!(memo.len, 1002);
        memo.put(2000, Value::Ref(ObjId(3)));
        assert_eq!(memo.get(2000), Some(Value::Ref(ObjId(3))));
        assert_eq!(memo.len, 1002);
        assert!(memo.sparse.is_empty());
    }

    #[test]
    fn memo_in_order_stays_dense() {
        let mut memo = Memo::default();
        for i in 0..10_000u64 {
            memo.put(i, Value::Ref(ObjId(i as u32)));
        }
        assert_eq!(memo.dense.len(), 10_000);
        assert!(memo.sparse.is_empty());
    }
}
