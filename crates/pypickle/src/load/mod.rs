//! The unpickler: bytes in, an object [`Graph`] out.
//!
//! [`Unpickler`] holds the options CPython's `Unpickler` takes (`encoding`,
//! `errors`, `fix_imports`, `persistent_load`, `buffers`) plus the loading
//! policy and resource limits. The machine that runs the opcodes lives in
//! `machine.rs`, what globals resolve to in `resolve.rs`, and input in
//! `read.rs`.

mod latin_text;
mod machine;
pub mod read;
mod resolve;
mod setstate;

use std::collections::HashMap;
use std::io;

use bytes::Bytes;

use crate::class::{FromGraph, FromPython, Registry};
use crate::error::Result;
use crate::value::{Graph, PyBytes, Value};
use machine::{Machine, Outcome};
use read::{IoRead, Read, SliceRead};

pub use resolve::Policy;

/// Resource limits for one load. A hostile pickle that exceeds one gets an
/// error of [`crate::Category::Limit`], never an abort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most MARKs open at once.
    pub max_marks: usize,
    /// The highest memo index a PUT may use.
    pub max_memo_index: u64,
    /// The most bytes the loaded objects may take, counted as the data of
    /// strs and bytes plus 16 bytes per container slot. Typed (serde)
    /// loading counts what it produces against the same limit, and against
    /// 16 times what the loaded graph holds (plus 1 MiB), so shared
    /// objects read many times cannot make a small pickle expand without
    /// bound.
    pub max_alloc: u64,
    /// The deepest nesting typed (serde) loading follows, like serde_json's
    /// recursion limit: a deep or cyclic pickle read into a recursive type
    /// gets an error, not a stack overflow. The dynamic loader does not
    /// recurse and ignores it.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_marks: 100_000,
            max_memo_index: u32::MAX as u64,
            max_alloc: 16 << 30,
            max_depth: 128,
        }
    }
}

/// A function that turns a persistent id into an object, as Python's
/// `Unpickler.persistent_load` does. It receives the graph being built and
/// the id, and returns the value to use.
pub type PersistentLoad = Box<dyn FnMut(&mut Graph, Value) -> Result<Value>>;

/// What to do with persistent ids (PERSID, BINPERSID).
#[derive(Default)]
pub enum Persistent {
    /// Fail, as CPython does when no `persistent_load` is defined.
    #[default]
    Refuse,
    /// Keep each id as an [`crate::Object::Persistent`] placeholder.
    Keep,
    /// Call a function to resolve each id.
    Call(PersistentLoad),
}

/// The options of one unpickler. Build one, then call [`Unpickler::loads`],
/// [`Unpickler::load`] or [`Unpickler::stream`].
///
/// ```
/// use pypickle::Unpickler;
/// // A Python 2 pickle of the str '\xe9', read as latin-1.
/// let g = Unpickler::new().encoding("latin1").loads(b"S'\\xe9'\np0\n.")?;
/// assert_eq!(g.to_string(), "'\u{e9}'");
/// # Ok::<(), pypickle::Error>(())
/// ```
pub struct Unpickler {
    pub(crate) policy: Policy,
    pub(crate) encoding: String,
    pub(crate) errors: String,
    pub(crate) fix_imports: bool,
    pub(crate) limits: Limits,
    pub(crate) persistent: Persistent,
    pub(crate) buffers: Option<std::vec::IntoIter<Vec<u8>>>,
    pub(crate) extensions: HashMap<i64, (String, String)>,
    pub(crate) registry: Registry,
    /// Record where str and bytes data lie in the input (zero-copy serde).
    pub(crate) record_spans: bool,
}

impl Default for Unpickler {
    fn default() -> Self {
        Unpickler::new()
    }
}

impl Unpickler {
    /// An unpickler with CPython's defaults (`encoding="ASCII"`,
    /// `errors="strict"`, `fix_imports=True`) and the strict policy.
    pub fn new() -> Self {
        Unpickler {
            policy: Policy::Strict,
            encoding: "ASCII".into(),
            errors: "strict".into(),
            fix_imports: true,
            limits: Limits::default(),
            persistent: Persistent::Refuse,
            buffers: None,
            extensions: HashMap::new(),
            registry: Registry::new(),
            record_spans: false,
        }
    }

    /// An unpickler in generic mode: any global becomes an inspectable
    /// [`crate::Object::Global`] and persistent ids are kept, so any pickle
    /// loads without running anything.
    pub fn generic() -> Self {
        let mut u = Unpickler::new();
        u.policy = Policy::Generic;
        u.persistent = Persistent::Keep;
        u
    }

    /// Sets the loading policy for globals.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// How Python 2 `str` data (STRING opcodes) is decoded: a codec name
    /// (`ASCII`, `latin1`, `utf-8`) or `bytes` to keep it as bytes.
    pub fn encoding(mut self, encoding: &str) -> Self {
        self.encoding = encoding.into();
        self
    }

    /// The error handler for [`Unpickler::encoding`]: `strict`, `ignore`,
    /// `replace`, `surrogateescape` or `backslashreplace`.
    pub fn errors(mut self, errors: &str) -> Self {
        self.errors = errors.into();
        self
    }

