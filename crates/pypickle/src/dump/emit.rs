//! Writers for the values that need no walk: atoms, str and bytes payloads,
//! and the memo's PUT and GET forms, each in the form CPython picks for the
//! protocol. The graph pickler and the serde serializer share them.

use num_bigint::BigInt;

use super::encoder::Encoder;
use crate::error::{Error, Result};
use crate::opcode::Opcode as Op;
use crate::value::{signed_len, IntForm, PyInt};

/// CPython refuses to convert ints with more decimal digits than this to
/// text (`sys.get_int_max_str_digits()`), so protocol 0-1 LONG fails.
const MAX_STR_DIGITS: usize = 4300;

/// Digits (of 64 bits) of the ints whose bytes are worked out on the stack.
const SMALL_DIGITS: usize = 4;

/// Strs of up to this many bytes are copied without a memcpy call.
pub(crate) const SMALL_STR: usize = 16;

/// Copies `src` (at most `SMALL_STR` bytes) to the front of `dst` (at
/// least as long) with two overlapping fixed-size copies instead of a
/// memcpy call of any length.
#[inline(always)]
fn copy_small(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..n].copy_from_slice(&src[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..n].copy_from_slice(&src[n - 4..]);
    } else if n >= 2 {
        dst[..2].copy_from_slice(&src[..2]);
        dst[n - 2..n].copy_from_slice(&src[n - 2..]);
    } else if n == 1 {
        dst[0] = src[0];
    }
}

/// The minimal two's complement little-endian bytes of `b`
/// (`int.to_bytes(n, 'little', signed=True)` with the smallest `n`, as
/// CPython's LONG1 writes them), worked out without allocating for ints of
/// up to 256 bits; `None` for larger ones.
fn small_twos_complement(b: &BigInt) -> Option<([u8; SMALL_DIGITS * 8 + 1], usize)> {
    let magnitude = b.magnitude();
    let digits = magnitude.iter_u64_digits();
    if digits.len() > SMALL_DIGITS {
        return None;
    }
    let negative = b.sign() == num_bigint::Sign::Minus;
    let mut buf = [0u8; SMALL_DIGITS * 8 + 1];
    let mut at = 0;
    // Two's complement of a negative magnitude: invert and add one.
    let mut carry = true;
    for d in digits {
        let d = if negative {
            let (sum, c) = (!d).overflowing_add(u64::from(carry));
            carry = c;
            sum
        } else {
            d
        };
        buf[at..at + 8].copy_from_slice(&d.to_le_bytes());
        at += 8;
    }
    if negative {
        buf[at] = 0xff;
    }
    // The smallest width that keeps the sign: one more byte than the
    // magnitude's bits fill, except for -2**(8k-1), which fits in k bytes.
    let bits = magnitude.bits();
    let exact_power =
        negative && bits.is_multiple_of(8) && magnitude.trailing_zeros() == Some(bits - 1);
    let n = if exact_power { bits / 8 } else { bits / 8 + 1 };
    Some((buf, usize::try_from(n).ok()?.min(at + 1)))
}

/// `b` as an i128 when it fits: from its two low digits, cheaper than
/// num-bigint's general conversion.
#[inline]
fn to_i128(b: &BigInt) -> Option<i128> {
    let mut digits = b.magnitude().iter_u64_digits();
    let (low, high) = (digits.next().unwrap_or(0), digits.next().unwrap_or(0));
    if digits.next().is_some() {
        return None;
    }
    let magnitude = u128::from(high) << 64 | u128::from(low);
    if b.sign() == num_bigint::Sign::Minus {
        0i128.checked_sub_unsigned(magnitude)
    } else {
        i128::try_from(magnitude).ok()
    }
}

/// How many memo entries a pickler has written: the index of the next one.
#[derive(Default)]
pub(crate) struct MemoCount(u32);

