//! UTF-8 validation tuned for the text pickles carry: mostly short, mostly
//! ASCII (dict keys, names, identifiers).
//!
//! One of the crate's three `unsafe` blocks is here: short text that is
//! checked becomes a `&str` without a second pass. Validators cost far more than
//! an ASCII check on short text: std's walks a byte at a time below 16
//! bytes, and simdutf8 hands inputs under 64 bytes to std. So short text
//! is checked for ASCII first, and short non-ASCII text is checked with
//! SIMD as a zero-padded 64-byte block; neither check yields the `&str`.

/// `bytes` as a `str` when it is valid UTF-8.
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn validate(bytes: &[u8]) -> Option<&str> {
    if bytes.len() >= 64 {
        return simdutf8::basic::from_utf8(bytes).ok();
    }
    if !(bytes.is_ascii() || padded_is_valid(bytes)) {
        return None;
    }
    // SAFETY: `bytes` is valid UTF-8 either way. When every byte is below
    // 0x80, each is a complete one-byte sequence. Otherwise
    // `padded_is_valid` found a copy of `bytes`, followed by zeros, to be
    // valid UTF-8 with a character boundary right after the copy, and a
    // valid str cut at a character boundary is a valid str. The tests
    // below check this function against `std::str::from_utf8`.
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// Whether short text (under 64 bytes) is valid, checked with SIMD as a
/// zero-padded 64-byte block: zeros are ASCII and cannot complete a
/// cut-off character, and the boundary check catches one at the end.
#[inline(never)]
fn padded_is_valid(bytes: &[u8]) -> bool {
    let mut block = [0u8; 64];
    block[..bytes.len()].copy_from_slice(bytes);
    simdutf8::basic::from_utf8(&block).is_ok_and(|text| text.is_char_boundary(bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn std_verdict(bytes: &[u8]) -> Option<&str> {
        std::str::from_utf8(bytes).ok()
    }

    #[test]
    fn every_length_agrees_with_std() {
        for len in 0usize..80 {
            for poison in [None, Some(0), Some(len / 2), Some(len.saturating_sub(1))] {
                let mut bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                if let Some(at) = poison.filter(|&at| at < len) {
                    bytes[at] = 0x80;
                }
                assert_eq!(validate(&bytes), std_verdict(&bytes), "{bytes:?}");
            }
        }
    }

    #[test]
    fn cut_off_characters_are_invalid() {
        for text in ["é", "中", "😀", "aé", "a😀b"] {
            let bytes = text.as_bytes();
            assert_eq!(validate(bytes), Some(text));
            for cut in 1..bytes.len() {
                if !text.is_char_boundary(cut) {
                    assert_eq!(validate(&bytes[..cut]), None, "{text:?} cut at {cut}");
                }
            }
        }
        // A lone surrogate is not UTF-8 (the loader reads it another way).
        assert_eq!(validate(b"\xed\xa0\x80"), None);
    }

    proptest! {
        #[test]
        fn validate_agrees_with_std(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            prop_assert_eq!(validate(&bytes), std_verdict(&bytes));
        }

        #[test]
        fn validate_agrees_with_std_on_text(text in "\\PC{0,70}", cut in 0usize..300) {
            let bytes = text.as_bytes();
            let bytes = &bytes[..cut.min(bytes.len())];
            prop_assert_eq!(validate(bytes), std_verdict(bytes));
        }
    }
}
