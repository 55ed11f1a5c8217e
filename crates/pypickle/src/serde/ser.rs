//! The serializer: typed Rust data straight to CPython's bytes.
//!
//! No object graph is built: each serde call writes its opcodes through the
//! pickler's own [`Encoder`] writers, in the order CPython's `save()` would
//! write the Python equivalent (see the [module docs](super) for the
//! mapping). A Rust value is a tree, so the memo needs no identity map: it
//! only counts entries, and remembers the strs and bytes CPython shares by
//! value (interned field and variant names, `''` and one-character latin-1
//! strs, `b''` and one-byte bytes) and the globals of its own reductions.

use rustc_hash::FxHashMap;
use serde::ser::{self, Serialize};

use super::content::{Content, ContentSerializer};
use super::SerOptions;
use crate::dump::emit::{MemoCount, SMALL_STR};
use crate::dump::encoder::Encoder;
use crate::error::{Error, Result};
use crate::opcode::Opcode as Op;

/// CPython's `BATCHSIZE`: lists, dicts and sets are written in chunks of
/// this many items.
const BATCH: usize = 1000;

/// A global the serializer writes for its own reductions.
#[derive(Clone, Copy)]
enum Global {
    CodecsEncode = 0,
    Bytes = 1,
    Set = 2,
    FrozenSet = 3,
    Reconstructor = 4,
    Object = 5,
}

/// A serde [`Serializer`](serde::Serializer) that writes a pickle.
///
/// [`to_vec`](super::to_vec) and [`to_writer`](super::to_writer) are the
/// usual way in; use this type directly to call `serialize` yourself:
///
/// ```
/// use serde::Serialize;
/// let mut ser = pypickle::serde::Serializer::new(pypickle::serde::SerOptions::new());
/// (1, "a").serialize(&mut ser)?;
/// assert_eq!(ser.finish()?, pypickle::to_vec(&(1, "a"))?);
/// # Ok::<(), pypickle::Error>(())
/// ```
pub struct Serializer<'w> {
    enc: Encoder,
    proto: u8,
    fix_imports: bool,
    memo: MemoCount,
    /// Memo index + 1 of `''` (slot 256) and of each one-character latin-1
    /// str (slot = the code point): CPython's singletons.
    single_strs: Vec<u32>,
    /// The same for `b''` (slot 256) and one-byte bytes.
    single_bytes: Vec<u32>,
    /// Interned strs (field and variant names, `'latin1'`) by content.
    interned: FxHashMap<&'static str, u32>,
    /// Interned names by the address and length of their `&'static str`,
    /// in front of `interned`.
    name_cache: NameCache,
    /// Memo index + 1 of the globals of the serializer's own reductions.
    globals: [u32; 6],
    /// Structs written as instances of Python classes, by serde name.
    classes: Vec<super::SerClass>,
    /// Memo index + 1 of each of those classes.
    class_memo: Vec<u32>,
    /// Inside a dict key: sequences become tuples (hashable), dicts fail.
    in_key: u32,
    /// The next sequence is a set (1) or a frozenset (2): see
    /// [`super::as_set`].
    next_set: u8,
    /// The next bytes are a big int's: see [`super::big_int`].
    next_int: bool,
    sink: Option<&'w mut dyn std::io::Write>,
}

impl Serializer<'static> {
    /// A serializer that writes into memory; [`Serializer::finish`] returns
    /// the bytes.
    pub fn new(options: SerOptions) -> Self {
        Serializer::with_sink(options, None, 256)
    }
}

impl<'w> Serializer<'w> {
    pub(crate) fn with_sink(
        options: SerOptions,
        sink: Option<&'w mut dyn std::io::Write>,
        capacity: usize,
    ) -> Self {
        let mut enc = Encoder::new(capacity);
        enc.header(options.protocol);
        if sink.is_some() {
            enc.enable_flushing();
        }
        Serializer {
            enc,
            proto: options.protocol,
            fix_imports: options.fix_imports,
            memo: MemoCount::default(),
            // The tables are sized on first use: small pickles skip them.
            single_strs: Vec::new(),
            single_bytes: Vec::new(),
            interned: FxHashMap::default(),
            name_cache: NameCache::default(),
            globals: [0; 6],
            class_memo: vec![0; options.classes.len()],
            classes: options.classes,
            in_key: 0,
            next_set: 0,
            next_int: false,
            sink,
        }
    }

