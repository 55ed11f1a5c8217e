//! Criterion benchmarks: load and dump of the benchmark datasets.
//!
//! The datasets are the files `bench/gen_data.py` writes to `bench/data/`
//! (`bash bench/compare.sh` makes them); missing files are generated first
//! with `python3`.
//!
//!     cargo bench -p pypickle --bench codec

use std::path::PathBuf;
use std::process::Command;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pypickle::{Pickler, Unpickler};

const DATASETS: &[&str] = &["pyperf", "records", "numeric", "strings", "graph"];
const PROTOCOLS: &[u8] = &[2, 4, 5];

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/data")
}

fn dataset(name: &str, protocol: u8) -> Vec<u8> {
    let path = data_dir().join(format!("{name}.p{protocol}.pkl"));
    if !path.exists() {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/gen_data.py");
        let status = Command::new("python3")
            .arg(script)
            .arg("--out")
            .arg(data_dir())
            .status()
            .expect("python3 writes the benchmark datasets");
        assert!(status.success(), "bench/gen_data.py failed");
    }
    std::fs::read(&path).expect("benchmark dataset")
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for name in DATASETS {
        for &protocol in PROTOCOLS {
            let data = dataset(name, protocol);
            group.throughput(Throughput::Bytes(data.len() as u64));
            group.bench_with_input(BenchmarkId::new(*name, protocol), &data, |b, data| {
                b.iter(|| Unpickler::generic().loads(data).unwrap())
            });
        }
    }
    group.finish();
}

fn dump(c: &mut Criterion) {
    let mut group = c.benchmark_group("dump");
    group.sample_size(10);
    for name in DATASETS {
        for &protocol in PROTOCOLS {
            let data = dataset(name, protocol);
            let graph = Unpickler::generic().loads(&data).unwrap();
            group.throughput(Throughput::Bytes(data.len() as u64));
            group.bench_with_input(BenchmarkId::new(*name, protocol), &graph, |b, graph| {
                b.iter(|| Pickler::new(protocol).dumps(graph).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, load, dump);
criterion_main!(benches);
