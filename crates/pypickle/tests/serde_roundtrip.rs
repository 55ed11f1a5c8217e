//! Property tests: arbitrary typed values round-trip through `to_vec` and
//! `from_slice` at every protocol, `to_vec` writes what `dumps(to_value)`
//! writes, and `from_value(to_value(x))` gives `x` back.
#![cfg(feature = "serde")]

mod serde_values;

use std::collections::BTreeMap;

use proptest::collection::vec;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_values::{float, node, text, variant};

fn check<T>(x: &T) -> Result<(), TestCaseError>
where
    T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
{
    let graph = pypickle::to_value(x).unwrap();
    let back: T = pypickle::from_value(&graph).unwrap();
    prop_assert_eq!(&back, x);
    for p in 0..=5u8 {
        let bytes = pypickle::to_vec_with(x, p).unwrap();
        prop_assert_eq!(
            &bytes,
            &pypickle::dumps(&graph, p).unwrap(),
            "protocol {}",
            p
        );
        let back: T = pypickle::from_slice(&bytes).unwrap();
        prop_assert_eq!(&back, x, "protocol {}", p);
        let back: T = pypickle::from_reader(&bytes[..]).unwrap();
        prop_assert_eq!(&back, x, "protocol {} (reader)", p);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn nodes_round_trip(x in node()) {
        check(&x)?;
    }

    #[test]
    fn lists_of_nodes_round_trip(x in vec(node(), 0..3)) {
        check(&x)?;
    }

    #[test]
    fn top_level_values_round_trip(
        s in text(), v in variant(), f in float(), b in any::<i128>(), t in (any::<bool>(), any::<char>()),
    ) {
        check(&s)?;
        check(&v)?;
        check(&f)?;
        check(&b)?;
        check(&t)?;
    }
}

#[test]
fn batch_boundaries_round_trip() {
    for n in [0, 1, 2, 999, 1000, 1001, 2000, 2001] {
        let list: Vec<u32> = (0..n).collect();
        let map: BTreeMap<u32, u32> = (0..n).map(|i| (i, i)).collect();
        let strs: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        check(&list).unwrap();
        check(&map).unwrap();
        check(&strs).unwrap();
    }
}
