//! [`Items`]: the items of a tuple, list, set or frozenset.

use std::fmt;
use std::ops::{Deref, DerefMut};

use super::Value;

/// The items of a tuple, list, set or frozenset: one or two held in the
/// object itself, more in a `Vec`.
///
/// Most tuples in real pickles, and many lists, hold one or two items
/// (pairs, coordinates, short tag lists). Holding those inline spares an
/// allocation each: loading a graph of small shared dicts and pairs takes a
/// fifth fewer instructions, and less memory. `Items` derefs to `[Value]`
/// (`len`, `iter`, indexing, ...) and has the `Vec` methods a graph is
/// built with. Build one from a `Vec` or an array with `.into()`, or with
/// `.collect()`:
///
/// ```
/// use pypickle::{Items, Object, Value};
///
/// let pair = Object::Tuple([Value::Int(1), Value::Int(2)].into());
/// let mut squares: Items = (0..4).map(|i| Value::Int(i * i)).collect();
/// squares.push(Value::Int(16));
/// assert_eq!(squares.len(), 5);
/// assert_eq!(squares[4], Value::Int(16));
/// assert_eq!(squares.into_vec().len(), 5);
/// ```
#[derive(Clone, Default)]
pub struct Items(Repr);

// Arrays, not separate fields, so that each form is a slice. The enum
// takes no more room than `[Value; 2]`: its tag lives in the first value's
// unused tag values (a test holds `Object` to five words).
#[derive(Clone)]
enum Repr {
    One([Value; 1]),
    Two([Value; 2]),
    /// No items, more than two, or items that grew past two.
    Heap(Vec<Value>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Heap(Vec::new())
    }
}

impl Items {
    /// No items, with nothing allocated.
    pub const fn new() -> Self {
        Items(Repr::Heap(Vec::new()))
    }

    /// No items, with room for `n` (inline when `n` is at most two).
    pub fn with_capacity(n: usize) -> Self {
        if n <= 2 {
            Items::new()
        } else {
            Items(Repr::Heap(Vec::with_capacity(n)))
        }
    }

    /// A copy of `items`, allocating only for more than two.
    #[inline]
    pub fn from_slice(items: &[Value]) -> Self {
        Items(match *items {
            [a] => Repr::One([a]),
            [a, b] => Repr::Two([a, b]),
            _ => Repr::Heap(items.to_vec()),
        })
    }

    /// The items as a `Vec`.
    pub fn into_vec(self) -> Vec<Value> {
        match self.0 {
            Repr::One(a) => a.to_vec(),
            Repr::Two(a) => a.to_vec(),
            Repr::Heap(v) => v,
        }
    }

    /// The items as a slice.
    #[inline]
    pub fn as_slice(&self) -> &[Value] {
        match &self.0 {
            Repr::One(a) => a,
            Repr::Two(a) => a,
            Repr::Heap(v) => v,
        }
    }

    /// The items as a mutable slice.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [Value] {
        match &mut self.0 {
            Repr::One(a) => a,
            Repr::Two(a) => a,
            Repr::Heap(v) => v,
        }
    }

    /// Runs `f` on the items as a `Vec`, moving inline items into one with
    /// room for `additional` more first.
    fn on_heap(&mut self, additional: usize, f: impl FnOnce(&mut Vec<Value>)) {
        let spill = |inline: &[Value]| {
            let mut v = Vec::with_capacity(inline.len() + additional.max(2));
            v.extend_from_slice(inline);
            v
        };
        let mut v = match std::mem::take(&mut self.0) {
            Repr::One(a) => spill(&a),
            Repr::Two(a) => spill(&a),
            Repr::Heap(v) => v,
        };
        f(&mut v);
        self.0 = Repr::Heap(v);
    }

    /// Appends one item.
    #[inline]
    pub fn push(&mut self, item: Value) {
        match &mut self.0 {
            Repr::Heap(v) if v.capacity() > 0 => v.push(item),
            Repr::Heap(_) => self.0 = Repr::One([item]),
            Repr::One([a]) => self.0 = Repr::Two([*a, item]),
            Repr::Two(_) => self.on_heap(1, |v| v.push(item)),
        }
    }

    /// Appends copies of `items`.
    pub fn extend_from_slice(&mut self, items: &[Value]) {
        match (&mut self.0, items) {
            (_, []) => {}
            (Repr::Heap(v), _) if v.capacity() > 0 => v.extend_from_slice(items),
            (Repr::Heap(_), [_] | [_, _]) => *self = Items::from_slice(items),
            (Repr::One([a]), [b]) => self.0 = Repr::Two([*a, *b]),
            _ => self.on_heap(items.len(), |v| v.extend_from_slice(items)),
        }
    }

    /// Makes room for `additional` more items.
    pub fn reserve(&mut self, additional: usize) {
        if self.len() + additional > 2 {
            self.on_heap(additional, |v| v.reserve(additional));
        }
    }

    /// Keeps the items for which `keep` is true, in order.
    pub fn retain(&mut self, keep: impl FnMut(&mut Value) -> bool) {
        let mut v = std::mem::take(self).into_vec();
        v.retain_mut(keep);
        *self = Items::from(v);
    }
}

