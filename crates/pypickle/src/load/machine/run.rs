//! Runs of plain values after a MARK, in loops of their own.
//!
//! The contents of lists, tuples and dicts come between a MARK and the
//! opcode that collects them, and most are plain values: numbers, or short
//! strs each with its memo put. In the main loop each of those costs a
//! dispatch over every opcode, with the read position, the input and the
//! stack kept in memory across it. [`Machine::number_run`] and
//! [`Machine::str_run`] read them from the bytes already in memory (a
//! slice, or a stream's current frame) with all of that in registers. They
//! take only what they can finish exactly as the main loop would, and stop
//! before anything else (another opcode, an argument cut short, a memo
//! index out of sequence, a str that is not plain UTF-8, a limit reached),
//! which the main loop then reads, with the same result or the same error
//! at the same offset. From a slice, where FRAME only checks that its
//! bytes are there, a run reads on over it (a frame ends every 64 KiB,
//! mostly inside a batch). A later batch of a long list of numbers or strs
//! goes straight into the list, APPENDS included; if no APPENDS follows,
//! the values are moved to the stack, as if they had been pushed.

use super::{latin_text, Machine};
use crate::opcode::Opcode;
use crate::value::pystr::INLINE;
use crate::value::{ObjId, Object, PyInt, Value};

// The opcode bytes the runs start with and `str_step` matches on.
const BINFLOAT: u8 = Opcode::BinFloat.code();
const BININT: u8 = Opcode::BinInt.code();
const BININT1: u8 = Opcode::BinInt1.code();
const BININT2: u8 = Opcode::BinInt2.code();
const LONG1: u8 = Opcode::Long1.code();
const NONE: u8 = Opcode::None.code();
const NEWTRUE: u8 = Opcode::NewTrue.code();
const NEWFALSE: u8 = Opcode::NewFalse.code();
const SHORT_BINUNICODE: u8 = Opcode::ShortBinUnicode.code();
const BINUNICODE: u8 = Opcode::BinUnicode.code();
const MEMOIZE: u8 = Opcode::Memoize.code();
const BINPUT: u8 = Opcode::BinPut.code();
const LONG_BINPUT: u8 = Opcode::LongBinPut.code();
const APPENDS: u8 = Opcode::Appends.code();
const FRAME: u8 = Opcode::Frame.code();

/// True for the opcode bytes [`number`] reads.
#[inline(always)]
pub(super) fn is_number(code: u8) -> bool {
    matches!(
        code,
        BINFLOAT | BININT | BININT1 | BININT2 | LONG1 | NONE | NEWTRUE | NEWFALSE
    )
}

/// The argument width of BININT, BININT1 and BININT2, by opcode byte; 0
/// for the others.
static SMALL_INT_WIDTH: [u8; 256] = {
    let mut table = [0; 256];
    table[BININT as usize] = 4;
    table[BININT1 as usize] = 1;
    table[BININT2 as usize] = 2;
    table
};

/// True for the opcode bytes that push a str [`Machine::str_run`] reads.
#[inline(always)]
pub(super) fn is_str(code: u8) -> bool {
    matches!(code, SHORT_BINUNICODE | BINUNICODE)
}

/// The value a number opcode (or NONE, NEWTRUE, NEWFALSE) pushes, its
/// argument at the start of `arg`, and the argument's length; `None` for
/// other opcodes and arguments cut short.
#[inline(always)]
fn number(op: Opcode, arg: &[u8]) -> Option<(Value, usize)> {
    // (Matched on the opcode byte instead, `number_run` took about 10%
    // more instructions.)
    Some(match op {
        Opcode::BinFloat => (Value::Float(f64::from_be_bytes(*arg.first_chunk()?)), 8),
        Opcode::BinInt => (
            Value::Int(i32::from_le_bytes(*arg.first_chunk()?).into()),
            4,
        ),
        Opcode::BinInt1 => (Value::Int((*arg.first()?).into()), 1),
        Opcode::BinInt2 => (
            Value::Int(u16::from_le_bytes(*arg.first_chunk()?).into()),
            2,
        ),
        Opcode::None => (Value::None, 0),
        Opcode::NewTrue => (Value::Bool(true), 0),
        Opcode::NewFalse => (Value::Bool(false), 0),
        _ => return None,
    })
}

