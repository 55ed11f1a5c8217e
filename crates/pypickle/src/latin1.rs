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

/// `text.encode('latin1')` for the UTF-8 of a str (surrogates allowed),
/// or for bytes not yet known to be UTF-8: `None` unless they are valid
/// UTF-8 whose code points are all below 256. Those are exactly ASCII
/// bytes, and 0xC2/0xC3 leads each followed by one continuation byte
/// (0x80..=0xBF). After 0xC2 the continuation is the code point; after
/// 0xC3 it is the code point less 0x40.
pub(crate) fn from_utf8(utf8: &[u8]) -> Option<Vec<u8>> {
    decode_with(utf8, steps)
}

/// `from_utf8` with the given wide steps first, then a byte at a time.
fn decode_with(utf8: &[u8], wide: WideSteps) -> Option<Vec<u8>> {
    // Room for every byte and one step's spare stores; pages never
    // written cost nothing, and the shrink gives back the rest.
    let mut out = Vec::with_capacity(utf8.len() + 16);
    append_decoded(utf8, wide, &mut out)?;
    out.shrink_to_fit();
    Some(out)
}

/// Appends the bytes `utf8` encodes to `out`, as `from_utf8` gives them;
/// `None` (with `out` holding some of them) where it gives `None`.
fn append_decoded(utf8: &[u8], wide: WideSteps, out: &mut Vec<u8>) -> Option<()> {
    let (read, mut prev) = wide(utf8, out)?;
    for &b in &utf8[read..] {
        if is_lead(prev) {
            if b & 0xC0 != 0x80 {
                return None;
            }
            out.push(b + (u8::from(prev == 0xC3) << 6));
        } else if b < 0x80 {
            out.push(b);
        } else if !is_lead(b) {
            return None;
        }
        prev = b;
    }
    (!is_lead(prev)).then_some(())
}

/// `from_utf8` written over its own input: on success the bytes are at
/// the front of `buf` and their count is returned; on `None`, `buf` is
/// as it was.
///
/// No fresh memory is written, so none has to be faulted in: for 64 MB
/// of bytes that is most of a load on a machine whose page faults are
/// slow. The text is decoded a chunk at a time into a small buffer that
/// stays in cache, and each checked chunk is copied down over text
/// already read. A chunk that fails leaves the chunks before it decoded;
/// they are encoded back, from the end, over the same bytes.
pub(crate) fn decode_in_place(buf: &mut [u8]) -> Option<usize> {
    decode_in_place_with(buf, steps, 64 * 1024)
}

fn decode_in_place_with(buf: &mut [u8], wide: WideSteps, chunk: usize) -> Option<usize> {
    // A chunk, the continuation it may take past its end, and the wide
    // steps' spare stores.
    let mut scratch = Vec::with_capacity(chunk + 1 + 16);
    let (mut read, mut written) = (0, 0);
    while read < buf.len() {
        let mut end = (read + chunk).min(buf.len());
        // A chunk never ends between a lead and its continuation, so each
        // is the UTF-8 of whole code points if the text is.
        if end < buf.len() && is_lead(buf[end - 1]) {
            end += 1;
        }
        scratch.clear();
        if append_decoded(&buf[read..end], wide, &mut scratch).is_none() {
            encode_back(buf, written, read);
            return None;
        }
        // Decoding never lengthens, so this lands on bytes already read.
        buf[written..written + scratch.len()].copy_from_slice(&scratch);
        written += scratch.len();
        read = end;
    }
    Some(written)
}

/// Undoes a partial `decode_in_place`: `buf[..decoded]` holds the bytes
/// that `buf[..original]` encoded; writes that UTF-8 back. Working from
/// the end, each byte's encoding lands at or after the byte itself, on
/// bytes already handled.
fn encode_back(buf: &mut [u8], decoded: usize, original: usize) {
    let mut end = original;
    for at in (0..decoded).rev() {
        let b = buf[at];
        if b < 0x80 {
            end -= 1;
            buf[end] = b;
        } else {
            end -= 2;
            buf[end] = 0xC0 | (b >> 6);
            buf[end + 1] = 0x80 | (b & 0x3F);
        }
    }
}

