//! Latin-1 text, the way protocols 0-2 carry bytes: `bytes` are pickled as
//! `_codecs.encode(b.decode('latin1'), 'latin1')`, so the pickler turns
//! every byte into a code point and the loader turns code points back
//! into bytes, over every byte of every bytes object in such a pickle
//! (numpy arrays pickled at protocol 2 among them).

/// `bytes.decode('latin1')`: each byte is the code point of one char.
pub(crate) fn decode(bytes: &[u8]) -> String {
    // Each byte's UTF-8 written without a branch (two bytes, the second
    // kept only after a lead), then checked by simdutf8 and copied: three
    // fast passes instead of a char-at-a-time push. (Safe Rust has no way
    // to skip the check, and std's is char at a time on this text.)
    let mut utf8 = vec![0u8; bytes.len() * 2];
    let mut j = 0;
    for &b in bytes {
        let high = b >> 7;
        if let Some(pair) = utf8.get_mut(j..j + 2) {
            pair[0] = if high == 0 { b } else { 0xC0 | (b >> 6) };
            pair[1] = 0x80 | (b & 0x3F);
        }
        j += 1 + usize::from(high);
    }
    utf8.truncate(j);
    match simdutf8::basic::from_utf8(&utf8) {
        Ok(text) => text.to_owned(),
        // Not reached: the bytes above are valid UTF-8 by construction.
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// True when the UTF-8 of a str holds only code points below 256, so
/// that `from_utf8` succeeds.
pub(crate) fn fits(utf8: &[u8]) -> bool {
    // Code points of 256 and more start with a lead byte from 0xC4.
    utf8.iter().copied().max().unwrap_or(0) < 0xC4
}

/// `from_utf8` in the buffer of the text itself, for text that [`fits`]:
/// each output byte is written at or before the input byte it comes from.
pub(crate) fn from_utf8_in_place(mut buf: Vec<u8>) -> Vec<u8> {
    let mut j = 0;
    let mut offset = 0u8;
    for i in 0..buf.len() {
        let b = buf[i];
        buf[j] = b.wrapping_add(offset);
        j += usize::from(b < 0xC0);
        offset = u8::from(b & 0xC1 == 0xC1) << 6;
    }
    buf.truncate(j);
    buf.shrink_to_fit();
    buf
}

/// `text.encode('latin1')` for the UTF-8 of a str: `None` when some code
/// point is 256 or more (or a surrogate), which the caller reports.
pub(crate) fn from_utf8(utf8: &[u8]) -> Option<Vec<u8>> {
    // Code points of 256 and more start with a lead byte from 0xC4; the
    // others are ASCII, or a 0xC2/0xC3 lead and one continuation byte.
    if !fits(utf8) {
        return None;
    }
    let mut out = vec![0u8; utf8.len()];
    let mut j = 0;
    // 0x40 right after a 0xC3 lead: its continuation byte (0x80..=0xBF)
    // plus 0x40 is the code point; after 0xC2 the byte is the code point.
    let mut offset = 0u8;
    let mut chunks = utf8.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        if word & 0x8080_8080_8080_8080 == 0 && offset == 0 {
            // Eight ASCII bytes, as they are.
            out.get_mut(j..j + 8)?.copy_from_slice(chunk);
            j += 8;
        } else {
            (j, offset) = decode_bytes(chunk, &mut out, j, offset);
        }
    }
    (j, offset) = decode_bytes(chunks.remainder(), &mut out, j, offset);
    if offset != 0 {
        return None;
    }
    out.truncate(j);
    out.shrink_to_fit();
    Some(out)
}

/// The branch-free step of `from_utf8` over `utf8`, writing from `out[j]`.
/// Returns the next `j` and `offset`.
#[inline(always)]
fn decode_bytes(utf8: &[u8], out: &mut [u8], mut j: usize, mut offset: u8) -> (usize, u8) {
    for &b in utf8 {
        // A lead's byte is overwritten by its continuation's: only j moves.
        if let Some(slot) = out.get_mut(j) {
            *slot = b.wrapping_add(offset);
        }
        j += usize::from(b < 0xC0);
        // 0xC3 is the only byte with bits 0xC1 set that can come here.
        offset = u8::from(b & 0xC1 == 0xC1) << 6;
    }
    (j, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latin1_text(bytes: &[u8]) -> String {
        bytes.iter().map(|&b| b as char).collect()
    }

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let mut samples = vec![Vec::new(), all.clone(), all.iter().rev().copied().collect()];
        samples.extend(all.iter().map(|&b| vec![b]));
        samples.extend(all.iter().map(|&b| vec![b, b'a', b]));
        // A fixed pseudo-random mix, long enough to cross any chunking.
        let mut x = 0x2545_f491_u32;
        samples.push(
            (0..10_000)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect(),
        );
        for bytes in samples {
            let text = latin1_text(&bytes);
            assert_eq!(decode(&bytes), text);
            assert_eq!(from_utf8(text.as_bytes()).as_deref(), Some(&bytes[..]));
            assert!(fits(text.as_bytes()));
            assert_eq!(from_utf8_in_place(text.clone().into_bytes()), bytes);
        }
    }

    #[test]
    fn code_points_past_255_are_refused() {
        for text in ["\u{100}", "a\u{20ac}b", "\u{1f600}", "\u{ff}\u{100}"] {
            assert_eq!(from_utf8(text.as_bytes()), None, "{text:?}");
            assert!(!fits(text.as_bytes()), "{text:?}");
        }
        // A lone surrogate (surrogatepass UTF-8) is no latin-1 either.
        assert_eq!(from_utf8(b"\xed\xa0\x80"), None);
    }
}
