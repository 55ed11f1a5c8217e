//! The opcode table: every pickle opcode's byte, name, argument format,
//! stack effect and protocol, written down once.
//!
//! This is the Rust counterpart of the `opcodes` list in CPython's
//! `Lib/pickletools.py`, which calls itself "executable documentation" of the
//! pickle virtual machine. Everything else in the crate (the decoder, the
//! encoder, `dis`) consults [`OPCODES`] through [`Opcode::info`] instead of
//! spelling out bytes, names or opcode families itself; ask the [`Flags`] of an
//! opcode rather than testing its name.
//!
//! ```
//! use pypickle::opcode::{ArgKind, Counted, FixedInt, Flags, Opcode};
//!
//! let op = Opcode::from_u8(0x8c).unwrap();
//! assert_eq!(op, Opcode::ShortBinUnicode);
//! let info = op.info();
//! assert_eq!((info.name, info.proto), ("SHORT_BINUNICODE", 4));
//! let Some(ArgKind::Counted(counted)) = info.arg else { unreachable!() };
//! assert_eq!(counted.prefix(), FixedInt::Uint1);
//! assert_eq!(counted.name(), "unicodestring1");
//!
//! assert!(Opcode::BinPut.info().flags.contains(Flags::MEMO_PUT));
//! assert_eq!(Opcode::from_u8(0xff), None);
//! ```

use core::fmt;
use core::ops::BitOr;

/// A fixed-width little-endian integer, as an opcode argument or as the
/// length prefix of [`Counted`] data.
///
/// Only the five layouts that pickle uses exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FixedInt {
    /// One unsigned byte (`uint1`).
    Uint1,
    /// Two bytes, unsigned (`uint2`).
    Uint2,
    /// Four bytes, signed two's complement (`int4`).
    Int4,
    /// Four bytes, unsigned (`uint4`).
    Uint4,
    /// Eight bytes, unsigned (`uint8`).
    Uint8,
}

impl FixedInt {
    /// The width in bytes.
    pub const fn width(self) -> usize {
        match self {
            FixedInt::Uint1 => 1,
            FixedInt::Uint2 => 2,
            FixedInt::Int4 | FixedInt::Uint4 => 4,
            FixedInt::Uint8 => 8,
        }
    }

    /// Whether the integer is signed (two's complement).
    pub const fn is_signed(self) -> bool {
        matches!(self, FixedInt::Int4)
    }

    /// The pickletools argument-descriptor name, such as `"uint1"`.
    pub const fn name(self) -> &'static str {
        match self {
            FixedInt::Uint1 => "uint1",
            FixedInt::Uint2 => "uint2",
            FixedInt::Int4 => "int4",
            FixedInt::Uint4 => "uint4",
            FixedInt::Uint8 => "uint8",
        }
    }
}

/// Text running up to and including a `\n`: the protocol 0 argument formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Line {
    /// A decimal integer, as for `INT`, `GET` and `PUT` (`decimalnl_short`).
    /// `INT` also reads `00` and `01` as `False` and `True`.
    Decimal,
    /// A decimal integer with an optional trailing `L`, as for `LONG`
    /// (`decimalnl_long`).
    Long,
    /// A float in `repr` form, as for `FLOAT` (`floatnl`).
    Float,
    /// A quoted, backslash-escaped string literal, as for `STRING`
    /// (`stringnl`).
    Quoted,
    /// Text in Python's `raw-unicode-escape` encoding, as for `UNICODE`
    /// (`unicodestringnl`).
    RawUnicodeEscape,
    /// A line of ASCII, as for `PERSID` (`stringnl_noescape`).
    Ascii,
    /// Two UTF-8 lines, a module name then a qualified name, as for `GLOBAL`
    /// and `INST` (`stringnl_noescape_pair`).
    ModuleAndName,
}

impl Line {
    /// The pickletools argument-descriptor name, such as `"floatnl"`.
    pub const fn name(self) -> &'static str {
        match self {
            Line::Decimal => "decimalnl_short",
            Line::Long => "decimalnl_long",
            Line::Float => "floatnl",
            Line::Quoted => "stringnl",
            Line::RawUnicodeEscape => "unicodestringnl",
            Line::Ascii => "stringnl_noescape",
            Line::ModuleAndName => "stringnl_noescape_pair",
        }
    }
}

/// What the data behind a length prefix means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Payload {
    /// A little-endian two's-complement integer; zero bytes mean `0`.
    Long,
    /// A Python 2 `str`: 8-bit data that the unpickler decodes with its
    /// `encoding`, or keeps as `bytes`.
    Py2Str,
    /// A `bytes` object.
    Bytes,
    /// A `bytearray` object.
    ByteArray,
    /// A `str` encoded as UTF-8 (with surrogates passed through).
    Utf8,
}