    /// Writes STOP, closes the last frame and returns the pickle (what
    /// remains of it, when a writer took the earlier frames).
    ///
    /// # Errors
    ///
    /// I/O errors of the writer.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        self.enc.byte(Op::Stop.code());
        self.enc.end_frames();
        let out = std::mem::take(&mut self.enc.out);
        match self.sink.take() {
            Some(w) => {
                w.write_all(&out)?;
                w.flush()?;
                Ok(Vec::new())
            }
            None => Ok(out),
        }
    }

    /// The check CPython makes at the start of every `save()`; also hands
    /// completed frames to the writer.
    #[inline(always)]
    fn save_start(&mut self) -> Result<()> {
        if self.enc.boundary() {
            self.flush()?;
        }
        Ok(())
    }

    #[cold]
    fn flush(&mut self) -> Result<()> {
        if let Some(w) = self.sink.as_mut() {
            self.enc
                .flush_to(&mut |done| w.write_all(done).map_err(Error::from))?;
        }
        Ok(())
    }

    #[inline]
    fn op(&mut self, op: Op) {
        self.enc.byte(op.code());
    }

    /// Writes the memo PUT for a new entry and returns its index.
    #[inline(always)]
    fn memoize(&mut self) -> Result<u32> {
        let idx = self.memo.next()?;
        self.enc.put(self.proto, idx);
        Ok(idx)
    }

    /// A str that is a distinct object, unless CPython shares it ('' and
    /// one latin-1 character).
    #[inline(always)]
    fn str(&mut self, s: &str) -> Result<()> {
        let b = s.as_bytes();
        if is_distinct(b) && b.len() <= SMALL_STR {
            // The common case in one piece: the str and its PUT.
            if self.proto >= 4 {
                self.memo.next()?;
                self.enc.small_str_memoized(b);
                return Ok(());
            }
            if self.proto > 0 {
                let idx = self.memo.next()?;
                self.enc.small_str_put(b, idx);
                return Ok(());
            }
        }
        self.str_any(s)
    }

    /// `str` beyond its short strs, kept out of line so they inline.
    #[inline(never)]
    fn str_any(&mut self, s: &str) -> Result<()> {
        let b = s.as_bytes();
        if is_distinct(b) && b.len() <= 0xff && self.proto >= 4 {
            self.memo.next()?;
            self.enc.short_str_memoized(b);
            return Ok(());
        }
        match singleton_slot(s) {
            Some(slot) => self.shared_str(s, SharedStr::Single(slot)).map(drop),
            None => {
                self.enc.str(self.proto, s.as_bytes())?;
                self.memoize().map(drop)
            }
        }
    }

    /// An interned str: one object for every equal name.
    #[inline(always)]
    fn interned(&mut self, s: &'static str) -> Result<()> {
        match self.name_cache.get(s) {
            Some(idx) => {
                self.enc.get(self.proto, idx);
                Ok(())
            }
            None => self.interned_slow(s),
        }
    }

    /// `interned` where the protocol is known to be 1 or higher (the keys
    /// of a [`Lean`] struct): the GET needs no protocol check.
    #[inline(always)]
    fn interned_binary(&mut self, s: &'static str) -> Result<()> {
        match self.name_cache.get(s) {
            Some(idx) => {
                self.enc.binget(idx);
                Ok(())
            }
            None => self.interned_slow(s),
        }
    }

    #[cold]
    #[inline(never)]
    fn interned_slow(&mut self, s: &'static str) -> Result<()> {
        let idx = match singleton_slot(s) {
            Some(slot) => self.shared_str(s, SharedStr::Single(slot))?,
            None => self.shared_str(s, SharedStr::Interned(s))?,
        };
        self.name_cache.insert(s, idx);
        Ok(())
    }

    /// A str CPython shares by value; returns its memo index.
    fn shared_str(&mut self, s: &str, which: SharedStr) -> Result<u32> {
        let known = match which {
            SharedStr::Single(slot) => self.single_strs.get(slot).and_then(|i| i.checked_sub(1)),
            SharedStr::Interned(name) => self.interned.get(name).copied(),
        };
        if let Some(idx) = known {
            self.enc.get(self.proto, idx);
            return Ok(idx);
        }
        self.enc.str(self.proto, s.as_bytes())?;
        let idx = self.memoize()?;
        match which {
            SharedStr::Single(slot) => {
                if self.single_strs.is_empty() {
                    self.single_strs.resize(257, 0);
                }
                self.single_strs[slot] = idx + 1;
            }
            SharedStr::Interned(name) => {
                self.interned.insert(name, idx);
            }
        }
        Ok(idx)
    }

    /// A global CPython writes for the serializer's own reductions (GLOBAL
    /// below protocol 4, where these are used), memoized once.
    fn global(&mut self, g: Global) -> Result<()> {
        self.save_start()?;
        if let Some(idx) = self.globals[g as usize].checked_sub(1) {
            self.enc.get(self.proto, idx);
            return Ok(());
        }
        let (module, name) = match g {
            Global::CodecsEncode => ("_codecs", "encode"),
            Global::Bytes => ("builtins", "bytes"),
            Global::Set => ("builtins", "set"),
            Global::FrozenSet => ("builtins", "frozenset"),
            Global::Reconstructor => ("copyreg", "_reconstructor"),
            Global::Object => ("builtins", "object"),
        };
        self.global_line(module, name);
        let idx = self.memoize()?;
        self.globals[g as usize] = idx + 1;
        Ok(())
    }

    /// GLOBAL `module.name`, under its Python 2 names where CPython uses them.
    fn global_line(&mut self, module: &str, name: &str) {
        let (module, name) =
            crate::compat::names_for_protocol(self.proto, self.fix_imports, module, name);
        self.enc.global_line(module, name);
    }

    /// Opens an argument tuple (1 or 2 items) for a reduction.
    fn args_open(&mut self) {
        if self.proto < 2 {
            self.op(Op::Mark);
        }
    }

    /// Closes an argument tuple of `n` items, memoized as CPython does.
    fn args_close(&mut self, n: usize) -> Result<()> {
        self.op(if self.proto < 2 {
            Op::Tuple
        } else if n == 1 {
            Op::Tuple1
        } else {
            Op::Tuple2
        });
        self.memoize().map(drop)
    }

    fn bytes(&mut self, b: &[u8]) -> Result<()> {
        let slot = match b {
            [] => Some(256),
            [x] => Some(*x as usize),
            _ => None,
        };
        let known = slot.and_then(|s| self.single_bytes.get(s)?.checked_sub(1));
        if let Some(idx) = known {
            self.enc.get(self.proto, idx);
            return Ok(());
        }
        if self.proto >= 3 {
            self.enc.bytes(self.proto, b)?;
        } else if b.is_empty() {
            // save_reduce(bytes, (), obj=b'')
            self.global(Global::Bytes)?;
            self.save_start()?;
            self.enc.write(if self.proto == 0 { b"(t" } else { b")" });
            self.op(Op::Reduce);
        } else {
            // save_reduce(codecs.encode, (b.decode('latin1'), 'latin1'), obj=b)
            self.global(Global::CodecsEncode)?;
            self.save_start()?;
            self.args_open();
            self.save_start()?;
            let text = crate::latin1::decode(b);
            self.str(&text)?;
            self.save_start()?;
            self.interned("latin1")?;
            self.args_close(2)?;
            self.op(Op::Reduce);
        }
        let idx = self.memoize()?;
        if let Some(s) = slot {
            if self.single_bytes.is_empty() {
                self.single_bytes.resize(257, 0);
            }
            self.single_bytes[s] = idx + 1;
        }
        Ok(())
    }

    #[inline(always)]
    fn begin_list(&mut self) -> Result<()> {
        self.open(Op::EmptyList, b"(l", false)
    }

    #[inline(always)]
    fn begin_dict(&mut self) -> Result<()> {
        if self.in_key > 0 {
            return Err(unhashable("dict"));
        }
        self.open(Op::EmptyDict, b"(d", false)
    }

    /// Whether a list or struct dict of `len` items can be written by a
    /// [`Lean`] compound: nothing between its items (protocol 1 and up, no
    /// batches).
    #[inline(always)]
    fn lean_ok(&self, len: usize) -> bool {
        self.proto > 0 && len < BATCH
    }

    /// A new empty list or dict (`op`, or `text` at protocol 0), its memo
    /// PUT and, with `mark`, the MARK of its items, in one write where the
    /// protocol allows.
    #[inline(always)]
    fn open(&mut self, op: Op, text: &'static [u8; 2], mark: bool) -> Result<()> {
        let idx = self.memo.next()?;
        let (op, m) = (op.code(), Op::Mark.code());
        match self.proto {
            4.. => {
                let put = Op::Memoize.code();
                if mark {
                    self.enc.write(&[op, put, m]);
                } else {
                    self.enc.write(&[op, put]);
                }
            }
            1..=3 if idx < 256 => {
                let put = Op::BinPut.code();
                if mark {
                    self.enc.write(&[op, put, idx as u8, m]);
                } else {
                    self.enc.write(&[op, put, idx as u8]);
                }
            }
            1..=3 => {
                let [a, b, c, d] = idx.to_le_bytes();
                let put = Op::LongBinPut.code();
                if mark {
                    self.enc.write(&[op, put, a, b, c, d, m]);
                } else {
                    self.enc.write(&[op, put, a, b, c, d]);
                }
            }
            _ => self.open_text(text, idx, mark),
        }
        Ok(())
    }

    /// Protocol 0's `open`.
    #[inline(never)]
    fn open_text(&mut self, text: &'static [u8; 2], idx: u32, mark: bool) {
        self.enc.write(text);
        self.enc.put(self.proto, idx);
        if mark {
            self.op(Op::Mark);
        }
    }

    fn begin_tuple(&mut self, len: usize) -> Kind {
        if len == 0 {
            self.enc.write(if self.proto == 0 { b"(t" } else { b")" });
            return Kind::EmptyTuple;
        }
        let marked = !(self.proto >= 2 && len <= 3);
        if marked {
            self.op(Op::Mark);
        }
        Kind::Tuple { marked }
    }

    /// The Python set (protocol 4+: EMPTY_SET and ADDITEMS batches; below:
    /// `set(list)`), or frozenset.
    fn begin_set(&mut self, frozen: bool) -> Result<Kind> {
        // A set in a dict key is a frozenset: sets are unhashable.
        let frozen = frozen || self.in_key > 0;
        if self.proto < 4 {
            self.global(if frozen {
                Global::FrozenSet
            } else {
                Global::Set
            })?;
            self.save_start()?;
            self.args_open();
            self.save_start()?;
            self.begin_list()?;
            return Ok(Kind::List { set_reduce: true });
        }
        if frozen {
            self.op(Op::Mark);
            return Ok(Kind::FrozenSet);
        }
        self.op(Op::EmptySet);
        self.memoize()?;
        Ok(Kind::Set)
    }

    /// Whether a sequence of `len` items is a list a [`Lean`] compound
    /// writes.
    #[inline(always)]
    fn lean_list_ok(&self, len: usize) -> bool {
        self.lean_ok(len) && self.plain_seq()
    }

    /// True when a sequence here is a plain list: not a set (`next_set`)
    /// and not inside a dict key, where lists become tuples.
    #[inline(always)]
    fn plain_seq(&self) -> bool {
        self.next_set == 0 && self.in_key == 0
    }

    /// `collect_seq` beyond lean lists, kept out of line so that path
    /// stays small.
    #[inline(never)]
    fn collect_seq_slow<I>(&mut self, len: Option<usize>, iter: I) -> Result<()>
    where
        I: Iterator,
        I::Item: Serialize,
    {
        match len {
            Some(len) if self.proto > 0 && self.plain_seq() => self.batched_list(len, iter),
            _ => {
                let mut items = self.seq_slow(len)?;
                for item in iter {
                    items.element(&item)?;
                }
                items.end()
            }
        }
    }

    /// A list of `BATCH` items or more at protocol 1 and up: MARK ...
    /// APPENDS per batch, as [`Compound`]'s `ListBatches` writes them, with
    /// a countdown instead of its per-item division.
    fn batched_list<I>(&mut self, len: usize, iter: I) -> Result<()>
    where
        I: Iterator,
        I::Item: Serialize,
    {
        self.begin_list()?;
        let mut count = 0;
        // Items left in the open batch; 0 when none is open.
        let mut left = 0;
        for item in iter {
            if count == len {
                return Err(wrong_len(len, count + 1));
            }
            count += 1;
            if left == 0 {
                self.op(Op::Mark);
                left = BATCH;
            }
            item.serialize(&mut *self)?;
            left -= 1;
            if left == 0 {
                self.op(Op::Appends);
            }
        }
        if count != len {
            return Err(wrong_len(len, count));
        }
        if left != 0 {
            self.op(Op::Appends);
        }
        Ok(())
    }

    /// Opens a list for a [`Lean`] compound (see [`Serializer::lean_list_ok`]).
    #[inline(always)]
    fn lean_list(&mut self, len: usize) -> Result<Lean<'_, 'w>> {
        self.open(Op::EmptyList, b"(l", len > 1)?;
        let close = closing(len, Op::Append, Op::Appends);
        Ok(Lean::new(self, len, close))
    }

    #[inline(always)]
    fn seq(&mut self, len: Option<usize>) -> Result<Compound<'_, 'w>> {
        match len {
            Some(len) if self.plain_seq() => {
                self.begin_list()?;
                Ok(Compound::new(self, Kind::List { set_reduce: false }, len))
            }
            _ => self.seq_slow(len),
        }
    }

    /// Sets, tuples in keys, and sequences of unknown length.
    #[inline(never)]
    fn seq_slow(&mut self, len: Option<usize>) -> Result<Compound<'_, 'w>> {
        let set = std::mem::take(&mut self.next_set);
        let Some(len) = len else {
            // CPython's batches depend on the length: buffer the items.
            return Ok(Compound::buffered(self, Buffered::Seq(set)));
        };
        let kind = match set {
            1 => self.begin_set(false)?,
            2 => self.begin_set(true)?,
            _ if self.in_key > 0 => self.begin_tuple(len),
            _ => {
                self.begin_list()?;
                Kind::List { set_reduce: false }
            }
        };
        Ok(Compound::new(self, kind, len))
    }

    fn map(&mut self, len: Option<usize>) -> Result<Compound<'_, 'w>> {
        let Some(len) = len else {
            return Ok(Compound::buffered(self, Buffered::Map));
        };
        self.begin_dict()?;
        Ok(Compound::new(self, Kind::Dict, len))
    }

    /// `{'Variant': ...}`: the dict and its interned key; the caller writes
    /// the value, then [`Serializer::end_variant`].
    fn begin_variant(&mut self, variant: &'static str) -> Result<()> {
        self.begin_dict()?;
        self.save_start()?;
        self.interned(variant)
    }

    /// The start of an instance of the registered class `i`, as CPython
    /// writes a plain class's instance: `cls.__new__(cls)` (NEWOBJ) from
    /// protocol 2, `copyreg._reconstructor(cls, object, None)` before.
    fn instance(&mut self, i: usize) -> Result<()> {
        if self.proto >= 2 {
            self.class_global(i)?;
            self.save_start()?;
            self.op(Op::EmptyTuple);
            self.op(Op::NewObj);
        } else {
            self.global(Global::Reconstructor)?;
            self.save_start()?;
            self.op(Op::Mark);
            self.class_global(i)?;
            self.global(Global::Object)?;
            self.save_start()?;
            self.op(Op::None);
            self.op(Op::Tuple);
            self.memoize()?;
            self.op(Op::Reduce);
        }
        self.memoize().map(drop)
    }

    /// A struct written as an instance of the registered class `i`.
    #[inline(never)]
    fn instance_struct(&mut self, i: usize, len: usize) -> Result<Compound<'_, 'w>> {
        if self.in_key > 0 {
            // Plain class instances hash by identity in Python, but a
            // Rust key must come back equal: refuse, as for dicts.
            return Err(unhashable(self.classes[i].name));
        }
        self.instance(i)?;
        if len == 0 {
            return Ok(Compound::new(self, Kind::NoState, 0));
        }
        // The state's save().
        self.save_start()?;
        self.begin_dict()?;
        Ok(Compound::new(self, Kind::Instance, len))
    }

    /// The registered class `i`, memoized once: STACK_GLOBAL of its
    /// interned module and name from protocol 4, GLOBAL before.
    fn class_global(&mut self, i: usize) -> Result<()> {
        self.save_start()?;
        if let Some(idx) = self.class_memo[i].checked_sub(1) {
            self.enc.get(self.proto, idx);
            return Ok(());
        }
        let class = self.classes[i];
        if self.proto >= 4 {
            self.save_start()?;
            self.interned(class.module)?;
            self.save_start()?;
            self.interned(class.name)?;
            self.op(Op::StackGlobal);
        } else {
            self.global_line(class.module, class.name);
        }
        let idx = self.memoize()?;
        self.class_memo[i] = idx + 1;
        Ok(())
    }

    fn end_variant(&mut self) {
        self.op(Op::SetItem);
    }
}