    /// Whether Python 2 module names are mapped to Python 3 ones in
    /// protocol 0-2 pickles (default true, as in CPython).
    pub fn fix_imports(mut self, fix: bool) -> Self {
        self.fix_imports = fix;
        self
    }

    /// Sets the resource limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets how persistent ids are handled.
    pub fn persistent(mut self, persistent: Persistent) -> Self {
        self.persistent = persistent;
        self
    }

    /// Resolves persistent ids with `f`, as Python's `persistent_load`.
    pub fn persistent_load(
        self,
        f: impl FnMut(&mut Graph, Value) -> Result<Value> + 'static,
    ) -> Self {
        self.persistent(Persistent::Call(Box::new(f)))
    }

    /// The out-of-band buffers that NEXT_BUFFER takes, in order.
    pub fn buffers(mut self, buffers: impl IntoIterator<Item = Vec<u8>>) -> Self {
        self.buffers = Some(buffers.into_iter().collect::<Vec<_>>().into_iter());
        self
    }

    /// Registers an extension code, as `copyreg.add_extension` does: EXT1,
    /// EXT2 and EXT4 with this code load the global `module.name`.
    pub fn extension(mut self, code: i64, module: &str, name: &str) -> Self {
        self.extensions.insert(code, (module.into(), name.into()));
        self
    }

    /// Registers the classes `T` rebuilds (itself, and the classes in its
    /// fields), so that a strict load accepts them: the Rust side of
    /// importing the class in Python.
    pub fn register<T: FromPython>(mut self) -> Self {
        T::register(&mut self.registry);
        self
    }

    /// Registers the class `module.name` for a strict load; it loads as a
    /// generic [`crate::Object::Instance`] of a [`crate::Object::Global`].
    pub fn register_class(mut self, module: &str, name: &str) -> Self {
        self.registry.add_class(module, name);
        self
    }

    /// Loads one pickle from a byte slice as a `T`, registering the classes
    /// `T` rebuilds first.
    ///
    /// # Errors
    ///
    /// As [`Unpickler::loads`], or when the data does not fit `T`.
    pub fn loads_as<T: FromPython>(&mut self, data: &[u8]) -> Result<T> {
        T::register(&mut self.registry);
        let graph = self.loads(data)?;
        FromGraph::new(&graph).root()
    }

    /// Loads one pickle from a stream as a `T`, registering the classes `T`
    /// rebuilds first.
    ///
    /// # Errors
    ///
    /// As [`Unpickler::load`], or when the data does not fit `T`.
    pub fn load_as<T: FromPython, R: io::BufRead>(&mut self, reader: R) -> Result<T> {
        T::register(&mut self.registry);
        let graph = self.load(reader)?;
        FromGraph::new(&graph).root()
    }

    /// Loads one pickle from a byte slice. Bytes after its STOP are ignored,
    /// as `pickle.loads` ignores them.
    ///
    /// # Errors
    ///
    /// Any malformed, truncated or refused input; see [`crate::Category`].
    pub fn loads(&mut self, data: &[u8]) -> Result<Graph> {
        self.load_from(&mut SliceRead::new(data))?
            .ok_or_else(|| crate::error::Error::at(crate::error::ErrorCode::EmptyInput, 0))
    }

