//! Python `bytes`: an owned buffer, or a view into a shared input buffer.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use bytes::Bytes;

/// The data of a Python `bytes` object.
///
/// It reads as a `[u8]` (it derefs to one). Most are owned buffers. A load
/// from a shared buffer ([`Unpickler::loads_shared`]) makes large bytes
/// objects views into that buffer instead of copies, which is what makes
/// loading pickles of large arrays and blobs cost little more than parsing
/// the rest. A view keeps the whole buffer alive, as [`Bytes::slice`] does;
/// [`PyBytes::into_vec`] detaches one.
///
/// [`Unpickler::loads_shared`]: crate::Unpickler::loads_shared
///
/// ```
/// use pypickle::PyBytes;
/// let b = PyBytes::from(b"abc".to_vec());
/// assert_eq!(&b[..], b"abc");
/// assert_eq!(b, b"abc".to_vec());
/// assert!(!b.is_shared());
/// ```
#[derive(Clone)]
pub struct PyBytes(Repr);

#[derive(Clone)]
enum Repr {
    Owned(Vec<u8>),
    /// Boxed, so that a `PyBytes` (and with it every [`crate::Object`])
    /// stays the size of a `Vec`. Views are only made for large bytes, where
    /// one small allocation is nothing beside the copy it saves.
    Shared(Box<Bytes>),
}

impl PyBytes {
    /// An empty `bytes`.
    pub fn new() -> Self {
        PyBytes(Repr::Owned(Vec::new()))
    }

    /// The bytes as a slice.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Owned(v) => v,
            Repr::Shared(b) => b,
        }
    }

    /// True when this is a view into a shared buffer, not an owned copy.
    pub fn is_shared(&self) -> bool {
        matches!(self.0, Repr::Shared(_))
    }

    /// The bytes as an owned vector: free for an owned buffer, a copy for a
    /// view (which releases its hold on the shared buffer).
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Repr::Owned(v) => v,
            Repr::Shared(b) => b.to_vec(),
        }
    }

    /// The bytes as a [`Bytes`]: without a copy either way.
    pub fn into_bytes(self) -> Bytes {
        match self.0 {
            Repr::Owned(v) => Bytes::from(v),
            Repr::Shared(b) => *b,
        }
    }
}

impl Default for PyBytes {
    fn default() -> Self {
        PyBytes::new()
    }
}

impl Deref for PyBytes {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for PyBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl From<Vec<u8>> for PyBytes {
    fn from(v: Vec<u8>) -> Self {
        PyBytes(Repr::Owned(v))
    }
}

impl From<&[u8]> for PyBytes {
    fn from(b: &[u8]) -> Self {
        PyBytes(Repr::Owned(b.to_vec()))
    }
}

/// A view of `b`, without a copy.
impl From<Bytes> for PyBytes {
    fn from(b: Bytes) -> Self {
        PyBytes(Repr::Shared(Box::new(b)))
    }
}

impl From<PyBytes> for Vec<u8> {
    fn from(b: PyBytes) -> Self {
        b.into_vec()
    }
}

// Equality, order and hashing are the contents', as for Python's bytes.
impl PartialEq for PyBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for PyBytes {}

impl PartialEq<[u8]> for PyBytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<Vec<u8>> for PyBytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialOrd for PyBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PyBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl Hash for PyBytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

/// As a `[u8]` prints: the list of byte values.
impl fmt::Debug for PyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_is_the_size_of_a_vec_and_equals_its_copy() {
        assert_eq!(
            std::mem::size_of::<PyBytes>(),
            std::mem::size_of::<Vec<u8>>()
        );
        let whole = Bytes::from(b"0123456789".to_vec());
        let view = PyBytes::from(whole.slice(2..5));
        assert!(view.is_shared());
        assert_eq!(view, PyBytes::from(b"234".to_vec()));
        assert_eq!(format!("{view:?}"), "[50, 51, 52]");
        assert_eq!(view.clone().into_vec(), b"234");
        assert_eq!(view.into_bytes(), whole.slice(2..5));
    }
}