impl Machine<'_> {
    /// The numbers (and NONE, NEWTRUE, NEWFALSE) at the start of `ahead`,
    /// which begins with an opcode, right after a MARK: lists and dicts of
    /// ints, floats or None. Returns how many bytes were used.
    ///
    /// When the MARK's target is a list that already holds items and the
    /// numbers end in APPENDS (a later batch of a long list of numbers),
    /// they go straight into the list and the APPENDS is done here too:
    /// pushed on the stack, each was written twice and copied once more.
    /// Otherwise they are pushed. (A first batch is pushed: APPENDS makes
    /// it one allocation of the right size, where growing the list as the
    /// numbers come costs short lists several.)
    #[inline(never)]
    pub(super) fn number_run(&mut self, ahead: &[u8]) -> usize {
        match self.list_below_mark() {
            Some(id) => self.run_into_list(id, ahead, Self::numbers),
            None => self.numbers(ahead),
        }
    }

    /// `run` into the list `id`: the values it pushes go straight into
    /// the list, and the APPENDS after them is done here too. (Out of
    /// line, so that the way every other run takes saves no registers for
    /// it.)
    #[inline(never)]
    fn run_into_list(
        &mut self,
        id: ObjId,
        ahead: &[u8],
        run: impl FnOnce(&mut Self, &[u8]) -> usize,
    ) -> usize {
        let Some(Object::List(list)) = self.graph.get_mut(id) else {
            return 0;
        };
        // The list's items stand in for the stack while the values are
        // pushed: the loop is the same either way.
        let items = std::mem::take(list).into_vec();
        let before = items.len();
        let stack = std::mem::replace(&mut self.stack, items);
        let mut used = run(self, ahead);
        let mut items = std::mem::replace(&mut self.stack, stack);
        let added = items.len() - before;
        // The APPENDS, charged as `append` charges it. Short of that, the
        // values go on the stack after all, where the main loop expects
        // them: it then reads on as if this run had pushed them.
        let appends = ahead.get(used) == Some(&APPENDS) && added > 0;
        if appends && self.try_charge(super::values_cost(added)) {
            used += 1;
            // The MARK this run follows, which is there.
            let _ = self.pop_mark();
        } else {
            self.stack.extend_from_slice(&items[before..]);
            items.truncate(before);
        }
        if let Some(Object::List(list)) = self.graph.get_mut(id) {
            *list = items.into();
        }
        used
    }

    /// The list the innermost MARK's items would be appended to, when it
    /// holds items and nothing has been pushed since the MARK.
    #[inline(always)]
    fn list_below_mark(&self) -> Option<ObjId> {
        let at = self.stack.len();
        // The target is below the mark and above the mark before it, as
        // APPENDS (`with_marked_target`) requires.
        let floor = self.marks.iter().rev().nth(1).copied().unwrap_or(0);
        if at <= floor || self.marks.last() != Some(&at) {
            return None;
        }
        match self.stack.get(at - 1) {
            Some(&Value::Ref(id)) => match self.graph.get(id) {
                Some(Object::List(list)) if !list.is_empty() => Some(id),
                _ => None,
            },
            _ => None,
        }
    }

    /// Pushes the numbers at the start of `ahead`; returns how many bytes
    /// they took. (One copy, out of line: inlined into both ways of
    /// `number_run`, its loop kept less in registers, and lists of a few
    /// numbers took about 90 more instructions each.)
    #[inline(never)]
    fn numbers(&mut self, ahead: &[u8]) -> usize {
        let mut used = 0;
        while let Some(&code) = ahead.get(used) {
            let arg = &ahead[used + 1..];
            // BININT, BININT1 and BININT2 in one way, without a branch on
            // which: lists of ints mix them at random, and a jump by opcode
            // mispredicts on every change.
            let width = SMALL_INT_WIDTH[usize::from(code)];
            if let (1.., Some(word)) = (width, arg.first_chunk::<4>()) {
                let raw = u32::from_le_bytes(*word) & (u32::MAX >> (32 - 8 * u32::from(width)));
                // BININT is signed; the others' values are below 2**16,
                // where sign extension from bit 31 changes nothing.
                self.stack.push(Value::Int((raw as i32).into()));
                used += 1 + usize::from(width);
                continue;
            }
            let Some(op) = Opcode::from_u8(code) else {
                break;
            };
            // Each way pushes its own value: merged, the value went through
            // memory, in pieces, and was read back whole, which stalls.
            let pushed = match op {
                Opcode::Long1 => self.run_long1(arg),
                Opcode::Frame => self.run_frame(arg),
                _ => number(op, arg).map(|(v, len)| {
                    self.stack.push(v);
                    len
                }),
            };
            let Some(len) = pushed else {
                break;
            };
            used += 1 + len;
        }
        used
    }

    /// LONG1 of up to 16 bytes, its argument at the start of `arg`: pushes
    /// an inline int, or an arena int charged as `int_value_of` charges it,
    /// and returns the argument's length.
    /// (Out of line: inlined, it made the loop around it slower for every
    /// number.)
    #[inline(never)]
    fn run_long1(&mut self, arg: &[u8]) -> Option<usize> {
        let n = usize::from(*arg.first()?);
        let data = arg.get(1..1 + n)?;
        let i = match arg.get(1..17) {
            // One wide read and two shifts, when the input goes on.
            Some(window) if (1..=16).contains(&n) => {
                let wide = u128::from_le_bytes(window.try_into().ok()?);
                let unused = 128 - 8 * n as u32;
                ((wide << unused) as i128) >> unused
            }
            _ if n == 0 => 0,
            _ => i128::from_le_bytes(super::sign_extended::<16>(data)?),
        };
        let v = match i64::try_from(i) {
            Ok(small) => Value::Int(small),
            // Charged before it is added: a graph too full to add it fails
            // the load in the main loop anyway.
            Err(_) if self.try_charge(n as u64) => {
                const ZERO: Object = Object::Int(PyInt::ZERO);
                let id = self.graph.try_add(ZERO)?;
                if let Some(Object::Int(slot)) = self.graph.get_mut(id) {
                    slot.set_i128(i);
                }
                Value::Ref(id)
            }
            Err(_) => return None,
        };
        self.stack.push(v);
        Some(1 + n)
    }

    /// The short strs at the start of `ahead`, which begins with an
    /// opcode, right after a MARK, and the memo entries after each: lists
    /// of strs. Returns how many bytes they took. As with numbers, a
    /// later batch of a long list goes straight into the list.
    #[inline(never)]
    pub(super) fn str_run(&mut self, ahead: &[u8]) -> usize {
        if self.graph.spans.is_some() {
            // Zero-copy serde wants each str's span; the main loop notes it.
            return 0;
        }
        match self.list_below_mark() {
            Some(id) => self.run_into_list(id, ahead, Self::strs),
            None => self.strs(ahead),
        }
    }

    /// Pushes the short strs at the start of `ahead`, with their memo
    /// entries; returns how many bytes they took. (One copy, out of line,
    /// as `numbers`.)
    #[inline(never)]
    fn strs(&mut self, ahead: &[u8]) -> usize {
        // The str this run pushed last, kept here for the puts after it:
        // read back from the stack, a value just pushed in pieces (its tag,
        // then its payload) would stall the read. (A put before any str
        // ends the run; the main loop takes it.)
        let mut top = None;
        let mut used = 0;
        while let Some((&code, arg)) = ahead.get(used..).and_then(<[u8]>::split_first) {
            let Some(len) = self.str_step(code, arg, &mut top) else {
                break;
            };
            used += 1 + len;
        }
        used
    }

    /// One opcode of a str run, its argument at the start of `arg`: the
    /// argument's length, or `None` (having done nothing) when the main
    /// loop must read it.
    #[inline(always)]
    fn str_step(&mut self, code: u8, arg: &[u8], top: &mut Option<Value>) -> Option<usize> {
        let (text, window, len) = match code {
            SHORT_BINUNICODE => {
                let n = usize::from(*arg.first()?);
                let at = arg.get(1..)?;
                (at.get(..n)?, at.first_chunk(), 1 + n)
            }
            BINUNICODE => {
                let n = u32::from_le_bytes(*arg.first_chunk()?) as usize;
                let at = arg.get(4..)?;
                (at.get(..n)?, at.first_chunk(), 4 + n)
            }
            MEMOIZE => return self.run_put(self.memo.len, *top).then_some(0),
            FRAME => return self.run_frame(arg),
            BINPUT => return self.run_put((*arg.first()?).into(), *top).then_some(1),
            LONG_BINPUT => {
                let idx = u32::from_le_bytes(*arg.first_chunk()?);
                return self.run_put(idx.into(), *top).then_some(4);
            }
            _ => return None,
        };
        let v = self.run_str(text, window)?;
        self.stack.push(v);
        *top = Some(v);
        Some(len)
    }

    /// A str of plain UTF-8 below the size `latin_text` watches, added to
    /// the graph and charged as `push_str` does. (The fuzzer's build
    /// watches every str, so that small inputs reach `latin_text`; there,
    /// runs take short strs unwatched, as in the real build, where a watch
    /// only decides whether bytes keep their text, never what loads.)
    #[inline(always)]
    fn run_str(&mut self, text: &[u8], window: Option<&[u8; INLINE]>) -> Option<Value> {
        const WATCHED: usize = if cfg!(fuzzing) {
            4096
        } else {
            latin_text::MIN_TEXT
        };
        if text.len() >= WATCHED {
            return None;
        }
        // Checked, then charged, then added: a graph too full to add it
        // fails the load in the main loop anyway.
        let s = crate::utf8::validate(text)?;
        if !self.try_charge(text.len() as u64) {
            return None;
        }
        self.add_str(s, window)
    }

    /// FRAME in a run, its argument at the start of `arg`: the argument's
    /// length, when the frame only checks that its bytes are there and
    /// they are. A pickle's frames end every 64 KiB, in the middle of
    /// many a batch, whose rest the main loop read one by one.
    #[cold]
    fn run_frame(&self, arg: &[u8]) -> Option<usize> {
        let len = u64::from_le_bytes(*arg.first_chunk::<8>()?);
        (self.frames_only_check && len <= (arg.len() - 8) as u64).then_some(8)
    }

    /// MEMOIZE and the PUTs the main loop appends inline (`memo_put`):
    /// true when done.
    #[inline(always)]
    fn run_put(&mut self, idx: u64, top: Option<Value>) -> bool {
        let Some(v) = top else {
            return false;
        };
        // `appends_to_memo` less its test of a value above the mark: the
        // run pushed `top`. (The stack may be a list's items, whose length
        // says nothing of the mark.)
        let next = self.is_next_memo_index(idx);
        if next {
            self.memo.push(v);
        }
        next
    }
}