/// A length-prefixed argument: a [`FixedInt`] length, then that many bytes of
/// [`Payload`].
///
/// Each variant is one pickletools argument descriptor, so only the
/// combinations that pickle uses exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Counted {
    /// `long1`: a one-byte length, then a two's-complement integer.
    Long1,
    /// `long4`: a signed four-byte length, then a two's-complement integer.
    Long4,
    /// `string1`: a one-byte length, then a Python 2 `str`.
    String1,
    /// `string4`: a signed four-byte length, then a Python 2 `str`.
    String4,
    /// `bytes1`: a one-byte length, then `bytes`.
    Bytes1,
    /// `bytes4`: an unsigned four-byte length, then `bytes`.
    Bytes4,
    /// `bytes8`: an eight-byte length, then `bytes`.
    Bytes8,
    /// `bytearray8`: an eight-byte length, then a `bytearray`.
    ByteArray8,
    /// `unicodestring1`: a one-byte length, then UTF-8 text.
    Unicode1,
    /// `unicodestring4`: an unsigned four-byte length, then UTF-8 text.
    Unicode4,
    /// `unicodestring8`: an eight-byte length, then UTF-8 text.
    Unicode8,
}

impl Counted {
    /// The format of the length prefix.
    pub const fn prefix(self) -> FixedInt {
        match self {
            Counted::Long1 | Counted::String1 | Counted::Bytes1 | Counted::Unicode1 => {
                FixedInt::Uint1
            }
            Counted::Long4 | Counted::String4 => FixedInt::Int4,
            Counted::Bytes4 | Counted::Unicode4 => FixedInt::Uint4,
            Counted::Bytes8 | Counted::ByteArray8 | Counted::Unicode8 => FixedInt::Uint8,
        }
    }

    /// What the data after the prefix is.
    pub const fn payload(self) -> Payload {
        match self {
            Counted::Long1 | Counted::Long4 => Payload::Long,
            Counted::String1 | Counted::String4 => Payload::Py2Str,
            Counted::Bytes1 | Counted::Bytes4 | Counted::Bytes8 => Payload::Bytes,
            Counted::ByteArray8 => Payload::ByteArray,
            Counted::Unicode1 | Counted::Unicode4 | Counted::Unicode8 => Payload::Utf8,
        }
    }

    /// The pickletools argument-descriptor name, such as `"bytes4"`.
    pub const fn name(self) -> &'static str {
        match self {
            Counted::Long1 => "long1",
            Counted::Long4 => "long4",
            Counted::String1 => "string1",
            Counted::String4 => "string4",
            Counted::Bytes1 => "bytes1",
            Counted::Bytes4 => "bytes4",
            Counted::Bytes8 => "bytes8",
            Counted::ByteArray8 => "bytearray8",
            Counted::Unicode1 => "unicodestring1",
            Counted::Unicode4 => "unicodestring4",
            Counted::Unicode8 => "unicodestring8",
        }
    }
}

/// The format of an opcode's inline argument (pickletools'
/// `ArgumentDescriptor`), for opcodes that have one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// A fixed-width little-endian integer.
    Int(FixedInt),
    /// An IEEE 754 double in 8 big-endian bytes (`float8`, for `BINFLOAT`).
    Float8,
    /// Text up to and including a newline.
    Line(Line),
    /// A length prefix, then that many bytes of data.
    Counted(Counted),
}

impl ArgKind {
    /// The pickletools argument-descriptor name, such as `"uint1"`,
    /// `"decimalnl_short"` or `"unicodestring4"`.
    pub const fn name(self) -> &'static str {
        match self {
            ArgKind::Int(int) => int.name(),
            ArgKind::Float8 => "float8",
            ArgKind::Line(line) => line.name(),
            ArgKind::Counted(counted) => counted.name(),
        }
    }

    /// The argument's length in bytes if it is fixed, or `None` if it runs to
    /// a newline or is length-prefixed.
    pub const fn fixed_len(self) -> Option<usize> {
        match self {
            ArgKind::Int(int) => Some(int.width()),
            ArgKind::Float8 => Some(8),
            ArgKind::Line(_) | ArgKind::Counted(_) => None,
        }
    }
}

/// A kind of object on the unpickling stack (pickletools' `StackObject`),
/// used to describe an opcode's stack effect.
///
/// Besides Python types there are two pseudo-objects: [`StackObject::MARK`],
/// which `MARK` pushes, and [`StackObject::STACKSLICE`], which stands for
/// everything above the topmost mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StackObject {
    /// The pickletools name, such as `"int"` or `"mark"`.
    pub name: &'static str,
    /// A one-line description.
    pub doc: &'static str,
}

macro_rules! stack_objects {
    ($($konst:ident = $name:literal, $doc:literal;)*) => {
        impl StackObject {
            $(
                #[doc = concat!("`", $name, "`: ", $doc)]
                pub const $konst: StackObject = StackObject { name: $name, doc: $doc };
            )*
        }
    };
}

