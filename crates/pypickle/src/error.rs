//! The error type: what went wrong, and where in the input it happened.

use std::fmt;
use std::io;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from loading or dumping a pickle.
///
/// It knows what went wrong ([`Error::classify`]), the byte offset in the
/// input where it happened ([`Error::offset`]) and, when loading, the opcode
/// being executed. `Display` gives one line, for example
/// `unpickling stack underflow at byte 3 (opcode APPEND)`.
// One boxed pointer keeps `Result<Value>` small on the hot path.
pub struct Error(Box<ErrorImpl>);

struct ErrorImpl {
    code: ErrorCode,
    offset: Option<u64>,
    opcode: Option<&'static str>,
}

/// The broad class of an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// Reading or writing the underlying stream failed.
    Io,
    /// The input ended inside a pickle.
    Eof,
    /// The bytes are not a well-formed pickle: unknown opcode, bad argument,
    /// stack or mark misuse.
    Syntax,
    /// The pickle is well formed but its content is invalid: a bad value for
    /// an operation (unhashable key, wrong argument types, bad text).
    Data,
    /// A configured resource limit was exceeded.
    Limit,
    /// The loading policy refused a global, extension or buffer.
    Policy,
    /// A value cannot be pickled at the requested protocol.
    Pickling,
}

/// What went wrong. Private: callers use [`Error::classify`] and `Display`.
#[derive(Debug)]
pub(crate) enum ErrorCode {
    Io(io::Error),
    /// Input ended where more bytes were needed.
    Truncated,
    /// The stream was empty where a pickle should start.
    EmptyInput,
    UnknownOpcode(u8),
    UnsupportedProtocol(i64),
    StackUnderflow,
    MarkNotFound,
    UnexpectedMark,
    MemoKeyMissing(i64),
    /// An argument line or text could not be parsed; the message is CPython's.
    BadText(String),
    /// A value of the wrong kind for an operation, in CPython's words.
    TypeMismatch(String),
    Unhashable(String),
    /// A global the loading policy does not know, in CPython's words.
    UnknownGlobal {
        module: String,
        name: String,
    },
    UnregisteredExtension(i64),
    PersistentIdRefused,
    NoBuffers,
    BuffersExhausted,
    DepthLimit(usize),
    MemoLimit(usize),
    AllocationLimit(u64),
    /// The value cannot be written at this protocol, in CPython's words.
    Unpicklable(String),
    /// A custom message from a hook (persistent load, class registry).
    Custom(String),
    /// Typed data does not fit the Python value (serde): the message names
    /// the Python type or value and what was expected.
    Mismatch(String),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorCode::*;
        match self {
            Io(e) => write!(f, "I/O error: {e}"),
            Truncated => f.write_str("pickle data was truncated"),
            EmptyInput => f.write_str("ran out of input"),
            UnknownOpcode(b) => {
                if b.is_ascii_graphic() {
                    write!(f, "invalid load key, '{}'", *b as char)
                } else {
                    write!(f, "invalid load key, '\\x{b:02x}'")
                }
            }
            UnsupportedProtocol(p) => write!(f, "unsupported pickle protocol: {p}"),
            StackUnderflow => f.write_str("unpickling stack underflow"),
            MarkNotFound => f.write_str("could not find MARK"),
            UnexpectedMark => f.write_str("unexpected MARK found"),
            MemoKeyMissing(k) => write!(f, "Memo value not found at index {k}"),
            BadText(m) | TypeMismatch(m) | Unhashable(m) | Unpicklable(m) | Custom(m) | Mismatch(m) => {
                f.write_str(m)
            }
            UnknownGlobal { module, name } => {
                write!(f, "Can't get attribute '{name}' on <module '{module}'>")
            }
            UnregisteredExtension(c) => write!(f, "unregistered extension code {c}"),
            PersistentIdRefused => f.write_str(
                "A load persistent id instruction was encountered, but no persistent_load function was specified.",
            ),
            NoBuffers => f.write_str(
                "pickle stream refers to out-of-band data but no *buffers* argument was given",
            ),
            BuffersExhausted => f.write_str("not enough out-of-band buffers"),
            DepthLimit(n) => write!(f, "nesting depth limit of {n} exceeded"),
            MemoLimit(n) => write!(f, "memo size limit of {n} entries exceeded"),
            AllocationLimit(n) => write!(f, "allocation limit of {n} bytes exceeded"),
        }
    }
}

