//! The pickler: an object [`Graph`] in, CPython 3.11's exact bytes out.
//!
//! [`Pickler`] holds the options of CPython's `Pickler` (protocol,
//! `fix_imports`, `buffer_callback`, the extension registry). The walk that
//! writes a graph is in `save.rs`, the output buffer and framing in
//! `encoder.rs`, and the naming rules for globals in `names.rs`.

pub(crate) mod emit;
pub(crate) mod encoder;
mod names;
mod save;

use std::collections::HashMap;
use std::io;

use crate::class::{ToGraph, ToPython};
use crate::error::{Error, Result};
use crate::value::{Buffer, Global, Graph, Object, Value};
use encoder::Encoder;
use save::Saver;

/// The protocol `dumps` uses unless told otherwise: 4, as in CPython 3.8+.
pub const DEFAULT_PROTOCOL: u8 = 4;

/// The highest protocol this crate reads and writes.
pub const HIGHEST_PROTOCOL: u8 = 5;

/// A guess at how many bytes the pickle of `graph` takes, so that `dumps`
/// rarely grows (and copies) its output: a few bytes per object, plus
/// nine per item (a BINFLOAT's size) of the root and, when the root holds
/// a few containers (columns of numbers, say), of each of those once.
/// Costs a look at no more than `FEW` of the root's items.
fn size_hint(graph: &Graph) -> usize {
    fn items(obj: Option<&Object>) -> usize {
        match obj {
            Some(Object::List(v) | Object::Tuple(v) | Object::Set(v) | Object::FrozenSet(v)) => {
                v.len()
            }
            Some(Object::Dict(pairs)) => 2 * pairs.len(),
            _ => 0,
        }
    }
    let mut n = graph.len().saturating_mul(8).saturating_add(64);
    let Value::Ref(root) = graph.root() else {
        return n;
    };
    const FEW: usize = 64;
    let root = graph.get(root);
    let len = items(root);
    n = n.saturating_add(len.saturating_mul(9));
    if len > FEW {
        return n;
    }
    let children: &mut dyn Iterator<Item = &Value> = match root {
        Some(Object::List(v) | Object::Tuple(v) | Object::Set(v) | Object::FrozenSet(v)) => {
            &mut v.iter()
        }
        Some(Object::Dict(pairs)) => &mut pairs.iter().map(|(_, v)| v),
        _ => &mut std::iter::empty(),
    };
    // Each child once: a root holding one big list many times pickles it
    // once, and the guess must stay in proportion to the graph.
    let mut seen = Vec::with_capacity(FEW);
    for child in children {
        if let Value::Ref(id) = child {
            if !seen.contains(id) {
                seen.push(*id);
                n = n.saturating_add(items(graph.get(*id)).saturating_mul(9));
            }
        }
    }
    n
}

/// Decides for each out-of-band-capable buffer whether it leaves the
/// pickle: return `true` to write NEXT_BUFFER and keep the data yourself.
pub type BufferCallback = Box<dyn FnMut(&Buffer) -> bool>;

/// The options of one pickler. Build one, then call [`Pickler::dumps`] or
/// [`Pickler::dump`].
///
/// ```
/// use pypickle::{Graph, Object, Pickler, Value};
/// let mut g = Graph::new();
/// let list = g.add(Object::List(vec![Value::Int(1), Value::Int(2)].into()));
/// g.set_root(Value::Ref(list));
/// let bytes = Pickler::new(2).dumps(&g)?;
/// assert_eq!(bytes, b"\x80\x02]q\x00(K\x01K\x02e.");
/// # Ok::<(), pypickle::Error>(())
/// ```
pub struct Pickler {
    pub(crate) protocol: u8,
    pub(crate) fix_imports: bool,
    buffer_callback: Option<BufferCallback>,
    extensions: HashMap<(String, String), i64>,
}

impl Default for Pickler {
    fn default() -> Self {
        Pickler::new(DEFAULT_PROTOCOL)
    }
}