stack_objects! {
    INT = "int", "A Python integer object.";
    INT_OR_BOOL = "int_or_bool", "A Python integer or boolean object.";
    BOOL = "bool", "A Python boolean object.";
    FLOAT = "float", "A Python float object.";
    BYTES_OR_STR = "bytes_or_str", "A Python bytes or (Unicode) string object.";
    BYTES = "bytes", "A Python bytes object.";
    BYTEARRAY = "bytearray", "A Python bytearray object.";
    STR = "str", "A Python (Unicode) string object.";
    NONE = "None", "The Python None object.";
    TUPLE = "tuple", "A Python tuple object.";
    LIST = "list", "A Python list object.";
    DICT = "dict", "A Python dict object.";
    SET = "set", "A Python set object.";
    FROZENSET = "frozenset", "A Python frozenset object.";
    BUFFER = "buffer", "A Python buffer-like object.";
    ANY = "any", "Any kind of object whatsoever.";
    MARK = "mark", "'The mark' is a unique object.";
    STACKSLICE = "stackslice", "An object representing a contiguous slice of the stack.";
}

/// Properties of an opcode that code elsewhere tests instead of opcode names:
/// a small set of bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(u16);

impl Flags {
    /// No flags.
    pub const NONE: Flags = Flags(0);
    /// Stores the stack top in the memo (`PUT`, `BINPUT`, `LONG_BINPUT`,
    /// `MEMOIZE`).
    pub const MEMO_PUT: Flags = Flags(1 << 0);
    /// Pushes an object from the memo (`GET`, `BINGET`, `LONG_BINGET`).
    pub const MEMO_GET: Flags = Flags(1 << 1);
    /// Pops everything down to and including the topmost mark.
    pub const CONSUMES_MARK: Flags = Flags(1 << 2);
    /// Pushes a mark (`MARK`).
    pub const PUSHES_MARK: Flags = Flags(1 << 3);
    /// Announces a frame (`FRAME`).
    pub const FRAME: Flags = Flags(1 << 4);
    /// Imports a global by name or extension code (`GLOBAL`, `STACK_GLOBAL`,
    /// `INST`, `EXT1`, `EXT2`, `EXT4`).
    pub const GLOBAL: Flags = Flags(1 << 5);
    /// Runs Python code when unpickled by CPython: calls a callable or
    /// `__setstate__` (`REDUCE`, `BUILD`, `NEWOBJ`, `NEWOBJ_EX`, `INST`, `OBJ`).
    pub const CALLS: Flags = Flags(1 << 6);
    /// Resolves a persistent ID through the unpickler (`PERSID`,
    /// `BINPERSID`).
    pub const PERSISTENT: Flags = Flags(1 << 7);
    /// Works with out-of-band buffers (`NEXT_BUFFER`, `READONLY_BUFFER`).
    pub const BUFFER: Flags = Flags(1 << 8);

