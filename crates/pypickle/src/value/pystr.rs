//! Python `str`: Unicode text that may hold lone surrogates.

use std::fmt;

use compact_str::CompactString;

/// A Python `str`.
///
/// Almost every str is valid Unicode and is held as a plain Rust `str`.
/// Python strs may also hold lone surrogates (`'\ud800'`), which Rust strings
/// cannot. Those are held as "surrogatepass UTF-8": the bytes Python's
/// `s.encode('utf-8', 'surrogatepass')` gives, which is exactly what pickle
/// carries, so they round-trip byte for byte.
///
/// ```
/// use pypickle::PyStr;
/// let plain = PyStr::from("héllo");
/// assert_eq!(plain.as_str(), Some("héllo"));
///
/// let lone = PyStr::from_surrogatepass(b"\xed\xa0\x80".to_vec()).unwrap();
/// assert_eq!(lone.as_str(), None);
/// assert_eq!(lone.to_string_lossy(), "\u{fffd}");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyStr(Repr);

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Repr {
    /// Short strs (up to 24 bytes) live inline, with no allocation.
    Utf8(CompactString),
    /// Surrogatepass UTF-8 that is not valid UTF-8 (it holds a surrogate).
    Surrogates(Box<[u8]>),
}

impl PyStr {
    /// Builds a str from surrogatepass UTF-8 bytes, or returns `None` when
    /// the bytes are not valid surrogatepass UTF-8.
    pub fn from_surrogatepass(bytes: Vec<u8>) -> Option<PyStr> {
        match String::from_utf8(bytes) {
            Ok(s) => Some(PyStr(Repr::Utf8(CompactString::from(s)))),
            Err(e) => {
                let bytes = e.into_bytes();
                if is_surrogatepass_utf8(&bytes) {
                    Some(PyStr(Repr::Surrogates(bytes.into_boxed_slice())))
                } else {
                    None
                }
            }
        }
    }

    /// The text as a Rust `&str`, or `None` when it holds lone surrogates.
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Repr::Utf8(s) => Some(s),
            Repr::Surrogates(_) => None,
        }
    }

    /// The surrogatepass UTF-8 bytes: what BINUNICODE carries.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Utf8(s) => s.as_bytes(),
            Repr::Surrogates(b) => b,
        }
    }

    /// The empty str.
    #[inline(always)]
    pub(crate) const fn empty() -> PyStr {
        PyStr(Repr::Utf8(CompactString::const_new("")))
    }

    /// Appends `s` (to a str that holds no lone surrogates, as every str
    /// being built does).
    #[inline(always)]
    pub(crate) fn push_str(&mut self, s: &str) {
        if let Repr::Utf8(text) = &mut self.0 {
            text.push_str(s);
        }
    }

    /// The text with each lone surrogate replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            Repr::Utf8(s) => std::borrow::Cow::Borrowed(s),
            Repr::Surrogates(_) => std::borrow::Cow::Owned(
                self.chars()
                    .map(|c| char::from_u32(c).unwrap_or('\u{fffd}'))
                    .collect(),
            ),
        }
    }

    /// The code points, surrogates included, as `u32`.
    pub fn chars(&self) -> CodePoints<'_> {
        CodePoints {
            bytes: self.as_bytes(),
        }
    }

    /// The length in code points, as Python's `len()` counts.
    pub fn char_len(&self) -> usize {
        match &self.0 {
            Repr::Utf8(s) => s.chars().count(),
            Repr::Surrogates(_) => self.chars().count(),
        }
    }

    /// The length in bytes of the surrogatepass UTF-8 form.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// True for `''`.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// Builds a str from code points, surrogates allowed. Returns `None` for a
    /// value above U+10FFFF.
    pub fn from_code_points(points: impl IntoIterator<Item = u32>) -> Option<PyStr> {
        let mut out = Vec::new();
        for cp in points {
            push_code_point(&mut out, cp)?;
        }
        PyStr::from_surrogatepass(out)
    }
}

