//! The walk that writes a graph, in CPython's order, without recursion.
//!
//! `_pickle.c` saves objects recursively; here an explicit stack of
//! [`Task`]s plays the call stack, so a million-deep graph dumps in constant
//! native stack. Each task is one step of CPython's `save()` or of a helper
//! it calls (`save_tuple`, `batch_list`, `save_reduce`, ...), and tasks are
//! pushed in reverse so they run in CPython's order.
//!
//! Objects the pickler makes for itself (reduce argument tuples, the list
//! behind a set below protocol 4, the latin-1 str behind bytes below
//! protocol 3) are added to a scratch arena that extends the graph, so they
//! are saved by the same code and take memo slots exactly as in CPython.
use super::emit::MemoCount;
use super::encoder::{Encoder, Sink};
use super::names::{self, NameIdentity};
use super::Pickler;
use crate::error::{Error, Result};
use crate::opcode::Opcode as Op;
use crate::value::{Global, Graph, Items, ObjId, Object, PyStr, Reduce, Value};

/// CPython's `BATCHSIZE` for APPENDS, SETITEMS and ADDITEMS.
const BATCH: usize = 1000;

/// How many containers deep the items of a batch or tuple are saved by
/// native calls (items -> save_new -> batch -> items) before the walk
/// falls back to the task stack, whose loop starts again from no depth.
/// A constant, so the native stack stays bounded whatever the input.
const INLINE_DEPTH: u32 = 16;

/// What a memo entry is keyed on: the identity CPython's memo would see.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ValueKey {
    /// The `builtins` module's own name object.
    BuiltinsName,
    /// A singleton bytes object (empty or one byte).
    Bytes(Box<[u8]>),
    /// A class or function: one object per name.
    Global(Box<[u8]>, Box<[u8]>),
}

/// A run of queued batch items: `Task::Items` without its position.
#[derive(Clone, Copy)]
struct ItemRun {
    src: ObjId,
    kind: Batch,
    end: usize,
    keys: Ctx,
    each: Option<u8>,
}

impl ItemRun {
    /// The task that saves this run's items from `pos` on.
    fn rest_from(self, pos: usize) -> Task {
        Task::Items {
            src: self.src,
            kind: self.kind,
            pos,
            end: self.end,
            keys: self.keys,
            each: self.each,
        }
    }
}

/// What the memo knows of an object.
enum Lookup {
    /// Saved before, at this memo index.
    Hit(u32),
    /// Not saved yet; memoized under this slot when it is.
    Miss(Slot),
}

/// Where an object of the graph (or scratch arena) goes in the memo. A
/// copy of an id, so the walk never builds or drops a key for the common
/// case; keys shared by value are worked out when the memo is consulted.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Obj(ObjId),
    /// An interned or singleton str of the graph, shared by value.
    Str(ObjId),
    /// An object shared by value (singleton bytes, globals): keyed on
    /// its `value_key`.
    Value(ObjId),
}

/// A memo slot for what the pickler writes of its own accord: global and
/// module names.
#[derive(Clone, Debug)]
enum Named {
    /// A name the pickler writes (interned in CPython), shared by value.
    Name(PyStr),
    Value(ValueKey),
    /// An object nobody can refer to again; it still takes an index.
    Fresh,
}

/// How the contents of a value are saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Plain,
    /// A dict key of instance state: CPython interns these on load.
    StateKey,
    /// Instance state: a dict whose keys are interned, or a
    /// `(dict, slots)` pair of them.
    State,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Batch {
    /// `save_list`'s exact-list batching.
    List,
    /// `save_dict`'s exact-dict batching.
    Dict,
    /// `save_set`'s batching.
    Set,
    /// `batch_list` over a reduce's list items.
    ListItems,
    /// `batch_dict` over a reduce's dict items.
    DictItems,
    /// A tuple's items, saved in its context (not a batch in CPython: the
    /// items of `save_tuple`, with no opcodes between them).
    Tuple,
}

enum Task {
    Save(Value, Ctx),
    /// A str saved under an explicit identity (global names).
    SaveName(PyStr, NameIdentity),
    Byte(u8),
    Memoize(Named),
    /// After a tuple's items: TUPLEn or TUPLE, or the recursive-tuple fix.
    TupleEnd {
        id: ObjId,
        n: usize,
        marked: bool,
    },
    /// After the items of a frozenset: FROZENSET, or the recursive fix.
    FrozenSetEnd(ObjId),
    /// After a reduce's callable and arguments: write the call opcode, then
    /// memoize the result (or fetch it, if it became recursive) and go on
    /// with its items and state when `tail` is set.
    CallEnd {
        id: ObjId,
        op: u8,
        tail: bool,
    },
    Batch {
        src: ObjId,
        kind: Batch,
        start: usize,
        keys: Ctx,
    },
    /// Items `pos..end` of a batch source still to be saved.
    Items {
        src: ObjId,
        kind: Batch,
        pos: usize,
        end: usize,
        keys: Ctx,
        each: Option<u8>,
    },
}

pub(crate) struct Saver<'g, 'p> {
    graph: &'g Graph,
    /// Objects the pickler made for itself; their ids follow the graph's.
    extra: Vec<Object>,
    enc: Encoder,
    proto: u8,
    opts: &'p mut Pickler,
    /// Memo index + 1 per object id (0: not memoized).
    memo_obj: Vec<u32>,
    memo_val: rustc_hash::FxHashMap<ValueKey, u32>,
    /// Strs shared by value (interned or singletons), by their data.
    memo_str: rustc_hash::FxHashMap<Box<[u8]>, u32>,
    memo_count: MemoCount,
    tasks: Vec<Task>,
    /// Scratch strs that are interned in CPython ('latin1').
    interned: rustc_hash::FxHashSet<ObjId>,
    /// `getattr(object, '__new__')`, once made (see `object_new`).
    object_new: Option<Value>,
    /// How many batches are being saved by native calls (`INLINE_DEPTH`).
    depth: u32,
}

fn object<'a>(graph: &'a Graph, extra: &'a [Object], id: ObjId) -> &'a Object {
    let i = id.index();
    match graph.get(id) {
        Some(o) => o,
        None => &extra[i - graph.len()],
    }
}

/// `Encoder::py_int`, kept out of line so the batch loop stays small.
#[inline(never)]
fn py_int(enc: &mut Encoder, proto: u8, i: &crate::PyInt) -> Result<()> {
    enc.py_int(proto, i)
}

/// True for '' and one-character latin-1 strs, which CPython shares.
fn is_singleton_str(s: &PyStr) -> bool {
    is_singleton_data(s.as_bytes())
}