#[derive(Clone, Copy)]
enum SharedStr {
    Single(usize),
    Interned(&'static str),
}

/// Slots of the address cache of interned names.
const NAME_CACHE: usize = 64;

/// Memo indexes of interned names by the address and length of their
/// `&'static str`: field and variant names come from one `&'static str`
/// each, so their address finds them again without hashing the text. A
/// fixed table (open addressing, linear probing) in the serializer itself:
/// no allocation, and the probe needs no bounds check.
struct NameCache {
    /// `(address, length, memo index)`; address 0 (no reference's) marks
    /// an empty slot.
    slots: [(usize, usize, u32); NAME_CACHE],
    /// Names in `slots`.
    len: usize,
}

impl Default for NameCache {
    fn default() -> Self {
        NameCache {
            slots: [(0, 0, 0); NAME_CACHE],
            len: 0,
        }
    }
}

impl NameCache {
    /// The first slot to probe for `s`.
    #[inline(always)]
    fn slot(s: &str) -> usize {
        // Fibonacci hashing of the address (names at one address differ
        // in length only by sharing bytes: rare, and told apart by the
        // compare): the top bits of the product mix every address bit.
        // The shift leaves 6 bits, so the index is in bounds.
        let h = (s.as_ptr() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 58) as usize
    }

