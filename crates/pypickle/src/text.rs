//! Python's textual forms: what protocol 0 opcodes carry and how Python 2
//! strings decode.
//!
//! Each function reproduces one CPython routine: `float.__repr__`,
//! `load_int`'s `strtol`-then-`int()` parsing, `PyBytes_DecodeEscape` for
//! STRING, raw-unicode-escape for UNICODE, and the codecs an Unpickler's
//! `encoding` names. Text is "surrogatepass UTF-8" throughout (see
//! [`crate::PyStr`]).

use std::fmt;

use num_bigint::BigInt;
use num_traits::Num;

use crate::value::pystr::push_code_point;

/// Why text could not be read, in CPython's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextError {
    /// The line was empty where CPython wants at least one character.
    Truncated,
    /// Any other failure, with CPython's message.
    Invalid(String),
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Truncated => f.write_str("pickle data was truncated"),
            TextError::Invalid(m) => f.write_str(m),
        }
    }
}

fn invalid<T>(msg: impl Into<String>) -> Result<T, TextError> {
    Err(TextError::Invalid(msg.into()))
}

/// An integer read from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IntText {
    /// INT's `00` and `01` (and other 2-character spellings of 0 and 1).
    Bool(bool),
    /// Fits in 64 bits.
    Small(i64),
    /// Does not.
    Big(BigInt),
}

impl IntText {
    fn from_big(b: BigInt) -> Self {
        match i64::try_from(&b) {
            Ok(i) => IntText::Small(i),
            Err(_) => IntText::Big(b),
        }
    }
}

/// CPython refuses to convert decimal text of more digits than this
/// (`sys.get_int_max_str_digits()`).
const MAX_STR_DIGITS: usize = 4300;

// ----- floats -----

/// Appends Python's `repr(v)`.
pub(crate) fn write_float_repr(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        return out.extend_from_slice(b"nan");
    }
    if v.is_infinite() {
        return out.extend_from_slice(if v < 0.0 { b"-inf" } else { b"inf" });
    }
    // Python prints the fewest digits that read back as `v`, and of those
    // strings the one nearest to `v`, ties to even. Rust's `{:e}` finds the
    // fewest digits; formatting again at that precision rounds exactly,
    // half to even, which picks the nearest.
    let shortest = format!("{:e}", v);
    let digits = shortest
        .split_once('e')
        .map_or(0, |(m, _)| m.bytes().filter(u8::is_ascii_digit).count());
    let sci = format!("{:.*e}", digits.saturating_sub(1), v);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    out.extend_from_slice(sign.as_bytes());
    if !(-4..16).contains(&exp) {
        out.push(digits.as_bytes()[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits.as_bytes()[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        out.extend_from_slice(format!("e{esign}{:02}", exp.abs()).as_bytes());
    } else if exp < 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-exp - 1) as usize));
        out.extend_from_slice(digits.as_bytes());
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            out.extend_from_slice(digits.as_bytes());
            out.extend(std::iter::repeat_n(b'0', point - digits.len()));
            out.extend_from_slice(b".0");
        } else {
            out.extend_from_slice(&digits.as_bytes()[..point]);
            out.push(b'.');
            out.extend_from_slice(&digits.as_bytes()[point..]);
        }
    }
}

/// FLOAT's argument, as `PyOS_string_to_double` reads the whole line.
pub(crate) fn parse_float(arg: &[u8]) -> Result<f64, TextError> {
    if arg.is_empty() {
        return Err(TextError::Truncated);
    }
    let text = std::str::from_utf8(arg).map_err(|_| bad_float())?;
    // Python takes no whitespace, no underscores and no hex floats here.
    let valid_chars = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !valid_chars {
        return Err(bad_float());
    }
    let v: f64 = text.parse().map_err(|_| bad_float())?;
    if v.is_infinite() && !text.to_ascii_lowercase().contains("inf") {
        return invalid(format!("value too large to convert to float: {text}"));
    }
    Ok(v)
}

fn bad_float() -> TextError {
    TextError::Invalid("could not convert string to float".into())
}

// ----- integers -----

