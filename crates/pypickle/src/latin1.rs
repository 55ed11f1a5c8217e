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

/// `text.encode('latin1')` for the UTF-8 of a str: `None` when some code
/// point is 256 or more (or a surrogate), which the caller reports.
pub(crate) fn from_utf8(utf8: &[u8]) -> Option<Vec<u8>> {
    fits(utf8).then(|| from_utf8_in_place(utf8.to_vec()))
}

/// `from_utf8` in the buffer of the text itself, for the UTF-8 of a str
/// that [`fits`]: ASCII, and 0xC2/0xC3 leads each followed by one
/// continuation byte (0x80..=0xBF). After 0xC2 the continuation is the
/// code point; after 0xC3 it is the code point less 0x40. Each output
/// byte is written at or before the input byte it comes from.
pub(crate) fn from_utf8_in_place(buf: Vec<u8>) -> Vec<u8> {
    in_place_with(buf, steps)
}

/// `from_utf8_in_place` with the given wide steps, then a byte at a time.
fn in_place_with(mut buf: Vec<u8>, wide: fn(&mut [u8]) -> (usize, usize, u8)) -> Vec<u8> {
    let (i, mut j, prev) = wide(&mut buf);
    let mut offset = u8::from(prev == 0xC3) << 6;
    for i in i..buf.len() {
        let b = buf[i];
        buf[j] = b.wrapping_add(offset);
        // A lead's byte is overwritten by its continuation's: only j moves.
        j += usize::from(b < 0xC0);
        offset = u8::from(b == 0xC3) << 6;
    }
    buf.truncate(j);
    buf.shrink_to_fit();
    buf
}

/// The wide steps of `from_utf8_in_place`: sixteen bytes at a time where
/// the CPU has SSSE3 (and POPCNT), else eight. Returns where reading and writing
/// stopped and the last byte read.
fn steps(buf: &mut [u8]) -> (usize, usize, u8) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("ssse3") && std::arch::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: `blocks` needs SSSE3 and POPCNT, and the CPU was just
        // found to have them. The function itself is safe code (see its module).
        #[allow(unsafe_code)]
        return unsafe { ssse3::blocks(buf) };
    }
    words(buf)
}

#[cfg(target_arch = "x86_64")]
mod ssse3;

/// The eight-byte steps of `from_utf8_in_place`, while eight bytes remain:
/// returns where reading and writing stopped and the last byte read.
fn words(buf: &mut [u8]) -> (usize, usize, u8) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (mut i, mut j, mut prev) = (0, 0, 0u8);
    while let Some(&word) = buf.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        // j <= i: the bytes written over are all read already.
        let Some(dst) = buf
            .get_mut(j..)
            .and_then(|rest| rest.first_chunk_mut::<8>())
        else {
            break;
        };
        let w = u64::from_le_bytes(word);
        if w & HIGH == 0 {
            // Eight ASCII bytes, as they are (after a lead comes a
            // continuation, never ASCII).
            *dst = word;
            j += 8;
        } else {
            let (value, keep) = decode_word(w, prev);
            j += pack(value, keep, dst);
        }
        prev = word[7];
        i += 8;
    }
    (i, j, prev)
}

/// Eight bytes of latin-1 UTF-8, `w` read little-endian and `prev` the
/// byte before them, worked on at once: each byte with 0x40 added after a
/// 0xC3 lead, and 0x01 in each byte to keep (all but the leads).
#[inline(always)]
fn decode_word(w: u64, prev: u8) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // 0x80 in each byte whose predecessor is 0xC3: an exact zero-byte
    // test of `before ^ 0xC3..` (no carry crosses bytes).
    let x = ((w << 8) | u64::from(prev)) ^ (0xC3 * ONES);
    let after_c3 = !(((x & LOW7) + LOW7) | x | LOW7);
    // Those bytes are continuations (0x80..=0xBF): adding 0x40 never
    // carries.
    let value = w + (after_c3 >> 1);
    // A lead is 0xC0 or more: both top bits set.
    let keep = (!(w & (w << 1)) & HIGH) >> 7;
    (value, keep)
}

/// Stores the kept bytes of `value` (0x01 in `keep`) at the start of
/// `dst` without a branch, and returns how many there are. Each byte goes
/// to its slot, the number of kept bytes before it; a lead's store is
/// overwritten by the next byte's, which has the same slot.
#[inline(always)]
fn pack(value: u64, keep: u64, dst: &mut [u8; 8]) -> usize {
    // Byte k of `through`: the kept bytes up to and including byte k (at
    // most 8, so no byte carries into the next).
    let through = keep.wrapping_mul(0x0101_0101_0101_0101);
    let before = through - keep;
    for k in 0..8 {
        let slot = ((before >> (8 * k)) & 0x7) as usize;
        dst[slot] = (value >> (8 * k)) as u8;
    }
    (through >> 56) as usize
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
        // Two-byte characters at every position of the eight-byte steps.
        for shift in 0..9 {
            let mut bytes = vec![b'a'; shift];
            bytes.extend(all.iter().rev());
            bytes.extend([0xc3, 0xc3, 0xe9, b'z', 0xff, 0x80]);
            samples.push(bytes);
        }
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

    /// Both wide steps, the SIMD blocks and the eight-byte words, agree
    /// with a char-at-a-time encode on text of every length up to a few
    /// blocks, from all-ASCII to all two-byte, with leads at block edges.
    #[test]
    fn wide_steps_agree_with_a_plain_encode() {
        let mut x = 0x9e37_79b9_u32;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for len in 0..100 {
            for high_in_16 in [0, 1, 4, 8, 12, 16] {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = next();
                        let b = (r >> 8) as u8;
                        if r % 16 < high_in_16 {
                            b | 0x80
                        } else {
                            b & 0x7F
                        }
                    })
                    .collect();
                let text = latin1_text(&bytes).into_bytes();
                for wide in [steps, words] {
                    assert_eq!(in_place_with(text.clone(), wide), bytes, "{bytes:?}");
                }
            }
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
