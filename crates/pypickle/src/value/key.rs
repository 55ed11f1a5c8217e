//! Python's rules for dict keys and set items: hashability, and which keys
//! are the same key (`1`, `1.0` and `True` are).
//!
//! The loader uses these to reject unhashable keys, as CPython does, and to
//! merge duplicate keys the way a Python dict or set would.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::OnceLock;

use num_bigint::BigInt;
use num_traits::{FromPrimitive, ToPrimitive};

use super::{Graph, ObjId, Object, PyInt, Value};

/// The type name of the first unhashable object found inside `v`, if any.
#[inline]
pub(crate) fn unhashable_type(g: &Graph, v: Value) -> Option<&'static str> {
    // The common keys need no walk.
    match v {
        Value::Ref(id) => match g.get(id)? {
            Object::Str(_) | Object::Bytes(_) | Object::Int(_) | Object::Global(_) => None,
            _ => unhashable_part(g, v),
        },
        _ => None,
    }
}

/// The walk through tuples (and what else may hold an unhashable part).
#[inline(never)]
fn unhashable_part(g: &Graph, v: Value) -> Option<&'static str> {
    let mut work = vec![v];
    let mut seen: HashSet<ObjId> = HashSet::new();
    while let Some(v) = work.pop() {
        let Value::Ref(id) = v else { continue };
        if !seen.insert(id) {
            continue;
        }
        match g.get(id)? {
            Object::List(_) => return Some("list"),
            Object::Dict(_) => return Some("dict"),
            Object::Set(_) => return Some("set"),
            Object::ByteArray(_) => return Some("bytearray"),
            Object::Tuple(items) => work.extend(items.iter().copied()),
            _ => {}
        }
    }
    None
}

/// A hash consistent with [`key_eq`]: equal keys hash equally.
///
/// With `keyed`, the hash is keyed per process (SipHash with random keys,
/// as Python's str hash), so keys crafted to collide cannot make the
/// duplicate-key merge quadratic; without, it is the fast FxHash, which the
/// merge gives up for the keyed one when probing runs long. Nested tuples
/// and frozensets are hashed up to a budget of `HASH_BUDGET` items, so keys
/// that share sub-tuples (a DAG) cannot make hashing exponential.
pub(crate) fn key_hash(g: &Graph, v: Value, keyed: bool) -> u64 {
    let mut budget = HASH_BUDGET;
    if keyed {
        let mut h = hash_keys().build_hasher();
        hash_into(g, v, &mut h, &mut budget, true);
        h.finish()
    } else {
        let mut h = rustc_hash::FxHasher::default();
        hash_into(g, v, &mut h, &mut budget, true);
        h.finish()
    }
}

/// Items of nested tuples and frozensets one key's hash looks at.
const HASH_BUDGET: usize = 256;

fn hash_keys() -> &'static RandomState {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    KEYS.get_or_init(RandomState::new)
}

