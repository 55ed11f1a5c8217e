//! Python `int`s beyond 64 bits: 128-bit ones inline, wider ones as digits.

use std::fmt;
use std::hash::{Hash, Hasher};

use num_bigint::{BigInt, BigUint};

/// The value of a Python `int` that [`Value::Int`](crate::Value::Int)'s
/// `i64` cannot hold.
///
/// Ints of up to 128 bits, which are most of them (UUIDs, hashes, wide
/// counters), are held inline, so loading one allocates nothing; wider ones
/// hold a [`BigInt`]. Either way a `PyInt` is just a number: two are equal
/// when their values are, and [`PyInt::to_bigint`] gives the value as a
/// `BigInt` whatever the form.
///
/// ```
/// use num_bigint::BigInt;
/// use pypickle::PyInt;
///
/// let wide = PyInt::from(1u128 << 100);
/// assert_eq!(wide.to_i128(), Some(1 << 100));
/// assert_eq!(wide, PyInt::from(BigInt::from(1u128 << 100)));
/// assert_eq!(wide.to_string(), "1267650600228229401496703205376");
///
/// let big = PyInt::from(BigInt::from(1u128 << 100).pow(2));
/// assert_eq!(big.to_i128(), None);
/// assert_eq!(big.to_bigint(), BigInt::from(1) << 200);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PyInt(Repr);

/// A value in `i128`'s range is always `Wide`, so the derived equality
/// compares values.
#[derive(Clone, PartialEq, Eq)]
enum Repr {
    /// The value's low and high 64 bits: an `i128` in two words, so that
    /// `PyInt` keeps 8-byte alignment (an `i128` field would give every
    /// [`crate::Object`] 16-byte alignment).
    Wide { lo: u64, hi: i64 },
    /// Boxed: ints this wide are rare, and with a one-word variant a
    /// `PyInt` is three words and every `Object` four, with a discriminant
    /// that is cheap to read. (With the `BigInt` inline, `Object`'s
    /// discriminant was packed into the `BigInt`'s spare bits, and loads
    /// of every dataset took 1-3% more instructions.)
    Big(Box<BigInt>),
}

impl PyInt {
    /// The value as an `i128`, if it fits.
    #[inline]
    pub fn to_i128(&self) -> Option<i128> {
        match self.0 {
            Repr::Wide { lo, hi } => Some(join(lo, hi)),
            Repr::Big(_) => None,
        }
    }

    /// The value as an `i64`, if it fits.
    pub fn to_i64(&self) -> Option<i64> {
        self.to_i128().and_then(|i| i64::try_from(i).ok())
    }

    /// The value as a [`BigInt`] (a copy of the digits for a wide int).
    pub fn to_bigint(&self) -> BigInt {
        match &self.0 {
            Repr::Big(b) => (**b).clone(),
            Repr::Wide { lo, hi } => BigInt::from(join(*lo, *hi)),
        }
    }

    /// The value as a [`BigInt`], moving the digits of an int beyond 128
    /// bits rather than copying them.
    pub fn into_bigint(self) -> BigInt {
        match self.0 {
            Repr::Big(b) => *b,
            Repr::Wide { lo, hi } => BigInt::from(join(lo, hi)),
        }
    }

    /// The value as an `i128`, or the digits of one beyond.
    #[inline]
    pub(crate) fn form(&self) -> IntForm<'_> {
        match &self.0 {
            Repr::Wide { lo, hi } => IntForm::Wide(join(*lo, *hi)),
            Repr::Big(b) => IntForm::Big(b),
        }
    }

    /// True when the value is below zero.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Wide { hi, .. } => *hi < 0,
            Repr::Big(b) => b.sign() == num_bigint::Sign::Minus,
        }
    }

    /// The nearest float, as Python's `float(i)` gives; `None` when the
    /// value is beyond the float range (Python raises OverflowError).
    pub fn to_f64(&self) -> Option<f64> {
        use num_traits::ToPrimitive;
        let f = match self.form() {
            IntForm::Wide(i) => i as f64,
            IntForm::Big(b) => b.to_f64()?,
        };
        f.is_finite().then_some(f)
    }

    /// The value in two's complement, little-endian, in as few bytes as
    /// hold it: LONG1's and LONG4's payload.
    pub fn to_signed_bytes_le(&self) -> Vec<u8> {
        match self.form() {
            IntForm::Wide(i) => i.to_le_bytes()[..signed_len(i)].to_vec(),
            IntForm::Big(b) => b.to_signed_bytes_le(),
        }
    }
}

/// A [`PyInt`]'s value in the form it is held.
pub(crate) enum IntForm<'a> {
    /// Up to 128 bits.
    Wide(i128),
    /// Beyond 128 bits.
    Big(&'a BigInt),
}