/// True for the lead bytes of code points 128-255.
fn is_lead(b: u8) -> bool {
    b & 0xFE == 0xC2
}

/// Decodes a prefix of `utf8` into `out`, several bytes a step: returns
/// how many bytes it read and the last of them (0 for none), or `None`
/// when they are not the UTF-8 of code points below 256. A lead may end
/// the prefix; what follows it is the caller's to check.
type WideSteps = fn(&[u8], &mut Vec<u8>) -> Option<(usize, u8)>;

/// The wide steps of the decode: sixteen bytes at a time, checked on the
/// way, where the CPU has SSSE3 (and POPCNT), else checked first and
/// decoded eight bytes at a time.
fn steps(utf8: &[u8], out: &mut Vec<u8>) -> Option<(usize, u8)> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("ssse3") && std::arch::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: `blocks` needs SSSE3 and POPCNT, and the CPU was just
        // found to have them. The function itself is safe code (see its
        // module).
        #[allow(unsafe_code)]
        return unsafe { ssse3::blocks(utf8, out) };
    }
    checked_words(utf8, out)
}

/// The portable wide steps: a check of the whole text (valid UTF-8, and
/// no lead byte from 0xC4 on, which starts every code point of 256 and
/// more), then [`words`].
fn checked_words(utf8: &[u8], out: &mut Vec<u8>) -> Option<(usize, u8)> {
    let fits = utf8.iter().copied().max().unwrap_or(0) < 0xC4;
    (fits && simdutf8::basic::from_utf8(utf8).is_ok()).then(|| words(utf8, out))
}

#[cfg(target_arch = "x86_64")]
mod ssse3;

/// Appends the first `kept` bytes of `packed` to `out`. (Appending all
/// eight and cutting back is cheaper than a copy of variable length.)
#[inline(always)]
fn push_packed(out: &mut Vec<u8>, packed: [u8; 8], kept: usize) {
    out.extend_from_slice(&packed);
    out.truncate(out.len() - 8 + kept);
}

/// The eight-byte steps of the decode of checked text, while eight bytes
/// remain.
fn words(utf8: &[u8], out: &mut Vec<u8>) -> (usize, u8) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (mut read, mut prev) = (0, 0u8);
    for chunk in utf8.chunks_exact(8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(word);
        if w & HIGH == 0 {
            // Eight ASCII bytes, as they are (after a lead comes a
            // continuation, never ASCII).
            out.extend_from_slice(&word);
        } else {
            let (value, keep) = decode_word(w, prev);
            let (packed, kept) = pack(value, keep);
            push_packed(out, packed, kept);
        }
        prev = word[7];
        read += 8;
    }
    (read, prev)
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

