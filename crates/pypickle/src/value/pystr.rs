//! Python `str`: Unicode text that may hold lone surrogates.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// How many bytes of UTF-8 a [`PyStr`] holds in place, with no allocation.
pub(crate) const INLINE: usize = 30;

/// A Python `str`.
///
/// Almost every str is valid Unicode and is held as a plain Rust `str`:
/// up to 30 bytes in place, longer ones on the heap. Python strs may also
/// hold lone surrogates (`'\ud800'`), which Rust strings cannot. Those are
/// held as "surrogatepass UTF-8": the bytes Python's
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
#[derive(Clone)]
pub struct PyStr(Repr);

#[derive(Clone)]
enum Repr {
    /// Short strs, the most common, in place.
    Inline(Inline),
    /// Valid UTF-8 longer than [`INLINE`] bytes.
    Heap(Box<str>),
    /// Surrogatepass UTF-8 that is not valid UTF-8 (it holds a surrogate).
    Surrogates(Box<[u8]>),
}

/// Up to [`INLINE`] bytes of UTF-8 in place.
///
/// Invariant: `len <= INLINE`, and `bytes[..len]` is valid UTF-8. Only
/// [`Inline::fill`] and [`Inline::copy_window`] write the fields, and both
/// copy the bytes of a `&str`. What follows `len` is unused.
#[derive(Clone, Copy)]
struct Inline {
    len: u8,
    bytes: [u8; INLINE],
}

impl Inline {
    const EMPTY: Inline = Inline {
        len: 0,
        bytes: [0; INLINE],
    };

    /// `s`, when it fits.
    #[inline(always)]
    fn new(s: &str) -> Option<Inline> {
        let mut inline = Inline::EMPTY;
        inline.fill(s).then_some(inline)
    }

    /// Becomes `s` if it fits; false (nothing changed) if not.
    #[inline(always)]
    fn fill(&mut self, s: &str) -> bool {
        let Some(to) = self.bytes.get_mut(..s.len()) else {
            return false;
        };
        to.copy_from_slice(s.as_bytes());
        self.len = s.len() as u8;
        true
    }

    /// Becomes `s` by copying all of `window`, which must start where `s`
    /// does: one fixed-size copy, where copying `s` alone is a call to
    /// `memcpy`. False (nothing changed) when `window` does not start at
    /// `s` or `s` does not fit.
    #[inline(always)]
    fn copy_window(&mut self, s: &str, window: &[u8; INLINE]) -> bool {
        // The same address, and `s` no longer than `window`: the first
        // `s.len()` bytes of `window` are the bytes of `s`, which is
        // borrowed (so unchanged) for as long as this call.
        if s.len() > INLINE || !std::ptr::eq(s.as_ptr(), window.as_ptr()) {
            return false;
        }
        self.bytes = *window;
        self.len = s.len() as u8;
        true
    }