impl Error {
    #[cold]
    pub(crate) fn new(code: ErrorCode) -> Self {
        Error(Box::new(ErrorImpl {
            code,
            offset: None,
            opcode: None,
        }))
    }

    #[cold]
    pub(crate) fn at(code: ErrorCode, offset: u64) -> Self {
        Error::new(code).with_offset(offset)
    }

    /// Attach the byte offset unless one is already known.
    #[cold]
    pub(crate) fn with_offset(mut self, offset: u64) -> Self {
        self.0.offset.get_or_insert(offset);
        self
    }

    /// Attach the opcode name unless one is already known.
    #[cold]
    pub(crate) fn with_opcode(mut self, name: &'static str) -> Self {
        self.0.opcode.get_or_insert(name);
        self
    }

    /// An error with a caller-supplied message, for hooks such as a
    /// persistent-load function or a class's rebuild method.
    #[cold]
    pub fn custom(message: impl fmt::Display) -> Self {
        Error::new(ErrorCode::Custom(message.to_string()))
    }

    /// An error saying that a value cannot be pickled, for
    /// [`crate::dump::Pickler`] hooks and types that refuse pickling.
    #[cold]
    pub fn unpicklable(message: impl fmt::Display) -> Self {
        Error::new(ErrorCode::Unpicklable(message.to_string()))
    }

    /// An error saying that a Python value does not fit the typed data it is
    /// read into, for example `invalid type: Python str, expected u32`.
    #[cold]
    pub fn mismatch(message: impl fmt::Display) -> Self {
        Error::new(ErrorCode::Mismatch(message.to_string()))
    }

    /// An error saying that nesting went deeper than `limit`.
    #[cold]
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn depth_limit(limit: usize) -> Self {
        Error::new(ErrorCode::DepthLimit(limit))
    }

    /// An error saying that loading would allocate more than `limit` bytes.
    #[cold]
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn allocation_limit(limit: u64) -> Self {
        Error::new(ErrorCode::AllocationLimit(limit))
    }

    /// The broad class of this error.
    pub fn classify(&self) -> Category {
        use ErrorCode::*;
        match &self.0.code {
            Io(_) => Category::Io,
            Truncated | EmptyInput => Category::Eof,
            UnknownOpcode(_)
            | UnsupportedProtocol(_)
            | StackUnderflow
            | MarkNotFound
            | UnexpectedMark
            | MemoKeyMissing(_) => Category::Syntax,
            BadText(_) | TypeMismatch(_) | Unhashable(_) | Custom(_) | Mismatch(_) => {
                Category::Data
            }
            UnknownGlobal { .. }
            | UnregisteredExtension(_)
            | PersistentIdRefused
            | NoBuffers
            | BuffersExhausted => Category::Policy,
            DepthLimit(_) | MemoLimit(_) | AllocationLimit(_) => Category::Limit,
            Unpicklable(_) => Category::Pickling,
        }
    }

    /// True when the input ended inside a pickle (CPython's `EOFError` or
    /// "pickle data was truncated").
    pub fn is_eof(&self) -> bool {
        self.classify() == Category::Eof
    }

    /// True for I/O failures of the underlying stream.
    pub fn is_io(&self) -> bool {
        self.classify() == Category::Io
    }

    /// The byte offset in the input where the error happened, when known.
    pub fn offset(&self) -> Option<u64> {
        self.0.offset
    }

    /// The name of the opcode being executed, when known.
    pub fn opcode(&self) -> Option<&'static str> {
        self.0.opcode
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.code, f)?;
        if let Some(offset) = self.0.offset {
            write!(f, " at byte {offset}")?;
        }
        if let Some(op) = self.0.opcode {
            write!(f, " (opcode {op})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: \"{}\")", self.classify(), self)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.code {
            ErrorCode::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    #[cold]
    fn from(e: io::Error) -> Self {
        Error::new(ErrorCode::Io(e))
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        let kind = match e.classify() {
            Category::Eof => io::ErrorKind::UnexpectedEof,
            Category::Io => {
                if let ErrorCode::Io(inner) = &e.0.code {
                    inner.kind()
                } else {
                    io::ErrorKind::Other
                }
            }
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}
