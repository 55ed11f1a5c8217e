//! Structural equality of graphs, without recursion.
//!
//! Two values are equal when Python's `==` would say so for the objects they
//! describe: numbers compare by value across int, float and bool; dicts and
//! sets ignore order. A pair already being compared counts as equal, so
//! cyclic graphs compare in finite time. NaN equals NaN here, since a loaded
//! NaN stands for one float object and Python compares containers by
//! identity first.

use std::collections::HashSet;

use num_bigint::BigInt;
use num_traits::FromPrimitive;

use super::{Graph, Object, PyInt, Value};

/// How deep unordered (set and dict) comparisons may nest before giving up.
const MAX_UNORDERED_NESTING: usize = 64;

impl PartialEq for Graph {
    fn eq(&self, other: &Graph) -> bool {
        self.value_eq(self.root(), other, other.root())
    }
}

enum Num<'a> {
    Small(i64),
    Big(&'a PyInt),
    Float(f64),
}

fn as_num(g: &Graph, v: Value) -> Option<Num<'_>> {
    match v {
        Value::Bool(b) => Some(Num::Small(b as i64)),
        Value::Int(i) => Some(Num::Small(i)),
        Value::Float(f) => Some(Num::Float(f)),
        Value::Ref(_) => match g.resolve(v)? {
            Object::Int(i) => Some(Num::Big(i)),
            _ => None,
        },
        Value::None => None,
    }
}

fn num_eq(a: Num, b: Num) -> bool {
    match (a, b) {
        (Num::Small(x), Num::Small(y)) => x == y,
        (Num::Big(x), Num::Big(y)) => x == y,
        (Num::Small(_), Num::Big(_)) | (Num::Big(_), Num::Small(_)) => false,
        (Num::Float(x), Num::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Num::Float(f), Num::Small(i)) | (Num::Small(i), Num::Float(f)) => {
            f.fract() == 0.0 && (i as f64) == f && (f as i128) == i as i128
        }
        (Num::Float(f), Num::Big(b)) | (Num::Big(b), Num::Float(f)) => {
            f.fract() == 0.0 && BigInt::from_f64(f).is_some_and(|fb| PyInt::from(fb) == *b)
        }
    }
}

impl Graph {
    /// Compares value `a` of this graph with value `b` of `other` the way
    /// Python's `==` compares the objects they describe.
    pub fn value_eq(&self, a: Value, other: &Graph, b: Value) -> bool {
        eq_at(self, a, other, b, 0)
    }
}

