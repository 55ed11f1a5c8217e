//! The budget of a walk that follows shared objects.
//!
//! A shared object is read (or printed) in full wherever it is reached, so
//! a few hundred bytes of pickle (a list holding the previous list twice,
//! 64 times over) stand for 2^64 items. A repr or a typed walk may go over
//! the graph's [`Graph::content_size`] [`EXPANSION`] times, and no more.
//! Working out that size reads every object, so a walk starts on an
//! allowance that needs no look at the graph and works the limit out only
//! if it spends that: printing one small value of a large graph stays
//! cheap.

use super::{Graph, EXPANSION};

/// What one walk may still spend, in its own units.
pub(crate) struct Expansion {
    left: u64,
    /// The walk's whole limit, once worked out.
    limit: Option<u64>,
    /// The walk's units per unit of [`Graph::content_size`].
    per_unit: u64,
    /// Always allowed, whatever the graph's size.
    floor: u64,
    /// Never exceeded, whatever the graph's size.
    cap: u64,
}

impl Expansion {
    /// A budget of [`EXPANSION`] times the graph's content, `per_unit`
    /// walk units each, plus `floor`, and at most `cap`.
    pub(crate) fn new(per_unit: u64, floor: u64, cap: u64) -> Self {
        Expansion {
            left: floor.min(cap),
            limit: None,
            per_unit,
            floor,
            cap,
        }
    }

    /// Spends `n` units of walking `g`; false, with nothing left, once the
    /// walk is past its limit.
    #[inline]
    pub(crate) fn spend(&mut self, g: &Graph, n: u64) -> bool {
        match self.left.checked_sub(n) {
            Some(rest) => {
                self.left = rest;
                true
            }
            None => self.spend_past_allowance(g, n),
        }
    }

    #[cold]
    fn spend_past_allowance(&mut self, g: &Graph, n: u64) -> bool {
        if self.limit.is_none() {
            let spent = self.allowance() - self.left;
            let limit = g
                .content_size()
                .saturating_mul(EXPANSION.saturating_mul(self.per_unit))
                .saturating_add(self.floor)
                .min(self.cap);
            self.limit = Some(limit);
            self.left = limit.saturating_sub(spent);
            if let Some(rest) = self.left.checked_sub(n) {
                self.left = rest;
                return true;
            }
        }
        self.left = 0;
        false
    }

    /// The limit the walk ran into (the allowance, if it never needed
    /// more).
    pub(crate) fn limit(&self) -> u64 {
        self.limit.unwrap_or_else(|| self.allowance())
    }

    /// What the walk may spend before the graph is measured.
    fn allowance(&self) -> u64 {
        self.floor.min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Items, Object};

    #[test]
    fn the_graph_is_measured_only_past_the_allowance() {
        let mut g = Graph::new();
        let s = g.str("abcd");
        g.add(Object::List(Items::from([s, s])));
        // The str (1 + 4 bytes) and the list (1 + 2 slots): 8 units.
        let mut walk = Expansion::new(1, 10, u64::MAX);
        assert!(walk.spend(&g, 10));
        assert_eq!(walk.limit, None, "within the allowance");
        assert!(walk.spend(&g, 16 * 8));
        assert_eq!(walk.limit(), 16 * 8 + 10);
        assert!(!walk.spend(&g, 1));
        // A cap wins over the graph's size.
        let mut capped = Expansion::new(16, 1 << 20, 100);
        assert!(capped.spend(&g, 100));
        assert!(!capped.spend(&g, 1));
        assert_eq!(capped.limit(), 100);
    }
}