/// C's `strtol(s, &end, 0)` on the line: `None` when it would not consume
/// the whole line or would overflow.
fn strtol_base0(arg: &[u8]) -> Option<i64> {
    let mut s = arg;
    while let [b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r', rest @ ..] = s {
        s = rest;
    }
    let negative = match s.first() {
        Some(b'-') => {
            s = &s[1..];
            true
        }
        Some(b'+') => {
            s = &s[1..];
            false
        }
        _ => false,
    };
    let (radix, digits) = match s {
        [b'0', b'x' | b'X', rest @ ..] if rest.first().is_some_and(u8::is_ascii_hexdigit) => {
            (16, rest)
        }
        [b'0', ..] => (8, s),
        _ => (10, s),
    };
    if digits.is_empty() || !digits.iter().all(|&b| (b as char).is_digit(radix)) {
        return None;
    }
    let text = std::str::from_utf8(digits).ok()?;
    let magnitude = i128::from_str_radix(text, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// Python's `int(text, base)` with base 10 or 0 (prefixes allowed):
/// surrounding whitespace, a sign, single underscores between digits.
fn py_int_from_string(arg: &[u8], base0: bool) -> Result<BigInt, TextError> {
    let fail = || {
        TextError::Invalid(format!(
            "invalid literal for int() with base {}: {:?}",
            if base0 { 0 } else { 10 },
            String::from_utf8_lossy(arg)
        ))
    };
    let text = std::str::from_utf8(arg).map_err(|_| fail())?;
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if base0 {
        match lower.get(..2) {
            Some("0x") => (16, &body[2..]),
            Some("0o") => (8, &body[2..]),
            Some("0b") => (2, &body[2..]),
            _ => (10, body),
        }
    } else {
        (10, body)
    };
    let prefixed = digits.len() != body.len();
    // Underscores only between digits (or right after a base prefix).
    let digits = digits
        .strip_prefix('_')
        .filter(|_| prefixed)
        .unwrap_or(digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c == '_' || c.is_digit(radix))
    {
        return Err(fail());
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    // Base 0 forbids leading zeros on a non-zero decimal.
    if base0
        && radix == 10
        && clean.len() > 1
        && clean.starts_with('0')
        && clean.chars().any(|c| c != '0')
    {
        return Err(fail());
    }
    if radix == 10 && clean.len() > MAX_STR_DIGITS {
        return invalid(format!(
            "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
            clean.len()
        ));
    }
    let magnitude = BigInt::from_str_radix(&clean, radix).map_err(|_| fail())?;
    Ok(if negative { -magnitude } else { magnitude })
}

/// INT's argument, as `load_int` reads it. `arg` excludes the newline.
pub(crate) fn parse_int_opcode(arg: &[u8]) -> Result<IntText, TextError> {
    if arg.is_empty() {
        return Err(TextError::Truncated);
    }
    match strtol_base0(arg) {
        // CPython: `len == 3 && (x == 0 || x == 1)`, len counting "\n".
        Some(x @ (0 | 1)) if arg.len() == 2 => Ok(IntText::Bool(x == 1)),
        Some(x) => Ok(IntText::Small(x)),
        None => py_int_from_string(arg, true)
            .map(IntText::from_big)
            .map_err(|_| TextError::Invalid("could not convert string to int".into())),
    }
}

/// LONG's argument, as `load_long` reads it: one trailing `L` is optional.
pub(crate) fn parse_long_opcode(arg: &[u8]) -> Result<IntText, TextError> {
    if arg.is_empty() {
        return Err(TextError::Truncated);
    }
    let digits = arg.strip_suffix(b"L").unwrap_or(arg);
    py_int_from_string(digits, true).map(IntText::from_big)
}

/// GET's and PUT's decimal argument; may be negative.
pub(crate) fn parse_memo_index(arg: &[u8]) -> Result<i64, TextError> {
    if arg.is_empty() {
        return Err(TextError::Truncated);
    }
    let big = py_int_from_string(arg, false)?;
    i64::try_from(&big)
        .map_err(|_| TextError::Invalid("Python int too large to convert to C ssize_t".into()))
}

// ----- STRING and UNICODE -----

/// STRING's argument: the quotes stripped and the escapes decoded as
/// `PyBytes_DecodeEscape` does.
pub(crate) fn decode_quoted_string(arg: &[u8]) -> Result<Vec<u8>, TextError> {
    let n = arg.len();
    if n < 2 || arg[0] != arg[n - 1] || !matches!(arg[0], b'\'' | b'"') {
        return invalid("the STRING opcode argument must be quoted");
    }
    let s = &arg[1..n - 1];
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = s.get(i) else {
            return invalid("Trailing \\ in string");
        };
        i += 1;
        match e {
            b'\n' => {}
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'v' => out.push(0x0b),
            b'a' => out.push(0x07),
            b'0'..=b'7' => {
                let mut v = (e - b'0') as u32;
                for _ in 0..2 {
                    match s.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + (d - b'0') as u32;
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            b'x' => {
                let hex = s
                    .get(i..i + 2)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                match hex {
                    Some(h) => {
                        let v = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("0"), 16)
                            .unwrap_or(0);
                        out.push(v);
                        i += 2;
                    }
                    None => return invalid(format!("invalid \\x escape at position {}", i - 2)),
                }
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// UNICODE's argument: raw-unicode-escape decoding. Only `\uXXXX` and
/// `\UXXXXXXXX` after an odd run of backslashes are escapes; every other
/// byte is a latin-1 character.
pub(crate) fn decode_raw_unicode_escape(arg: &[u8]) -> Result<Vec<u8>, TextError> {
    let mut out = Vec::with_capacity(arg.len());
    let mut i = 0;
    while i < arg.len() {
        let c = arg[i];
        if c != b'\\' {
            push_code_point(&mut out, c as u32);
            i += 1;
            continue;
        }
        let start = i;
        while i < arg.len() && arg[i] == b'\\' {
            i += 1;
        }
        let run = i - start;
        let escape = run % 2 == 1 && matches!(arg.get(i), Some(b'u' | b'U'));
        let keep = if escape { run - 1 } else { run };
        out.extend(std::iter::repeat_n(b'\\', keep));
        if !escape {
            continue;
        }
        let count = if arg[i] == b'u' { 4 } else { 8 };
        let pos = i - 1;
        i += 1;
        let mut ch: u32 = 0;
        let mut got = 0;
        while got < count && i < arg.len() && arg[i].is_ascii_hexdigit() {
            ch = ch * 16 + (arg[i] as char).to_digit(16).unwrap_or(0);
            i += 1;
            got += 1;
        }
        if got < count {
            let what = if count == 4 {
                "truncated \\uXXXX escape"
            } else {
                "truncated \\UXXXXXXXX escape"
            };
            return invalid(format!(
                "'rawunicodeescape' codec can't decode bytes in position {pos}-{}: {what}",
                i.saturating_sub(1)
            ));
        }
        if push_code_point(&mut out, ch).is_none() {
            return invalid(format!(
                "'rawunicodeescape' codec can't decode bytes in position {pos}-{}: \\Uxxxxxxxx out of range",
                i - 1
            ));
        }
    }
    Ok(out)
}

/// What CPython writes between `V` and the newline for a str at protocol 0.
pub(crate) fn write_p0_unicode(out: &mut Vec<u8>, s: &[u8]) {
    for cp in (crate::value::PyStr::from_surrogatepass(s.to_vec()))
        .map(|p| p.chars().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        match cp {
            0x10000.. => out.extend_from_slice(format!("\\U{cp:08x}").as_bytes()),
            0x100.. | 0x5c | 0 | 0x0a | 0x0d | 0x1a => {
                out.extend_from_slice(format!("\\u{cp:04x}").as_bytes())
            }
            _ => out.push(cp as u8),
        }
    }
}

// ----- UTF-8 and Python 2 strings -----

/// Checks BINUNICODE data: UTF-8 with surrogates allowed, as
/// `'utf-8', 'surrogatepass'` decodes it.
pub(crate) fn validate_utf8_surrogatepass(data: &[u8]) -> Result<(), TextError> {
    let mut pos = 0;
    while pos < data.len() {
        match utf8_step(&data[pos..], true) {
            Ok(n) => pos += n,
            Err(reason) => {
                return invalid(format!(
                    "'utf-8' codec can't decode byte 0x{:02x} in position {pos}: {reason}",
                    data[pos]
                ))
            }
        }
    }
    Ok(())
}

/// The length of the UTF-8 sequence at the start of `s`, or why it is bad.
fn utf8_step(s: &[u8], surrogates: bool) -> Result<usize, &'static str> {
    let b0 = s[0];
    let (len, lo, hi) = match b0 {
        0x00..=0x7f => return Ok(1),
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0 => (3, 0xa0, 0xbf),
        0xed if !surrogates => (3, 0x80, 0x9f),
        0xe1..=0xef => (3, 0x80, 0xbf),
        0xf0 => (4, 0x90, 0xbf),
        0xf1..=0xf3 => (4, 0x80, 0xbf),
        0xf4 => (4, 0x80, 0x8f),
        _ => return Err("invalid start byte"),
    };
    for i in 1..len {
        let Some(&b) = s.get(i) else {
            return Err("unexpected end of data");
        };
        let (l, h) = if i == 1 { (lo, hi) } else { (0x80, 0xbf) };
        if !(l..=h).contains(&b) {
            return Err("invalid continuation byte");
        }
    }
    Ok(len)
}

/// A decoded Python 2 str.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Py2Text {
    /// Decoded text (surrogatepass UTF-8).
    Str(Vec<u8>),
    /// `encoding="bytes"`: the data unchanged.
    Bytes(Vec<u8>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Codec {
    Ascii,
    Latin1,
    Utf8,
}

/// Python's codec lookup for the codecs an Unpickler is given in practice.
fn lookup_codec(encoding: &str) -> Result<Codec, TextError> {
    let mut norm = String::new();
    for c in encoding.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            norm.push(c.to_ascii_lowercase());
        } else if !norm.ends_with('_') {
            norm.push('_');
        }
    }
    let norm = norm.trim_matches('_');
    match norm {
        "ascii" | "646" | "us_ascii" | "us" | "ansi_x3.4_1968" | "iso646_us" | "cp367"
        | "csascii" => Ok(Codec::Ascii),
        "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859" | "cp819"
        | "iso_ir_100" | "csisolatin1" => Ok(Codec::Latin1),
        "utf_8" | "utf8" | "u8" | "utf" | "cp65001" => Ok(Codec::Utf8),
        _ => invalid(format!("unknown encoding: {encoding}")),
    }
}

/// Decodes Python 2 str data with an Unpickler's `encoding` and `errors`.
pub(crate) fn decode_py2_string(
    data: &[u8],
    encoding: &str,
    errors: &str,
) -> Result<Py2Text, TextError> {
    if encoding == "bytes" {
        return Ok(Py2Text::Bytes(data.to_vec()));
    }
    let codec = lookup_codec(encoding)?;
    let name = match codec {
        Codec::Ascii => "ascii",
        Codec::Latin1 => return Ok(Py2Text::Str(latin1_to_utf8(data))),
        Codec::Utf8 => "utf-8",
    };
    let mut out = Vec::with_capacity(data.len());
    let mut pos = 0;
    while pos < data.len() {
        let step = match codec {
            Codec::Ascii if data[pos] < 0x80 => Ok(1),
            Codec::Ascii => Err(("ordinal not in range(128)", 1)),
            _ => match utf8_step(&data[pos..], errors == "surrogatepass") {
                Ok(n) => Ok(n),
                // The maximal invalid prefix is replaced as one unit.
                Err(reason) => Err((reason, invalid_len(&data[pos..]))),
            },
        };
        match step {
            Ok(n) => {
                out.extend_from_slice(&data[pos..pos + n]);
                pos += n;
            }
            Err((reason, n)) => {
                let bad = &data[pos..pos + n];
                match errors {
                    "strict" | "surrogatepass" => {
                        return invalid(format!(
                            "'{name}' codec can't decode byte 0x{:02x} in position {pos}: {reason}",
                            data[pos]
                        ))
                    }
                    "ignore" => {}
                    "replace" => out.extend_from_slice("\u{fffd}".as_bytes()),
                    "surrogateescape" => {
                        for &b in bad {
                            let _ = push_code_point(&mut out, 0xdc00 + b as u32);
                        }
                    }
                    "backslashreplace" => {
                        for &b in bad {
                            out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
                        }
                    }
                    other => return invalid(format!("unknown error handler name '{other}'")),
                }
                pos += n;
            }
        }
    }
    Ok(Py2Text::Str(out))
}

/// How many bytes at the start of `s` form one invalid UTF-8 unit: the
/// maximal prefix of a valid sequence, or one byte.
fn invalid_len(s: &[u8]) -> usize {
    match std::str::from_utf8(&s[..s.len().min(4)]) {
        Err(e) if e.valid_up_to() == 0 => e.error_len().unwrap_or(s.len().min(4)).max(1),
        _ => 1,
    }
}

/// Latin-1 bytes as UTF-8 text.
pub(crate) fn latin1_to_utf8(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 2);
    for &b in data {
        let _ = push_code_point(&mut out, b as u32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(v: f64) -> String {
        let mut out = Vec::new();
        write_float_repr(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn float_repr_matches_python() {
        // Expected values from python3: repr(x).
        let cases = [
            (1.0, "1.0"),
            (1e16, "1e+16"),
            (2.5e15, "2500000000000000.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (1234567890123456.7, "1234567890123456.8"),
            (9999999999999998.0, "9999999999999998.0"),
            // Halfway between two 17-digit candidates: Python rounds to even.
            (232228268845356.0 + 0.625, "232228268845356.62"),
        ];
        for (v, want) in cases {
            assert_eq!(repr(v), want, "{v:?}");
        }
    }

    #[test]
    fn int_opcode_follows_load_int() {
        assert_eq!(parse_int_opcode(b"01"), Ok(IntText::Bool(true)));
        assert_eq!(parse_int_opcode(b"00"), Ok(IntText::Bool(false)));
        assert_eq!(parse_int_opcode(b"0"), Ok(IntText::Small(0)));
        assert_eq!(parse_int_opcode(b"010"), Ok(IntText::Small(8)));
        assert_eq!(parse_int_opcode(b"0x1f"), Ok(IntText::Small(31)));
        assert_eq!(parse_int_opcode(b" -5"), Ok(IntText::Small(-5)));
        assert_eq!(parse_int_opcode(b"1_000"), Ok(IntText::Small(1000)));
        assert_eq!(
            parse_int_opcode(b"18446744073709551616"),
            Ok(IntText::Big(BigInt::from(1u128 << 64)))
        );
        assert!(parse_int_opcode(b"abc").is_err());
        assert_eq!(parse_int_opcode(b""), Err(TextError::Truncated));
    }

    #[test]
    fn long_opcode_strips_one_l() {
        assert_eq!(parse_long_opcode(b"12L"), Ok(IntText::Small(12)));
        assert_eq!(parse_long_opcode(b"12"), Ok(IntText::Small(12)));
        assert!(parse_long_opcode(b"12LL").is_err());
    }

    #[test]
    fn quoted_strings() {
        assert_eq!(decode_quoted_string(b"'a\\x41\\101\\n'").unwrap(), b"aAA\n");
        assert_eq!(decode_quoted_string(b"\"x\\qy\"").unwrap(), b"x\\qy");
        assert!(decode_quoted_string(b"'abc").is_err());
        assert!(decode_quoted_string(b"'\\x4'").is_err());
        assert!(decode_quoted_string(b"'").is_err());
    }

    #[test]
    fn raw_unicode_escape() {
        assert_eq!(
            decode_raw_unicode_escape(b"a\\u00e9").unwrap(),
            "a\u{e9}".as_bytes()
        );
        assert_eq!(
            decode_raw_unicode_escape(b"\\\\u0041").unwrap(),
            b"\\\\u0041"
        );
        assert_eq!(
            decode_raw_unicode_escape(b"\\U0001f600").unwrap(),
            "\u{1f600}".as_bytes()
        );
        assert_eq!(
            decode_raw_unicode_escape(b"\\ud800").unwrap(),
            b"\xed\xa0\x80"
        );
        assert!(decode_raw_unicode_escape(b"\\u12").is_err());
        assert!(decode_raw_unicode_escape(b"\\U00110000").is_err());
    }

    #[test]
    fn p0_unicode_escapes_like_cpython() {
        let mut out = Vec::new();
        write_p0_unicode(&mut out, "a\\\n\u{e9}\u{100}\u{1f600}\x1a".as_bytes());
        assert_eq!(out, b"a\\u005c\\u000a\xe9\\u0100\\U0001f600\\u001a");
    }

    #[test]
    fn py2_strings_decode_with_options() {
        assert_eq!(
            decode_py2_string(b"\xe9", "latin1", "strict").unwrap(),
            Py2Text::Str("\u{e9}".as_bytes().to_vec())
        );
        assert!(decode_py2_string(b"\xe9", "ASCII", "strict").is_err());
        assert_eq!(
            decode_py2_string(b"\xe9", "bytes", "strict").unwrap(),
            Py2Text::Bytes(vec![0xe9])
        );
        assert_eq!(
            decode_py2_string(b"a\xffb", "utf-8", "replace").unwrap(),
            Py2Text::Str("a\u{fffd}b".as_bytes().to_vec())
        );
        assert_eq!(
            decode_py2_string(b"\xff", "ascii", "surrogateescape").unwrap(),
            Py2Text::Str(b"\xed\xb3\xbf".to_vec())
        );
        assert!(decode_py2_string(b"a", "koi9", "strict").is_err());
    }

    #[test]
    fn surrogatepass_validation() {
        assert!(validate_utf8_surrogatepass(b"\xed\xa0\x80").is_ok());
        let err = validate_utf8_surrogatepass(b"ab\xff").unwrap_err();
        assert_eq!(
            err.to_string(),
            "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"
        );
    }
}