impl MemoCount {
    /// The index of a new memo entry.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> Result<u32> {
        let idx = self.0;
        self.0 = idx
            .checked_add(1)
            .ok_or_else(|| Error::unpicklable("memo has more than 2**32 entries"))?;
        Ok(idx)
    }
}

impl Encoder {
    /// The PROTO header (protocol 2 and up); turns framing on from 4.
    pub(crate) fn header(&mut self, proto: u8) {
        if proto >= 2 {
            self.out.extend_from_slice(&[Op::Proto.code(), proto]);
        }
        if proto >= 4 {
            self.enable_framing();
        }
    }

    /// `None`.
    #[inline]
    pub(crate) fn none(&mut self) {
        self.byte(Op::None.code());
    }

    /// `True` or `False`: NEWTRUE/NEWFALSE from protocol 2, `I01`/`I00` before.
    #[inline]
    pub(crate) fn bool(&mut self, proto: u8, b: bool) {
        if proto >= 2 {
            self.byte(if b { Op::NewTrue } else { Op::NewFalse }.code());
        } else {
            self.write(if b { b"I01\n" } else { b"I00\n" });
        }
    }

    /// An int that fits in 64 bits.
    #[inline(always)]
    pub(crate) fn int(&mut self, proto: u8, i: i64) {
        if proto >= 2 {
            return self.int_binary(i);
        }
        if proto == 1 {
            if (0..=0xff).contains(&i) {
                return self.write(&[Op::BinInt1.code(), i as u8]);
            }
            if (0..=0xffff).contains(&i) {
                let [lo, hi] = (i as u16).to_le_bytes();
                return self.write(&[Op::BinInt2.code(), lo, hi]);
            }
            if let Ok(small) = i32::try_from(i) {
                let [a, b, c, d] = small.to_le_bytes();
                return self.write(&[Op::BinInt.code(), a, b, c, d]);
            }
        }
        self.int_text(proto, i);
    }

    /// `int` from protocol 2: BININT1, BININT2, BININT or LONG1, as CPython
    /// picks them. The BININT form is chosen without a branch on the value
    /// (a list of ints of mixed widths mispredicted about one branch an
    /// int: numeric dumps took 30% longer). Like the short-str writers, it
    /// writes a fixed 8 bytes and cuts the unused tail.
    #[inline(always)]
    fn int_binary(&mut self, i: i64) {
        const OPS: [u8; 4] = [
            Op::Long1.code(),
            Op::BinInt.code(),
            Op::BinInt2.code(),
            Op::BinInt1.code(),
        ];
        const LENS: [usize; 4] = [0, 5, 3, 2];
        let u = i as u64;
        // 3 up to 0xff, 2 up to 0xffff, 1 for the rest of i32, 0 beyond.
        let form = usize::from(u <= 0xff)
            + usize::from(u <= 0xffff)
            + usize::from(i64::from(i as i32) == i);
        // One branch is left, LONG1 or not: beyond 32 bits ints are rarer,
        // and a mask in its place costs records' dumps 3% more
        // instructions for no gain in time on numeric's.
        if form == 0 {
            return self.long1(i128::from(i));
        }
        let op = u64::from(OPS[form]) | u << 8;
        self.write(&op.to_le_bytes());
        self.out.truncate(self.out.len() - (8 - LENS[form]));
    }

    /// Protocols 0-1's INT and LONG (beyond 32 bits at protocol 1): out of
    /// line, so that `int` needs no stack frame for formatting.
    #[cold]
    #[inline(never)]
    fn int_text(&mut self, proto: u8, i: i64) {
        if proto == 0 && i32::try_from(i).is_ok() {
            return self.write(format!("I{i}\n").as_bytes());
        }
        self.long_text(i.into());
    }