    /// The memo index of `s`, if it is cached.
    #[inline(always)]
    fn get(&self, s: &'static str) -> Option<u32> {
        let key = (s.as_ptr() as usize, s.len());
        let mut slot = Self::slot(s);
        loop {
            let (addr, len, idx) = self.slots[slot];
            if (addr, len) == key {
                return Some(idx);
            }
            if addr == 0 {
                return None;
            }
            slot = (slot + 1) % NAME_CACHE;
        }
    }

    /// Caches `s` as memo entry `idx`. A full enough table takes no more
    /// names (they are still found by content), so probes stay short and
    /// always meet an empty slot.
    fn insert(&mut self, s: &'static str, idx: u32) {
        if self.len >= NAME_CACHE / 2 {
            return;
        }
        let mut slot = Self::slot(s);
        while self.slots[slot].0 != 0 {
            slot = (slot + 1) % NAME_CACHE;
        }
        self.slots[slot] = (s.as_ptr() as usize, s.len(), idx);
        self.len += 1;
    }
}

/// The singleton slot of '' (256) or a one-character latin-1 str.
#[inline]
fn singleton_slot(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    match b.len() {
        0 => Some(256),
        1 => Some(b[0] as usize),
        2 if b[0] == 0xc2 || b[0] == 0xc3 => s.chars().next().map(|c| c as usize),
        _ => None,
    }
}

#[cold]
fn unhashable(type_name: &str) -> Error {
    Error::unpicklable(format!(
        "unhashable type: '{type_name}' (a dict key must be hashable in Python)"
    ))
}

/// True unless CPython shares the str of UTF-8 `b` ('' and one latin-1
/// character): two ASCII characters are no singleton.
#[inline(always)]
fn is_distinct(b: &[u8]) -> bool {
    b.len() >= 3 || (b.len() == 2 && b[0] < 0x80)
}

/// The opcode that closes a list or dict of `len` (under `BATCH`) items
/// written with one MARK: `one` for a single item, `many` after a MARK,
/// none when empty.
#[inline(always)]
fn closing(len: usize, one: Op, many: Op) -> Option<Op> {
    match len {
        0 => None,
        1 => Some(one),
        _ => Some(many),
    }
}

#[cold]
fn wrong_len(declared: usize, got: usize) -> Error {
    Error::unpicklable(format!(
        "the Serialize impl declared {declared} items but gave {got}; CPython's bytes depend on the length"
    ))
}

/// What a compound writes between and after its items.
#[derive(Clone, Copy)]
enum Kind {
    List {
        set_reduce: bool,
    },
    Dict,
    /// A struct: a dict whose keys are interned field names.
    Struct,
    /// A struct written as a class instance: its state dict, then BUILD.
    Instance,
    /// A class instance with no attributes: no state at all.
    NoState,
    EmptyTuple,
    Tuple {
        marked: bool,
    },
    Set,
    FrozenSet,
}

/// What a buffered compound becomes once its length is known.
#[derive(Clone, Copy)]
enum Buffered {
    Seq(u8),
    Map,
}

/// The state of a sequence, tuple, map or struct being written. Also the
/// SerializeTuple/Map/StructVariant... implementations, and the general
/// path of [`Items`].
#[doc(hidden)]
pub struct Compound<'a, 'w> {
    ser: &'a mut Serializer<'w>,
    kind: Kind,
    len: usize,
    count: usize,
    /// A variant's dict is closed with SETITEM after this compound.
    variant: bool,
    /// What goes between the items, worked out once.
    flow: Flow,
    /// What goes after the items, when that is one opcode.
    close: Close,
    /// Items of a sequence or map of unknown length, replayed at the end.
    buffer: Option<Box<(Buffered, Vec<Content>)>>,
}

/// What a compound writes after its items, worked out at its start.
#[derive(Clone, Copy)]
enum Close {
    Nothing,
    Op(Op),
    /// Worked out at the end, from the kind and the length.
    Slow,
}

/// The opcodes a compound writes around its items.
#[derive(Clone, Copy)]
enum Flow {
    /// Nothing per item (tuples, frozensets, one-item lists and dicts).
    Plain,
    /// Protocol 0: APPEND or SETITEM after each item.
    PerItem(Op),
    /// MARK ... APPENDS per 1000 items.
    ListBatches,
    /// MARK ... SETITEMS per 1000 pairs, and an empty batch after a full one.
    DictBatches,
    /// MARK ... ADDITEMS, as dicts.
    SetBatches,
}

impl<'a, 'w> Compound<'a, 'w> {
    /// Starts the items of a compound whose opening opcodes are written.
    /// A list, dict or set of fewer than `BATCH` items writes its one MARK
    /// here, so its items need no per-item work and its end one opcode.
    #[inline(always)]
    fn new(ser: &'a mut Serializer<'w>, kind: Kind, len: usize) -> Self {
        let binary = ser.proto > 0;
        let small = len < BATCH;
        let mut close = Close::Slow;
        let flow = match kind {
            Kind::List { .. } if !binary => Flow::PerItem(Op::Append),
            Kind::Dict | Kind::Struct | Kind::Instance if !binary => Flow::PerItem(Op::SetItem),
            Kind::List { set_reduce } if small => {
                if len > 1 {
                    ser.op(Op::Mark);
                }
                if !set_reduce {
                    close = closing(len, Op::Append, Op::Appends).map_or(Close::Nothing, Close::Op);
                }
                Flow::Plain
            }
            Kind::Dict | Kind::Struct | Kind::Instance if small => {
                if len > 1 {
                    ser.op(Op::Mark);
                }
                if !matches!(kind, Kind::Instance) {
                    close =
                        closing(len, Op::SetItem, Op::SetItems).map_or(Close::Nothing, Close::Op);
                }
                Flow::Plain
            }
            Kind::Set if small => {
                if len > 0 {
                    ser.op(Op::Mark);
                    close = Close::Op(Op::AddItems);
                } else {
                    close = Close::Nothing;
                }
                Flow::Plain
            }
            Kind::List { .. } => Flow::ListBatches,
            Kind::Dict | Kind::Struct | Kind::Instance => Flow::DictBatches,
            Kind::Set => Flow::SetBatches,
            Kind::EmptyTuple | Kind::Tuple { .. } | Kind::FrozenSet | Kind::NoState => Flow::Plain,
        };
        Compound {
            ser,
            kind,
            len,
            count: 0,
            variant: false,
            flow,
            close,
            buffer: None,
        }
    }