/// `is_singleton_str` on a str's data.
#[inline]
fn is_singleton_data(b: &[u8]) -> bool {
    b.len() <= 1 || (b.len() == 2 && (b[0] == 0xc2 || b[0] == 0xc3))
}

impl<'g, 'p> Saver<'g, 'p> {
    pub(crate) fn new(graph: &'g Graph, opts: &'p mut Pickler, enc: Encoder) -> Self {
        let proto = opts.protocol;
        Saver {
            graph,
            extra: Vec::new(),
            enc,
            proto,
            opts,
            memo_obj: vec![0; graph.len()],
            memo_val: Default::default(),
            memo_str: Default::default(),
            memo_count: MemoCount::default(),
            tasks: Vec::new(),
            interned: Default::default(),
            object_new: None,
            depth: 0,
        }
    }

    pub(crate) fn into_encoder(self) -> Encoder {
        self.enc
    }

    /// Writes the whole pickle: header, the root, STOP.
    /// With a `sink`, finished output goes to it once 1 MiB is buffered,
    /// and all of it at the end; without, it stays in the encoder.
    pub(crate) fn dump(&mut self, mut sink: Option<&mut Sink<'_>>) -> Result<()> {
        self.enc.header(self.proto);
        self.tasks.push(Task::Save(self.graph.root(), Ctx::Plain));
        // Saving inline also stops while output is due, so that the loop
        // below can hand it to the sink.
        if sink.is_some() {
            self.enc.enable_flushing();
        }
        // A walk that reaches an object again before it is memoized, only
        // through objects made for the walk (a tuple holding itself, an
        // instance whose `dict(obj)` state holds it below protocol 2) never
        // ends: CPython raises RecursionError. A legitimate walk keeps a
        // few tasks per object of the graph at most.
        let max_tasks = self.graph.len().saturating_mul(16).saturating_add(10_000);
        while let Some(task) = self.tasks.pop() {
            if self.tasks.len() > max_tasks {
                return Err(Error::unpicklable(
                    "maximum recursion depth exceeded while pickling an object \
                     (it contains itself only through objects that are not memoized first)",
                ));
            }
            self.run(task)?;
            if self.enc.output_due() {
                if let Some(sink) = sink.as_mut() {
                    self.enc.flush_to(*sink)?;
                }
            }
        }
        self.enc.byte(Op::Stop.code());
        self.enc.end_frames();
        match sink {
            Some(sink) => self.enc.flush_to(sink),
            None => Ok(()),
        }
    }

    fn obj(&self, id: ObjId) -> &Object {
        object(self.graph, &self.extra, id)
    }

    fn add_extra(&mut self, obj: Object) -> Value {
        let id = ObjId((self.graph.len() + self.extra.len()) as u32);
        self.extra.push(obj);
        self.memo_obj.push(0);
        Value::Ref(id)
    }

    fn op(&mut self, op: Op) {
        self.enc.byte(op.code());
    }

    // ----- memo -----

    fn memo_lookup(&self, slot: &Slot) -> Option<u32> {
        match *slot {
            Slot::Obj(id) => self.memo_obj[id.index()].checked_sub(1),
            Slot::Str(id) => self.memo_str.get(self.str_data(id)).copied(),
            Slot::Value(id) => self.memo_val.get(&self.value_key(id)).copied(),
        }
    }

    fn memo_lookup_named(&self, slot: &Named) -> Option<u32> {
        match slot {
            Named::Value(k) => self.memo_val.get(k).copied(),
            Named::Name(s) => self.memo_str.get(s.as_bytes()).copied(),
            Named::Fresh => None,
        }
    }

    #[inline(always)]
    fn memoize(&mut self, slot: Slot) -> Result<()> {
        match slot {
            // Most objects are memoized by id.
            Slot::Obj(id) => {
                let idx = self.memo_count.next()?;
                self.memo_obj[id.index()] = idx + 1;
                self.enc.put(self.proto, idx);
                Ok(())
            }
            slot => self.memoize_by_value(slot),
        }
    }

    #[inline(never)]
    fn memoize_by_value(&mut self, slot: Slot) -> Result<()> {
        let idx = self.memo_count.next()?;
        match slot {
            Slot::Obj(id) => self.memo_obj[id.index()] = idx + 1,
            Slot::Str(id) => {
                let key = self.str_data(id).into();
                self.memo_str.insert(key, idx);
            }
            Slot::Value(id) => {
                self.memo_val.insert(self.value_key(id), idx);
            }
        }
        self.enc.put(self.proto, idx);
        Ok(())
    }

    fn memoize_named(&mut self, slot: Named) -> Result<()> {
        let idx = self.memo_count.next()?;
        match slot {
            Named::Value(k) => {
                self.memo_val.insert(k, idx);
            }
            Named::Name(s) => {
                self.memo_str.insert(s.as_bytes().into(), idx);
            }
            Named::Fresh => {}
        }
        self.enc.put(self.proto, idx);
        Ok(())
    }

    /// The key of an object shared by value (see `slot_of`).
    fn value_key(&self, id: ObjId) -> ValueKey {
        match self.obj(id) {
            Object::Global(g) => global_key(g),
            Object::Bytes(b) => ValueKey::Bytes(b.as_slice().into()),
            // Not shared by value: a key nothing else has.
            _ => ValueKey::Global(Box::default(), Box::default()),
        }
    }

    #[inline]
    fn write_get(&mut self, idx: u32) {
        self.enc.get(self.proto, idx);
    }

    /// True for a one-byte bytes object that CPython does not share: one
    /// `_codecs.encode` built, or the copy a bytearray reduces to.
    fn distinct_bytes(&self, id: ObjId) -> bool {
        id.index() >= self.graph.len() || self.graph.distinct_bytes.contains(&id)
    }

    /// The data of the str `id` (empty if it is not a str).
    fn str_data(&self, id: ObjId) -> &[u8] {
        match self.obj(id) {
            Object::Str(s) => s.as_bytes(),
            _ => &[],
        }
    }

    /// The memo identity of an object, as CPython's `id()` would see it.
    #[inline]
    fn slot_of(&self, id: ObjId, ctx: Ctx) -> Slot {
        match self.obj(id) {
            Object::Str(s) => self.str_slot(id, s.as_bytes(), ctx),
            Object::Bytes(b) if b.is_empty() || (b.len() == 1 && !self.distinct_bytes(id)) => {
                Slot::Value(id)
            }
            Object::Global(_) => Slot::Value(id),
            _ => Slot::Obj(id),
        }
    }

    /// `slot_of` for the str `id`, whose data is `data`.
    #[inline]
    fn str_slot(&self, id: ObjId, data: &[u8], ctx: Ctx) -> Slot {
        if ctx == Ctx::StateKey
            || is_singleton_data(data)
            || (id.index() >= self.graph.len() && self.interned.contains(&id))
        {
            Slot::Str(id)
        } else {
            Slot::Obj(id)
        }
    }