impl Deref for Items {
    type Target = [Value];

    #[inline]
    fn deref(&self) -> &[Value] {
        self.as_slice()
    }
}

impl DerefMut for Items {
    #[inline]
    fn deref_mut(&mut self) -> &mut [Value] {
        self.as_mut_slice()
    }
}

impl PartialEq for Items {
    fn eq(&self, other: &Items) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl fmt::Debug for Items {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl From<Vec<Value>> for Items {
    /// Takes the `Vec`; one or two items move inline.
    fn from(v: Vec<Value>) -> Self {
        match v.len() {
            1 | 2 => Items::from_slice(&v),
            _ => Items(Repr::Heap(v)),
        }
    }
}

impl<const N: usize> From<[Value; N]> for Items {
    fn from(items: [Value; N]) -> Self {
        Items::from_slice(&items)
    }
}

impl From<Items> for Vec<Value> {
    fn from(items: Items) -> Self {
        items.into_vec()
    }
}

impl FromIterator<Value> for Items {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Self {
        Items::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl Extend<Value> for Items {
    fn extend<I: IntoIterator<Item = Value>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        for item in iter {
            self.push(item);
        }
    }
}

impl<'a> IntoIterator for &'a Items {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for Items {
    type Item = Value;
    type IntoIter = std::vec::IntoIter<Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(n: i64) -> Vec<Value> {
        (0..n).map(Value::Int).collect()
    }

    #[test]
    fn any_way_of_building_gives_the_same_items() {
        for n in 0..8 {
            let want = ints(n);
            let mut pushed = Items::new();
            for &v in &want {
                pushed.push(v);
            }
            let mut extended = Items::new();
            for chunk in want.chunks(3) {
                extended.extend_from_slice(chunk);
            }
            let mut one_by_one = Items::with_capacity(n as usize);
            for &v in &want {
                one_by_one.extend_from_slice(&[v]);
            }
            let collected: Items = want.iter().copied().collect();
            let mut extended_by_iter = Items::from_slice(&want[..want.len().min(1)]);
            extended_by_iter.extend(want.iter().copied().skip(1));
            for items in [
                pushed,
                extended,
                one_by_one,
                collected,
                extended_by_iter,
                Items::from(want.clone()),
                Items::from_slice(&want),
            ] {
                assert_eq!(items.as_slice(), &want[..], "{n} items");
                assert_eq!(items.into_vec(), want);
            }
        }
    }

    #[test]
    fn one_or_two_items_are_inline() {
        // The tag fits in the first value's spare tag values.
        assert_eq!(
            std::mem::size_of::<Items>(),
            std::mem::size_of::<[Value; 2]>()
        );
        assert!(matches!(Items::from_slice(&ints(1)).0, Repr::One(_)));
        assert!(matches!(Items::from(ints(2)).0, Repr::Two(_)));
        let mut grown = Items::from(ints(2));
        grown.push(Value::None);
        assert!(matches!(grown.0, Repr::Heap(_)));
    }

    #[test]
    fn retain_and_reserve_keep_order() {
        let mut items = Items::from(ints(5));
        items.retain(|v| *v != Value::Int(1) && *v != Value::Int(3));
        assert_eq!(
            items.as_slice(),
            &[Value::Int(0), Value::Int(2), Value::Int(4)]
        );
        items.retain(|v| *v == Value::Int(2));
        assert!(matches!(items.0, Repr::One(_)));
        items.reserve(10);
        items.extend_from_slice(&ints(2));
        assert_eq!(
            items.as_slice(),
            &[Value::Int(2), Value::Int(0), Value::Int(1)]
        );
    }
}
