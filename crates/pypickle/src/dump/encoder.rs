//! The output buffer: opcode writers and CPython's framing.
//!
//! Framing follows `_pickle.c`: at the start of every `save()` the open
//! frame is closed once its payload reaches 64 KiB; payloads of 64 KiB or
//! more are written outside any frame; a closed frame under 4 bytes loses
//! its header. CPython opens a frame at the first byte written while none is
//! open; this encoder opens the next one as soon as the last closes, which
//! gives the same bytes (a frame left empty loses its header) and spares
//! every write the check.

use crate::error::Result;

/// Where finished output goes: a writer's `write_all`, in pieces.
pub(crate) type Sink<'a> = dyn FnMut(&[u8]) -> Result<()> + 'a;

/// With flushing on, finished output is handed to the writer once this
/// much is buffered.
const FLUSH_AT: usize = 1 << 20;

/// Frames close once their payload reaches this many bytes.
pub(crate) const FRAME_SIZE_TARGET: usize = 64 * 1024;
const FRAME_SIZE_MIN: usize = 4;
const FRAME_HEADER_SIZE: usize = 9;

pub(crate) struct Encoder {
    pub(crate) out: Vec<u8>,
    /// Framing is on (protocol 4 and up) and not yet ended.
    framing: bool,
    /// Where the open frame's header starts, while `framing`.
    frame_start: usize,
    /// The output length at which `boundary` closes the open frame;
    /// `usize::MAX` without framing.
    frame_full_at: usize,
    /// The output length from which output is due for a writer;
    /// `usize::MAX` when nobody takes it early.
    flush_at: usize,
    /// The smaller of the two: one compare per `save()`.
    check_at: usize,
}

impl Encoder {
    pub(crate) fn new(capacity: usize) -> Self {
        Encoder {
            out: Vec::with_capacity(capacity),
            framing: false,
            frame_start: 0,
            frame_full_at: usize::MAX,
            flush_at: usize::MAX,
            check_at: usize::MAX,
        }
    }

    /// For output going to a writer: `boundary` and `output_due` report
    /// once `FLUSH_AT` bytes are buffered.
    pub(crate) fn enable_flushing(&mut self) {
        self.flush_at = FLUSH_AT;
        self.check_at = self.frame_full_at.min(FLUSH_AT);
    }

    /// True when enough output is buffered to hand to a writer (never
    /// without [`Encoder::enable_flushing`]).
    #[inline]
    pub(crate) fn output_due(&self) -> bool {
        self.out.len() >= self.flush_at
    }

    fn set_frame_full_at(&mut self, n: usize) {
        self.frame_full_at = n;
        self.check_at = n.min(self.flush_at);
    }

    pub(crate) fn enable_framing(&mut self) {
        self.framing = true;
        self.open_frame();
    }

    /// Reserves the open frame's header, filled in when it closes.
    fn open_frame(&mut self) {
        let start = self.out.len();
        self.frame_start = start;
        self.set_frame_full_at(start + FRAME_HEADER_SIZE + FRAME_SIZE_TARGET);
        self.out.extend_from_slice(&[0; FRAME_HEADER_SIZE]);
    }

    #[inline]
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    #[inline]
    pub(crate) fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    /// The check CPython makes at the start of every `save()`. True when
    /// output is due for a writer (see [`Encoder::enable_flushing`]).
    #[inline]
    pub(crate) fn boundary(&mut self) -> bool {
        self.out.len() >= self.check_at && self.checkpoint()
    }

    #[cold]
    fn checkpoint(&mut self) -> bool {
        // frame_full_at is start + header + target while framing.
        if self.out.len() >= self.frame_full_at {
            self.close_frame();
            self.open_frame();
        }
        self.out.len() >= self.flush_at
    }

    /// Closes the open frame, writing its header or dropping it when the
    /// payload is too small to be worth one.
    fn close_frame(&mut self) {
        if !self.framing {
            return;
        }
        let start = self.frame_start;
        let len = self.out.len() - start - FRAME_HEADER_SIZE;
        if len >= FRAME_SIZE_MIN {
            self.out[start] = crate::opcode::Opcode::Frame.code();
            self.out[start + 1..start + FRAME_HEADER_SIZE]
                .copy_from_slice(&(len as u64).to_le_bytes());
        } else {
            self.out.drain(start..start + FRAME_HEADER_SIZE);
        }
    }

    /// Closes the last frame: call after STOP.
    pub(crate) fn end_frames(&mut self) {
        self.close_frame();
        self.framing = false;
        self.set_frame_full_at(usize::MAX);
    }

    /// Writes an opcode header and a data payload; a payload of 64 KiB or
    /// more goes outside any frame.
    pub(crate) fn write_large(&mut self, header: &[u8], data: &[u8]) {
        if self.framing && data.len() >= FRAME_SIZE_TARGET {
            self.close_frame();
            self.out.extend_from_slice(header);
            self.out.extend_from_slice(data);
            self.open_frame();
        } else {
            self.write(header);
            self.write(data);
        }
    }

    /// Hands `sink` the finished output: everything before the open frame,
    /// whose header is not written yet. What it took leaves the buffer.
    pub(crate) fn flush_to(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        let done = if self.framing {
            self.frame_start
        } else {
            self.out.len()
        };
        if done == 0 {
            return Ok(());
        }
        sink(&self.out[..done])?;
        self.out.drain(..done);
        if self.framing {
            self.frame_start -= done;
            self.set_frame_full_at(self.frame_full_at - done);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_frames_lose_their_header() {
        let mut e = Encoder::new(16);
        e.enable_framing();
        e.write(b"K\x00");
        e.end_frames();
        assert_eq!(e.out, b"K\x00");
    }

    #[test]
    fn large_payloads_skip_the_frame() {
        let mut e = Encoder::new(16);
        e.enable_framing();
        e.write(b"]");
        e.write_large(b"B", &vec![b'x'; FRAME_SIZE_TARGET]);
        e.byte(b'.');
        e.end_frames();
        assert_eq!(&e.out[..2], b"]B");
        assert_eq!(e.out.len(), 2 + FRAME_SIZE_TARGET + 1);
    }

    #[test]
    fn flushing_keeps_the_open_frame() {
        let mut e = Encoder::new(16);
        e.enable_framing();
        e.write(&[b'x'; FRAME_SIZE_TARGET]);
        e.boundary();
        e.write(b"N.");
        let mut taken = Vec::new();
        e.flush_to(&mut |b| {
            taken.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        assert_eq!(taken.len(), FRAME_HEADER_SIZE + FRAME_SIZE_TARGET);
        e.end_frames();
        assert_eq!(e.out, b"N.");
    }
}