    // ----- the dispatcher -----

    fn run(&mut self, task: Task) -> Result<()> {
        match task {
            Task::Save(v, ctx) => {
                self.enc.boundary();
                self.save(v, ctx)
            }
            Task::SaveName(s, identity) => {
                self.enc.boundary();
                self.save_name(s, identity)
            }
            Task::Byte(b) => {
                self.enc.byte(b);
                Ok(())
            }
            Task::Memoize(slot) => self.memoize_named(slot),
            Task::TupleEnd { id, n, marked } => self.tuple_end(id, n, marked),
            Task::FrozenSetEnd(id) => {
                if let Some(idx) = self.memo_lookup(&Slot::Obj(id)) {
                    self.op(Op::PopMark);
                    self.write_get(idx);
                    Ok(())
                } else {
                    self.op(Op::FrozenSet);
                    self.memoize(Slot::Obj(id))
                }
            }
            Task::CallEnd { id, op, tail } => self.call_end(id, op, tail),
            Task::Batch {
                src,
                kind,
                start,
                keys,
            } => self.batch(src, kind, start, keys),
            Task::Items {
                src,
                kind,
                pos,
                end,
                keys,
                each,
            } => self.items(src, kind, pos, end, keys, each),
        }
    }

    fn save(&mut self, v: Value, ctx: Ctx) -> Result<()> {
        match v {
            Value::Ref(id) => self.save_object(id, ctx),
            atom => {
                self.save_atom(atom);
                Ok(())
            }
        }
    }

    /// None, a bool, an int of 64 bits or a float.
    #[inline(always)]
    fn save_atom(&mut self, v: Value) {
        match v {
            Value::None => self.enc.none(),
            Value::Bool(b) => self.enc.bool(self.proto, b),
            Value::Int(i) => self.enc.int(self.proto, i),
            Value::Float(f) => self.enc.float(self.proto, f),
            Value::Ref(_) => {}
        }
    }

    /// The memo index of an object if it was saved, or else its memo slot.
    #[inline]
    fn lookup(&self, id: ObjId, ctx: Ctx) -> Lookup {
        // An object memoized by its id was memoized where its slot is its
        // id, which it is again in a plain context (the others only key
        // strs by value).
        if ctx == Ctx::Plain {
            if let Some(idx) = self.memo_obj[id.index()].checked_sub(1) {
                return Lookup::Hit(idx);
            }
        }
        let slot = self.slot_of(id, ctx);
        if ctx == Ctx::Plain && matches!(slot, Slot::Obj(_)) {
            // Just looked up above.
            return Lookup::Miss(slot);
        }
        match self.memo_lookup(&slot) {
            Some(idx) => Lookup::Hit(idx),
            None => Lookup::Miss(slot),
        }
    }

    fn save_object(&mut self, id: ObjId, ctx: Ctx) -> Result<()> {
        // One identity rule, `slot_of`, serves lookup and store. What CPython
        // never memoizes (big ints, persistent ids, out-of-band buffers) is
        // never in the memo, so looking it up first changes nothing.
        match self.lookup(id, ctx) {
            Lookup::Hit(idx) => {
                self.write_get(idx);
                Ok(())
            }
            Lookup::Miss(slot) => self.save_new(id, slot, ctx),
        }
    }

    /// Saves an object that is not in the memo yet.
    fn save_new(&mut self, id: ObjId, slot: Slot, ctx: Ctx) -> Result<()> {
        let (graph, extra) = (self.graph, &self.extra);
        // Lists and dicts of the graph that fit in one batch, from protocol
        // 1: one specialised path instead of `batch`, `chunk` and `items`.
        if self.proto >= 1 {
            match graph.get(id) {
                Some(Object::List(items)) => {
                    return self.save_graph_list(id, slot, items);
                }
                Some(Object::Dict(pairs)) if pairs.len() < BATCH => {
                    let keys = if ctx == Ctx::State {
                        Ctx::StateKey
                    } else {
                        Ctx::Plain
                    };
                    return self.save_small_dict(id, slot, pairs, keys);
                }
                _ => {}
            }
        }
        match object(graph, extra, id) {
            Object::Int(i) => self.enc.py_int(self.proto, i),
            Object::Persistent(pid) => self.save_persistent(*pid),
            Object::Buffer(_) => self.save_buffer(id, slot),
            Object::Str(_) => self.save_str(id, slot),
            Object::Bytes(_) => self.save_bytes(id, slot),
            Object::ByteArray(_) => self.save_bytearray(id),
            Object::Complex { re, im } => {
                let (re, im) = (*re, *im);
                let args = self.add_extra(Object::Tuple(Items::from([
                    Value::Float(re),
                    Value::Float(im),
                ])));
                self.reduce_global(id, ("builtins", "complex"), args);
                Ok(())
            }
            Object::Tuple(items) => {
                let n = items.len();
                self.save_tuple(id, n, ctx)
            }
            Object::List(_) => {
                if self.proto == 0 {
                    self.enc.write(b"(l");
                } else {
                    self.op(Op::EmptyList);
                }
                self.memoize(slot)?;
                self.batch(id, Batch::List, 0, Ctx::Plain)
            }
            Object::Dict(_) => {
                if self.proto == 0 {
                    self.enc.write(b"(d");
                } else {
                    self.op(Op::EmptyDict);
                }
                self.memoize(slot)?;
                let keys = if ctx == Ctx::State {
                    Ctx::StateKey
                } else {
                    Ctx::Plain
                };
                self.batch(id, Batch::Dict, 0, keys)
            }
            Object::Set(items) => {
                if self.proto >= 4 {
                    self.op(Op::EmptySet);
                    self.memoize(slot)?;
                    return self.batch(id, Batch::Set, 0, Ctx::Plain);
                } else {
                    let list = self.add_extra(Object::List(items.clone()));
                    let args = self.add_extra(Object::Tuple(Items::from([list])));
                    self.reduce_global(id, ("builtins", "set"), args);
                }
                Ok(())
            }
            Object::FrozenSet(items) => {
                let items = items.clone();
                if self.proto >= 4 {
                    self.op(Op::Mark);
                    self.tasks.push(Task::FrozenSetEnd(id));
                    self.push_saves(&items, Ctx::Plain);
                } else {
                    let list = self.add_extra(Object::List(items));
                    let args = self.add_extra(Object::Tuple(Items::from([list])));
                    self.reduce_global(id, ("builtins", "frozenset"), args);
                }
                Ok(())
            }
            Object::Global(g) => {
                let g = (**g).clone();
                self.save_global(&g)
            }
            Object::Instance(_) => self.save_instance(id),
            Object::Reduce(r) => {
                let (callable, args) = (r.callable, r.args);
                self.tasks.push(Task::CallEnd {
                    id,
                    op: Op::Reduce.code(),
                    tail: true,
                });
                self.tasks.push(Task::Save(args, Ctx::Plain));
                self.tasks.push(Task::Save(callable, Ctx::Plain));
                Ok(())
            }
        }
    }

