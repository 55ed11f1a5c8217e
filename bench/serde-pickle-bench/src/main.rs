//! Prints serde-pickle's load throughput for each file given, as
//! `<file> <value MB/s or fail> <typed MB/s or ->`, for bench/compare.sh.

use std::time::{Duration, Instant};

use serde::Deserialize;

#[allow(dead_code)]
#[derive(Deserialize)]
struct Record {
    id: i64,
    name: String,
    score: f64,
    tags: Vec<String>,
    active: bool,
}

fn median_mb_s(bytes: usize, runs: usize, mut f: impl FnMut() -> bool) -> Option<f64> {
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        if !f() {
            return None;
        }
        times.push(start.elapsed());
    }
    times.sort();
    Some(bytes as f64 / 1e6 / times[times.len() / 2].as_secs_f64())
}

fn main() {
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).expect("read benchmark file");
        let value = median_mb_s(data.len(), runs, || {
            serde_pickle::value_from_slice(&data, serde_pickle::DeOptions::new()).is_ok()
        });
        let typed = if path.contains("records") {
            median_mb_s(data.len(), runs, || {
                serde_pickle::from_slice::<Vec<Record>>(&data, serde_pickle::DeOptions::new()).is_ok()
            })
        } else {
            None
        };
        let show = |v: Option<f64>, missing: &str| v.map_or(missing.to_string(), |x| format!("{x:.1}"));
        println!("{path} {} {}", show(value, "fail"), show(typed, "-"));
    }
}