    fn buffered(ser: &'a mut Serializer<'w>, b: Buffered) -> Self {
        Compound {
            ser,
            kind: Kind::Dict,
            len: 0,
            count: 0,
            variant: false,
            flow: Flow::Plain,
            close: Close::Slow,
            buffer: Some(Box::new((b, Vec::new()))),
        }
    }

    /// Before item `count` (for dicts: before key `count`). Every item's
    /// own serialize call makes CPython's frame check.
    #[inline(always)]
    fn before_item(&mut self) -> Result<()> {
        if self.count >= self.len {
            return Err(wrong_len(self.len, self.count + 1));
        }
        // The common case first: nothing between items.
        if let Flow::Plain = self.flow {
            return Ok(());
        }
        match self.flow {
            Flow::ListBatches | Flow::SetBatches if self.count.is_multiple_of(BATCH) => {
                self.ser.op(Op::Mark)
            }
            Flow::DictBatches if self.count == 0 => self.ser.op(Op::Mark),
            _ => {}
        }
        Ok(())
    }

    /// After item `count` (for dicts: after its value).
    #[inline(always)]
    fn after_item(&mut self) {
        self.count += 1;
        // The common case first: nothing between items.
        if let Flow::Plain = self.flow {
            return;
        }
        match self.flow {
            Flow::PerItem(op) => self.ser.op(op),
            Flow::ListBatches if self.count.is_multiple_of(BATCH) => self.ser.op(Op::Appends),
            Flow::SetBatches if self.count.is_multiple_of(BATCH) => self.ser.op(Op::AddItems),
            // Dicts go on after a full batch even when nothing is left.
            Flow::DictBatches if self.count.is_multiple_of(BATCH) => {
                self.ser.op(Op::SetItems);
                self.ser.op(Op::Mark);
            }
            _ => {}
        }
    }