    /// `save_list` from protocol 1 for a list of the graph: EMPTY_LIST,
    /// then APPEND for one item or chunks of MARK ... APPENDS, each chunk's
    /// items borrowed once. The next chunk is queued (as `batch` would)
    /// when the walk descends or output is due for the sink.
    fn save_graph_list(&mut self, id: ObjId, slot: Slot, items: &'g [Value]) -> Result<()> {
        self.op(Op::EmptyList);
        self.memoize(slot)?;
        let total = items.len();
        let mut start = 0;
        while start < total {
            let (next, close) = if total == 1 {
                (1, Op::Append)
            } else {
                self.op(Op::Mark);
                ((start + BATCH).min(total), Op::Appends)
            };
            let at = ItemRun {
                src: id,
                kind: Batch::List,
                end: next,
                keys: Ctx::Plain,
                each: None,
            };
            let mark = self.tasks.len();
            for (i, &v) in items[start..next].iter().enumerate() {
                if !self.one(at, start + i + 1, v, Ctx::Plain, None)? {
                    break;
                }
            }
            let queued = self.tasks.len() != mark;
            self.close(mark, close);
            if next < total && (queued || self.enc.output_due()) {
                self.tasks.insert(
                    mark,
                    Task::Batch {
                        src: id,
                        kind: Batch::List,
                        start: next,
                        keys: Ctx::Plain,
                    },
                );
                return Ok(());
            }
            start = next;
        }
        Ok(())
    }

    /// `save_dict` from protocol 1 for a dict of the graph of fewer than
    /// `BATCH` pairs: EMPTY_DICT, then SETITEM or MARK ... SETITEMS. The
    /// loop goes over pairs; positions count keys and values (2i is key i).
    fn save_small_dict(
        &mut self,
        id: ObjId,
        slot: Slot,
        pairs: &'g [(Value, Value)],
        keys: Ctx,
    ) -> Result<()> {
        self.op(Op::EmptyDict);
        self.memoize(slot)?;
        let close = match pairs.len() {
            0 => return Ok(()),
            1 => Op::SetItem,
            _ => {
                self.op(Op::Mark);
                Op::SetItems
            }
        };
        let at = ItemRun {
            src: id,
            kind: Batch::Dict,
            end: pairs.len() * 2,
            keys,
            each: None,
        };
        let mark = self.tasks.len();
        for (i, &(k, v)) in pairs.iter().enumerate() {
            if !self.one(at, 2 * i + 1, k, keys, None)?
                || !self.one(at, 2 * i + 2, v, Ctx::Plain, None)?
            {
                break;
            }
        }
        self.close(mark, close);
        Ok(())
    }

    /// Writes a batch's closing opcode now, or queues it beneath the work
    /// its items left queued above `mark`.
    #[inline]
    fn close(&mut self, mark: usize, op: Op) {
        if self.tasks.len() == mark {
            self.op(op);
        } else {
            self.tasks.insert(mark, Task::Byte(op.code()));
        }
    }

    /// Pushes saves of `items` so they run in order.
    fn push_saves(&mut self, items: &[Value], ctx: Ctx) {
        self.tasks
            .extend(items.iter().rev().map(|v| Task::Save(*v, ctx)));
    }

    fn push_batch(&mut self, src: ObjId, kind: Batch, keys: Ctx) {
        self.tasks.push(Task::Batch {
            src,
            kind,
            start: 0,
            keys,
        });
    }

    // ----- text and bytes -----

    fn save_str(&mut self, id: ObjId, slot: Slot) -> Result<()> {
        let (graph, extra) = (self.graph, &self.extra);
        let Object::Str(s) = object(graph, extra, id) else {
            return Ok(());
        };
        let data = s.as_bytes();
        self.enc.str(self.proto, data)?;
        self.memoize(slot)
    }

    fn save_name(&mut self, s: PyStr, identity: NameIdentity) -> Result<()> {
        let slot = match identity {
            NameIdentity::Interned => Named::Name(s.clone()),
            NameIdentity::BuiltinsModuleName => Named::Value(ValueKey::BuiltinsName),
            NameIdentity::Fresh if is_singleton_str(&s) => Named::Name(s.clone()),
            NameIdentity::Fresh => Named::Fresh,
        };
        if let Some(idx) = self.memo_lookup_named(&slot) {
            self.write_get(idx);
            return Ok(());
        }
        self.enc.str(self.proto, s.as_bytes())?;
        self.memoize_named(slot)
    }

    fn save_bytes(&mut self, id: ObjId, slot: Slot) -> Result<()> {
        let (graph, extra) = (self.graph, &self.extra);
        let Object::Bytes(b) = object(graph, extra, id) else {
            return Ok(());
        };
        if self.proto >= 3 {
            self.enc.bytes(self.proto, b)?;
            return self.memoize(slot);
        }
        // Below protocol 3 bytes are rebuilt by a call, as CPython writes them.
        if b.is_empty() {
            let args = self.add_extra(Object::Tuple(Items::new()));
            self.reduce_global(id, ("builtins", "bytes"), args);
        } else {
            let text = self.add_extra(Object::Str(PyStr::from(crate::latin1::decode(b))));
            let encoding = self.add_extra(Object::Str(PyStr::from("latin1")));
            let args = self.add_extra(Object::Tuple(Items::from([text, encoding])));
            // 'latin1' is one interned str in CPython.
            self.interned.insert(encoding_id(encoding));
            self.reduce_global(id, ("_codecs", "encode"), args);
        }
        Ok(())
    }

    fn save_bytearray(&mut self, id: ObjId) -> Result<()> {
        let (graph, extra) = (self.graph, &self.extra);
        let Object::ByteArray(b) = object(graph, extra, id) else {
            return Ok(());
        };
        if self.proto >= 5 {
            let mut header = vec![Op::ByteArray8.code()];
            header.extend_from_slice(&(b.len() as u64).to_le_bytes());
            self.enc.write_large(&header, b);
            return self.memoize(Slot::Obj(id));
        }
        let args = if b.is_empty() {
            Items::new()
        } else {
            let data = b.clone();
            Items::from([self.add_extra(Object::Bytes(data.into()))])
        };
        let args = self.add_extra(Object::Tuple(args));
        self.reduce_global(id, ("builtins", "bytearray"), args);
        Ok(())
    }