    #[inline(always)]
    fn as_bytes(&self) -> &[u8] {
        // `len <= INLINE` always holds; the fallback only keeps this free
        // of a panic path.
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    #[inline(always)]
    #[allow(unsafe_code)]
    fn as_str(&self) -> &str {
        let bytes = self.as_bytes();
        // SAFETY: `bytes` is `self.bytes[..self.len]` (or empty). By the
        // type's invariant those bytes were copied from a `&str` of
        // exactly that length (`fill` copies `s` itself; `copy_window`
        // copies a window that begins at `s`'s address, so its first
        // `s.len()` bytes are `s`'s), and the fields are written nowhere
        // else, so they are valid UTF-8. The tests below build strs both
        // ways, with multi-byte characters at the end of the window, and
        // compare `as_str` with the source.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

impl PyStr {
    /// Builds a str from surrogatepass UTF-8 bytes, or returns `None` when
    /// the bytes are not valid surrogatepass UTF-8.
    pub fn from_surrogatepass(bytes: Vec<u8>) -> Option<PyStr> {
        match String::from_utf8(bytes) {
            Ok(s) => Some(PyStr::from(s)),
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
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Repr::Inline(s) => Some(s.as_str()),
            Repr::Heap(s) => Some(s),
            Repr::Surrogates(_) => None,
        }
    }

    /// The surrogatepass UTF-8 bytes: what BINUNICODE carries.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline(s) => s.as_bytes(),
            Repr::Heap(s) => s.as_bytes(),
            Repr::Surrogates(b) => b,
        }
    }

    /// The empty str.
    #[inline(always)]
    pub(crate) const fn empty() -> PyStr {
        PyStr(Repr::Inline(Inline::EMPTY))
    }

    /// Sets a str built by [`PyStr::empty`] to `s`. With a `window` (the
    /// input from `s` on), a short `s` is copied in one fixed-size move.
    #[inline(always)]
    pub(crate) fn fill(&mut self, s: &str, window: Option<&[u8; INLINE]>) {
        if let (Repr::Inline(inline), Some(window)) = (&mut self.0, window) {
            if inline.copy_window(s, window) {
                return;
            }
        }
        self.fill_any(s);
    }

    /// `fill` without a window, or of a str too long to be inline. The
    /// bytes are copied where they go: a str built aside and moved in is
    /// read back whole right after its bytes were copied in, and that read
    /// stalls until the copy's stores are done.
    #[inline(never)]
    fn fill_any(&mut self, s: &str) {
        if let Repr::Inline(inline) = &mut self.0 {
            if inline.fill(s) {
                return;
            }
        }
        *self = PyStr::from(s);
    }

    /// The text with each lone surrogate replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'_, str> {
        match self.as_str() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(
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
        match self.as_str() {
            Some(s) => s.chars().count(),
            None => self.chars().count(),
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
    #[inline]
    fn from(s: &str) -> Self {
        match Inline::new(s) {
            Some(inline) => PyStr(Repr::Inline(inline)),
            None => PyStr(Repr::Heap(s.into())),
        }
    }
}

impl From<String> for PyStr {
    fn from(s: String) -> Self {
        match Inline::new(&s) {
            Some(inline) => PyStr(Repr::Inline(inline)),
            None => PyStr(Repr::Heap(s.into_boxed_str())),
        }
    }
}

/// Strs are equal when their text is: how a str is held makes no
/// difference.
impl PartialEq for PyStr {
    #[inline]
    fn eq(&self, other: &PyStr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PyStr {}

impl Hash for PyStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

/// Python's order: by code point, which is the order of the
/// (surrogatepass) UTF-8 bytes.
impl Ord for PyStr {
    fn cmp(&self, other: &PyStr) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl PartialOrd for PyStr {
    fn partial_cmp(&self, other: &PyStr) -> Option<Ordering> {
        Some(self.cmp(other))
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
        // Object holds a PyStr in place; it must not outgrow `Items`, the
        // largest of Object's other payloads.
        assert_eq!(std::mem::size_of::<PyStr>(), 32);
        assert_eq!(
            std::mem::size_of::<PyStr>(),
            std::mem::size_of::<crate::value::Items>()
        );
    }

    /// Text of every length around the inline limit, ending in one-, two-,
    /// three- and four-byte characters.
    fn texts() -> Vec<String> {
        let mut out = Vec::new();
        for last in ["a", "é", "中", "😀"] {
            for len in 0..=INLINE + 6 {
                let mut s: String = "xyzé".chars().cycle().take(len).collect();
                while s.len() + last.len() > len && !s.is_empty() {
                    s.pop();
                }
                s.push_str(last);
                out.push(s);
            }
        }
        out
    }

    #[test]
    fn every_way_of_building_keeps_the_text() {
        for text in texts() {
            let from_str = PyStr::from(text.as_str());
            let from_string = PyStr::from(text.clone());
            let mut filled = PyStr::empty();
            filled.fill(&text, None);
            // The window: the text, followed by bytes that are not UTF-8.
            let mut input = text.as_bytes().to_vec();
            input.resize(text.len() + INLINE, 0xff);
            let in_input = std::str::from_utf8(&input[..text.len()]).unwrap();
            let mut windowed = PyStr::empty();
            windowed.fill(in_input, input.first_chunk());
            for s in [&from_str, &from_string, &filled, &windowed] {
                assert_eq!(s.as_str(), Some(text.as_str()));
                assert_eq!(s.as_bytes(), text.as_bytes());
                assert_eq!(s, &from_str);
                assert_eq!(s.char_len(), text.chars().count());
            }
        }
    }

    #[test]
    fn a_window_elsewhere_is_not_copied() {
        let input = *b"abcdefghijklmnopqrstuvwxyz0123456789";
        let window: &[u8; INLINE] = input.first_chunk().unwrap();
        let mut s = PyStr::empty();
        s.fill("bcd", Some(window));
        assert_eq!(s.as_str(), Some("bcd"));
    }

    #[test]
    fn order_and_hash_follow_the_text() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |s: &PyStr| {
            let mut h = DefaultHasher::new();
            s.hash(&mut h);
            h.finish()
        };
        let long = "é".repeat(INLINE);
        let surrogate = PyStr::from_surrogatepass(b"\xed\xa0\x80".to_vec()).unwrap();
        let mut strs = [
            surrogate.clone(),
            PyStr::from(long.as_str()),
            PyStr::from("b"),
            PyStr::from("a"),
        ];
        strs.sort();
        let sorted: Vec<_> = strs.iter().map(PyStr::as_bytes).collect();
        assert_eq!(
            sorted,
            [&b"a"[..], b"b", long.as_bytes(), surrogate.as_bytes()]
        );
        assert_eq!(
            hash(&PyStr::from(long.clone())),
            hash(&PyStr::from(long.as_str()))
        );
    }

    #[test]
    fn rejects_invalid_bytes() {
        assert!(PyStr::from_surrogatepass(b"\xff".to_vec()).is_none());
        assert!(PyStr::from_surrogatepass(b"\xed\xa0".to_vec()).is_none());
        assert!(PyStr::from_surrogatepass(b"\xc0\x80".to_vec()).is_none());
    }
}