    /// LONG1 of an int of up to 128 bits: its minimal two's complement,
    /// little-endian, worked out from the leading zeros without a bigint.
    #[inline]
    fn long1(&mut self, i: i128) {
        let bytes = i.to_le_bytes();
        let n = signed_len(i);
        let mut op = [0; 18];
        op[0] = Op::Long1.code();
        op[1] = n as u8;
        op[2..].copy_from_slice(&bytes);
        // A fixed-size write and a cut: cheaper than copying n bytes.
        self.write(&op);
        self.out.truncate(self.out.len() - (16 - n));
    }

    /// An int of up to 128 bits, in the form `big_int` gives it.
    #[inline]
    pub(crate) fn int128(&mut self, proto: u8, i: i128) {
        match i64::try_from(i) {
            Ok(small) => self.int(proto, small),
            Err(_) if proto >= 2 => self.long1(i),
            Err(_) => self.long_text(i),
        }
    }

    /// Protocols 0-1's LONG of an int of up to 128 bits, far below
    /// CPython's digit limit for text: out of line, so that `int128`
    /// needs no stack frame for formatting.
    #[cold]
    #[inline(never)]
    fn long_text(&mut self, i: i128) {
        self.write(format!("L{i}L\n").as_bytes());
    }

    /// An int of any size (LONG1/LONG4 from protocol 2, decimal LONG before).
    #[inline]
    pub(crate) fn big_int(&mut self, proto: u8, b: &BigInt) -> Result<()> {
        match to_i128(b) {
            Some(i) => {
                self.int128(proto, i);
                Ok(())
            }
            None => self.wider_int(proto, b),
        }
    }

    /// An int object of the graph: [`Encoder::int128`] for one of up to 128
    /// bits, which is held inline.
    #[inline]
    pub(crate) fn py_int(&mut self, proto: u8, i: &PyInt) -> Result<()> {
        match i.form() {
            IntForm::Wide(small) => {
                self.int128(proto, small);
                Ok(())
            }
            IntForm::Big(b) => self.big_int(proto, b),
        }
    }

    /// `big_int` beyond 128 bits: out of line, with its allocations and
    /// formatting.
    #[inline(never)]
    fn wider_int(&mut self, proto: u8, b: &BigInt) -> Result<()> {
        if proto >= 2 {
            if let Some((buf, n)) = small_twos_complement(b) {
                self.write(&[Op::Long1.code(), n as u8]);
                self.write(&buf[..n]);
                return Ok(());
            }
            let bytes = b.to_signed_bytes_le();
            if bytes.len() < 256 {
                self.write(&[Op::Long1.code(), bytes.len() as u8]);
            } else {
                let n = u32::try_from(bytes.len())
                    .map_err(|_| Error::unpicklable("int too large to pickle"))?;
                self.byte(Op::Long4.code());
                self.write(&n.to_le_bytes());
            }
            self.write(&bytes);
            return Ok(());
        }
        let text = b.to_string();
        let digits = text.trim_start_matches('-').len();
        if digits > MAX_STR_DIGITS {
            return Err(Error::unpicklable(format!(
                "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
            )));
        }
        self.write(format!("L{text}L\n").as_bytes());
        Ok(())
    }

    /// A float: BINFLOAT from protocol 1, its repr before.
    #[inline(always)]
    pub(crate) fn float(&mut self, proto: u8, f: f64) {
        if proto >= 1 {
            let mut op = [0; 9];
            op[0] = Op::BinFloat.code();
            op[1..].copy_from_slice(&f.to_be_bytes());
            self.write(&op);
        } else {
            self.float_text(f);
        }
    }

    /// Protocol 0's FLOAT: kept out of line so BINFLOAT inlines.
    #[inline(never)]
    fn float_text(&mut self, f: f64) {
        let mut text = vec![Op::Float.code()];
        crate::text::write_float_repr(&mut text, f);
        text.push(b'\n');
        self.write(&text);
    }