    // ----- containers -----

    fn save_tuple(&mut self, id: ObjId, n: usize, ctx: Ctx) -> Result<()> {
        if n == 0 {
            if self.proto == 0 {
                self.enc.write(b"(t");
            } else {
                self.op(Op::EmptyTuple);
            }
            return Ok(());
        }
        let item_ctx = if ctx == Ctx::State && n == 2 {
            Ctx::State
        } else {
            Ctx::Plain
        };
        let marked = !(self.proto >= 2 && n <= 3);
        if marked {
            self.op(Op::Mark);
        }
        // The items are saved like a batch's (on the spot, as far as they
        // go), then the end, unless they left work queued.
        let mark = self.tasks.len();
        self.tasks.push(Task::TupleEnd { id, n, marked });
        let graph: &'g Graph = self.graph;
        if let Some(Object::Tuple(items)) = graph.get(id) {
            // A tuple of the graph: its items borrowed once, no dispatch.
            let at = ItemRun {
                src: id,
                kind: Batch::Tuple,
                end: n,
                keys: item_ctx,
                each: None,
            };
            for (i, &v) in items.iter().enumerate() {
                if !self.one(at, i + 1, v, item_ctx, None)? {
                    break;
                }
            }
        } else {
            self.items(id, Batch::Tuple, 0, n, item_ctx, None)?;
        }
        if self.tasks.len() == mark + 1 {
            self.tasks.pop();
            return self.tuple_end(id, n, marked);
        }
        Ok(())
    }

    fn tuple_end(&mut self, id: ObjId, n: usize, marked: bool) -> Result<()> {
        if let Some(idx) = self.memo_lookup(&Slot::Obj(id)) {
            // The tuple was reached through its own items: drop the items
            // and fetch the copy the memo already holds.
            if marked && self.proto >= 1 {
                self.op(Op::PopMark);
            } else {
                let pops = if marked { n + 1 } else { n };
                for _ in 0..pops {
                    self.op(Op::Pop);
                }
            }
            self.write_get(idx);
            return Ok(());
        }
        let op = match (marked, n) {
            (true, _) => Op::Tuple,
            (false, 1) => Op::Tuple1,
            (false, 2) => Op::Tuple2,
            _ => Op::Tuple3,
        };
        self.op(op);
        self.memoize(Slot::Obj(id))
    }

    fn batch_len(&self, src: ObjId, kind: Batch) -> usize {
        match (self.obj(src), kind) {
            (Object::List(v) | Object::Set(v) | Object::FrozenSet(v), _) => v.len(),
            (Object::Dict(v), _) => v.len(),
            (Object::Instance(i), Batch::ListItems) => i.list_items.len(),
            (Object::Instance(i), _) => i.dict_items.len(),
            (Object::Reduce(r), Batch::ListItems) => r.list_items.len(),
            (Object::Reduce(r), _) => r.dict_items.len(),
            _ => 0,
        }
    }

    /// One step of CPython's batching: writes one chunk and pushes the next.
    fn batch(&mut self, src: ObjId, kind: Batch, start: usize, keys: Ctx) -> Result<()> {
        let total = self.batch_len(src, kind);
        let remaining = total - start;
        let (single, multi) = match kind {
            Batch::Dict | Batch::DictItems => (Op::SetItem, Op::SetItems),
            Batch::Set => (Op::AddItems, Op::AddItems),
            Batch::List | Batch::ListItems | Batch::Tuple => (Op::Append, Op::Appends),
        };
        if start == 0 && total == 0 {
            return Ok(());
        }
        // Protocol 0 writes one APPEND or SETITEM per item (in slices, to
        // keep the task stack small).
        if self.proto == 0 && kind != Batch::Set {
            let end = (start + BATCH).min(total);
            if end < total {
                self.tasks.push(Task::Batch {
                    src,
                    kind,
                    start: end,
                    keys,
                });
            }
            return self.chunk(src, kind, start..end, keys, Some(single), None);
        }
        let single_item = match kind {
            // save_list and save_dict special-case a container of one item;
            // batch_list and batch_dict, one item left over.
            Batch::List | Batch::Dict => total == 1,
            Batch::Set | Batch::Tuple => false,
            Batch::ListItems | Batch::DictItems => remaining == 1,
        };
        if single_item {
            return self.chunk(src, kind, start..start + 1, keys, None, Some(single));
        }
        if remaining == 0 && matches!(kind, Batch::List | Batch::ListItems | Batch::DictItems) {
            return Ok(());
        }
        let chunk = remaining.min(BATCH);
        let next = start + chunk;
        // Exact dicts and sets go on while the last chunk was full, even
        // into an empty one; the others stop at the end.
        let more = match kind {
            Batch::Dict | Batch::Set => chunk == BATCH,
            Batch::List | Batch::Tuple => next < total,
            Batch::ListItems | Batch::DictItems => chunk == BATCH,
        };
        self.op(Op::Mark);
        if more {
            self.tasks.push(Task::Batch {
                src,
                kind,
                start: next,
                keys,
            });
        }
        self.chunk(src, kind, start..next, keys, None, Some(multi))
    }

    /// Saves the items in `range` of a batch source, then the opcode
    /// `close`; with `each`, that opcode follows every item (every pair,
    /// for dicts). What is left when the walk descends stays queued, and
    /// `close` after it.
    fn chunk(
        &mut self,
        src: ObjId,
        kind: Batch,
        range: std::ops::Range<usize>,
        keys: Ctx,
        each: Option<Op>,
        close: Option<Op>,
    ) -> Result<()> {
        // Dict sources count keys and values separately: slot 2i is key i.
        let (pos, end) = if matches!(kind, Batch::Dict | Batch::DictItems) {
            (range.start * 2, range.end * 2)
        } else {
            (range.start, range.end)
        };
        let mark = self.tasks.len();
        self.items(src, kind, pos, end, keys, each.map(Op::code))?;
        if let Some(op) = close {
            if self.tasks.len() == mark {
                self.op(op);
            } else {
                self.tasks.insert(mark, Task::Byte(op.code()));
            }
        }
        Ok(())
    }