    /// Loads one pickle from a shared buffer, such as a whole file read into
    /// memory. Bytes objects of 4 KiB and more become views into `data`
    /// instead of copies ([`PyBytes::is_shared`]), so a pickle of large
    /// arrays or blobs loads at little more than the cost of its other
    /// objects. A view keeps all of `data` alive; [`PyBytes::into_vec`]
    /// detaches one. Otherwise as [`Unpickler::loads`].
    ///
    /// Handed a buffer nothing else holds (a `Vec<u8>`, or a `Bytes` not
    /// cloned), the loader may also write to it: below protocol 3, where
    /// bytes travel as latin-1 text, each large one is decoded over its
    /// own text and becomes a view too, so no fresh memory is written for
    /// it. (Should bytes read as they are already be views of it, the
    /// buffer is left as it is.) The result is the same either way.
    ///
    /// [`PyBytes::is_shared`]: crate::PyBytes::is_shared
    /// [`PyBytes::into_vec`]: crate::PyBytes::into_vec
    ///
    /// ```
    /// use pypickle::{Graph, Object, Unpickler};
    /// let mut g = Graph::new();
    /// let blob = g.bytes(vec![7u8; 5000]);
    /// g.set_root(blob);
    /// let data: Vec<u8> = pypickle::dumps(&g, 4).unwrap();
    /// // As a file read into memory would be:
    /// let g = Unpickler::new().loads_shared(data).unwrap();
    /// let Some(Object::Bytes(b)) = g.resolve(g.root()) else { panic!() };
    /// assert!(b.is_shared());
    /// assert_eq!(b.len(), 5000);
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Unpickler::loads`].
    pub fn loads_shared(&mut self, data: impl Into<Bytes>) -> Result<Graph> {
        let data = data.into();
        let graph = if data.is_unique() {
            self.load_splitting(data)?
        } else {
            self.load_from(&mut SliceRead::shared(&data))?
        };
        graph.ok_or_else(|| crate::error::Error::at(crate::error::ErrorCode::EmptyInput, 0))
    }

    /// `loads_shared` of a buffer nothing else holds. Protocols 0-2 carry
    /// bytes as latin-1 text (see `latin_text`); each text of 4 KiB and
    /// more that goes into such a call is split off the buffer and decoded
    /// over itself, and its bytes object is a view of the result. Writing
    /// no fresh memory, this loads 64 MB of bytes about twice as fast on a
    /// machine whose page faults are slow.
    ///
    /// The machine stops before each such text; the text is split off
    /// (the buffer's parts stay one allocation, each part writable on its
    /// own), and the machine goes on from the rest. Views made before the
    /// first text (bytes of 4 KiB and more read as they are) share the
    /// buffer, which then cannot be written: that load reads the text as
    /// any other load does.
    fn load_splitting(&mut self, data: Bytes) -> Result<Option<Graph>> {
        let mut machine = Machine::new(self);
        let mut input = SliceRead::splitting(&data, Some(&data), 0);
        let outcome = machine.begin(&mut input)?;
        let Outcome::SplitText(mut len) = outcome else {
            return machine.run_on(&mut input, outcome);
        };
        let used = input.position();
        let mut rest = match data.try_into_mut() {
            Ok(rest) => rest,
            Err(data) => {
                let mut input = SliceRead::shared_from(&data, used);
                return machine.run_on(&mut input, outcome);
            }
        };
        let _ = rest.split_to(used);
        let mut base = used as u64;
        loop {
            // The machine stops only before a text that is there whole.
            let len_here = usize::try_from(len).unwrap_or(usize::MAX).min(rest.len());
            let mut text = rest.split_to(len_here);
            match crate::latin1::decode_in_place(&mut text) {
                Some(decoded) => {
                    text.truncate(decoded);
                    machine.take_split_text(Some(PyBytes::from(text.freeze())), &[])?;
                }
                None => machine.take_split_text(None, &text)?,
            }
            base += len_here as u64;
            let mut input = SliceRead::splitting(&rest, None, base);
            let outcome = machine.resume(&mut input)?;
            let Outcome::SplitText(next) = outcome else {
                return machine.run_on(&mut input, outcome);
            };
            let used = input.position();
            let _ = rest.split_to(used);
            base += used as u64;
            len = next;
        }
    }

    /// Loads one pickle from a buffered stream, consuming exactly its bytes.
    ///
    /// # Errors
    ///
    /// As [`Unpickler::loads`]; an empty stream is an EOF error.
    pub fn load<R: io::BufRead>(&mut self, reader: R) -> Result<Graph> {
        self.load_from(&mut IoRead::new(reader))?
            .ok_or_else(|| crate::error::Error::at(crate::error::ErrorCode::EmptyInput, 0))
    }

    /// Reads pickles one after another from a buffered stream until a clean
    /// end of file. A stream cut off inside a pickle yields an EOF error.
    ///
    /// ```
    /// use pypickle::Unpickler;
    /// let data: &[u8] = b"K\x01.K\x02.";
    /// let mut u = Unpickler::new();
    /// let roots: Vec<String> = u.stream(data).map(|g| g.unwrap().to_string()).collect();
    /// assert_eq!(roots, ["1", "2"]);
    /// ```
    pub fn stream<R: io::BufRead>(&mut self, reader: R) -> Stream<'_, IoRead<R>> {
        Stream {
            unpickler: self,
            input: IoRead::new(reader),
            failed: false,
        }
    }

    /// Reads pickles one after another from a byte slice until its end.
    pub fn stream_slice<'a>(&'a mut self, data: &'a [u8]) -> Stream<'a, SliceRead<'a>> {
        Stream {
            unpickler: self,
            input: SliceRead::new(data),
            failed: false,
        }
    }

    /// Runs one pickle; `Ok(None)` at a clean end of input.
    pub(crate) fn load_from<'de, R: Read<'de>>(&mut self, input: &mut R) -> Result<Option<Graph>> {
        Machine::new(self).run(input)
    }
}

/// An iterator over the pickles of one stream; see [`Unpickler::stream`].
pub struct Stream<'u, R> {
    unpickler: &'u mut Unpickler,
    input: R,
    failed: bool,
}

impl<'de, R: Read<'de>> Stream<'_, R> {
    /// The number of bytes consumed so far: where the next pickle starts.
    pub fn byte_offset(&self) -> u64 {
        self.input.offset()
    }
}

impl<'de, R: Read<'de>> Iterator for Stream<'_, R> {
    type Item = Result<Graph>;

    fn next(&mut self) -> Option<Result<Graph>> {
        if self.failed {
            return None;
        }
        let result = self.unpickler.load_from(&mut self.input).transpose();
        self.failed = matches!(result, Some(Err(_)));
        result
    }
}
