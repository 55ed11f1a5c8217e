//! Input: where the unpickler's bytes come from.
//!
//! [`SliceRead`] lends views straight into the input slice; [`IoRead`] pulls
//! from a `BufRead` and never consumes a byte past the pickle's STOP, so
//! several pickles can be read one after another from one stream. (A
//! malformed frame that claims bytes past its STOP is read whole, and the
//! next pickle of the same [`IoRead`] starts with the rest, as CPython's
//! next `load` does from a buffered file.) Every length is checked against
//! what remains (or what actually arrives) before anything is allocated.

use std::io;
use std::ops::Deref;

use bytes::Bytes;

use crate::error::{Error, ErrorCode, Result};
use crate::value::PyBytes;

/// The smallest bytes object a shared input lends instead of copying: below
/// this, a copy costs no more than the view, and does not keep the whole
/// input alive. (Every non-empty one under the fuzzer, so that its small
/// inputs reach the views.)
pub(crate) const SHARE_MIN: u64 = if cfg!(fuzzing) { 1 } else { 4096 };

mod private {
    pub trait Sealed {}
}

/// Bytes read from the input: borrowed from it for the whole load (`'de`),
/// or copied into a scratch buffer that lives until the next read (`'s`).
#[derive(Debug)]
pub enum Reference<'de, 's> {
    /// A view into the input itself.
    Borrowed(&'de [u8]),
    /// A view into the reader's scratch buffer.
    Copied(&'s [u8]),
}

impl Deref for Reference<'_, '_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Reference::Borrowed(b) => b,
            Reference::Copied(b) => b,
        }
    }
}

/// A source of pickle bytes. Sealed: [`SliceRead`] and [`IoRead`] are the
/// implementations.
pub trait Read<'de>: private::Sealed {
    /// The next byte, or `None` at the end of the input.
    #[doc(hidden)]
    fn next_byte(&mut self) -> Result<Option<u8>>;

    /// Exactly `n` bytes, or an EOF error if the input ends first.
    #[doc(hidden)]
    fn read_exact(&mut self, n: u64) -> Result<Reference<'de, '_>>;

    /// Exactly `n` bytes in a vector of their own, for an object that owns
    /// its data.
    #[doc(hidden)]
    fn read_owned(&mut self, n: u64) -> Result<Vec<u8>> {
        Ok(self.read_exact(n)?.to_vec())
    }

    /// Exactly `n` bytes as a bytes object's data: a view into a shared
    /// input for large data, a copy otherwise.
    #[doc(hidden)]
    fn read_bytes(&mut self, n: u64) -> Result<PyBytes> {
        self.read_owned(n).map(PyBytes::from)
    }

    /// The bytes up to the next newline, without it; EOF error if there is
    /// no newline.
    #[doc(hidden)]
    fn read_line(&mut self) -> Result<Reference<'de, '_>>;

    /// Checks that a frame of `len` bytes is there, as CPython does when it
    /// reads the frame whole; readers may prefetch it.
    #[doc(hidden)]
    fn frame(&mut self, len: u64) -> Result<()>;

    /// The number of bytes consumed so far.
    #[doc(hidden)]
    fn offset(&self) -> u64;

    /// The bytes after the read position that are already in memory, to
    /// look at without consuming them: all the rest of a slice, nothing
    /// of a stream.
    fn lookahead(&self) -> &'de [u8] {
        &[]
    }

    /// The next byte without consuming it, if it is already in memory (the
    /// rest of a slice, or of a stream's current frame).
    #[doc(hidden)]
    fn peek_byte(&self) -> Option<u8>;

    /// Hands `scan` the bytes after the read position that are already in
    /// memory (the rest of a slice, or of a stream's current frame), and
    /// consumes as many of them as it says it used.
    #[doc(hidden)]
    fn scan_ahead<T>(&mut self, scan: impl FnOnce(&[u8]) -> (usize, T)) -> T;

    /// How many bytes are known to remain, for sizing buffers up front.
    #[doc(hidden)]
    fn remaining_hint(&self) -> usize {
        0
    }

    /// True when the input is a buffer of the loader's own, which may
    /// decode a large latin-1 text over itself: the machine then stops
    /// before such a text and lets the loader do it (see
    /// `Unpickler::loads_shared`).
    #[doc(hidden)]
    fn splittable(&self) -> bool {
        false
    }

    /// True when FRAME only checks that its bytes are there (all of them
    /// already in memory), as for a slice: then runs read on over it.
    #[doc(hidden)]
    fn frames_only_check(&self) -> bool {
        false
    }
}