/// For each key that equals an earlier one (Python's `==` for keys), the
/// pair (its position, the first equal key's position), in order. Usually
/// empty; `scratch` is reused between calls.
pub(crate) fn repeated_keys(
    g: &Graph,
    keys: &[Value],
    scratch: &mut Vec<(u64, usize)>,
) -> Vec<(usize, usize)> {
    let mut repeats = Vec::new();
    // Ints in increasing order (a dict built from a range, or sorted)
    // repeat nothing: one pass, no table.
    let increasing = |w: &[Value]| matches!((w[0], w[1]), (Value::Int(a), Value::Int(b)) if a < b);
    if keys.windows(2).all(increasing) {
        return repeats;
    }
    // Up to this size comparing every pair beats hashing and sorting.
    if keys.len() <= 8 {
        // The usual small dict has str keys: compare their bytes directly.
        let mut texts: [&[u8]; 8] = [&[]; 8];
        let all_str = keys
            .iter()
            .zip(texts.iter_mut())
            .all(|(k, t)| match g.resolve(*k) {
                Some(Object::Str(s)) => {
                    *t = s.as_bytes();
                    true
                }
                _ => false,
            });
        if all_str {
            for j in 1..keys.len() {
                if let Some(i) = (0..j).find(|&i| texts[i] == texts[j]) {
                    repeats.push((j, i));
                }
            }
            return repeats;
        }
        for j in 1..keys.len() {
            if let Some(i) = (0..j).find(|&i| key_eq(g, keys[i], keys[j])) {
                repeats.push((j, i));
            }
        }
        return repeats;
    }
    // One pass over an open-addressing table holding the first key of
    // each class of equal keys: a later equal key meets it (equal keys hash
    // equally) and is a repeat; any other key is added. Keys that merely
    // share a hash are compared and probed past, so collisions cost time,
    // never correctness. The table (4 bytes a slot, at most 2/3 full) and
    // the hashes (8 bytes a key) take less memory than sorting's scratch.
    if u32::try_from(keys.len()).is_ok_and(|n| n < u32::MAX) {
        // FxHash first; keys that collide far more than chance allows
        // (crafted ones) send the merge to the keyed hash.
        if let Some(found) = repeated_keys_table(g, keys, false) {
            return found;
        }
        if let Some(found) = repeated_keys_table(g, keys, true) {
            return found;
        }
    }
    repeated_keys_sorted(g, keys, scratch, repeats)
}

/// The table path of [`repeated_keys`]; `None` when probing passes a few
/// steps per key on average (only the unkeyed hash gives up).
fn repeated_keys_table(g: &Graph, keys: &[Value], keyed: bool) -> Option<Vec<(usize, usize)>> {
    let mut repeats = Vec::new();
    let bits = (keys.len() + keys.len() / 2)
        .next_power_of_two()
        .trailing_zeros();
    let mask = (1usize << bits) - 1;
    let mut slots = vec![u32::MAX; mask + 1];
    let mut hashes = Vec::with_capacity(keys.len());
    let mut probes_left = 8 * keys.len() + 64;
    for (j, &k) in keys.iter().enumerate() {
        let h = key_hash(g, k, keyed);
        hashes.push(h);
        // Fibonacci hashing: the top bits of the product.
        let mut pos = (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (63 - bits) >> 1) as usize;
        loop {
            let slot = &mut slots[pos & mask];
            if *slot == u32::MAX {
                *slot = j as u32;
                break;
            }
            let i = *slot as usize;
            if hashes[i] == h && key_eq(g, keys[i], k) {
                repeats.push((j, i));
                break;
            }
            if !keyed {
                probes_left = probes_left.checked_sub(1)?;
            }
            pos += 1;
        }
    }
    Some(repeats)
}

/// The general path of [`repeated_keys`]: sort by hash, then compare every
/// key in a run of equal hashes with the ones before it.
fn repeated_keys_sorted(
    g: &Graph,
    keys: &[Value],
    scratch: &mut Vec<(u64, usize)>,
    mut repeats: Vec<(usize, usize)>,
) -> Vec<(usize, usize)> {
    scratch.clear();
    scratch.extend(
        keys.iter()
            .enumerate()
            .map(|(i, k)| (key_hash(g, *k, true), i)),
    );
    scratch.sort_unstable();
    for run in scratch
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        for (n, &(_, j)) in run.iter().enumerate().skip(1) {
            let first = run[..n]
                .iter()
                .map(|&(_, i)| i)
                .find(|&i| key_eq(g, keys[i], keys[j]));
            if let Some(i) = first {
                repeats.push((j, i));
            }
        }
    }
    repeats.sort_unstable();
    repeats
}

fn hash_int(i: i64, h: &mut impl Hasher) {
    0u8.hash(h);
    i.hash(h);
}