/// How many bytes the two's complement of `i` takes at the least (as
/// CPython's LONG1 writes it): the magnitude's bits (of `!i` for negatives)
/// and a sign bit, in whole bytes; at most 16.
#[inline]
pub(crate) fn signed_len(i: i128) -> usize {
    let magnitude = if i < 0 { !i } else { i };
    (128 - magnitude.leading_zeros() as usize) / 8 + 1
}

/// The `i128` whose low and high 64 bits these are.
#[inline]
fn join(lo: u64, hi: i64) -> i128 {
    ((hi as i128) << 64) | lo as i128
}

impl PyInt {
    /// Zero, as a constant to build an int in place from (see
    /// [`PyInt::set_i128`]).
    pub(crate) const ZERO: PyInt = PyInt(Repr::Wide { lo: 0, hi: 0 });

    /// Sets an int that holds no digits (built from [`PyInt::ZERO`] or an
    /// `i128`) to `i`, where it lies: an int built aside and moved in is
    /// read back whole right after it was written in pieces, which stalls.
    #[inline(always)]
    pub(crate) fn set_i128(&mut self, i: i128) {
        match &mut self.0 {
            Repr::Wide { lo, hi } => {
                *lo = i as u64;
                *hi = (i >> 64) as i64;
            }
            Repr::Big(_) => *self = PyInt::from(i),
        }
    }
}

impl From<i128> for PyInt {
    #[inline]
    fn from(i: i128) -> Self {
        PyInt(Repr::Wide {
            lo: i as u64,
            hi: (i >> 64) as i64,
        })
    }
}

impl From<u128> for PyInt {
    fn from(u: u128) -> Self {
        match i128::try_from(u) {
            Ok(i) => PyInt::from(i),
            Err(_) => PyInt(Repr::Big(Box::new(BigInt::from(u)))),
        }
    }
}

macro_rules! from_primitive {
    ($($t:ty),*) => {$(
        impl From<$t> for PyInt {
            fn from(i: $t) -> Self {
                PyInt::from(i as i128)
            }
        }
    )*};
}

from_primitive!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl From<BigInt> for PyInt {
    fn from(b: BigInt) -> Self {
        match i128::try_from(&b) {
            Ok(i) => PyInt::from(i),
            Err(_) => PyInt(Repr::Big(Box::new(b))),
        }
    }
}

impl From<BigUint> for PyInt {
    fn from(b: BigUint) -> Self {
        PyInt::from(BigInt::from(b))
    }
}

impl From<PyInt> for BigInt {
    fn from(i: PyInt) -> Self {
        i.into_bigint()
    }
}

impl Hash for PyInt {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match &self.0 {
            Repr::Wide { lo, hi } => (lo, hi).hash(h),
            Repr::Big(b) => b.hash(h),
        }
    }
}

/// Decimal, as Python's `repr` writes an int.
impl fmt::Display for PyInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Wide { lo, hi } => fmt::Display::fmt(&join(*lo, *hi), f),
            Repr::Big(b) => fmt::Display::fmt(b, f),
        }
    }
}

impl fmt::Debug for PyInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge_values() -> Vec<BigInt> {
        let mut out = Vec::new();
        for bits in [0u32, 1, 7, 8, 63, 64, 65, 100, 126, 127, 128, 129, 200] {
            let p = BigInt::from(1) << bits;
            out.extend([p.clone(), -p.clone(), p.clone() - 1, -p + 1]);
        }
        out
    }

    #[test]
    fn every_form_agrees_with_bigint() {
        for b in edge_values() {
            let i = PyInt::from(b.clone());
            assert_eq!(i.to_bigint(), b);
            assert_eq!(i.clone().into_bigint(), b);
            assert_eq!(i.to_string(), b.to_string());
            assert_eq!(i.to_signed_bytes_le(), b.to_signed_bytes_le(), "{b}");
            assert_eq!(i.is_negative(), b.sign() == num_bigint::Sign::Minus);
            assert_eq!(i.to_i128(), i128::try_from(&b).ok());
            assert_eq!(i.to_i64(), i64::try_from(&b).ok());
            assert_eq!(
                matches!(i.form(), IntForm::Big(_)),
                i128::try_from(&b).is_err()
            );
            if let Ok(x) = i128::try_from(&b) {
                assert_eq!(PyInt::from(x), i);
            }
            if let Ok(x) = u128::try_from(&b) {
                assert_eq!(PyInt::from(x), i);
            }
        }
    }

    #[test]
    fn equal_values_hash_equally() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |i: &PyInt| {
            let mut h = DefaultHasher::new();
            i.hash(&mut h);
            h.finish()
        };
        let a = PyInt::from(-(1i128 << 100));
        let b = PyInt::from(-(BigInt::from(1) << 100u32));
        assert_eq!(a, b);
        assert_eq!(hash(&a), hash(&b));
    }

    #[test]
    fn keeps_object_at_five_words() {
        // An inline pair of items (`Items`) sets the size; PyInt must not
        // grow it.
        assert!(std::mem::size_of::<PyInt>() <= 24);
        assert_eq!(std::mem::size_of::<crate::Object>(), 40);
    }
}
