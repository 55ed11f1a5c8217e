//! `pypickle bench`: load and dump throughput of one file, and the memory
//! one loaded graph takes.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use pypickle::{Pickler, Unpickler};

use crate::Failure;

/// Arguments of `pypickle bench`.
#[derive(clap::Args)]
pub struct Args {
    /// The protocol to dump at; by default the protocol of the input.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=5))]
    protocol: Option<u8>,
    /// How many timed runs of each of load and dump (the median is shown).
    #[arg(long, default_value_t = 11)]
    runs: usize,
    /// The pickle file to measure.
    file: PathBuf,
}

/// The protocol a pickle declares (0 or 1 when it has no PROTO opcode).
fn declared_protocol(data: &[u8]) -> u8 {
    match data {
        [0x80, p, ..] => (*p).min(pypickle::HIGHEST_PROTOCOL),
        _ => 0,
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Resident memory of this process, where the platform tells it. (Not the
/// high-water mark: a child inherits its parent's at fork.)
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn mb_per_s(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / 1e6 / t.as_secs_f64().max(1e-12)
}

/// The median time of copying `data` into a buffer allocated (and faulted
/// in) beforehand: the floor any load of the file is compared with.
fn memcpy_time(data: &[u8], runs: usize) -> Duration {
    let mut buf = data.to_vec();
    // More runs than the loads: a copy is short, and its median steadier.
    let times = (0..runs.max(21))
        .map(|_| {
            let start = Instant::now();
            buf.copy_from_slice(std::hint::black_box(data));
            std::hint::black_box(&mut buf);
            start.elapsed()
        })
        .collect();
    median(times)
}

/// Runs `bench`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let data = std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let protocol = args.protocol.unwrap_or_else(|| declared_protocol(&data));
    let runs = args.runs.max(1);
    // The memory of one loaded graph, measured on the first load, before
    // freed memory can be reused.
    let rss_before = rss_bytes();
    let start = Instant::now();
    let first = Unpickler::generic()
        .loads(&data)
        .map_err(|e| e.to_string())?;
    let first_load = start.elapsed();
    let rss_loaded = rss_bytes();
    let objects = first.len();
    drop(first);
    // Time the loads, dropping each graph, so that a large file is never
    // loaded while another copy of it still holds memory.
    let mut load_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let g = Unpickler::generic()
            .loads(&data)
            .map_err(|e| e.to_string())?;
        load_times.push(start.elapsed());
        drop(g);
    }
    // The same loads from a buffer handed over, as a file read into
    // memory is: large bytes are views of it, and below protocol 3 they
    // are decoded over their text. (Each run gets its own copy, made
    // before the clock starts.)
    let mut shared_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let owned = data.clone();
        let start = Instant::now();
        let g = Unpickler::generic()
            .loads_shared(owned)
            .map_err(|e| e.to_string())?;
        shared_times.push(start.elapsed());
        drop(g);
    }
    let graph = Unpickler::generic()
        .loads(&data)
        .map_err(|e| e.to_string())?;
    let mut pickler = Pickler::new(protocol);
    let mut out_len = 0;
    let mut dump_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = pickler.dumps(&graph).map_err(|e| e.to_string())?;
        dump_times.push(start.elapsed());
        out_len = out.len();
    }
    let (load, shared, dump) = (median(load_times), median(shared_times), median(dump_times));
    let copy = memcpy_time(&data, runs);
    // A closed stdout (`| head`) ends the command quietly: see `Failure`.
    let print = |out: &mut io::StdoutLock| -> io::Result<()> {
        writeln!(
            out,
            "file      {} ({} bytes, {objects} objects)",
            args.file.display(),
            data.len()
        )?;
        writeln!(
            out,
            "load      {:>9.1} MB/s  (median {:?} of {runs})",
            mb_per_s(data.len(), load),
            load
        )?;
        writeln!(
            out,
            "shared    {:>9.1} MB/s  (median {:?}: loads_shared of a buffer handed over, bytes of 4 KiB and more as views)",
            mb_per_s(data.len(), shared),
            shared
        )?;
        writeln!(
            out,
            "dump p{protocol}   {:>9.1} MB/s  (median {:?} of {runs}, {out_len} bytes)",
            mb_per_s(out_len, dump),
            dump
        )?;
        writeln!(
            out,
            "first     {:>9.1} MB/s  (the first load, into memory never used before: {first_load:?})",
            mb_per_s(data.len(), first_load)
        )?;
        writeln!(
            out,
            "memcpy    {:>9.1} MB/s  (the file copied into a reused buffer: load takes {:.1}x as long, shared {:.1}x)",
            mb_per_s(data.len(), copy),
            load.as_secs_f64() / copy.as_secs_f64().max(1e-12),
            shared.as_secs_f64() / copy.as_secs_f64().max(1e-12)
        )?;
        match (rss_before, rss_loaded) {
            (Some(before), Some(after)) => writeln!(
                out,
                "RSS       {:>9.1} MB after one load (+{:.1} MB for the loaded graph)",
                after as f64 / 1e6,
                after.saturating_sub(before) as f64 / 1e6
            )?,
            _ => writeln!(out, "RSS       unavailable on this platform")?,
        }
        Ok(())
    };
    print(&mut io::stdout().lock()).map_err(Failure::stdout)
}