    /// The item (or, for dicts, the key or value) at `pos` of a batch
    /// source, with the context it is saved in.
    fn item_at(&self, src: ObjId, kind: Batch, pos: usize, keys: Ctx) -> (Value, Ctx) {
        let pair = |items: &[(Value, Value)]| {
            let (k, v) = items[pos / 2];
            if pos.is_multiple_of(2) {
                (k, keys)
            } else {
                (v, Ctx::Plain)
            }
        };
        match (self.obj(src), kind) {
            (Object::Tuple(v), Batch::Tuple) => (v[pos], keys),
            (Object::Dict(v), _) => pair(v),
            (Object::Instance(i), Batch::DictItems) => pair(&i.dict_items),
            (Object::Reduce(r), Batch::DictItems) => pair(&r.dict_items),
            (Object::List(v) | Object::Set(v) | Object::FrozenSet(v), _) => (v[pos], Ctx::Plain),
            (Object::Instance(i), _) => (i.list_items[pos], Ctx::Plain),
            (Object::Reduce(r), _) => (r.list_items[pos], Ctx::Plain),
            _ => (Value::None, Ctx::Plain),
        }
    }

    /// Saves queued items in order: atoms are written on the spot, and the
    /// walk descends into the first object, leaving the rest queued.
    fn items(
        &mut self,
        src: ObjId,
        kind: Batch,
        pos: usize,
        end: usize,
        keys: Ctx,
        each: Option<u8>,
    ) -> Result<()> {
        // The items of a list or dict of the graph itself are borrowed once
        // for the whole run (the graph outlives the saver's mutations), and
        // each source gets a loop of its own.
        let graph: &'g Graph = self.graph;
        let at = ItemRun {
            src,
            kind,
            end,
            keys,
            each,
        };
        match (graph.get(src), kind) {
            (Some(Object::List(items)), Batch::List) => {
                self.items_from(at, pos, |_, p| (items[p], Ctx::Plain))
            }
            (Some(Object::Tuple(items)), Batch::Tuple) => {
                self.items_from(at, pos, |_, p| (items[p], keys))
            }
            (Some(Object::Dict(pairs)), Batch::Dict) => self.items_from(at, pos, |_, p| {
                let (k, v) = pairs[p / 2];
                if p.is_multiple_of(2) {
                    (k, keys)
                } else {
                    (v, Ctx::Plain)
                }
            }),
            _ => self.items_from(at, pos, |s: &Self, p| s.item_at(src, kind, p, keys)),
        }
    }