    /// A str's UTF-8 (surrogatepass) data: UNICODE at protocol 0, then
    /// SHORT_BINUNICODE, BINUNICODE or BINUNICODE8 as CPython picks.
    #[inline]
    pub(crate) fn str(&mut self, proto: u8, data: &[u8]) -> Result<()> {
        if proto == 0 {
            let mut text = vec![Op::Unicode.code()];
            crate::text::write_p0_unicode(&mut text, data);
            text.push(b'\n');
            self.write(&text);
            return Ok(());
        }
        if proto >= 4 && data.len() <= 0xff {
            // SHORT_BINUNICODE, the common case, in one reservation.
            let out = &mut self.out;
            out.reserve(data.len() + 2);
            out.push(Op::ShortBinUnicode.code());
            out.push(data.len() as u8);
            out.extend_from_slice(data);
            return Ok(());
        }
        if proto < 4 {
            // BINUNICODE at protocols 1 to 3 (no frames, no short form).
            if let Ok(n) = u32::try_from(data.len()) {
                let [a, b, c, d] = n.to_le_bytes();
                let out = &mut self.out;
                out.reserve(data.len() + 5);
                out.extend_from_slice(&[Op::BinUnicode.code(), a, b, c, d]);
                out.extend_from_slice(data);
                return Ok(());
            }
        }
        let ops = [Op::ShortBinUnicode, Op::BinUnicode, Op::BinUnicode8];
        self.sized(proto, ops, proto >= 4, data)
            .ok_or_else(|| Error::unpicklable("cannot serialize a string larger than 4GiB"))
    }

    /// A protocol 4 str of at most `SMALL_STR` bytes and its MEMOIZE, in
    /// one fixed-size write and a cut: one capacity check, no memcpy call.
    #[inline(always)]
    pub(crate) fn small_str_memoized(&mut self, data: &[u8]) {
        let n = data.len();
        let mut buf = [0; SMALL_STR + 3];
        buf[..2].copy_from_slice(&[Op::ShortBinUnicode.code(), n as u8]);
        copy_small(&mut buf[2..], data);
        buf[2 + n] = Op::Memoize.code();
        self.write(&buf);
        self.out.truncate(self.out.len() - (SMALL_STR - n));
    }

    /// A str of at most `SMALL_STR` bytes at protocols 1 to 3 (BINUNICODE)
    /// and its PUT as memo entry `idx`, in the same way.
    #[inline(always)]
    pub(crate) fn small_str_put(&mut self, data: &[u8], idx: u32) {
        // Header, data and PUT: at most 5 + SMALL_STR + 5 bytes.
        let mut buf = [0; SMALL_STR + 10];
        let n = data.len();
        buf[0] = Op::BinUnicode.code();
        buf[1..5].copy_from_slice(&(n as u32).to_le_bytes());
        copy_small(&mut buf[5..], data);
        let at = 5 + n;
        let end = if idx < 256 {
            buf[at..at + 2].copy_from_slice(&[Op::BinPut.code(), idx as u8]);
            at + 2
        } else {
            buf[at] = Op::LongBinPut.code();
            buf[at + 1..at + 5].copy_from_slice(&idx.to_le_bytes());
            at + 5
        };
        self.write(&buf);
        self.out.truncate(self.out.len() - (buf.len() - end));
    }

    /// SHORT_BINUNICODE of `data` (at most 255 bytes) and MEMOIZE: a
    /// protocol 4 str that is its own memo entry.
    #[inline(always)]
    pub(crate) fn short_str_memoized(&mut self, data: &[u8]) {
        self.out.reserve(data.len() + 3);
        self.write(&[Op::ShortBinUnicode.code(), data.len() as u8]);
        self.write(data);
        self.byte(Op::Memoize.code());
    }