/// Reads from a byte slice without copying.
pub struct SliceRead<'de> {
    data: &'de [u8],
    pos: usize,
    /// The shared buffer `data` views, when large bytes objects may be
    /// views into it too.
    shared: Option<&'de Bytes>,
    /// Where `data` starts in the whole input: not 0 for the rest of a
    /// buffer after a text split off it.
    base: u64,
    /// See [`Read::splittable`].
    splittable: bool,
}

impl<'de> SliceRead<'de> {
    /// Reads `data` from its first byte.
    pub fn new(data: &'de [u8]) -> Self {
        SliceRead {
            data,
            pos: 0,
            shared: None,
            base: 0,
            splittable: false,
        }
    }

    /// Reads a shared buffer from its first byte; bytes objects of 4 KiB and
    /// more become views into it.
    pub fn shared(data: &'de Bytes) -> Self {
        SliceRead {
            data,
            pos: 0,
            shared: Some(data),
            base: 0,
            splittable: false,
        }
    }

    /// Reads a buffer the loader owns, the first part or (from `base`
    /// on) the rest of one; large latin-1 texts stop the machine, to be
    /// decoded over themselves.
    pub(crate) fn splitting(data: &'de [u8], shared: Option<&'de Bytes>, base: u64) -> Self {
        SliceRead {
            data,
            pos: 0,
            shared,
            base,
            splittable: true,
        }
    }

    /// Reads a shared buffer from `pos` on (as [`SliceRead::shared`]).
    pub(crate) fn shared_from(data: &'de Bytes, pos: usize) -> Self {
        SliceRead {
            pos: pos.min(data.len()),
            ..SliceRead::shared(data)
        }
    }

    /// How many bytes of `data` were consumed.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not consumed yet.
    pub fn remaining(&self) -> &'de [u8] {
        &self.data[self.pos..]
    }

    #[cold]
    fn truncated(&self) -> Error {
        Error::at(ErrorCode::Truncated, self.base + self.data.len() as u64)
    }
}

impl private::Sealed for SliceRead<'_> {}

impl<'de> Read<'de> for SliceRead<'de> {
    #[inline]
    fn next_byte(&mut self) -> Result<Option<u8>> {
        let b = self.data.get(self.pos).copied();
        self.pos += b.is_some() as usize;
        Ok(b)
    }

    #[inline]
    fn read_exact(&mut self, n: u64) -> Result<Reference<'de, '_>> {
        let rest = &self.data[self.pos..];
        if n > rest.len() as u64 {
            return Err(self.truncated());
        }
        let n = n as usize;
        self.pos += n;
        Ok(Reference::Borrowed(&rest[..n]))
    }

    fn read_bytes(&mut self, n: u64) -> Result<PyBytes> {
        match self.shared {
            Some(whole) if n >= SHARE_MIN => {
                let start = self.pos;
                self.read_exact(n)?;
                Ok(PyBytes::from(whole.slice(start..self.pos)))
            }
            _ => Ok(PyBytes::from(&*self.read_exact(n)?)),
        }
    }

    fn read_line(&mut self) -> Result<Reference<'de, '_>> {
        let rest = &self.data[self.pos..];
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                self.pos += i + 1;
                Ok(Reference::Borrowed(&rest[..i]))
            }
            None => Err(self.truncated()),
        }
    }

    fn frame(&mut self, len: u64) -> Result<()> {
        if len > (self.data.len() - self.pos) as u64 {
            return Err(self.truncated());
        }
        Ok(())
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn remaining_hint(&self) -> usize {
        self.data.len() - self.pos
    }

    fn splittable(&self) -> bool {
        self.splittable
    }

    fn frames_only_check(&self) -> bool {
        true
    }

    fn lookahead(&self) -> &'de [u8] {
        self.remaining()
    }

    #[inline(always)]
    fn peek_byte(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    #[inline(always)]
    fn scan_ahead<T>(&mut self, scan: impl FnOnce(&[u8]) -> (usize, T)) -> T {
        let (used, out) = scan(self.remaining());
        self.pos += used.min(self.data.len() - self.pos);
        out
    }
}

