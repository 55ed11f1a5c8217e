//! Prints serde-pickle's load throughput for each file given, as
//! `<file> <value MB/s or fail> <typed MB/s or ->`, for bench/compare.sh.
//!
//! With `--typed FILE...` (records files), times typed serde load and dump
//! of the same records with serde-pickle and pypickle in one run and prints
//! a Markdown table:
//!
//!     cargo run --release --manifest-path bench/serde-pickle-bench/Cargo.toml -- \
//!         --typed bench/data/records.p2.pkl bench/data/records.p4.pkl bench/data/records.p5.pkl
//!
//! With `--floor FILE...` (records files at protocol 4 or 5), times the
//! typed dump of serde-pickle, pypickle and a hand-written dumper of
//! CPython's exact bytes for this one record type (`floor.rs`), in turns,
//! and prints a Markdown table: how far the bytes let any serializer go.
//!
//! `--only WHAT FILE` (WHAT: sp-load, pp-load, sp-dump, pp-dump) times one
//! of the four alone and prints the fastest of RUNS runs in ms, so each can
//! run in a fresh process (see BENCHMARKS.md).

use std::time::{Duration, Instant};

mod floor;

use serde::Deserialize;

#[derive(Deserialize, serde::Serialize, PartialEq, Debug)]
struct Record {
    id: i64,
    name: String,
    score: f64,
    tags: Vec<String>,
    active: bool,
}

/// Median MB/s of `runs` loads by `f`; `None` if a load fails. What `f`
/// loaded is dropped after the clock stops, as `pypickle bench` and
/// `compare.py` time loads.
fn median_mb_s<T, E>(
    bytes: usize,
    runs: usize,
    mut f: impl FnMut() -> Result<T, E>,
) -> Option<f64> {
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let loaded = f().ok()?;
        times.push(start.elapsed());
        drop(loaded);
    }
    times.sort();
    Some(bytes as f64 / 1e6 / times[times.len() / 2].as_secs_f64())
}

/// Median seconds of `runs` calls of `f`.
fn median_secs(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2].as_secs_f64()
}

/// A records file: its bytes, its protocol and the records it holds.
fn records_file(path: &str) -> (Vec<u8>, u8, Vec<Record>) {
    let data = std::fs::read(path).expect("read benchmark file");
    let protocol = data
        .get(1)
        .copied()
        .filter(|_| data[0] == 0x80)
        .unwrap_or(0);
    let records = pypickle::from_slice(&data).expect("pypickle typed load");
    (data, protocol, records)
}

/// The median of `times`.
fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Typed load and dump of one records file, serde-pickle against pypickle.
fn typed(path: &str, runs: usize) {
    let (data, protocol, records) = records_file(path);
    let theirs: Vec<Record> = serde_pickle::from_slice(&data, serde_pickle::DeOptions::new())
        .expect("serde-pickle typed load");
    assert!(records == theirs, "both read the same records");
    drop(theirs);
    let n = records.len();
    // serde-pickle writes protocol 2 or 3; pypickle the file's protocol.
    let sp_opts = if protocol <= 2 {
        serde_pickle::SerOptions::new().proto_v2()
    } else {
        serde_pickle::SerOptions::new()
    };
    let sp_out = serde_pickle::to_vec(&records, sp_opts.clone()).unwrap();
    let pp_out = pypickle::to_vec_with(&records, protocol).unwrap();
    // The four measurements take turns, so both libraries run on the same
    // heap and machine state.
    let mut times = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..runs {
        times[0].push(median_secs(1, || {
            let r: Vec<Record> =
                serde_pickle::from_slice(&data, serde_pickle::DeOptions::new()).unwrap();
            std::hint::black_box(r);
        }));
        times[1].push(median_secs(1, || {
            let r: Vec<Record> = pypickle::from_slice(&data).unwrap();
            std::hint::black_box(r);
        }));
        times[2].push(median_secs(1, || {
            std::hint::black_box(serde_pickle::to_vec(&records, sp_opts.clone()).unwrap());
        }));
        times[3].push(median_secs(1, || {
            std::hint::black_box(pypickle::to_vec_with(&records, protocol).unwrap());
        }));
    }
    let [sp_load, pp_load, sp_dump, pp_dump] = times.map(median);
    let ms = |s: f64| s * 1e3;
    println!(
        "| {} | {n} | {:.1} | {:.1} | {:.1} | {:.2}x | {:.1} | {:.1} | {:.2}x | {:.1} | {:.1} |",
        path.rsplit('/').next().unwrap_or(path),
        data.len() as f64 / 1e6,
        ms(sp_load),
        ms(pp_load),
        sp_load / pp_load,
        ms(sp_dump),
        ms(pp_dump),
        sp_dump / pp_dump,
        sp_out.len() as f64 / 1e6,
        pp_out.len() as f64 / 1e6,
    );
}