    /// A bytes payload at protocol 3 or higher: SHORT_BINBYTES, BINBYTES or
    /// BINBYTES8 as CPython picks. (Below 3, bytes are a call.)
    #[inline]
    pub(crate) fn bytes(&mut self, proto: u8, data: &[u8]) -> Result<()> {
        let ops = [Op::ShortBinBytes, Op::BinBytes, Op::BinBytes8];
        self.sized(proto, ops, true, data)
            .ok_or_else(|| Error::unpicklable("cannot serialize a bytes object larger than 4 GiB"))
    }

    /// A payload behind the smallest of `[short, 4-byte, 8-byte]` length
    /// opcodes that fits (`short` only when `short_ok`; 8-byte lengths from
    /// protocol 4). `None` when nothing fits.
    #[inline]
    fn sized(
        &mut self,
        proto: u8,
        [short, four, eight]: [Op; 3],
        short_ok: bool,
        data: &[u8],
    ) -> Option<()> {
        let n = data.len();
        if short_ok && n <= 0xff {
            // Short: never large enough to leave the frame.
            self.write(&[short.code(), n as u8]);
            self.write(data);
        } else if let Ok(n32) = u32::try_from(n) {
            let [a, b, c, d] = n32.to_le_bytes();
            self.write_large(&[four.code(), a, b, c, d], data);
        } else if proto >= 4 {
            let mut header = vec![eight.code()];
            header.extend_from_slice(&(n as u64).to_le_bytes());
            self.write_large(&header, data);
        } else {
            return None;
        }
        Some(())
    }

    /// GLOBAL: `module` and `name` as newline-terminated text.
    pub(crate) fn global_line(&mut self, module: &str, name: &str) {
        let mut line = Vec::with_capacity(module.len() + name.len() + 3);
        line.push(Op::Global.code());
        line.extend_from_slice(module.as_bytes());
        line.push(b'\n');
        line.extend_from_slice(name.as_bytes());
        line.push(b'\n');
        self.write(&line);
    }

    /// Stores the top of the stack as memo entry `idx`: PUT, BINPUT,
    /// LONG_BINPUT or MEMOIZE, as CPython picks for the protocol.
    #[inline]
    pub(crate) fn put(&mut self, proto: u8, idx: u32) {
        match proto {
            4.. => self.byte(Op::Memoize.code()),
            1..=3 if idx < 256 => self.write(&[Op::BinPut.code(), idx as u8]),
            1..=3 => {
                let [a, b, c, d] = idx.to_le_bytes();
                self.write(&[Op::LongBinPut.code(), a, b, c, d]);
            }
            _ => self.text_memo(b'p', idx),
        }
    }

    /// Pushes memo entry `idx`: GET, BINGET or LONG_BINGET.
    #[inline(always)]
    pub(crate) fn get(&mut self, proto: u8, idx: u32) {
        if proto == 0 {
            self.text_memo(b'g', idx);
        } else {
            self.binget(idx);
        }
    }

    /// `get` at protocol 1 or higher: BINGET or LONG_BINGET.
    #[inline(always)]
    pub(crate) fn binget(&mut self, idx: u32) {
        if idx < 256 {
            self.write(&[Op::BinGet.code(), idx as u8]);
        } else {
            let [a, b, c, d] = idx.to_le_bytes();
            self.write(&[Op::LongBinGet.code(), a, b, c, d]);
        }
    }