/// Reads from a `BufRead`, consuming exactly the bytes of each pickle.
pub struct IoRead<R> {
    reader: R,
    scratch: Vec<u8>,
    /// The current frame, read whole when its FRAME opcode arrives (so a
    /// frame cut short is an error there, as in CPython); opcodes are served
    /// from it before the reader.
    frame: Frame,
    /// The bytes consumed so far (read from the frame or the reader).
    offset: u64,
}

/// Bytes read ahead of the opcodes, and how much of them was consumed.
#[derive(Default)]
struct Frame {
    bytes: Vec<u8>,
    pos: usize,
}

impl Frame {
    /// How many bytes are left to consume.
    #[inline]
    fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// The next byte, consumed, if the frame holds one.
    #[inline]
    fn next(&mut self) -> Option<u8> {
        let b = self.bytes.get(self.pos).copied();
        self.pos += usize::from(b.is_some());
        b
    }

    /// True when the next `n` bytes are in the frame.
    #[inline]
    fn holds(&self, n: u64) -> bool {
        n <= self.left() as u64
    }

    /// The next `n` bytes, consumed (fewer if the frame does not hold them:
    /// callers ask [`Frame::holds`] first).
    #[inline]
    fn take(&mut self, n: usize) -> &[u8] {
        let start = self.pos;
        self.pos += n.min(self.left());
        &self.bytes[start..self.pos]
    }

    /// Consumes what is left, appending it to `out`; returns how many bytes
    /// that was.
    fn drain_into(&mut self, out: &mut Vec<u8>) -> u64 {
        let n = self.left();
        out.extend_from_slice(&self.bytes[self.pos..]);
        self.pos = self.bytes.len();
        n as u64
    }
}

/// How much a read of unknown validity may grow the scratch buffer before
/// the bytes have actually arrived.
const GROWTH_STEP: usize = 1 << 16;

impl<R: io::BufRead> IoRead<R> {
    /// Reads from `reader`.
    pub fn new(reader: R) -> Self {
        IoRead {
            reader,
            scratch: Vec::new(),
            frame: Frame::default(),
            offset: 0,
        }
    }

    /// `read_exact` for bytes not all in the current frame: what is left of
    /// it, then the rest from the reader, gathered in the scratch buffer.
    #[inline(never)]
    fn read_exact_past_frame<'de>(&mut self, n: u64) -> Result<Reference<'de, '_>> {
        self.scratch.clear();
        let drained = self.frame.drain_into(&mut self.scratch);
        self.offset += drained;
        read_into(
            &mut self.reader,
            &mut self.offset,
            &mut self.scratch,
            n - drained,
        )?;
        Ok(Reference::Copied(&self.scratch))
    }

    /// Gives the reader back.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

/// The reader's buffered bytes, retrying interrupted reads; empty at EOF.
fn fill_buf<R: io::BufRead>(reader: &mut R, offset: u64) -> Result<&[u8]> {
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::from(e).with_offset(offset)),
        }
    }
    reader
        .fill_buf()
        .map_err(|e| Error::from(e).with_offset(offset))
}

/// Appends exactly `n` bytes from `reader` to `out`, advancing `offset`.
/// `out` grows only by what has arrived, so a hostile length costs nothing.
fn read_into<R: io::BufRead>(
    reader: &mut R,
    offset: &mut u64,
    out: &mut Vec<u8>,
    n: u64,
) -> Result<()> {
    let mut want = n;
    while want > 0 {
        let buf = fill_buf(reader, *offset)?;
        if buf.is_empty() {
            return Err(Error::at(ErrorCode::Truncated, *offset));
        }
        let take = buf.len().min(want.min(usize::MAX as u64) as usize);
        if out.capacity() - out.len() < take {
            out.reserve(take.max(GROWTH_STEP.min(want as usize)));
        }
        out.extend_from_slice(&buf[..take]);
        reader.consume(take);
        *offset += take as u64;
        want -= take as u64;
    }
    Ok(())
}

impl<R: io::BufRead> private::Sealed for IoRead<R> {}