    const NAMED: [(Flags, &'static str); 9] = [
        (Flags::MEMO_PUT, "MEMO_PUT"),
        (Flags::MEMO_GET, "MEMO_GET"),
        (Flags::CONSUMES_MARK, "CONSUMES_MARK"),
        (Flags::PUSHES_MARK, "PUSHES_MARK"),
        (Flags::FRAME, "FRAME"),
        (Flags::GLOBAL, "GLOBAL"),
        (Flags::CALLS, "CALLS"),
        (Flags::PERSISTENT, "PERSISTENT"),
        (Flags::BUFFER, "BUFFER"),
    ];

    /// Whether every flag in `other` is set in `self`.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether `self` and `other` have a flag in common.
    pub const fn intersects(self, other: Flags) -> bool {
        self.0 & other.0 != 0
    }

    /// The flags set in either `self` or `other`.
    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// Whether no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for Flags {
    type Output = Flags;

    fn bitor(self, other: Flags) -> Flags {
        self.union(other)
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Flags(")?;
        let mut sep = "";
        for (flag, name) in Flags::NAMED {
            if self.contains(flag) {
                write!(f, "{sep}{name}")?;
                sep = " | ";
            }
        }
        if self.is_empty() {
            f.write_str("NONE")?;
        }
        f.write_str(")")
    }
}

/// Everything known about one opcode (pickletools' `OpcodeInfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpcodeInfo {
    /// The pickletools name, such as `"SHORT_BINUNICODE"`.
    pub name: &'static str,
    /// The opcode byte.
    pub code: u8,
    /// The opcode as an enum; `opcode as u8 == code`.
    pub opcode: Opcode,
    /// The inline argument's format, or `None` if the opcode has none.
    pub arg: Option<ArgKind>,
    /// The top of the stack that the opcode consumes, deepest first.
    pub stack_before: &'static [StackObject],
    /// The top of the stack that the opcode leaves, deepest first.
    pub stack_after: &'static [StackObject],
    /// The protocol that introduced the opcode.
    pub proto: u8,
    /// Properties tested elsewhere instead of names.
    pub flags: Flags,
    /// pickletools' one-line summary, as `pickletools.dis(..., annotate=...)`
    /// prints it.
    pub doc: &'static str,
}

/// Declares [`Opcode`] and the table behind [`OPCODES`] from one list, so
/// each opcode's byte is written exactly once.
macro_rules! opcodes {
    ($(
        $variant:ident {
            name: $name:literal, code: $code:literal, proto: $proto:literal, arg: $arg:expr,
            stack: [$($before:ident),*] -> [$($after:ident),*], flags: [$($flag:ident),*],
            doc: $doc:literal,
        }
    )*) => {
        /// A pickle opcode. The discriminant is the opcode byte.
        ///
        /// The variants are in pickletools order; [`Opcode::info`] gives the
        /// rest of the opcode's description.
        #[repr(u8)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Opcode {
            $(
                #[doc = concat!(
                    "`", $name, "` (`", stringify!($code), "`, protocol ", $proto, "): ", $doc
                )]
                $variant = $code,
            )*
        }

        impl Opcode {
            /// The opcode encoded by byte `b`, or `None` if `b` is not an
            /// opcode. A match, which the compiler folds into a match on
            /// the opcode that follows.
            #[inline(always)]
            pub const fn from_u8(b: u8) -> Option<Opcode> {
                match b {
                    $($code => Some(Opcode::$variant),)*
                    _ => None,
                }
            }
        }

        const TABLE: [OpcodeInfo; 68] = [$(
            OpcodeInfo {
                name: $name,
                code: $code,
                opcode: Opcode::$variant,
                arg: $arg,
                stack_before: &[$(StackObject::$before),*],
                stack_after: &[$(StackObject::$after),*],
                proto: $proto,
                flags: Flags::NONE$(.union(Flags::$flag))*,
                doc: $doc,
            },
        )*];
    };
}