/// Hashes `v` into `h`. Below the key itself (`top`), every tuple or
/// frozenset item looked at spends one unit of `budget`; what the budget
/// does not reach is left out. Equal keys
/// spend it in the same order (tuples compare item by item; a frozenset is
/// taken whole or not at all), so they still hash equally.
fn hash_into(g: &Graph, v: Value, h: &mut impl Hasher, budget: &mut usize, top: bool) {
    match v {
        Value::None => 1u8.hash(h),
        Value::Bool(b) => hash_int(b as i64, h),
        Value::Int(i) => hash_int(i, h),
        Value::Float(f) => {
            if f.fract() == 0.0 {
                if let Some(i) = f.to_i64() {
                    return hash_int(i, h);
                }
                if let Some(b) = BigInt::from_f64(f) {
                    // As the equal int object hashes.
                    return PyInt::from(b).hash(h);
                }
            }
            f.to_bits().hash(h)
        }
        Value::Ref(id) => match g.get(id) {
            Some(Object::Int(b)) => b.hash(h),
            Some(Object::Str(s)) => s.as_bytes().hash(h),
            Some(Object::Bytes(b)) => b.hash(h),
            Some(Object::Tuple(items)) if top => {
                // The key's own items are all hashed: they are what tells
                // keys apart, and each costs the input a byte or more.
                2u8.hash(h);
                items.len().hash(h);
                for item in items {
                    hash_into(g, *item, h, budget, false);
                }
            }
            Some(Object::Tuple(items)) => {
                2u8.hash(h);
                items.len().hash(h);
                for item in items {
                    if *budget == 0 {
                        break;
                    }
                    *budget -= 1;
                    hash_into(g, *item, h, budget, false);
                }
            }
            Some(Object::FrozenSet(items)) => {
                3u8.hash(h);
                items.len().hash(h);
                if top || items.len() <= *budget {
                    // Order-free: the sum of the items' own hashes, each
                    // without looking inside nested containers.
                    if !top {
                        *budget -= items.len();
                    }
                    let sum = items.iter().fold(0u64, |sum, item| {
                        let mut ih = hash_keys().build_hasher();
                        let mut none = 0;
                        hash_into(g, *item, &mut ih, &mut none, false);
                        sum.wrapping_add(ih.finish())
                    });
                    sum.hash(h);
                }
            }
            Some(Object::Global(gl)) => gl.hash(h),
            Some(Object::Complex { re, im }) if *im == 0.0 => {
                hash_into(g, Value::Float(*re), h, budget, top)
            }
            _ => id.hash(h),
        },
    }
}