/// The kept bytes of `value` (0x01 in `keep`) gathered at the front, and
/// how many there are, without a branch. Each byte goes to its slot, the
/// number of kept bytes before it; a lead's store is overwritten by the
/// next byte's, which has the same slot.
#[inline(always)]
fn pack(value: u64, keep: u64) -> ([u8; 8], usize) {
    // Byte k of `through`: the kept bytes up to and including byte k (at
    // most 8, so no byte carries into the next).
    let through = keep.wrapping_mul(0x0101_0101_0101_0101);
    let before = through - keep;
    let mut packed = [0; 8];
    for k in 0..8 {
        let slot = ((before >> (8 * k)) & 0x7) as usize;
        packed[slot] = (value >> (8 * k)) as u8;
    }
    (packed, (through >> 56) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latin1_text(bytes: &[u8]) -> String {
        bytes.iter().map(|&b| b as char).collect()
    }

    /// A xorshift generator: fixed inputs that look random.
    fn xorshift(seed: u32) -> impl FnMut() -> u32 {
        let mut x = seed;
        move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        }
    }

    /// What `text.encode('latin1')` gives for `utf8`, a char at a time.
    fn plain_encode(utf8: &[u8]) -> Option<Vec<u8>> {
        std::str::from_utf8(utf8)
            .ok()?
            .chars()
            .map(|c| u8::try_from(c).ok())
            .collect()
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
        let mut next = xorshift(0x2545_f491);
        samples.push((0..10_000).map(|_| next() as u8).collect());
        for bytes in samples {
            let text = latin1_text(&bytes);
            assert_eq!(decode(&bytes), text);
            assert_eq!(from_utf8(text.as_bytes()).as_deref(), Some(&bytes[..]));
        }
    }

    /// Both wide steps, the SIMD blocks and the checked eight-byte words,
    /// agree with a char-at-a-time encode on text of every length up to a
    /// few blocks, from all-ASCII to all two-byte, with leads at block
    /// edges.
    #[test]
    fn wide_steps_agree_with_a_plain_encode() {
        let mut next = xorshift(0x9e37_79b9);
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
                for wide in [steps, checked_words] {
                    assert_eq!(decode_with(&text, wide), Some(bytes.clone()), "{bytes:?}");
                }
            }
        }
    }

    /// The checks the SIMD blocks make on the way refuse exactly what a
    /// plain encode refuses: latin-1 text with one to three bytes
    /// replaced by a byte out of place somewhere (a stray continuation, a
    /// missing one, a lead of a larger code point, a byte never in UTF-8).
    #[test]
    fn wide_steps_refuse_what_a_plain_encode_refuses() {
        let mut next = xorshift(0x1234_5678);
        let strays = [
            0x80, 0xA9, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xDF, 0xE0, 0xED, 0xF0, 0xFF, b'a',
        ];
        for len in 1..80 {
            for _ in 0..40 {
                let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                let mut text = latin1_text(&bytes).into_bytes();
                for _ in 0..1 + next() % 3 {
                    let at = next() as usize % text.len();
                    text[at] = strays[next() as usize % strays.len()];
                }
                let expected = plain_encode(&text);
                for wide in [steps, checked_words] {
                    assert_eq!(decode_with(&text, wide), expected, "{text:?}");
                }
            }
        }
    }

    /// The decode over its own input gives what `from_utf8` gives, for
    /// chunks of every small size (so chunk ends fall before and after
    /// leads), and leaves refused text exactly as it was, whichever chunk
    /// refused it.
    #[test]
    fn decode_in_place_agrees_and_undoes_refusals() {
        let mut next = xorshift(0x0bad_cafe);
        let strays = [0x80, 0xBF, 0xC2, 0xC3, 0xC4, 0xFF];
        for len in 0..120 {
            for spoil in [false, true] {
                let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                let mut text = latin1_text(&bytes).into_bytes();
                if spoil && !text.is_empty() {
                    let at = next() as usize % text.len();
                    text[at] = strays[next() as usize % strays.len()];
                }
                let expected = plain_encode(&text);
                for chunk in [1, 2, 3, 7, 16, 17, 33, 64 * 1024] {
                    for wide in [steps, checked_words] {
                        let mut buf = text.clone();
                        let got = decode_in_place_with(&mut buf, wide, chunk);
                        match &expected {
                            Some(bytes) => {
                                assert_eq!(got, Some(bytes.len()), "{text:?} {chunk}");
                                assert_eq!(&buf[..bytes.len()], &bytes[..], "{text:?} {chunk}");
                            }
                            None => {
                                assert_eq!(got, None, "{text:?} {chunk}");
                                assert_eq!(buf, text, "{text:?} {chunk}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn code_points_past_255_are_refused() {
        for text in ["\u{100}", "a\u{20ac}b", "\u{1f600}", "\u{ff}\u{100}"] {
            assert_eq!(from_utf8(text.as_bytes()), None, "{text:?}");
        }
        // A lone surrogate (surrogatepass UTF-8) is no latin-1 either.
        assert_eq!(from_utf8(b"\xed\xa0\x80"), None);
    }
}