opcodes! {
    Int {
        name: "INT", code: b'I', proto: 0, arg: Some(ArgKind::Line(Line::Decimal)),
        stack: [] -> [INT_OR_BOOL], flags: [],
        doc: "Push an integer or bool.",
    }
    BinInt {
        name: "BININT", code: b'J', proto: 1, arg: Some(ArgKind::Int(FixedInt::Int4)),
        stack: [] -> [INT], flags: [],
        doc: "Push a four-byte signed integer.",
    }
    BinInt1 {
        name: "BININT1", code: b'K', proto: 1, arg: Some(ArgKind::Int(FixedInt::Uint1)),
        stack: [] -> [INT], flags: [],
        doc: "Push a one-byte unsigned integer.",
    }
    BinInt2 {
        name: "BININT2", code: b'M', proto: 1, arg: Some(ArgKind::Int(FixedInt::Uint2)),
        stack: [] -> [INT], flags: [],
        doc: "Push a two-byte unsigned integer.",
    }
    Long {
        name: "LONG", code: b'L', proto: 0, arg: Some(ArgKind::Line(Line::Long)),
        stack: [] -> [INT], flags: [],
        doc: "Push a long integer.",
    }
    Long1 {
        name: "LONG1", code: b'\x8a', proto: 2, arg: Some(ArgKind::Counted(Counted::Long1)),
        stack: [] -> [INT], flags: [],
        doc: "Long integer using one-byte length.",
    }
    Long4 {
        name: "LONG4", code: b'\x8b', proto: 2, arg: Some(ArgKind::Counted(Counted::Long4)),
        stack: [] -> [INT], flags: [],
        doc: "Long integer using found-byte length.",
    }
    String {
        name: "STRING", code: b'S', proto: 0, arg: Some(ArgKind::Line(Line::Quoted)),
        stack: [] -> [BYTES_OR_STR], flags: [],
        doc: "Push a Python string object.",
    }
    BinString {
        name: "BINSTRING", code: b'T', proto: 1, arg: Some(ArgKind::Counted(Counted::String4)),
        stack: [] -> [BYTES_OR_STR], flags: [],
        doc: "Push a Python string object.",
    }
    ShortBinString {
        name: "SHORT_BINSTRING", code: b'U', proto: 1, arg: Some(ArgKind::Counted(Counted::String1)),
        stack: [] -> [BYTES_OR_STR], flags: [],
        doc: "Push a Python string object.",
    }
    BinBytes {
        name: "BINBYTES", code: b'B', proto: 3, arg: Some(ArgKind::Counted(Counted::Bytes4)),
        stack: [] -> [BYTES], flags: [],
        doc: "Push a Python bytes object.",
    }
    ShortBinBytes {
        name: "SHORT_BINBYTES", code: b'C', proto: 3, arg: Some(ArgKind::Counted(Counted::Bytes1)),
        stack: [] -> [BYTES], flags: [],
        doc: "Push a Python bytes object.",
    }
    BinBytes8 {
        name: "BINBYTES8", code: b'\x8e', proto: 4, arg: Some(ArgKind::Counted(Counted::Bytes8)),
        stack: [] -> [BYTES], flags: [],
        doc: "Push a Python bytes object.",
    }
    ByteArray8 {
        name: "BYTEARRAY8", code: b'\x96', proto: 5, arg: Some(ArgKind::Counted(Counted::ByteArray8)),
        stack: [] -> [BYTEARRAY], flags: [],
        doc: "Push a Python bytearray object.",
    }
    NextBuffer {
        name: "NEXT_BUFFER", code: b'\x97', proto: 5, arg: None,
        stack: [] -> [BUFFER], flags: [BUFFER],
        doc: "Push an out-of-band buffer object.",
    }
    ReadOnlyBuffer {
        name: "READONLY_BUFFER", code: b'\x98', proto: 5, arg: None,
        stack: [BUFFER] -> [BUFFER], flags: [BUFFER],
        doc: "Make an out-of-band buffer object read-only.",
    }
    None {
        name: "NONE", code: b'N', proto: 0, arg: None,
        stack: [] -> [NONE], flags: [],
        doc: "Push None on the stack.",
    }
    NewTrue {
        name: "NEWTRUE", code: b'\x88', proto: 2, arg: None,
        stack: [] -> [BOOL], flags: [],
        doc: "Push True onto the stack.",
    }
    NewFalse {
        name: "NEWFALSE", code: b'\x89', proto: 2, arg: None,
        stack: [] -> [BOOL], flags: [],
        doc: "Push False onto the stack.",
    }
    Unicode {
        name: "UNICODE", code: b'V', proto: 0, arg: Some(ArgKind::Line(Line::RawUnicodeEscape)),
        stack: [] -> [STR], flags: [],
        doc: "Push a Python Unicode string object.",
    }
    ShortBinUnicode {
        name: "SHORT_BINUNICODE", code: b'\x8c', proto: 4, arg: Some(ArgKind::Counted(Counted::Unicode1)),
        stack: [] -> [STR], flags: [],
        doc: "Push a Python Unicode string object.",
    }
    BinUnicode {
        name: "BINUNICODE", code: b'X', proto: 1, arg: Some(ArgKind::Counted(Counted::Unicode4)),
        stack: [] -> [STR], flags: [],
        doc: "Push a Python Unicode string object.",
    }
    BinUnicode8 {
        name: "BINUNICODE8", code: b'\x8d', proto: 4, arg: Some(ArgKind::Counted(Counted::Unicode8)),
        stack: [] -> [STR], flags: [],
        doc: "Push a Python Unicode string object.",
    }
    Float {
        name: "FLOAT", code: b'F', proto: 0, arg: Some(ArgKind::Line(Line::Float)),
        stack: [] -> [FLOAT], flags: [],
        doc: "Newline-terminated decimal float literal.",
    }
    BinFloat {
        name: "BINFLOAT", code: b'G', proto: 1, arg: Some(ArgKind::Float8),
        stack: [] -> [FLOAT], flags: [],
        doc: "Float stored in binary form, with 8 bytes of data.",
    }
    EmptyList {
        name: "EMPTY_LIST", code: b']', proto: 1, arg: None,
        stack: [] -> [LIST], flags: [],
        doc: "Push an empty list.",
    }
    Append {
        name: "APPEND", code: b'a', proto: 0, arg: None,
        stack: [LIST, ANY] -> [LIST], flags: [],
        doc: "Append an object to a list.",
    }
    Appends {
        name: "APPENDS", code: b'e', proto: 1, arg: None,
        stack: [LIST, MARK, STACKSLICE] -> [LIST], flags: [CONSUMES_MARK],
        doc: "Extend a list by a slice of stack objects.",
    }
    List {
        name: "LIST", code: b'l', proto: 0, arg: None,
        stack: [MARK, STACKSLICE] -> [LIST], flags: [CONSUMES_MARK],
        doc: "Build a list out of the topmost stack slice, after markobject.",
    }
    EmptyTuple {
        name: "EMPTY_TUPLE", code: b')', proto: 1, arg: None,
        stack: [] -> [TUPLE], flags: [],
        doc: "Push an empty tuple.",
    }
    Tuple {
        name: "TUPLE", code: b't', proto: 0, arg: None,
        stack: [MARK, STACKSLICE] -> [TUPLE], flags: [CONSUMES_MARK],
        doc: "Build a tuple out of the topmost stack slice, after markobject.",
    }
    Tuple1 {
        name: "TUPLE1", code: b'\x85', proto: 2, arg: None,
        stack: [ANY] -> [TUPLE], flags: [],
        doc: "Build a one-tuple out of the topmost item on the stack.",
    }
    Tuple2 {
        name: "TUPLE2", code: b'\x86', proto: 2, arg: None,
        stack: [ANY, ANY] -> [TUPLE], flags: [],
        doc: "Build a two-tuple out of the top two items on the stack.",
    }
    Tuple3 {
        name: "TUPLE3", code: b'\x87', proto: 2, arg: None,
        stack: [ANY, ANY, ANY] -> [TUPLE], flags: [],
        doc: "Build a three-tuple out of the top three items on the stack.",
    }
    EmptyDict {
        name: "EMPTY_DICT", code: b'}', proto: 1, arg: None,
        stack: [] -> [DICT], flags: [],
        doc: "Push an empty dict.",
    }
    Dict {
        name: "DICT", code: b'd', proto: 0, arg: None,
        stack: [MARK, STACKSLICE] -> [DICT], flags: [CONSUMES_MARK],
        doc: "Build a dict out of the topmost stack slice, after markobject.",
    }
    SetItem {
        name: "SETITEM", code: b's', proto: 0, arg: None,
        stack: [DICT, ANY, ANY] -> [DICT], flags: [],
        doc: "Add a key+value pair to an existing dict.",
    }
    SetItems {
        name: "SETITEMS", code: b'u', proto: 1, arg: None,
        stack: [DICT, MARK, STACKSLICE] -> [DICT], flags: [CONSUMES_MARK],
        doc: "Add an arbitrary number of key+value pairs to an existing dict.",
    }
    EmptySet {
        name: "EMPTY_SET", code: b'\x8f', proto: 4, arg: None,
        stack: [] -> [SET], flags: [],
        doc: "Push an empty set.",
    }
    AddItems {
        name: "ADDITEMS", code: b'\x90', proto: 4, arg: None,
        stack: [SET, MARK, STACKSLICE] -> [SET], flags: [CONSUMES_MARK],
        doc: "Add an arbitrary number of items to an existing set.",
    }
    FrozenSet {
        name: "FROZENSET", code: b'\x91', proto: 4, arg: None,
        stack: [MARK, STACKSLICE] -> [FROZENSET], flags: [CONSUMES_MARK],
        doc: "Build a frozenset out of the topmost slice, after markobject.",
    }
    Pop {
        name: "POP", code: b'0', proto: 0, arg: None,
        stack: [ANY] -> [], flags: [],
        doc: "Discard the top stack item, shrinking the stack by one item.",
    }
    Dup {
        name: "DUP", code: b'2', proto: 0, arg: None,
        stack: [ANY] -> [ANY, ANY], flags: [],
        doc: "Push the top stack item onto the stack again, duplicating it.",
    }
    Mark {
        name: "MARK", code: b'(', proto: 0, arg: None,
        stack: [] -> [MARK], flags: [PUSHES_MARK],
        doc: "Push markobject onto the stack.",
    }
    PopMark {
        name: "POP_MARK", code: b'1', proto: 1, arg: None,
        stack: [MARK, STACKSLICE] -> [], flags: [CONSUMES_MARK],
        doc: "Pop all the stack objects at and above the topmost markobject.",
    }
    Get {
        name: "GET", code: b'g', proto: 0, arg: Some(ArgKind::Line(Line::Decimal)),
        stack: [] -> [ANY], flags: [MEMO_GET],
        doc: "Read an object from the memo and push it on the stack.",
    }
    BinGet {
        name: "BINGET", code: b'h', proto: 1, arg: Some(ArgKind::Int(FixedInt::Uint1)),
        stack: [] -> [ANY], flags: [MEMO_GET],
        doc: "Read an object from the memo and push it on the stack.",
    }
    LongBinGet {
        name: "LONG_BINGET", code: b'j', proto: 1, arg: Some(ArgKind::Int(FixedInt::Uint4)),
        stack: [] -> [ANY], flags: [MEMO_GET],
        doc: "Read an object from the memo and push it on the stack.",
    }
    Put {
        name: "PUT", code: b'p', proto: 0, arg: Some(ArgKind::Line(Line::Decimal)),
        stack: [] -> [], flags: [MEMO_PUT],
        doc: "Store the stack top into the memo.  The stack is not popped.",
    }
    BinPut {
        name: "BINPUT", code: b'q', proto: 1, arg: Some(ArgKind::Int(FixedInt::Uint1)),
        stack: [] -> [], flags: [MEMO_PUT],
        doc: "Store the stack top into the memo.  The stack is not popped.",
    }
    LongBinPut {
        name: "LONG_BINPUT", code: b'r', proto: 1, arg: Some(ArgKind::Int(FixedInt::Uint4)),
        stack: [] -> [], flags: [MEMO_PUT],
        doc: "Store the stack top into the memo.  The stack is not popped.",
    }
    Memoize {
        name: "MEMOIZE", code: b'\x94', proto: 4, arg: None,
        stack: [ANY] -> [ANY], flags: [MEMO_PUT],
        doc: "Store the stack top into the memo.  The stack is not popped.",
    }
    Ext1 {
        name: "EXT1", code: b'\x82', proto: 2, arg: Some(ArgKind::Int(FixedInt::Uint1)),
        stack: [] -> [ANY], flags: [GLOBAL],
        doc: "Extension code.",
    }
    Ext2 {
        name: "EXT2", code: b'\x83', proto: 2, arg: Some(ArgKind::Int(FixedInt::Uint2)),
        stack: [] -> [ANY], flags: [GLOBAL],
        doc: "Extension code.",
    }
    Ext4 {
        name: "EXT4", code: b'\x84', proto: 2, arg: Some(ArgKind::Int(FixedInt::Int4)),
        stack: [] -> [ANY], flags: [GLOBAL],
        doc: "Extension code.",
    }
    Global {
        name: "GLOBAL", code: b'c', proto: 0, arg: Some(ArgKind::Line(Line::ModuleAndName)),
        stack: [] -> [ANY], flags: [GLOBAL],
        doc: "Push a global object (module.attr) on the stack.",
    }
    StackGlobal {
        name: "STACK_GLOBAL", code: b'\x93', proto: 4, arg: None,
        stack: [STR, STR] -> [ANY], flags: [GLOBAL],
        doc: "Push a global object (module.attr) on the stack.",
    }
    Reduce {
        name: "REDUCE", code: b'R', proto: 0, arg: None,
        stack: [ANY, ANY] -> [ANY], flags: [CALLS],
        doc: "Push an object built from a callable and an argument tuple.",
    }
    Build {
        name: "BUILD", code: b'b', proto: 0, arg: None,
        stack: [ANY, ANY] -> [ANY], flags: [CALLS],
        doc: "Finish building an object, via __setstate__ or dict update.",
    }
    Inst {
        name: "INST", code: b'i', proto: 0, arg: Some(ArgKind::Line(Line::ModuleAndName)),
        stack: [MARK, STACKSLICE] -> [ANY], flags: [CONSUMES_MARK, GLOBAL, CALLS],
        doc: "Build a class instance.",
    }
    Obj {
        name: "OBJ", code: b'o', proto: 1, arg: None,
        stack: [MARK, ANY, STACKSLICE] -> [ANY], flags: [CONSUMES_MARK, CALLS],
        doc: "Build a class instance.",
    }
    NewObj {
        name: "NEWOBJ", code: b'\x81', proto: 2, arg: None,
        stack: [ANY, ANY] -> [ANY], flags: [CALLS],
        doc: "Build an object instance.",
    }
    NewObjEx {
        name: "NEWOBJ_EX", code: b'\x92', proto: 4, arg: None,
        stack: [ANY, ANY, ANY] -> [ANY], flags: [CALLS],
        doc: "Build an object instance.",
    }
    Proto {
        name: "PROTO", code: b'\x80', proto: 2, arg: Some(ArgKind::Int(FixedInt::Uint1)),
        stack: [] -> [], flags: [],
        doc: "Protocol version indicator.",
    }
    Stop {
        name: "STOP", code: b'.', proto: 0, arg: None,
        stack: [ANY] -> [], flags: [],
        doc: "Stop the unpickling machine.",
    }
    Frame {
        name: "FRAME", code: b'\x95', proto: 4, arg: Some(ArgKind::Int(FixedInt::Uint8)),
        stack: [] -> [], flags: [FRAME],
        doc: "Indicate the beginning of a new frame.",
    }
    PersId {
        name: "PERSID", code: b'P', proto: 0, arg: Some(ArgKind::Line(Line::Ascii)),
        stack: [] -> [ANY], flags: [PERSISTENT],
        doc: "Push an object identified by a persistent ID.",
    }
    BinPersId {
        name: "BINPERSID", code: b'Q', proto: 1, arg: None,
        stack: [ANY] -> [ANY], flags: [PERSISTENT],
        doc: "Push an object identified by a persistent ID.",
    }
}