impl Pickler {
    /// A pickler for `protocol` (0 to 5; higher values mean 5, as a negative
    /// protocol does in Python).
    pub fn new(protocol: u8) -> Self {
        Pickler {
            protocol: protocol.min(HIGHEST_PROTOCOL),
            fix_imports: true,
            buffer_callback: None,
            extensions: HashMap::new(),
        }
    }

    /// Whether Python 3 names are mapped to Python 2 ones below protocol 3
    /// (default true, as in CPython).
    pub fn fix_imports(mut self, fix: bool) -> Self {
        self.fix_imports = fix;
        self
    }

    /// Sets the buffer callback for protocol 5 out-of-band buffers.
    /// Without one, every buffer is written in band.
    pub fn buffer_callback(mut self, f: impl FnMut(&Buffer) -> bool + 'static) -> Self {
        self.buffer_callback = Some(Box::new(f));
        self
    }

    /// Registers an extension code, as `copyreg.add_extension` does: from
    /// protocol 2 on, the global `module.name` is written as EXT1/2/4.
    pub fn extension(mut self, code: i64, module: &str, name: &str) -> Self {
        self.extensions.insert((module.into(), name.into()), code);
        self
    }

    pub(crate) fn extension_code(&self, g: &Global) -> Option<i64> {
        if self.extensions.is_empty() {
            return None;
        }
        let key = (g.module.as_str()?.to_owned(), g.name.as_str()?.to_owned());
        self.extensions.get(&key).copied()
    }

    pub(crate) fn take_out_of_band(&mut self, buf: &Buffer) -> bool {
        match &mut self.buffer_callback {
            Some(f) => f(buf),
            None => false,
        }
    }

    /// Pickles `graph` to bytes.
    ///
    /// # Errors
    ///
    /// When a value cannot be written at this protocol (for example an
    /// out-of-band buffer below protocol 5); see [`crate::Category::Pickling`].
    pub fn dumps(&mut self, graph: &Graph) -> Result<Vec<u8>> {
        let mut saver = Saver::new(graph, self, Encoder::new(size_hint(graph)));
        saver.dump(None)?;
        Ok(saver.into_encoder().out)
    }

    /// Pickles a typed value (see [`crate::class`]).
    ///
    /// # Errors
    ///
    /// When the value cannot be pickled at this protocol.
    pub fn dumps_as<T: ToPython + ?Sized>(&mut self, value: &T) -> Result<Vec<u8>> {
        let graph = self.graph_of(value)?;
        self.dumps(&graph)
    }

    /// Pickles a typed value to a writer.
    ///
    /// # Errors
    ///
    /// As [`Pickler::dumps_as`], plus I/O errors of the writer.
    pub fn dump_as<T: ToPython + ?Sized, W: io::Write>(
        &mut self,
        value: &T,
        writer: W,
    ) -> Result<()> {
        let graph = self.graph_of(value)?;
        self.dump(&graph, writer)
    }

    fn graph_of<T: ToPython + ?Sized>(&self, value: &T) -> Result<Graph> {
        let mut p = ToGraph::for_protocol(self.protocol);
        let root = p.value(value)?;
        Ok(p.finish(root))
    }

    /// Pickles `graph` to a writer, handing it completed frames as they are
    /// done. The bytes are the same as [`Pickler::dumps`] gives.
    ///
    /// # Errors
    ///
    /// As [`Pickler::dumps`], plus I/O errors of the writer.
    pub fn dump<W: io::Write>(&mut self, graph: &Graph, mut writer: W) -> Result<()> {
        let mut saver = Saver::new(graph, self, Encoder::new(1 << 16));
        saver.dump(Some(&mut |out: &[u8]| {
            writer.write_all(out).map_err(Error::from)
        }))?;
        writer.flush().map_err(Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Items;

    #[test]
    fn size_hint_counts_a_shared_child_once() {
        let mut g = Graph::new();
        let big = g.add(Object::List(Items::from(vec![Value::Int(1); 1_000_000])));
        let root = g.add(Object::List(Items::from(vec![Value::Ref(big); 64])));
        g.set_root(Value::Ref(root));
        let hint = size_hint(&g);
        assert!(hint < 10_000_000, "{hint}");
        assert!(hint >= 9_000_000, "{hint}");
    }
}