/// Typed dumps of one records file: serde-pickle, pypickle and the
/// hand-written dumper (`floor.rs`), taking turns; medians of `runs`.
fn floor(path: &str, runs: usize) {
    let (_, protocol, records) = records_file(path);
    assert!(protocol >= 4, "--floor takes protocol 4 and 5 files");
    let ours = pypickle::to_vec_with(&records, protocol).unwrap();
    assert!(
        floor::dumps(&records, protocol) == ours,
        "the hand-written dumper must write pypickle's (CPython's) bytes"
    );
    let sp_opts = serde_pickle::SerOptions::new();
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..runs {
        times[0].push(median_secs(1, || {
            std::hint::black_box(serde_pickle::to_vec(&records, sp_opts.clone()).unwrap());
        }));
        times[1].push(median_secs(1, || {
            std::hint::black_box(pypickle::to_vec_with(&records, protocol).unwrap());
        }));
        times[2].push(median_secs(1, || {
            std::hint::black_box(floor::dumps(&records, protocol));
        }));
    }
    let [sp, pp, hand] = times.map(|t| median(t) * 1e3);
    println!(
        "| {} | {:.2} | {:.2} | {:.2} | {:.2}x | {:.2}x |",
        path.rsplit('/').next().unwrap_or(path),
        sp,
        pp,
        hand,
        sp / pp,
        sp / hand,
    );
}

/// One measurement alone: the fastest of `runs`, in ms.
fn only(what: &str, path: &str, runs: usize) {
    let (data, protocol, records) = records_file(path);
    let sp_opts = if protocol <= 2 {
        serde_pickle::SerOptions::new().proto_v2()
    } else {
        serde_pickle::SerOptions::new()
    };
    let mut best = f64::MAX;
    for _ in 0..runs {
        let secs = median_secs(1, || match what {
            "sp-load" => {
                let r: Vec<Record> =
                    serde_pickle::from_slice(&data, serde_pickle::DeOptions::new()).unwrap();
                std::hint::black_box(r);
            }
            "pp-load" => {
                let r: Vec<Record> = pypickle::from_slice(&data).unwrap();
                std::hint::black_box(r);
            }
            "sp-dump" => {
                std::hint::black_box(serde_pickle::to_vec(&records, sp_opts.clone()).unwrap());
            }
            "pp-dump" => {
                std::hint::black_box(pypickle::to_vec_with(&records, protocol).unwrap());
            }
            _ => panic!("--only takes sp-load, pp-load, sp-dump or pp-dump"),
        });
        best = best.min(secs);
    }
    println!("{what} {path} {:.2}", best * 1e3);
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--only") && args.len() == 3 {
        only(&args[1], &args[2], runs);
        return;
    }
    if args.first().map(String::as_str) == Some("--floor") {
        println!("| file | serde-pickle dump ms | pypickle dump ms | hand-written dump ms | pypickle speed-up | hand-written speed-up |");
        println!("|---|--:|--:|--:|--:|--:|");
        for path in &args[1..] {
            floor(path, runs);
        }
        return;
    }
    if args.first().map(String::as_str) == Some("--typed") {
        println!("| file | records | MB | serde-pickle load ms | pypickle load ms | load speed-up | serde-pickle dump ms | pypickle dump ms | dump speed-up | serde-pickle out MB | pypickle out MB |");
        println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for path in &args[1..] {
            typed(path, runs);
        }
        return;
    }
    for path in args {
        let data = std::fs::read(&path).expect("read benchmark file");
        let value = median_mb_s(data.len(), runs, || {
            serde_pickle::value_from_slice(&data, serde_pickle::DeOptions::new())
        });
        let typed = if path.contains("records") {
            median_mb_s(data.len(), runs, || {
                serde_pickle::from_slice::<Vec<Record>>(&data, serde_pickle::DeOptions::new())
            })
        } else {
            None
        };
        let show =
            |v: Option<f64>, missing: &str| v.map_or(missing.to_string(), |x| format!("{x:.1}"));
        println!("{path} {} {}", show(value, "fail"), show(typed, "-"));
    }
}