/// Every opcode, in pickletools order.
pub static OPCODES: [OpcodeInfo; 68] = TABLE;

/// Marks a byte that is not an opcode in [`POSITION`].
const NOT_AN_OPCODE: u8 = u8::MAX;

/// For each byte, the index of its entry in [`OPCODES`], or
/// [`NOT_AN_OPCODE`].
const POSITION: [u8; 256] = positions(&TABLE);

/// Indexes `table` by opcode byte, failing the build if two entries share a
/// byte or an entry's `code` disagrees with its `opcode`.
const fn positions(table: &[OpcodeInfo]) -> [u8; 256] {
    assert!(table.len() < NOT_AN_OPCODE as usize);
    let mut position = [NOT_AN_OPCODE; 256];
    let mut i = 0;
    while i < table.len() {
        let code = table[i].code;
        assert!(table[i].opcode as u8 == code, "code disagrees with opcode");
        assert!(
            position[code as usize] == NOT_AN_OPCODE,
            "duplicate opcode byte"
        );
        position[code as usize] = i as u8;
        i += 1;
    }
    position
}

impl Opcode {
    /// The opcode byte.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The opcode's entry in [`OPCODES`].
    pub fn info(self) -> &'static OpcodeInfo {
        &OPCODES[POSITION[self as usize] as usize]
    }

    /// The pickletools name, such as `"BINUNICODE"`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The protocol that introduced the opcode.
    pub fn proto(self) -> u8 {
        self.info().proto
    }
}