    /// Protocol 0's PUT or GET (`op` is `p` or `g`), with a decimal index:
    /// kept out of line so the binary forms inline.
    #[inline(never)]
    fn text_memo(&mut self, op: u8, idx: u32) {
        self.write(format!("{}{idx}\n", op as char).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long1_lengths_are_minimal() {
        // Each boundary, against trimming redundant sign bytes one by one.
        for shift in 0..64 {
            for i in [
                1i64 << shift,
                (1i64 << shift) - 1,
                -(1i64 << shift),
                !(1i64 << shift),
            ] {
                let mut e = Encoder::new(16);
                e.long1(i128::from(i));
                let bytes = i.to_le_bytes();
                let mut n = 8;
                while n > 1
                    && ((bytes[n - 1] == 0 && bytes[n - 2] & 0x80 == 0)
                        || (bytes[n - 1] == 0xff && bytes[n - 2] & 0x80 != 0))
                {
                    n -= 1;
                }
                assert_eq!(e.out[1] as usize, n, "{i}");
                assert_eq!(&e.out[2..], &bytes[..n], "{i}");
            }
        }
    }

    #[test]
    fn ints_up_to_128_bits_match_the_bigint_forms() {
        // Each boundary of each width: the i128 path against the general
        // one (num-bigint's minimal bytes, decimal text below protocol 2).
        let mut values = Vec::new();
        for shift in 0..127 {
            let p = 1i128 << shift;
            values.extend([p, p - 1, -p, !p, p + 1]);
        }
        values.extend([i128::MAX, i128::MIN]);
        for i in values {
            let b = BigInt::from(i);
            for proto in [0, 1, 2, 4] {
                let mut fast = Encoder::new(16);
                fast.int128(proto, i);
                let mut general = Encoder::new(16);
                match i64::try_from(i) {
                    Ok(small) => general.int(proto, small),
                    Err(_) if proto >= 2 => {
                        let bytes = b.to_signed_bytes_le();
                        general.write(&[Op::Long1.code(), bytes.len() as u8]);
                        general.write(&bytes);
                    }
                    Err(_) => general.write(format!("L{b}L\n").as_bytes()),
                }
                assert_eq!(fast.out, general.out, "{i} at protocol {proto}");
                let mut via_big = Encoder::new(16);
                via_big.big_int(proto, &b).unwrap();
                assert_eq!(via_big.out, general.out, "{i} at protocol {proto}");
            }
        }
    }

    #[test]
    fn ints_take_cpythons_forms_at_every_width() {
        // The branch-free writer against the rules spelled out: BININT1,
        // BININT2, BININT, then LONG1 with num-bigint's minimal bytes.
        let mut values = vec![i64::MIN, i64::MAX, 0];
        for shift in 0..63 {
            let p = 1i64 << shift;
            values.extend([p, p - 1, p + 1, -p, -p - 1, -p + 1]);
        }
        for i in values {
            let want = match i {
                0..=0xff => vec![Op::BinInt1.code(), i as u8],
                0x100..=0xffff => {
                    let [a, b] = (i as u16).to_le_bytes();
                    vec![Op::BinInt2.code(), a, b]
                }
                _ if i32::try_from(i).is_ok() => {
                    let mut v = vec![Op::BinInt.code()];
                    v.extend((i as i32).to_le_bytes());
                    v
                }
                _ => {
                    let bytes = BigInt::from(i).to_signed_bytes_le();
                    let mut v = vec![Op::Long1.code(), bytes.len() as u8];
                    v.extend(bytes);
                    v
                }
            };
            for proto in [2, 3, 4, 5] {
                let mut enc = Encoder::new(16);
                enc.byte(b'x');
                enc.int(proto, i);
                enc.byte(b'.');
                assert_eq!(
                    enc.out[1..enc.out.len() - 1],
                    want[..],
                    "{i} at protocol {proto}"
                );
            }
        }
    }

    #[test]
    fn small_twos_complement_matches_num_bigint() {
        let one = BigInt::from(1);
        let mut values = Vec::new();
        for shift in 0..=260u32 {
            let p = &one << shift;
            for delta in [-2i64, -1, 0, 1, 2] {
                let v = &p + delta;
                values.push(v.clone());
                values.push(-v);
            }
        }
        values.push(BigInt::from(0x0123_4567_89ab_cdefu64) << 70);
        for v in values {
            match small_twos_complement(&v) {
                Some((buf, n)) => assert_eq!(&buf[..n], &v.to_signed_bytes_le()[..], "{v}"),
                None => assert!(v.bits() > 250, "{v}"),
            }
        }
    }
}