/// True when `a` and `b` are the same dict key in Python.
#[inline]
pub(crate) fn key_eq(g: &Graph, a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => return x == y,
        (Value::Int(i), Value::Bool(t)) | (Value::Bool(t), Value::Int(i)) => return i == t as i64,
        (Value::Bool(x), Value::Bool(y)) => return x == y,
        (Value::None, Value::None) => return true,
        // A str or bytes never equals an atom.
        (Value::Ref(_), Value::None | Value::Bool(_) | Value::Int(_))
        | (Value::None | Value::Bool(_) | Value::Int(_), Value::Ref(_)) => {
            if matches!(
                g.resolve(a).or(g.resolve(b)),
                Some(Object::Str(_) | Object::Bytes(_))
            ) {
                return false;
            }
        }
        _ => {}
    }
    if let (Value::Ref(x), Value::Ref(y)) = (a, b) {
        if x == y {
            return true;
        }
        match (g.get(x), g.get(y)) {
            (Some(Object::Str(s)), Some(Object::Str(t))) => return s == t,
            (Some(Object::Bytes(s)), Some(Object::Bytes(t))) => return s == t,
            (Some(Object::Global(s)), Some(Object::Global(t))) => return s == t,
            (
                Some(
                    Object::Instance(_)
                    | Object::Reduce(_)
                    | Object::Persistent(_)
                    | Object::Buffer(_),
                ),
                _,
            ) => return false,
            _ => {}
        }
    }
    if let (Value::Float(x), Value::Float(y)) = (a, b) {
        // Distinct NaN objects are distinct keys.
        return x == y;
    }
    g.value_eq(a, g, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Items;

    #[test]
    fn equal_keys_hash_equally_both_ways() {
        let mut g = Graph::new();
        let a = g.str("a");
        let b = g.str("b");
        // frozenset({1, 'a', 'b'}) in two orders, 1 spelled two ways.
        let f1 = Value::Ref(g.add(Object::FrozenSet(Items::from([Value::Int(1), a, b]))));
        let f2 = Value::Ref(g.add(Object::FrozenSet(Items::from([b, Value::Float(1.0), a]))));
        // A deep chain of tuples, twice: the budget cuts both alike.
        let (mut t1, mut t2) = (f1, f2);
        for _ in 0..1000 {
            t1 = Value::Ref(g.add(Object::Tuple(Items::from([t1, Value::Bool(true)]))));
            t2 = Value::Ref(g.add(Object::Tuple(Items::from([t2, Value::Int(1)]))));
        }
        for keyed in [false, true] {
            assert_eq!(key_hash(&g, f1, keyed), key_hash(&g, f2, keyed));
            assert_eq!(key_hash(&g, t1, keyed), key_hash(&g, t2, keyed));
        }
        assert!(key_eq(&g, t1, t2));
    }

    #[test]
    fn a_dag_of_shared_tuples_hashes_in_bounded_time() {
        // Eight levels of 100 references to the level below: 10^16 paths.
        let mut g = Graph::new();
        let mut t = Value::Int(0);
        for _ in 0..8 {
            t = Value::Ref(g.add(Object::Tuple(Items::from(vec![t; 100]))));
        }
        let keys: Vec<Value> = (0..20).map(Value::Int).chain([t]).collect();
        assert!(repeated_keys(&g, &keys, &mut Vec::new()).is_empty());
    }

    #[test]
    fn keyed_and_fast_tables_agree() {
        // The fast table may give up on long probing; when it does not,
        // its answer is the keyed one's.
        let mut g = Graph::new();
        let mut keys: Vec<Value> = (0..5000).map(|i| g.str(format!("k{}", i % 4000))).collect();
        keys.extend((0..100).map(|i| Value::Float(i as f64 + 0.5)));
        let fast = repeated_keys_table(&g, &keys, false);
        let keyed = repeated_keys_table(&g, &keys, true).unwrap();
        assert_eq!(keyed.len(), 1000);
        if let Some(fast) = fast {
            assert_eq!(fast, keyed);
        }
    }

    #[test]
    fn hash_table_path_agrees_with_sorting_path() {
        let mut g = Graph::new();
        let mut keys = Vec::new();
        for i in 0..40 {
            // Repeats as distinct str objects, and 1 == 1.0 == True.
            keys.push(g.str(format!("k{}", i % 13)));
            keys.push(Value::Int(i % 7));
            keys.push(Value::Float((i % 5) as f64));
            keys.push(Value::Bool(i % 2 == 0));
            let t = g.str(format!("t{}", i % 3));
            keys.push(Value::Ref(
                g.add(Object::Tuple(Items::from([t, Value::Int(1)]))),
            ));
        }
        let mut scratch = Vec::new();
        let fast = repeated_keys(&g, &keys, &mut scratch);
        let sorted = repeated_keys_sorted(&g, &keys, &mut scratch, Vec::new());
        assert_eq!(fast, sorted);
        assert!(!fast.is_empty());
        // Ascending by the repeat's position, each pointing at the first
        // equal key.
        assert!(fast.windows(2).all(|w| w[0].0 < w[1].0));
        for &(j, i) in &fast {
            assert!(i < j && key_eq(&g, keys[i], keys[j]));
            assert!((0..i).all(|e| !key_eq(&g, keys[e], keys[j])));
        }
    }

    #[test]
    fn increasing_ints_skip_the_table_and_others_do_not() {
        let g = Graph::new();
        let mut scratch = Vec::new();
        let mut keys: Vec<Value> = (0..100).map(Value::Int).collect();
        assert!(repeated_keys(&g, &keys, &mut scratch).is_empty());
        // Not increasing: a repeat, and True equal to 1, are still found.
        keys.push(Value::Int(50));
        keys.push(Value::Bool(true));
        assert_eq!(
            repeated_keys(&g, &keys, &mut scratch),
            [(100, 50), (101, 1)]
        );
        let small = [Value::Int(3), Value::Int(1), Value::Int(3)];
        assert_eq!(repeated_keys(&g, &small, &mut scratch), [(2, 0)]);
    }
}