    #[inline(always)]
    fn end(self) -> Result<()> {
        if let (Close::Op(_) | Close::Nothing, None, true) =
            (self.close, &self.buffer, self.count == self.len)
        {
            if let Close::Op(op) = self.close {
                self.ser.op(op);
            }
            if self.variant {
                self.ser.end_variant();
            }
            return Ok(());
        }
        self.end_slow()
    }

    #[inline(never)]
    fn end_slow(self) -> Result<()> {
        let Compound {
            ser,
            kind,
            len: n,
            count,
            variant,
            buffer,
            ..
        } = self;
        if let Some(buffer) = buffer {
            let (b, items) = *buffer;
            return replay(ser, b, items, variant);
        }
        if count != n {
            return Err(wrong_len(n, count));
        }
        let proto = ser.proto;
        match kind {
            Kind::List { set_reduce, .. } => {
                if proto > 0 && n == 1 {
                    ser.op(Op::Append);
                } else if proto > 0 && n > 1 && !n.is_multiple_of(BATCH) {
                    ser.op(Op::Appends);
                }
                if set_reduce {
                    ser.args_close(1)?;
                    ser.op(Op::Reduce);
                    ser.memoize()?;
                }
            }
            Kind::Dict | Kind::Struct | Kind::Instance => {
                if proto > 0 && n == 1 {
                    ser.op(Op::SetItem);
                } else if proto > 0 && n > 1 {
                    ser.op(Op::SetItems);
                }
                if matches!(kind, Kind::Instance) {
                    ser.op(Op::Build);
                }
            }
            Kind::NoState => {}
            Kind::Set => {
                // A do-while over batches: a full last batch is followed
                // by an empty one.
                if n > 0 {
                    if n.is_multiple_of(BATCH) {
                        ser.op(Op::Mark);
                    }
                    ser.op(Op::AddItems);
                }
            }
            Kind::FrozenSet => {
                ser.op(Op::FrozenSet);
                ser.memoize()?;
            }
            Kind::EmptyTuple => {}
            Kind::Tuple { marked } => {
                ser.op(match (marked, n) {
                    (true, _) => Op::Tuple,
                    (false, 1) => Op::Tuple1,
                    (false, 2) => Op::Tuple2,
                    _ => Op::Tuple3,
                });
                ser.memoize()?;
            }
        }
        if variant {
            ser.end_variant();
        }
        Ok(())
    }
}

/// The items of a list or the fields of a struct: the [`Lean`] path for
/// the common case, the general [`Compound`] for the rest (protocol 0,
/// batches, sets, tuples in keys, unknown lengths, class instances).
#[doc(hidden)]
pub enum Items<'a, 'w> {
    Lean(Lean<'a, 'w>),
    General(Compound<'a, 'w>),
}

/// A list or struct dict of under `BATCH` items at protocol 1 or higher:
/// its opening and MARK are written up front, nothing goes between its
/// items, and one opcode (or none, when empty) closes it.
#[doc(hidden)]
pub struct Lean<'a, 'w> {
    ser: &'a mut Serializer<'w>,
    len: usize,
    count: usize,
    close: Option<Op>,
}

impl<'a, 'w> Lean<'a, 'w> {
    #[inline(always)]
    fn new(ser: &'a mut Serializer<'w>, len: usize, close: Option<Op>) -> Self {
        Lean {
            ser,
            len,
            count: 0,
            close,
        }
    }

    /// Counts an item against the declared length.
    #[inline(always)]
    fn take(&mut self) -> Result<()> {
        if self.count >= self.len {
            return Err(wrong_len(self.len, self.count + 1));
        }
        self.count += 1;
        Ok(())
    }

    #[inline(always)]
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.take()?;
        value.serialize(&mut *self.ser)
    }

    #[inline(always)]
    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        self.take()?;
        // The key's save(); the value's serialize makes its own check.
        self.ser.save_start()?;
        self.ser.interned_binary(key)?;
        value.serialize(&mut *self.ser)
    }

    #[inline(always)]
    fn end(self) -> Result<()> {
        if self.count != self.len {
            return Err(wrong_len(self.len, self.count));
        }
        if let Some(op) = self.close {
            self.ser.op(op);
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Items<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        match self {
            Items::Lean(l) => l.element(value),
            Items::General(c) => c.element(value),
        }
    }

    #[inline(always)]
    fn end(self) -> Result<()> {
        match self {
            Items::Lean(l) => l.end(),
            Items::General(c) => c.end(),
        }
    }
}

impl ser::SerializeStruct for Items<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        match self {
            Items::Lean(l) => l.field(key, value),
            Items::General(c) => c.field(key, value),
        }
    }

    #[inline(always)]
    fn end(self) -> Result<()> {
        match self {
            Items::Lean(l) => l.end(),
            Items::General(c) => c.end(),
        }
    }
}

