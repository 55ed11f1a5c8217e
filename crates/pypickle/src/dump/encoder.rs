//! The output buffer: opcode writers and CPython's framing.
//!
//! Framing follows `_pickle.c`: a frame opens at the first byte written
//! while none is open; at the start of every `save()` the open frame is
//! closed once its payload reaches 64 KiB; payloads of 64 KiB or more are
//! written outside any frame. A closed frame under 4 bytes loses its header.

/// Frames close once their payload reaches this many bytes.
pub(crate) const FRAME_SIZE_TARGET: usize = 64 * 1024;
const FRAME_SIZE_MIN: usize = 4;
const FRAME_HEADER_SIZE: usize = 9;

pub(crate) struct Encoder {
    pub(crate) out: Vec<u8>,
    framing: bool,
    frame_start: Option<usize>,
    /// Framing is on and no frame is open: the next write opens one. (One
    /// flag for the check every write makes.)
    needs_frame: bool,
    /// The output length at which `boundary` closes the open frame;
    /// `usize::MAX` while none is open. (One compare per `save()`.)
    frame_full_at: usize,
}

impl Encoder {
    pub(crate) fn new(capacity: usize) -> Self {
        Encoder {
            out: Vec::with_capacity(capacity),
            framing: false,
            frame_start: None,
            needs_frame: false,
            frame_full_at: usize::MAX,
        }
    }

    pub(crate) fn enable_framing(&mut self) {
        self.framing = true;
        self.needs_frame = self.frame_start.is_none();
    }

    #[inline]
    fn open_frame_if_needed(&mut self) {
        if self.needs_frame {
            let start = self.out.len();
            self.frame_start = Some(start);
            self.frame_full_at = start + FRAME_HEADER_SIZE + FRAME_SIZE_TARGET;
            self.needs_frame = false;
            self.out.extend_from_slice(&[0; FRAME_HEADER_SIZE]);
        }
    }

    #[inline]
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        self.open_frame_if_needed();
        self.out.extend_from_slice(bytes);
    }

    #[inline]
    pub(crate) fn byte(&mut self, b: u8) {
        self.open_frame_if_needed();
        self.out.push(b);
    }

    /// The check CPython makes at the start of every `save()`.
    #[inline]
    pub(crate) fn boundary(&mut self) {
        // frame_full_at is start + header + target while a frame is open.
        if self.out.len() >= self.frame_full_at {
            self.commit_frame();
        }
    }

    /// Closes the open frame, writing its header or dropping it when the
    /// payload is too small to be worth one.
    pub(crate) fn commit_frame(&mut self) {
        let Some(start) = self.frame_start.take() else {
            return;
        };
        self.needs_frame = self.framing;
        self.frame_full_at = usize::MAX;
        let len = self.out.len() - start - FRAME_HEADER_SIZE;
        if len >= FRAME_SIZE_MIN {
            self.out[start] = crate::opcode::Opcode::Frame.code();
            self.out[start + 1..start + FRAME_HEADER_SIZE]
                .copy_from_slice(&(len as u64).to_le_bytes());
        } else {
            self.out.drain(start..start + FRAME_HEADER_SIZE);
        }
    }

    /// Writes an opcode header and a data payload; a payload of 64 KiB or
    /// more goes outside any frame.
    pub(crate) fn write_large(&mut self, header: &[u8], data: &[u8]) {
        if self.framing && data.len() >= FRAME_SIZE_TARGET {
            self.commit_frame();
            self.out.extend_from_slice(header);
            self.out.extend_from_slice(data);
        } else {
            self.write(header);
            self.write(data);
        }
    }

    /// True when bytes before `out.len()` may be handed to a writer: no
    /// frame is open whose header still has to be filled in.
    pub(crate) fn can_flush(&self) -> bool {
        self.frame_start.is_none()
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
        e.commit_frame();
        assert_eq!(e.out, b"K\x00");
    }

    #[test]
    fn large_payloads_skip_the_frame() {
        let mut e = Encoder::new(16);
        e.enable_framing();
        e.write(b"]");
        e.write_large(b"B", &vec![b'x'; FRAME_SIZE_TARGET]);
        assert_eq!(&e.out[..2], b"]B");
    }
}