impl<'de, R: io::BufRead> Read<'de> for IoRead<R> {
    fn next_byte(&mut self) -> Result<Option<u8>> {
        if let Some(b) = self.frame.next() {
            self.offset += 1;
            return Ok(Some(b));
        }
        let b = fill_buf(&mut self.reader, self.offset)?.first().copied();
        if b.is_some() {
            self.reader.consume(1);
            self.offset += 1;
        }
        Ok(b)
    }

    #[inline(always)]
    fn peek_byte(&self) -> Option<u8> {
        self.frame.bytes.get(self.frame.pos).copied()
    }

    #[inline(always)]
    fn scan_ahead<T>(&mut self, scan: impl FnOnce(&[u8]) -> (usize, T)) -> T {
        let (used, out) = scan(&self.frame.bytes[self.frame.pos..]);
        self.offset += self.frame.take(used).len() as u64;
        out
    }

    #[inline]
    fn read_exact(&mut self, n: u64) -> Result<Reference<'de, '_>> {
        if self.frame.holds(n) {
            self.offset += n;
            return Ok(Reference::Copied(self.frame.take(n as usize)));
        }
        self.read_exact_past_frame(n)
    }

    fn read_owned(&mut self, n: u64) -> Result<Vec<u8>> {
        if self.frame.holds(n) {
            return Ok(self.read_exact(n)?.to_vec());
        }
        // Straight into the object's own buffer: one copy, not two.
        let mut out = Vec::new();
        let drained = self.frame.drain_into(&mut out);
        self.offset += drained;
        read_into(&mut self.reader, &mut self.offset, &mut out, n - drained)?;
        Ok(out)
    }

    fn read_line(&mut self) -> Result<Reference<'de, '_>> {
        let rest = &self.frame.bytes[self.frame.pos..];
        if let Some(i) = rest.iter().position(|&b| b == b'\n') {
            self.offset += i as u64 + 1;
            return Ok(Reference::Copied(&self.frame.take(i + 1)[..i]));
        }
        self.scratch.clear();
        self.offset += self.frame.drain_into(&mut self.scratch);
        loop {
            let buf = fill_buf(&mut self.reader, self.offset)?;
            if buf.is_empty() {
                return Err(Error::at(ErrorCode::Truncated, self.offset));
            }
            match buf.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.scratch.extend_from_slice(&buf[..i]);
                    self.reader.consume(i + 1);
                    self.offset += i as u64 + 1;
                    return Ok(Reference::Copied(&self.scratch));
                }
                None => {
                    let n = buf.len();
                    self.scratch.extend_from_slice(buf);
                    self.reader.consume(n);
                    self.offset += n as u64;
                }
            }
        }
    }

    fn frame(&mut self, len: u64) -> Result<()> {
        // CPython reads a frame whole (or fails with "pickle data was
        // truncated" right there), so do the same: keep what is left of the
        // current one and read the rest of the new one after it.
        let left = self.frame.left() as u64;
        if len <= left {
            return Ok(());
        }
        let frame = &mut self.frame;
        frame.bytes.drain(..frame.pos);
        frame.pos = 0;
        let mut reader_offset = self.offset + left;
        read_into(
            &mut self.reader,
            &mut reader_offset,
            &mut frame.bytes,
            len - left,
        )
    }

    fn offset(&self) -> u64 {
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_read_checks_lengths_before_allocating() {
        let mut r = SliceRead::new(b"abc\ndef");
        assert_eq!(&*r.read_line().unwrap(), b"abc");
        assert!(r.read_exact(u64::MAX).unwrap_err().is_eof());
        assert_eq!(&*r.read_exact(3).unwrap(), b"def");
        assert_eq!(r.next_byte().unwrap(), None);
    }

    #[test]
    fn io_read_stops_at_what_it_needs() {
        let data: &[u8] = b"xy\nzw";
        let mut r = IoRead::new(io::BufReader::with_capacity(2, data));
        assert_eq!(&*Read::read_line(&mut r).unwrap(), b"xy");
        assert_eq!(Read::next_byte(&mut r).unwrap(), Some(b'z'));
        assert!(Read::read_exact(&mut r, 1 << 40).unwrap_err().is_eof());
        assert_eq!(Read::offset(&r), 5);
    }
}