/// Writes the pickletools name, such as `BINUNICODE`.
impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn has_68_opcodes_with_unique_names_and_codes() {
        assert_eq!(OPCODES.len(), 68);
        let names: HashSet<_> = OPCODES.iter().map(|info| info.name).collect();
        let codes: HashSet<_> = OPCODES.iter().map(|info| info.code).collect();
        assert_eq!(names.len(), 68);
        assert_eq!(codes.len(), 68);
    }

    #[test]
    fn from_u8_round_trips() {
        for info in &OPCODES {
            let op = Opcode::from_u8(info.code).unwrap();
            assert_eq!(op, info.opcode);
            assert_eq!(op.code(), info.code);
            assert!(core::ptr::eq(op.info(), info), "{}", info.name);
            assert_eq!(op.name(), info.name);
            assert_eq!(op.proto(), info.proto);
            assert_eq!(op.to_string(), info.name);
        }
    }

    #[test]
    fn other_bytes_are_not_opcodes() {
        let codes: HashSet<_> = OPCODES.iter().map(|info| info.code).collect();
        for b in 0..=u8::MAX {
            assert_eq!(
                Opcode::from_u8(b).is_some(),
                codes.contains(&b),
                "byte {b:#04x}"
            );
        }
        assert_eq!(Opcode::from_u8(0xff), None);
        assert_eq!(Opcode::from_u8(b'A'), None);
    }

    #[test]
    fn mark_flags_match_stack_effects() {
        for info in &OPCODES {
            let consumes = info.stack_before.contains(&StackObject::MARK);
            let pushes = info.stack_after.contains(&StackObject::MARK);
            assert_eq!(
                info.flags.contains(Flags::CONSUMES_MARK),
                consumes,
                "{}",
                info.name
            );
            assert_eq!(
                info.flags.contains(Flags::PUSHES_MARK),
                pushes,
                "{}",
                info.name
            );
        }
    }

    #[test]
    fn memo_flags_match_pickletools_name_tests() {
        // pickletools finds memo opcodes by name; the flags must agree.
        for info in &OPCODES {
            let put = info.name.contains("PUT") || info.name == "MEMOIZE";
            assert_eq!(info.flags.contains(Flags::MEMO_PUT), put, "{}", info.name);
            let get = info.name.contains("GET");
            assert_eq!(info.flags.contains(Flags::MEMO_GET), get, "{}", info.name);
        }
    }

    #[test]
    fn flags_combine() {
        let flags = Flags::GLOBAL | Flags::CALLS;
        assert_eq!(Opcode::Inst.info().flags, Flags::CONSUMES_MARK | flags);
        assert!(flags.contains(Flags::CALLS) && !flags.contains(Flags::MEMO_GET | Flags::CALLS));
        assert!(flags.intersects(Flags::MEMO_GET | Flags::CALLS));
        assert!(Flags::NONE.is_empty() && Flags::NONE == Flags::default());
        assert_eq!(format!("{flags:?}"), "Flags(GLOBAL | CALLS)");
        assert_eq!(format!("{:?}", Flags::NONE), "Flags(NONE)");
    }

    #[test]
    fn arg_kinds_describe_their_layout() {
        assert_eq!(
            Opcode::BinInt.info().arg,
            Some(ArgKind::Int(FixedInt::Int4))
        );
        assert_eq!(ArgKind::Int(FixedInt::Uint8).fixed_len(), Some(8));
        assert_eq!(ArgKind::Float8.fixed_len(), Some(8));
        assert_eq!(ArgKind::Line(Line::Quoted).fixed_len(), None);
        let long4 = Counted::Long4;
        assert_eq!(
            (long4.prefix(), long4.payload()),
            (FixedInt::Int4, Payload::Long)
        );
        assert!(long4.prefix().is_signed() && !Counted::Bytes4.prefix().is_signed());
        assert_eq!(Counted::ByteArray8.prefix().width(), 8);
    }
}