fn eq_at(ga: &Graph, a: Value, gb: &Graph, b: Value, nesting: usize) -> bool {
    let mut work = vec![(a, b)];
    let mut assumed: HashSet<(u32, u32)> = HashSet::new();
    while let Some((a, b)) = work.pop() {
        if let (Some(x), Some(y)) = (as_num(ga, a), as_num(gb, b)) {
            if !num_eq(x, y) {
                return false;
            }
            continue;
        }
        let (ia, ib) = match (a, b) {
            (Value::None, Value::None) => continue,
            (Value::Ref(x), Value::Ref(y)) => (x, y),
            _ => return false,
        };
        if !assumed.insert((ia.0, ib.0)) {
            continue;
        }
        let (Some(oa), Some(ob)) = (ga.get(ia), gb.get(ib)) else {
            return false;
        };
        use Object::*;
        match (oa, ob) {
            (Str(x), Str(y)) => {
                if x != y {
                    return false;
                }
            }
            (Bytes(_) | ByteArray(_), Bytes(_) | ByteArray(_)) => {
                if oa.byte_data() != ob.byte_data() {
                    return false;
                }
            }
            (Complex { re: r1, im: i1 }, Complex { re: r2, im: i2 }) => {
                if !(num_eq(Num::Float(*r1), Num::Float(*r2))
                    && num_eq(Num::Float(*i1), Num::Float(*i2)))
                {
                    return false;
                }
            }
            (Tuple(x), Tuple(y)) | (List(x), List(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                work.extend(x.iter().copied().zip(y.iter().copied()));
            }
            (Dict(x), Dict(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                if !unordered_pairs_eq(ga, x, gb, y, nesting, &mut work) {
                    return false;
                }
            }
            (Set(x) | FrozenSet(x), Set(y) | FrozenSet(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                let xs: Vec<(Value, Value)> = x.iter().map(|v| (*v, Value::None)).collect();
                let ys: Vec<(Value, Value)> = y.iter().map(|v| (*v, Value::None)).collect();
                if !unordered_pairs_eq(ga, &xs, gb, &ys, nesting, &mut work) {
                    return false;
                }
            }
            (Global(x), Global(y)) => {
                if x != y {
                    return false;
                }
            }
            (Instance(x), Instance(y)) => {
                if x.args.len() != y.args.len()
                    || x.kwargs.is_some() != y.kwargs.is_some()
                    || x.state.is_some() != y.state.is_some()
                    || x.state_setter.is_some() != y.state_setter.is_some()
                    || x.list_items.len() != y.list_items.len()
                    || x.dict_items.len() != y.dict_items.len()
                {
                    return false;
                }
                work.push((x.class, y.class));
                work.extend(x.state_setter.zip(y.state_setter));
                work.extend(x.args.iter().copied().zip(y.args.iter().copied()));
                work.extend(x.kwargs.zip(y.kwargs));
                work.extend(x.state.zip(y.state));
                work.extend(
                    x.list_items
                        .iter()
                        .copied()
                        .zip(y.list_items.iter().copied()),
                );
                for ((k1, v1), (k2, v2)) in x.dict_items.iter().zip(&y.dict_items) {
                    work.push((*k1, *k2));
                    work.push((*v1, *v2));
                }
            }
            (Reduce(x), Reduce(y)) => {
                if x.state.is_some() != y.state.is_some()
                    || x.state_setter.is_some() != y.state_setter.is_some()
                    || x.list_items.len() != y.list_items.len()
                    || x.dict_items.len() != y.dict_items.len()
                {
                    return false;
                }
                work.push((x.callable, y.callable));
                work.extend(x.state_setter.zip(y.state_setter));
                work.push((x.args, y.args));
                work.extend(x.state.zip(y.state));
                work.extend(
                    x.list_items
                        .iter()
                        .copied()
                        .zip(y.list_items.iter().copied()),
                );
                for ((k1, v1), (k2, v2)) in x.dict_items.iter().zip(&y.dict_items) {
                    work.push((*k1, *k2));
                    work.push((*v1, *v2));
                }
            }
            (Persistent(x), Persistent(y)) => work.push((*x, *y)),
            (Buffer(x), Buffer(y)) => {
                if x.data != y.data {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// Matches key-value pairs regardless of order. Pairs in the same position
/// with equal keys are the fast path; otherwise each key of `x` is looked
/// up among the unmatched keys of `y`.
fn unordered_pairs_eq(
    ga: &Graph,
    x: &[(Value, Value)],
    gb: &Graph,
    y: &[(Value, Value)],
    nesting: usize,
    work: &mut Vec<(Value, Value)>,
) -> bool {
    let same_order = x
        .iter()
        .zip(y)
        .all(|((k1, _), (k2, _))| key_eq(ga, *k1, gb, *k2));
    if same_order {
        for ((_, v1), (_, v2)) in x.iter().zip(y) {
            work.push((*v1, *v2));
        }
        return true;
    }
    if nesting >= MAX_UNORDERED_NESTING {
        return false;
    }
    let mut used = vec![false; y.len()];
    for (k1, v1) in x {
        let found = y
            .iter()
            .enumerate()
            .find(|(j, (k2, _))| !used[*j] && eq_at(ga, *k1, gb, *k2, nesting + 1));
        match found {
            Some((j, (_, v2))) => {
                used[j] = true;
                work.push((*v1, *v2));
            }
            None => return false,
        }
    }
    true
}

/// A cheap key comparison for the same-order fast path: atoms and strs by
/// value, anything else by a full comparison.
fn key_eq(ga: &Graph, a: Value, gb: &Graph, b: Value) -> bool {
    match (ga.resolve(a), gb.resolve(b)) {
        (Some(Object::Str(x)), Some(Object::Str(y))) => x == y,
        (Some(Object::Str(_)), _) | (_, Some(Object::Str(_))) => false,
        _ => eq_at(ga, a, gb, b, MAX_UNORDERED_NESTING),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Items;

    #[test]
    fn numbers_compare_across_types() {
        let g = Graph::new();
        assert!(g.value_eq(Value::Int(1), &g, Value::Float(1.0)));
        assert!(g.value_eq(Value::Bool(true), &g, Value::Int(1)));
        assert!(!g.value_eq(Value::Int(1), &g, Value::Float(1.5)));
    }

    #[test]
    fn dicts_ignore_order_and_cycles_terminate() {
        let mut a = Graph::new();
        let (k1, k2) = (a.str("x"), a.str("y"));
        let da = a.add(Object::Dict(vec![]));
        if let Some(Object::Dict(items)) = a.get_mut(da) {
            items.extend([(k1, Value::Int(1)), (k2, Value::Ref(da))]);
        }
        a.set_root(Value::Ref(da));
        let mut b = Graph::new();
        let (k2, k1) = (b.str("y"), b.str("x"));
        let db = b.add(Object::Dict(vec![]));
        if let Some(Object::Dict(items)) = b.get_mut(db) {
            items.extend([(k2, Value::Ref(db)), (k1, Value::Int(1))]);
        }
        b.set_root(Value::Ref(db));
        assert_eq!(a, b);
    }

    #[test]
    fn million_deep_lists_compare() {
        let mut g = Graph::new();
        let mut v = Value::None;
        for _ in 0..1_000_000 {
            v = Value::Ref(g.add(Object::List(Items::from([v]))));
        }
        g.set_root(v);
        let h = g.clone();
        assert_eq!(g, h);
    }
}