/// Writes a buffered sequence or map now that its length is known.
fn replay(ser: &mut Serializer<'_>, b: Buffered, items: Vec<Content>, variant: bool) -> Result<()> {
    match b {
        Buffered::Seq(set) => {
            ser.next_set = set;
            let mut c = ser.seq(Some(items.len()))?;
            for item in &items {
                c.element(item)?;
            }
            c.variant = variant;
            c.end()
        }
        Buffered::Map => {
            let n = items.len() / 2;
            let mut c = ser.map(Some(n))?;
            for pair in items.chunks_exact(2) {
                ser::SerializeMap::serialize_entry(&mut c, &pair[0], &pair[1])?;
            }
            c.variant = variant;
            c.end()
        }
    }
}

macro_rules! int_methods {
    ($($name:ident: $t:ty),*) => {$(
        #[inline(always)]
        fn $name(self, v: $t) -> Result<()> {
            self.save_start()?;
            self.enc.int(self.proto, v as i64);
            Ok(())
        }
    )*};
}

impl<'a, 'w> ser::Serializer for &'a mut Serializer<'w> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Items<'a, 'w>;
    type SerializeTuple = Compound<'a, 'w>;
    type SerializeTupleStruct = Compound<'a, 'w>;
    type SerializeTupleVariant = Compound<'a, 'w>;
    type SerializeMap = Compound<'a, 'w>;
    type SerializeStruct = Items<'a, 'w>;
    type SerializeStructVariant = Compound<'a, 'w>;

    #[inline(always)]
    fn serialize_bool(self, v: bool) -> Result<()> {
        self.save_start()?;
        self.enc.bool(self.proto, v);
        Ok(())
    }

    int_methods!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32);

    #[inline]
    fn serialize_u64(self, v: u64) -> Result<()> {
        match i64::try_from(v) {
            Ok(i) => self.serialize_i64(i),
            Err(_) => self.serialize_u128(v as u128),
        }
    }

    fn serialize_i128(self, v: i128) -> Result<()> {
        self.save_start()?;
        self.enc.int128(self.proto, v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<()> {
        match i128::try_from(v) {
            Ok(i) => self.serialize_i128(i),
            Err(_) => {
                self.save_start()?;
                self.enc.big_int(self.proto, &num_bigint::BigInt::from(v))
            }
        }
    }

    #[inline]
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.serialize_f64(v as f64)
    }

    #[inline]
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.save_start()?;
        self.enc.float(self.proto, v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<()> {
        let mut buf = [0; 4];
        self.serialize_str(v.encode_utf8(&mut buf))
    }

    #[inline]
    fn serialize_str(self, v: &str) -> Result<()> {
        self.save_start()?;
        self.str(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.save_start()?;
        if std::mem::take(&mut self.next_int) {
            // A big int's signed little-endian bytes: see `super::big_int`.
            return self
                .enc
                .big_int(self.proto, &num_bigint::BigInt::from_signed_bytes_le(v));
        }
        self.bytes(v)
    }

    #[inline]
    fn serialize_none(self) -> Result<()> {
        self.save_start()?;
        self.enc.none();
        Ok(())
    }

    #[inline]
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_none()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.save_start()?;
        self.interned(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<()> {
        match name {
            super::SET_TOKEN => self.next_set = 1,
            super::FROZENSET_TOKEN => self.next_set = 2,
            super::BIGINT_TOKEN => self.next_int = true,
            _ => return value.serialize(self),
        }
        // The marker is for the value's own first call only.
        let r = value.serialize(&mut *self);
        self.next_set = 0;
        self.next_int = false;
        r
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.save_start()?;
        self.begin_variant(variant)?;
        value.serialize(&mut *self)?;
        self.end_variant();
        Ok(())
    }

    #[inline]
    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a, 'w>> {
        self.save_start()?;
        match len {
            Some(len) if self.lean_list_ok(len) => self.lean_list(len).map(Items::Lean),
            _ => self.seq_slow(len).map(Items::General),
        }
    }

    /// serde's `Vec`, slice and set impls come here: as serde's default,
    /// with the lean list's loop written out, so no compound is built and
    /// returned through memory.
    #[inline]
    fn collect_seq<I>(self, iter: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Serialize,
    {
        let iter = iter.into_iter();
        let len = match iter.size_hint() {
            (lo, Some(hi)) if lo == hi => Some(lo),
            _ => None,
        };
        self.save_start()?;
        match len {
            Some(len) if self.lean_list_ok(len) => {
                let mut items = self.lean_list(len)?;
                for item in iter {
                    items.element(&item)?;
                }
                items.end()
            }
            _ => self.collect_seq_slow(len, iter),
        }
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 'w>> {
        self.save_start()?;
        self.next_set = 0;
        let kind = self.begin_tuple(len);
        Ok(Compound::new(self, kind, len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, 'w>> {
        self.serialize_tuple(len)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'w>> {
        self.save_start()?;
        self.begin_variant(variant)?;
        let kind = self.begin_tuple(len);
        let mut c = Compound::new(self, kind, len);
        c.variant = true;
        Ok(c)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a, 'w>> {
        self.save_start()?;
        self.next_set = 0;
        self.map(len)
    }

    #[inline]
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Items<'a, 'w>> {
        self.save_start()?;
        self.next_set = 0;
        if let Some(i) = self.classes.iter().position(|c| c.serde_name == name) {
            return self.instance_struct(i, len).map(Items::General);
        }
        if self.in_key > 0 {
            return Err(unhashable("dict"));
        }
        if !self.lean_ok(len) {
            self.begin_dict()?;
            return Ok(Items::General(Compound::new(self, Kind::Struct, len)));
        }
        self.open(Op::EmptyDict, b"(d", len > 1)?;
        let close = closing(len, Op::SetItem, Op::SetItems);
        Ok(Items::Lean(Lean::new(self, len, close)))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'w>> {
        self.save_start()?;
        self.begin_variant(variant)?;
        self.begin_dict()?;
        let mut c = Compound::new(self, Kind::Struct, len);
        c.variant = true;
        Ok(c)
    }
}

impl Compound<'_, '_> {
    /// Keeps an item of a compound of unknown length for the replay;
    /// false when the compound is written as it goes.
    #[inline(always)]
    fn keep_for_replay<T: ?Sized + Serialize>(&mut self, item: &T) -> Result<bool> {
        match &mut self.buffer {
            Some(buffer) => {
                buffer.1.push(item.serialize(ContentSerializer)?);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    #[inline(always)]
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        if self.keep_for_replay(value)? {
            return Ok(());
        }
        self.before_item()?;
        value.serialize(&mut *self.ser)?;
        self.after_item();
        Ok(())
    }

    #[inline(always)]
    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        self.before_item()?;
        // The key's save(); the value's serialize makes its own check.
        self.ser.save_start()?;
        self.ser.interned(key)?;
        value.serialize(&mut *self.ser)?;
        self.after_item();
        Ok(())
    }
}

/// serde's other compound traits, served by [`Compound`]: tuples by
/// `element`, struct variants by `field`.
macro_rules! compound_traits {
    ($($trait:ident :: $method:ident ($($key:ident: $key_ty:ty,)?) => $via:ident;)*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;

            #[inline]
            fn $method<T: ?Sized + Serialize>(&mut self, $($key: $key_ty,)? value: &T) -> Result<()> {
                self.$via($($key,)? value)
            }

            #[inline]
            fn end(self) -> Result<()> {
                Compound::end(self)
            }
        }
    )*};
}

compound_traits! {
    SerializeTuple::serialize_element() => element;
    SerializeTupleStruct::serialize_field() => element;
    SerializeTupleVariant::serialize_field() => element;
    SerializeStructVariant::serialize_field(key: &'static str,) => field;
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        if self.keep_for_replay(key)? {
            return Ok(());
        }
        self.before_item()?;
        self.ser.in_key += 1;
        let r = key.serialize(&mut *self.ser);
        self.ser.in_key -= 1;
        r
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        if self.keep_for_replay(value)? {
            return Ok(());
        }
        value.serialize(&mut *self.ser)?;
        self.after_item();
        Ok(())
    }

    #[inline]
    fn end(self) -> Result<()> {
        Compound::end(self)
    }
}

#[cfg(test)]
mod tests {
    use serde::ser::{SerializeSeq, SerializeStruct};
    use serde::Serialize;

    /// A sequence that declares `declared` items and gives `given`.
    struct Liar {
        declared: usize,
        given: usize,
    }

    impl Serialize for Liar {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.declared))?;
            for i in 0..self.given {
                seq.serialize_element(&i)?;
            }
            seq.end()
        }
    }

    /// An iterator whose exact size hint is `hint`, whatever it yields.
    struct Hinted {
        hint: usize,
        left: usize,
    }

    impl Iterator for Hinted {
        type Item = u8;
        fn next(&mut self) -> Option<u8> {
            self.left = self.left.checked_sub(1)?;
            Some(1)
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            (self.hint, Some(self.hint))
        }
    }

    /// collect_seq of a [`Hinted`].
    struct Collected {
        hint: usize,
        given: usize,
    }

    impl Serialize for Collected {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(Hinted {
                hint: self.hint,
                left: self.given,
            })
        }
    }

    /// A struct that declares `declared` fields and gives `given`.
    struct LiarStruct {
        declared: usize,
        given: usize,
    }

    impl Serialize for LiarStruct {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("LiarStruct", self.declared)?;
            for _ in 0..self.given {
                st.serialize_field("f", &1u8)?;
            }
            st.end()
        }
    }

    /// More field names than the name cache takes (it stops at 32), each
    /// struct written twice: names past the cache are found by content.
    struct ManyNames;

    const NAMES: [&str; 40] = [
        "f00", "f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09", "f10", "f11", "f12",
        "f13", "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24", "f25",
        "f26", "f27", "f28", "f29", "f30", "f31", "f32", "f33", "f34", "f35", "f36", "f37", "f38",
        "f39",
    ];

    impl Serialize for ManyNames {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(2))?;
            for _ in 0..2 {
                seq.serialize_element(&Fields)?;
            }
            seq.end()
        }
    }

    struct Fields;

    impl Serialize for Fields {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Fields", NAMES.len())?;
            for name in NAMES {
                st.serialize_field(name, &1u8)?;
            }
            st.end()
        }
    }

    #[test]
    fn names_past_the_cache_are_shared_too() {
        let graph = crate::to_value(&ManyNames).unwrap();
        for p in 0..=5u8 {
            let direct = crate::to_vec_with(&ManyNames, p).unwrap();
            assert_eq!(direct, crate::dumps(&graph, p).unwrap(), "p{p}");
        }
        // Each name is written once; the second struct GETs them all.
        let bytes = crate::to_vec_with(&ManyNames, 4).unwrap();
        for name in NAMES {
            let n = bytes.windows(3).filter(|w| *w == name.as_bytes()).count();
            assert_eq!(n, 1, "{name}");
        }
    }

    #[test]
    fn wrong_lengths_are_errors_on_every_path() {
        // Lean lists (under 1000), batched lists (1000 and up), protocol 0.
        let pairs = [
            (0, 1),
            (1, 0),
            (2, 3),
            (3, 2),
            (999, 1000),
            (1000, 999),
            (1001, 2002),
        ];
        for p in 0..=5u8 {
            for (declared, given) in pairs {
                let liar = Liar { declared, given };
                assert!(
                    crate::to_vec_with(&liar, p).is_err(),
                    "{declared}/{given} p{p}"
                );
                let c = Collected {
                    hint: declared,
                    given,
                };
                assert!(
                    crate::to_vec_with(&c, p).is_err(),
                    "{declared}/{given} p{p}"
                );
                let s = LiarStruct { declared, given };
                assert!(
                    crate::to_vec_with(&s, p).is_err(),
                    "{declared}/{given} p{p}"
                );
                // Honest lengths still work.
                for ok in [
                    crate::to_vec_with(
                        &Liar {
                            declared,
                            given: declared,
                        },
                        p,
                    ),
                    crate::to_vec_with(&Collected { hint: given, given }, p),
                ] {
                    assert!(ok.is_ok(), "{declared}/{given} p{p}");
                }
            }
        }
    }
}
