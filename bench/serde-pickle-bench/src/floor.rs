//! A hand-written dumper of the records dataset, for `--floor`: how fast
//! CPython's exact bytes for `Vec<Record>` can be written by code that
//! knows the type, with no serde calls in between. It is the floor under
//! any serde serializer of the same bytes, so it shows how far the typed
//! dump target (2x serde-pickle) is from what the bytes allow.
//!
//! It writes what `pickle.dumps(records, 4)` writes (protocol 5: the same
//! after the header) for records shaped as the dataset's: field names
//! interned, each str and container memoized, lists in batches of 1000,
//! frames of 64 KiB. `--floor` checks its output against pypickle's
//! before timing it.

use pypickle::opcode::Opcode;

use crate::Record;

/// Opcode bytes, from pypickle's opcode table (pickletools' names).
const PROTO: u8 = Opcode::Proto.code();
const FRAME: u8 = Opcode::Frame.code();
const EMPTY_LIST: u8 = Opcode::EmptyList.code();
const EMPTY_DICT: u8 = Opcode::EmptyDict.code();
const MEMOIZE: u8 = Opcode::Memoize.code();
const MARK: u8 = Opcode::Mark.code();
const APPEND: u8 = Opcode::Append.code();
const APPENDS: u8 = Opcode::Appends.code();
const SETITEMS: u8 = Opcode::SetItems.code();
const BINGET: u8 = Opcode::BinGet.code();
const LONG_BINGET: u8 = Opcode::LongBinGet.code();
const SHORT_BINUNICODE: u8 = Opcode::ShortBinUnicode.code();
const BINUNICODE: u8 = Opcode::BinUnicode.code();
const BININT1: u8 = Opcode::BinInt1.code();
const BININT2: u8 = Opcode::BinInt2.code();
const BININT: u8 = Opcode::BinInt.code();
const LONG1: u8 = Opcode::Long1.code();
const BINFLOAT: u8 = Opcode::BinFloat.code();
const NEWTRUE: u8 = Opcode::NewTrue.code();
const NEWFALSE: u8 = Opcode::NewFalse.code();
const STOP: u8 = Opcode::Stop.code();

/// CPython's frame size target, and its batch size.
const FRAME_TARGET: usize = 64 * 1024;
const BATCH: usize = 1000;

const FIELDS: [&str; 5] = ["id", "name", "score", "tags", "active"];

struct Writer {
    out: Vec<u8>,
    /// Where the open frame's header starts.
    frame: usize,
    memo: u32,
    /// Memo index of each field name, once written.
    names: [Option<u32>; 5],
}

impl Writer {
    /// CPython's check at the start of every `save()`: a frame of
    /// `FRAME_TARGET` bytes or more is closed and the next opened.
    #[inline(always)]
    fn save(&mut self) {
        if self.out.len() - self.frame - 9 >= FRAME_TARGET {
            self.close_frame();
            self.open_frame();
        }
    }

    fn open_frame(&mut self) {
        self.frame = self.out.len();
        self.out.extend_from_slice(&[FRAME, 0, 0, 0, 0, 0, 0, 0, 0]);
    }

    fn close_frame(&mut self) {
        let len = (self.out.len() - self.frame - 9) as u64;
        self.out[self.frame + 1..self.frame + 9].copy_from_slice(&len.to_le_bytes());
    }

    #[inline(always)]
    fn memoize(&mut self) {
        self.out.push(MEMOIZE);
        self.memo += 1;
    }

    #[inline(always)]
    fn str(&mut self, s: &str) {
        let b = s.as_bytes();
        if b.len() < 256 {
            self.out
                .extend_from_slice(&[SHORT_BINUNICODE, b.len() as u8]);
        } else {
            self.out.push(BINUNICODE);
            self.out.extend_from_slice(&(b.len() as u32).to_le_bytes());
        }
        self.out.extend_from_slice(b);
        self.memoize();
    }

    /// A field name: interned in Python, so written once and fetched after.
    #[inline(always)]
    fn name(&mut self, field: usize) {
        match self.names[field] {
            Some(idx) if idx < 256 => self.out.extend_from_slice(&[BINGET, idx as u8]),
            Some(idx) => {
                self.out.push(LONG_BINGET);
                self.out.extend_from_slice(&idx.to_le_bytes());
            }
            None => {
                self.names[field] = Some(self.memo);
                self.str(FIELDS[field]);
            }
        }
    }

    #[inline(always)]
    fn int(&mut self, i: i64) {
        if (0..=0xff).contains(&i) {
            self.out.extend_from_slice(&[BININT1, i as u8]);
        } else if (0..=0xffff).contains(&i) {
            self.out.push(BININT2);
            self.out.extend_from_slice(&(i as u16).to_le_bytes());
        } else if let Ok(small) = i32::try_from(i) {
            self.out.push(BININT);
            self.out.extend_from_slice(&small.to_le_bytes());
        } else {
            // The fewest two's complement bytes that hold `i`.
            let bytes = i.to_le_bytes();
            let mut n = 8;
            while n > 1
                && ((bytes[n - 1] == 0 && bytes[n - 2] < 0x80)
                    || (bytes[n - 1] == 0xff && bytes[n - 2] >= 0x80))
            {
                n -= 1;
            }
            self.out.extend_from_slice(&[LONG1, n as u8]);
            self.out.extend_from_slice(&bytes[..n]);
        }
    }

    /// A new list's items, as CPython's `batch_appends` writes them:
    /// batches of `BATCH` in MARK ... APPENDS, a batch of one as APPEND.
    fn list_items<T>(&mut self, items: &[T], mut save_item: impl FnMut(&mut Self, &T)) {
        for batch in items.chunks(BATCH) {
            if let [one] = batch {
                self.save();
                save_item(self, one);
                self.out.push(APPEND);
                continue;
            }
            self.out.push(MARK);
            for item in batch {
                self.save();
                save_item(self, item);
            }
            self.out.push(APPENDS);
        }
    }

    fn tags(&mut self, tags: &[String]) {
        self.out.push(EMPTY_LIST);
        self.memoize();
        self.list_items(tags, |w, tag| w.str(tag));
    }

    fn record(&mut self, r: &Record) {
        self.out.extend_from_slice(&[EMPTY_DICT, MEMOIZE, MARK]);
        self.memo += 1;
        self.save();
        self.name(0);
        self.save();
        self.int(r.id);
        self.save();
        self.name(1);
        self.save();
        self.str(&r.name);
        self.save();
        self.name(2);
        self.save();
        self.out.push(BINFLOAT);
        self.out.extend_from_slice(&r.score.to_be_bytes());
        self.save();
        self.name(3);
        self.save();
        self.tags(&r.tags);
        self.save();
        self.name(4);
        self.save();
        self.out.push(if r.active { NEWTRUE } else { NEWFALSE });
        self.out.push(SETITEMS);
    }
}

/// `records` as `pickle.dumps(records, protocol)` writes them (protocol 4
/// or 5).
pub fn dumps(records: &[Record], protocol: u8) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::with_capacity(256),
        frame: 0,
        memo: 0,
        names: [None; 5],
    };
    w.out.extend_from_slice(&[PROTO, protocol]);
    w.open_frame();
    w.out.push(EMPTY_LIST);
    w.memoize();
    w.list_items(records, Writer::record);
    w.out.push(STOP);
    w.close_frame();
    w.out
}