    /// The loop of `items`, with `item(self, pos)` the item at `pos`.
    #[inline(always)]
    fn items_from(
        &mut self,
        at: ItemRun,
        mut pos: usize,
        item: impl Fn(&Self, usize) -> (Value, Ctx),
    ) -> Result<()> {
        let is_dict = matches!(at.kind, Batch::Dict | Batch::DictItems);
        while pos < at.end {
            let (v, ctx) = item(self, pos);
            // The per-item opcode follows an item, or a dict's value.
            let op_after = at.each.filter(|_| !is_dict || !pos.is_multiple_of(2));
            pos += 1;
            if !self.one(at, pos, v, ctx, op_after)? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Saves one item of a run whose next item is at `pos`: false when the
    /// walk descended and queued the rest of the run.
    #[inline(always)]
    fn one(
        &mut self,
        at: ItemRun,
        pos: usize,
        v: Value,
        ctx: Ctx,
        op_after: Option<u8>,
    ) -> Result<bool> {
        self.enc.boundary();
        if let Value::Ref(id) = v {
            // Memo hits are written on the spot too, and so are leaves:
            // objects with nothing inside to walk. Strs, the most
            // common leaves, are looked at once for all of it.
            if ctx == Ctx::Plain {
                if let Some(idx) = self.memo_obj[id.index()].checked_sub(1) {
                    self.write_get(idx);
                    if let Some(op) = op_after {
                        self.enc.byte(op);
                    }
                    return Ok(true);
                }
            }
            let (graph, extra) = (self.graph, &self.extra);
            let obj = object(graph, extra, id);
            if let Object::Str(s) = obj {
                let data = s.as_bytes();
                let slot = self.str_slot(id, data, ctx);
                let saved = match slot {
                    // Looked up above.
                    Slot::Obj(_) if ctx == Ctx::Plain => None,
                    _ => self.memo_lookup(&slot),
                };
                match saved {
                    Some(idx) => self.write_get(idx),
                    None => {
                        self.enc.str(self.proto, data)?;
                        self.memoize(slot)?;
                    }
                }
                if let Some(op) = op_after {
                    self.enc.byte(op);
                }
                return Ok(true);
            }
            let slot = match obj {
                // Containers are memoized by id whatever the context
                // (`slot_of`).
                Object::List(_) | Object::Dict(_) | Object::Tuple(_) | Object::Set(_) => {
                    if ctx != Ctx::Plain {
                        if let Some(idx) = self.memo_obj[id.index()].checked_sub(1) {
                            self.write_get(idx);
                            if let Some(op) = op_after {
                                self.enc.byte(op);
                            }
                            return Ok(true);
                        }
                    }
                    Slot::Obj(id)
                }
                // Ints are never memoized (as in CPython): no look-up.
                Object::Int(b) => {
                    py_int(&mut self.enc, self.proto, b)?;
                    if let Some(op) = op_after {
                        self.enc.byte(op);
                    }
                    return Ok(true);
                }
                _ => match self.lookup(id, ctx) {
                    Lookup::Hit(idx) => {
                        self.write_get(idx);
                        if let Some(op) = op_after {
                            self.enc.byte(op);
                        }
                        return Ok(true);
                    }
                    Lookup::Miss(slot) if self.is_leaf(id) => {
                        self.save_new(id, slot, ctx)?;
                        if let Some(op) = op_after {
                            self.enc.byte(op);
                        }
                        return Ok(true);
                    }
                    Lookup::Miss(slot) => slot,
                },
            };
            match slot {
                slot if self.depth < INLINE_DEPTH && !self.enc.output_due() => {
                    // Save the object by a native call; if it leaves
                    // work queued, the rest of this run goes beneath.
                    let mark = self.tasks.len();
                    self.depth += 1;
                    let saved = self.save_new(id, slot, ctx);
                    self.depth -= 1;
                    saved?;
                    if self.tasks.len() != mark {
                        if let Some(op) = op_after {
                            self.tasks.insert(mark, Task::Byte(op));
                        }
                        if pos < at.end {
                            self.tasks.insert(mark, at.rest_from(pos));
                        }
                        return Ok(false);
                    }
                }
                _ => {
                    // Too deep for a native call: queue the rest, then
                    // the object, and let the task loop go on (from no
                    // depth at all) with the object.
                    if pos < at.end {
                        self.tasks.push(at.rest_from(pos));
                    }
                    if let Some(op) = op_after {
                        self.tasks.push(Task::Byte(op));
                    }
                    self.tasks.push(Task::Save(v, ctx));
                    return Ok(false);
                }
            }
        } else {
            self.save_atom(v);
        }
        if let Some(op) = op_after {
            self.enc.byte(op);
        }
        Ok(true)
    }

    /// True for objects saved without any task of their own: strs, big
    /// ints, and bytes from protocol 3 (below it they are a reduction).
    #[inline]
    fn is_leaf(&self, id: ObjId) -> bool {
        match self.obj(id) {
            Object::Str(_) | Object::Int(_) => true,
            Object::Bytes(_) => self.proto >= 3,
            _ => false,
        }
    }

    // ----- globals, reductions, instances -----

    /// `save_reduce(global, args, obj=id)` for the pickler's own reductions.
    fn reduce_global(&mut self, id: ObjId, (module, name): (&str, &str), args: Value) {
        self.tasks.push(Task::CallEnd {
            id,
            op: Op::Reduce.code(),
            tail: false,
        });
        self.tasks.push(Task::Save(args, Ctx::Plain));
        let g = self.add_extra(Object::Global(Box::new(Global {
            module: module.into(),
            name: name.into(),
        })));
        self.tasks.push(Task::Save(g, Ctx::Plain));
    }

    fn call_end(&mut self, id: ObjId, op: u8, tail: bool) -> Result<()> {
        self.enc.byte(op);
        let slot = self.slot_of(id, Ctx::Plain);
        if let Some(idx) = self.memo_lookup(&slot) {
            self.op(Op::Pop);
            self.write_get(idx);
            return Ok(());
        }
        self.memoize(slot)?;
        if !tail {
            return Ok(());
        }
        let (state, setter, has_list, has_dict) = match self.obj(id) {
            Object::Instance(i) => (
                i.state,
                i.state_setter,
                !i.list_items.is_empty(),
                !i.dict_items.is_empty(),
            ),
            Object::Reduce(r) => (
                r.state,
                r.state_setter,
                !r.list_items.is_empty(),
                !r.dict_items.is_empty(),
            ),
            _ => (None, None, false, false),
        };
        let reconstructed = self.proto < 2 && matches!(self.obj(id), Object::Instance(_));
        if let (Some(setter), Some(state)) = (setter, state) {
            // save_reduce with a state_setter: setter(obj, state), dropped.
            for op in [Op::Pop, Op::Reduce, Op::Tuple2] {
                self.tasks.push(Task::Byte(op.code()));
            }
            self.tasks.push(Task::Save(state, Ctx::Plain));
            self.tasks.push(Task::Save(Value::Ref(id), Ctx::Plain));
            self.tasks.push(Task::Save(setter, Ctx::Plain));
        } else if let Some(state) = state.filter(|s| *s != Value::None) {
            if !reconstructed || self.truthy(state) {
                self.tasks.push(Task::Byte(Op::Build.code()));
                self.tasks.push(Task::Save(state, Ctx::State));
            }
        }
        if reconstructed {
            return Ok(());
        }
        if has_dict {
            self.push_batch(id, Batch::DictItems, Ctx::Plain);
        }
        if has_list {
            self.push_batch(id, Batch::ListItems, Ctx::Plain);
        }
        Ok(())
    }

    /// Python's truth value of a state.
    fn truthy(&self, v: Value) -> bool {
        match v {
            Value::None => false,
            Value::Bool(b) => b,
            Value::Int(i) => i != 0,
            Value::Float(f) => f != 0.0,
            Value::Ref(id) => match self.obj(id) {
                Object::Str(s) => !s.is_empty(),
                Object::Bytes(b) => !b.is_empty(),
                Object::ByteArray(b) => !b.is_empty(),
                Object::Tuple(v) | Object::List(v) | Object::Set(v) | Object::FrozenSet(v) => {
                    !v.is_empty()
                }
                Object::Dict(v) => !v.is_empty(),
                Object::Complex { re, im } => *re != 0.0 || *im != 0.0,
                _ => true,
            },
        }
    }

    fn save_instance(&mut self, id: ObjId) -> Result<()> {
        let Object::Instance(inst) = self.obj(id) else {
            return Ok(());
        };
        let inst = (**inst).clone();
        if self.proto < 2 {
            // copyreg._reduce_ex: _reconstructor(cls, base, base(obj)).
            let (base, base_state) = if !inst.list_items.is_empty() {
                let list = self.add_extra(Object::List(Items::from_slice(&inst.list_items)));
                (("builtins", "list"), list)
            } else if !inst.dict_items.is_empty() {
                let dict = self.add_extra(Object::Dict(inst.dict_items.clone()));
                (("builtins", "dict"), dict)
            } else {
                (("builtins", "object"), Value::None)
            };
            let base = self.global_value(base);
            let args = self.add_extra(Object::Tuple(Items::from([inst.class, base, base_state])));
            self.tasks.push(Task::CallEnd {
                id,
                op: Op::Reduce.code(),
                tail: true,
            });
            self.tasks.push(Task::Save(args, Ctx::Plain));
            let ctor = self.global_value(("copyreg", "_reconstructor"));
            self.tasks.push(Task::Save(ctor, Ctx::Plain));
            return Ok(());
        }
        let args = self.add_extra(Object::Tuple(Items::from_slice(&inst.args)));
        match inst.kwargs {
            Some(kwargs) if self.proto >= 4 => {
                self.tasks.push(Task::CallEnd {
                    id,
                    op: Op::NewObjEx.code(),
                    tail: true,
                });
                self.tasks.push(Task::Save(kwargs, Ctx::Plain));
            }
            Some(kwargs) => {
                // Below protocol 4 there is no NEWOBJ_EX: CPython pickles
                // functools.partial(object.__new__, cls, *args, **kwargs)
                // and calls it with no arguments.
                let new_fn = self.object_new();
                let partial_args = self.add_extra(Object::Tuple(Items::from([new_fn])));
                let mut call_args = Items::from([inst.class]);
                call_args.extend_from_slice(&inst.args);
                let call_args = self.add_extra(Object::Tuple(call_args));
                let state = self.add_extra(Object::Tuple(Items::from([
                    new_fn,
                    call_args,
                    kwargs,
                    Value::None,
                ])));
                let partial = self.global_value(("functools", "partial"));
                let constructor = self.add_extra(Object::Reduce(Box::new(Reduce {
                    callable: partial,
                    args: partial_args,
                    state: Some(state),
                    ..Reduce::default()
                })));
                let no_args = self.add_extra(Object::Tuple(Items::new()));
                self.tasks.push(Task::CallEnd {
                    id,
                    op: Op::Reduce.code(),
                    tail: true,
                });
                self.tasks.push(Task::Save(no_args, Ctx::Plain));
                self.tasks.push(Task::Save(constructor, Ctx::Plain));
                return Ok(());
            }
            None => self.tasks.push(Task::CallEnd {
                id,
                op: Op::NewObj.code(),
                tail: true,
            }),
        }
        self.tasks.push(Task::Save(args, Ctx::Plain));
        self.tasks.push(Task::Save(inst.class, Ctx::Plain));
        Ok(())
    }

    /// `getattr(object, '__new__')`: one object for the whole pickle, as
    /// in CPython, where it is the same built-in each time.
    fn object_new(&mut self) -> Value {
        if let Some(v) = self.object_new {
            return v;
        }
        let object = self.global_value(("builtins", "object"));
        let new_name = self.add_extra(Object::Str("__new__".into()));
        self.interned.insert(encoding_id(new_name));
        let getattr_args = self.add_extra(Object::Tuple(Items::from([object, new_name])));
        let getattr = self.global_value(("builtins", "getattr"));
        let new_fn = self.add_extra(Object::Reduce(Box::new(Reduce {
            callable: getattr,
            args: getattr_args,
            ..Reduce::default()
        })));
        self.object_new = Some(new_fn);
        new_fn
    }

    fn global_value(&mut self, (module, name): (&str, &str)) -> Value {
        self.add_extra(Object::Global(Box::new(Global {
            module: module.into(),
            name: name.into(),
        })))
    }

    fn save_global(&mut self, g: &Global) -> Result<()> {
        let key = global_key(g);
        if self.proto >= 2 {
            if let Some(code) = self.opts.extension_code(g) {
                self.write_ext(code);
                return Ok(());
            }
        }
        if g.names_nothing() {
            // CPython cannot have pickled it: it finds a global by name
            // before writing it, and no module or attribute has an empty
            // name. Nor would any loader find it.
            return Err(Error::unpicklable(format!(
                "Can't pickle global '{}.{}': an empty module or attribute name",
                g.module.to_string_lossy(),
                g.name.to_string_lossy()
            )));
        }
        let (Some(module), Some(name)) = (g.module.as_str(), g.name.as_str()) else {
            return Err(Error::unpicklable(format!(
                "can't pickle global identifier {}.{} with lone surrogates",
                g.module.to_string_lossy(),
                g.name.to_string_lossy()
            )));
        };
        if self.proto >= 4 {
            self.tasks.push(Task::Memoize(Named::Value(key)));
            self.tasks.push(Task::Byte(Op::StackGlobal.code()));
            self.tasks.push(Task::SaveName(
                g.name.clone(),
                names::name_identity(module, name),
            ));
            self.tasks.push(Task::SaveName(
                g.module.clone(),
                names::module_identity(module, name),
            ));
            return Ok(());
        }
        if let Some((parent, last)) = name.rsplit_once('.') {
            // A nested class below protocol 4: getattr(parent, last).
            let parent = self.global_value((module, parent));
            let last = self.add_extra(Object::Str(PyStr::from(last)));
            let args = self.add_extra(Object::Tuple(Items::from([parent, last])));
            let getattr = self.global_value(("builtins", "getattr"));
            self.tasks.push(Task::Memoize(Named::Value(key)));
            self.tasks.push(Task::Byte(Op::Reduce.code()));
            self.tasks.push(Task::Save(args, Ctx::Plain));
            self.tasks.push(Task::Save(getattr, Ctx::Plain));
            return Ok(());
        }
        let (module, name) =
            crate::compat::names_for_protocol(self.proto, self.opts.fix_imports, module, name);
        if module.contains('\n') || name.contains('\n') {
            // GLOBAL is newline-terminated text; CPython could never have
            // resolved such a name either.
            return Err(Error::unpicklable(format!(
                "Can't pickle global {module:?}.{name:?}: the name holds a newline"
            )));
        }
        if self.proto < 3 && !(module.is_ascii() && name.is_ascii()) {
            return Err(Error::unpicklable(format!(
                "can't pickle module identifier '{module}' using pickle protocol {}",
                self.proto
            )));
        }
        self.enc.global_line(module, name);
        self.memoize_named(Named::Value(key))
    }

    fn write_ext(&mut self, code: i64) {
        if let Ok(c) = u8::try_from(code) {
            self.enc.write(&[Op::Ext1.code(), c]);
        } else if let Ok(c) = u16::try_from(code) {
            self.enc.byte(Op::Ext2.code());
            self.enc.write(&c.to_le_bytes());
        } else {
            self.enc.byte(Op::Ext4.code());
            self.enc.write(&(code as i32).to_le_bytes());
        }
    }

    fn save_persistent(&mut self, pid: Value) -> Result<()> {
        if self.proto >= 1 {
            self.tasks.push(Task::Byte(Op::BinPersId.code()));
            self.tasks.push(Task::Save(pid, Ctx::Plain));
            return Ok(());
        }
        let text = match pid {
            Value::Int(i) => i.to_string(),
            Value::Ref(id) => match self.obj(id) {
                Object::Str(s) => s.to_string_lossy().into_owned(),
                _ => {
                    return Err(Error::unpicklable(
                        "persistent IDs in protocol 0 must be ASCII strings",
                    ))
                }
            },
            _ => {
                return Err(Error::unpicklable(
                    "persistent IDs in protocol 0 must be ASCII strings",
                ))
            }
        };
        if !text.is_ascii() || text.contains('\n') {
            return Err(Error::unpicklable(
                "persistent IDs in protocol 0 must be ASCII strings",
            ));
        }
        self.enc.write(format!("P{text}\n").as_bytes());
        Ok(())
    }

    fn save_buffer(&mut self, id: ObjId, slot: Slot) -> Result<()> {
        if self.proto < 5 {
            return Err(Error::unpicklable(
                "PickleBuffer can only pickled with protocol >= 5",
            ));
        }
        let (graph, extra) = (self.graph, &self.extra);
        let Object::Buffer(buf) = object(graph, extra, id) else {
            return Ok(());
        };
        let readonly = buf.readonly;
        if self.opts.take_out_of_band(buf) {
            self.enc.byte(Op::NextBuffer.code());
            if readonly {
                self.enc.byte(Op::ReadOnlyBuffer.code());
            }
            return Ok(());
        }
        if readonly {
            self.enc.bytes(self.proto, &buf.data)?;
        } else {
            let mut header = vec![Op::ByteArray8.code()];
            header.extend_from_slice(&(buf.data.len() as u64).to_le_bytes());
            self.enc.write_large(&header, &buf.data);
        }
        self.memoize(slot)
    }
}

fn encoding_id(v: Value) -> ObjId {
    match v {
        Value::Ref(id) => id,
        _ => ObjId(u32::MAX),
    }
}

fn global_key(g: &Global) -> ValueKey {
    ValueKey::Global(g.module.as_bytes().into(), g.name.as_bytes().into())
}
