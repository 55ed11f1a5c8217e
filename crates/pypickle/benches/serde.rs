//! Criterion benchmarks: typed (serde) load and dump of 100,000 records
//! `{id, name, score, tags, active}`, the records dataset of
//! `bench/gen_data.py` (generated with `python3` when missing).
//!
//!     cargo bench -p pypickle --bench serde
//!
//! The comparison with serde-pickle on the same records, in one run, is
//! `bench/serde-pickle-bench --typed` (see BENCHMARKS.md).

use std::path::PathBuf;
use std::process::Command;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde::{Deserialize, Serialize};

const PROTOCOLS: &[u8] = &[2, 4, 5];

#[derive(Serialize, Deserialize)]
struct Record {
    id: i64,
    name: String,
    score: f64,
    tags: Vec<String>,
    active: bool,
}

fn records_file(protocol: u8) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/data");
    let path = dir.join(format!("records.p{protocol}.pkl"));
    if !path.exists() {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/gen_data.py");
        let status = Command::new("python3")
            .arg(script)
            .arg("--out")
            .arg(&dir)
            .status()
            .expect("python3 writes the benchmark datasets");
        assert!(status.success(), "bench/gen_data.py failed");
    }
    std::fs::read(&path).expect("benchmark dataset")
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("serde load");
    group.sample_size(10);
    for &protocol in PROTOCOLS {
        let data = records_file(protocol);
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_with_input(BenchmarkId::new("records", protocol), &data, |b, data| {
            b.iter(|| pypickle::from_slice::<Vec<Record>>(data).unwrap())
        });
    }
    group.finish();
}

fn dump(c: &mut Criterion) {
    let mut group = c.benchmark_group("serde dump");
    group.sample_size(10);
    for &protocol in PROTOCOLS {
        let data = records_file(protocol);
        let records: Vec<Record> = pypickle::from_slice(&data).unwrap();
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("records", protocol),
            &records,
            |b, records| b.iter(|| pypickle::to_vec_with(records, protocol).unwrap()),
        );
    }
    group.finish();
}

criterion_group!(benches, load, dump);
criterion_main!(benches);