/// Appends one code point, surrogates included, as surrogatepass UTF-8.
pub(crate) fn push_code_point(out: &mut Vec<u8>, cp: u32) -> Option<()> {
    match cp {
        0..=0x7f => out.push(cp as u8),
        0x80..=0x7ff => out.extend_from_slice(&[0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]),
        0x800..=0xffff => out.extend_from_slice(&[
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
        0x10000..=0x10ffff => out.extend_from_slice(&[
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
        _ => return None,
    }
    Some(())
}

/// True when `bytes` is UTF-8 in which 3-byte encoded surrogates are allowed.
pub(crate) fn is_surrogatepass_utf8(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(_) => return true,
            Err(e) => {
                let bad = &rest[e.valid_up_to()..];
                // A surrogate is ED A0..BF 80..BF, which std rejects.
                if bad.len() >= 3
                    && bad[0] == 0xed
                    && (0xa0..=0xbf).contains(&bad[1])
                    && (0x80..=0xbf).contains(&bad[2])
                {
                    rest = &bad[3..];
                } else {
                    return false;
                }
            }
        }
    }
    true
}

/// Iterator over the code points of a [`PyStr`], surrogates included.
pub struct CodePoints<'a> {
    bytes: &'a [u8],
}

impl Iterator for CodePoints<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let b = self.bytes;
        let first = *b.first()?;
        // The bytes were validated on construction, so the lengths hold.
        let (cp, n) = match first {
            0..=0x7f => (first as u32, 1),
            0xc0..=0xdf => (((first as u32 & 0x1f) << 6) | (b[1] as u32 & 0x3f), 2),
            0xe0..=0xef => (
                ((first as u32 & 0x0f) << 12) | ((b[1] as u32 & 0x3f) << 6) | (b[2] as u32 & 0x3f),
                3,
            ),
            _ => (
                ((first as u32 & 0x07) << 18)
                    | ((b[1] as u32 & 0x3f) << 12)
                    | ((b[2] as u32 & 0x3f) << 6)
                    | (b[3] as u32 & 0x3f),
                4,
            ),
        };
        self.bytes = &b[n..];
        Some(cp)
    }
}

impl From<&str> for PyStr {
    fn from(s: &str) -> Self {
        PyStr(Repr::Utf8(CompactString::new(s)))
    }
}

impl From<String> for PyStr {
    fn from(s: String) -> Self {
        PyStr(Repr::Utf8(CompactString::from(s)))
    }
}

impl PartialEq<str> for PyStr {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for PyStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Debug for PyStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        crate::value::repr::write_str_repr(&mut s, self);
        f.write_str(&s)
    }
}

/// Prints the text; lone surrogates print as U+FFFD.
impl fmt::Display for PyStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_round_trip() {
        let bytes = b"a\xed\xa0\x80b\xed\xbf\xbf".to_vec();
        let s = PyStr::from_surrogatepass(bytes.clone()).unwrap();
        assert_eq!(s.as_bytes(), &bytes[..]);
        assert_eq!(
            s.chars().collect::<Vec<_>>(),
            vec![0x61, 0xd800, 0x62, 0xdfff]
        );
        assert_eq!(s.char_len(), 4);
        assert_eq!(PyStr::from_code_points(s.chars()).unwrap(), s);
    }

    #[test]
    fn stays_small() {
        // Object holds a PyStr inline; keep it no bigger than a Vec.
        assert!(std::mem::size_of::<PyStr>() <= 24);
    }

    #[test]
    fn rejects_invalid_bytes() {
        assert!(PyStr::from_surrogatepass(b"\xff".to_vec()).is_none());
        assert!(PyStr::from_surrogatepass(b"\xed\xa0".to_vec()).is_none());
        assert!(PyStr::from_surrogatepass(b"\xc0\x80".to_vec()).is_none());
    }
}
