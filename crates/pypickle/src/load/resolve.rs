//! What globals and calls resolve to. Nothing is ever executed: a global is
//! only a name, and the few well-known reductions CPython's pickler writes
//! for built-in types are recognised and turned into native values.

use crate::class::Registry;
use crate::error::{Error, ErrorCode, Result};
use crate::value::{Global, Graph, Instance, Items, Object, PyBytes, PyStr, Value};

/// Which globals a load accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// Only the well-known built-in reductions resolve; any other global is
    /// an error that names the module and the class, as CPython's
    /// `Can't get attribute 'X' on <module 'm'>` does.
    #[default]
    Strict,
    /// Any global loads as an inspectable [`crate::Object::Global`]; calls
    /// of unknown callables become [`crate::Object::Reduce`] and instances
    /// [`crate::Object::Instance`]. Nothing is executed.
    Generic,
}

/// The globals the built-in reductions need, allowed under every policy.
const KNOWN_GLOBALS: &[(&str, &str)] = &[
    ("builtins", "bytearray"),
    ("builtins", "bytes"),
    ("builtins", "complex"),
    ("builtins", "frozenset"),
    ("builtins", "object"),
    ("builtins", "set"),
    ("builtins", "getattr"),
    ("_codecs", "encode"),
    ("copyreg", "_reconstructor"),
    ("copyreg", "__newobj__"),
    ("copyreg", "__newobj_ex__"),
    // functools.partial(object.__new__, cls, *args, **kwargs)(): how
    // protocols 2 and 3 write an instance with keyword arguments.
    ("functools", "partial"),
    ("builtins", "object.__new__"),
];

/// Resolves `module.name` to a global object under `policy`; a strict
/// policy also accepts the classes in `registry`.
pub(crate) fn find_class(
    policy: Policy,
    registry: &Registry,
    module: PyStr,
    name: PyStr,
) -> Result<Object> {
    // No module or attribute has an empty name: CPython fails to import
    // the one and to find the other, under any policy.
    if module.as_bytes().is_empty() {
        return Err(Error::new(ErrorCode::TypeMismatch(
            "Empty module name".to_owned(),
        )));
    }
    let known = KNOWN_GLOBALS
        .iter()
        .any(|(m, n)| module == *m && name == *n);
    let refused = policy == Policy::Strict && !registry.contains_names(&module, &name);
    if Global::has_empty_part(&name) || !known && refused {
        return Err(Error::new(ErrorCode::UnknownGlobal {
            module: module.to_string_lossy().into_owned(),
            name: name.to_string_lossy().into_owned(),
        }));
    }
    Ok(Object::Global(Box::new(Global { module, name })))
}

/// The (module, name) of a value that is a global.
pub(crate) fn global_of(g: &Graph, v: Value) -> Option<(&str, &str)> {
    match g.resolve(v)? {
        Object::Global(gl) => Some((gl.module.as_str()?, gl.name.as_str()?)),
        _ => None,
    }
}

/// What iterating a list, tuple, set, frozenset or dict (its keys) gives.
fn iterated(g: &Graph, v: Value) -> impl Iterator<Item = Value> + '_ {
    let (items, pairs): (&[Value], &[(Value, Value)]) = match g.resolve(v) {
        Some(
            Object::List(items)
            | Object::Tuple(items)
            | Object::Set(items)
            | Object::FrozenSet(items),
        ) => (items, &[]),
        Some(Object::Dict(pairs)) => (&[], pairs),
        _ => (&[], &[]),
    };
    items.iter().copied().chain(pairs.iter().map(|kv| kv.0))
}

fn items_of(g: &Graph, v: Value) -> Option<Items> {
    match g.resolve(v)? {
        Object::List(items)
        | Object::Tuple(items)
        | Object::Set(items)
        | Object::FrozenSet(items) => Some(items.clone()),
        _ => None,
    }
}

/// What a bytearray makes of one item: `__index__`, then a range check.
pub(crate) enum ItemByte {
    /// An int (or bool) that fits a byte.
    Byte(u8),
    /// An int outside `range(0, 256)`: CPython's ValueError.
    OutOfRange,
    /// No int, of this built-in type: CPython's TypeError.
    NotAnInt(&'static str),
    /// An object pypickle does not build itself (an instance, a call),
    /// which might have `__index__`.
    Unknown,
}

impl ItemByte {
    /// CPython's message when the item is refused.
    pub(crate) fn refusal(&self) -> Option<String> {
        match self {
            ItemByte::Byte(_) | ItemByte::Unknown => None,
            ItemByte::OutOfRange => Some("byte must be in range(0, 256)".to_owned()),
            ItemByte::NotAnInt(t) => {
                Some(format!("'{t}' object cannot be interpreted as an integer"))
            }
        }
    }
}

/// A value as Python's `__index__` sees it: `None` when it is no int,
/// `Some(None)` for an int beyond `i64` (ints in the arena are). A bool is
/// 0 or 1.
pub(crate) fn index_of(g: &Graph, v: Value) -> Option<Option<i64>> {
    match v {
        Value::Bool(b) => Some(Some(i64::from(b))),
        Value::Int(i) => Some(Some(i)),
        _ if matches!(g.resolve(v), Some(Object::Int(_))) => Some(None),
        _ => None,
    }
}

/// What a bytearray makes of `v`.
pub(crate) fn item_byte(g: &Graph, v: Value) -> ItemByte {
    match index_of(g, v) {
        Some(i) => i
            .and_then(|i| u8::try_from(i).ok())
            .map_or(ItemByte::OutOfRange, ItemByte::Byte),
        None => builtin_type(g, v).map_or(ItemByte::Unknown, ItemByte::NotAnInt),
    }
}

fn as_f64(g: &Graph, v: Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(b as i64 as f64),
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        Value::Ref(_) => match g.resolve(v)? {
            Object::Int(b) => b.to_f64(),
            _ => None,
        },
        Value::None => None,
    }
}

/// The object that `callable(*args)` builds, when the call is one of the
/// well-known reductions; `None` when it is not.
///
/// `proto` is the protocol the pickle declared: below 4, `getattr(cls,
/// 'Name')` is how CPython writes a nested class, so it resolves to the
/// dotted global.
pub(crate) fn native_call(
    g: &Graph,
    callable: Value,
    args: &[Value],
    proto: u8,
) -> Result<Option<Object>> {
    let Some((module, name)) = global_of(g, callable) else {
        return Ok(partial_new_call(g, callable, args));
    };
    if let Some(message) = refused_call(g, module, name, args) {
        return Err(Error::new(ErrorCode::TypeMismatch(message)));
    }
    let obj = match (module, name, args) {
        ("builtins", "set", []) => Object::Set(Items::new()),
        ("builtins", "frozenset", []) => Object::FrozenSet(Items::new()),
        ("builtins", "set", [it]) => match items_of(g, *it) {
            Some(items) => Object::Set(items),
            None => return Ok(None),
        },
        ("builtins", "frozenset", [it]) => match items_of(g, *it) {
            Some(items) => Object::FrozenSet(items),
            None => return Ok(None),
        },
        ("builtins", "bytes", []) => Object::Bytes(PyBytes::new()),
        ("builtins", "bytearray", []) => Object::ByteArray(Vec::new()),
        ("builtins", "bytearray", [b]) => match g.resolve(*b) {
            Some(Object::Bytes(data)) => Object::ByteArray(data.to_vec()),
            Some(Object::ByteArray(data)) => Object::ByteArray(data.clone()),
            Some(Object::List(items) | Object::Tuple(items)) => {
                let bytes = items.iter().map(|&v| match item_byte(g, v) {
                    ItemByte::Byte(b) => Some(b),
                    _ => None,
                });
                match bytes.collect() {
                    Some(bytes) => Object::ByteArray(bytes),
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        },
        ("builtins", "bytearray", [s, enc]) => match (g.as_str(*s), g.as_str(*enc)) {
            (Some(text), Some(enc)) if is_latin1_name(enc) => {
                Object::ByteArray(latin1_encode(text)?)
            }
            _ => return Ok(None),
        },
        ("builtins", "complex", [re]) | ("builtins", "complex", [re, Value::Int(0)]) => {
            match as_f64(g, *re) {
                Some(re) => Object::Complex { re, im: 0.0 },
                None => return Ok(None),
            }
        }
        ("builtins", "complex", [re, im]) => match (as_f64(g, *re), as_f64(g, *im)) {
            (Some(re), Some(im)) => Object::Complex { re, im },
            _ => return Ok(None),
        },
        ("_codecs", "encode", [s, enc]) => match (g.as_str(*s), g.as_str(*enc)) {
            (Some(text), Some(enc)) if is_latin1_name(enc) => {
                Object::Bytes(latin1_encode(text)?.into())
            }
            _ => return Ok(None),
        },
        // getattr(Outer, 'Inner'): how protocols 0-3 name a nested class.
        ("builtins", "getattr", [parent, attr]) if proto < 4 => {
            match (g.resolve(*parent), g.as_str(*attr)) {
                (Some(Object::Global(gl)), Some(attr)) => {
                    let mut name = gl.name.as_bytes().to_vec();
                    name.push(b'.');
                    name.extend_from_slice(attr.as_bytes());
                    match PyStr::from_surrogatepass(name) {
                        Some(name) => Object::Global(Box::new(Global {
                            module: gl.module.clone(),
                            name,
                        })),
                        None => return Ok(None),
                    }
                }
                _ => return Ok(None),
            }
        }
        ("copyreg", "_reconstructor", [cls, base, state]) => {
            let plain =
                global_of(g, *base) == Some(("builtins", "object")) && *state == Value::None;
            if !plain || global_of(g, *cls).is_none() {
                return Ok(None);
            }
            instance(*cls, Vec::new(), None)
        }
        ("copyreg", "__newobj__", [cls, rest @ ..]) if global_of(g, *cls).is_some() => {
            instance(*cls, rest.to_vec(), None)
        }
        ("copyreg", "__newobj_ex__", [cls, a, kw]) if global_of(g, *cls).is_some() => {
            match (g.resolve(*a), g.resolve(*kw)) {
                (Some(Object::Tuple(a)), Some(Object::Dict(_))) => {
                    instance(*cls, a.to_vec(), Some(*kw))
                }
                _ => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(obj))
}

/// CPython's `TypeError` for a call of a well-known builtin that fails
/// whatever else is true: too many arguments, or arguments of a type the
/// builtin never takes. `None` when the call may succeed, and whenever the
/// answer turns on what pypickle does not model (an instance may be
/// iterable, or a number through `__float__`).
fn refused_call(g: &Graph, module: &str, name: &str, args: &[Value]) -> Option<String> {
    let n = args.len();
    let ty = |i: usize| args.get(i).and_then(|v| builtin_type(g, *v));
    let number = |t: &str| matches!(t, "bool" | "int" | "float" | "complex");
    // Neither iterable nor convertible: None, classes and functions.
    let opaque = |t: &str| {
        matches!(
            t,
            "NoneType" | "type" | "function" | "builtin_function_or_method"
        )
    };
    match (module, name) {
        ("builtins", "set" | "frozenset") if n > 1 => {
            Some(format!("{name} expected at most 1 argument, got {n}"))
        }
        ("builtins", "set" | "frozenset") => match ty(0) {
            Some(t) if number(t) || opaque(t) => Some(format!("'{t}' object is not iterable")),
            _ => None,
        },
        ("builtins", "bytearray") if n > 3 => {
            Some(format!("bytearray() takes at most 3 arguments ({n} given)"))
        }
        ("builtins", "bytearray") if n == 1 => match ty(0)? {
            "str" => Some("string argument without an encoding".to_owned()),
            t if opaque(t) || matches!(t, "float" | "complex") => {
                Some(format!("cannot convert '{t}' object to bytearray"))
            }
            // A size: what allocating it does is this machine's business,
            // but not a negative one or one beyond 64 bits.
            "int" => match args[0] {
                Value::Int(n) if n < 0 => Some("negative count".to_owned()),
                Value::Ref(_) => Some("cannot fit 'int' into an index-sized integer".to_owned()),
                _ => None,
            },
            // An iterable: a refused item fails the call wherever it is
            // (an unknown one before it may fail it first).
            "list" | "tuple" | "set" | "frozenset" | "dict" => {
                iterated(g, args[0]).find_map(|v| item_byte(g, v).refusal())
            }
            _ => None,
        },
        ("builtins", "bytearray") if n > 1 => match (ty(0), ty(1)) {
            (_, Some(t)) if t != "str" => Some(format!(
                "bytearray() argument 'encoding' must be str, not {t}"
            )),
            (Some(t), _) if t != "str" => Some("encoding without a string argument".to_owned()),
            _ => None,
        },
        ("builtins", "complex") if n > 2 => {
            Some(format!("complex() takes at most 2 arguments ({n} given)"))
        }
        ("builtins", "complex") => match (ty(0), ty(1)) {
            (Some("str"), _) if n == 2 => {
                Some("complex() can't take second arg if first is a string".to_owned())
            }
            (_, Some("str")) => Some("complex() second arg can't be a string".to_owned()),
            (Some(t), _) if !number(t) && t != "str" => Some(format!(
                "complex() first argument must be a string or a number, not '{t}'"
            )),
            (_, Some(t)) if !number(t) => Some(format!(
                "complex() second argument must be a number, not '{t}'"
            )),
            _ => None,
        },
        ("copyreg", "_reconstructor") => arity_error(name, &["cls", "base", "state"], n, false),
        ("copyreg", "__newobj__") => arity_error(name, &["cls"], n, true),
        ("copyreg", "__newobj_ex__") => arity_error(name, &["cls", "args", "kwargs"], n, false),
        ("_codecs", "encode") if n > 3 => {
            Some(format!("encode() takes at most 3 arguments ({n} given)"))
        }
        ("_codecs", "encode") if n == 0 => {
            Some("encode() missing required argument 'obj' (pos 1)".to_owned())
        }
        _ => None,
    }
}

/// Python's `TypeError` for a call of a Python function with `n`
/// positional arguments, where it takes `params` (and more, if it has
/// `*args`); `None` when the count fits.
fn arity_error(func: &str, params: &[&str], n: usize, varargs: bool) -> Option<String> {
    if n > params.len() && !varargs {
        return Some(format!(
            "{func}() takes {} positional arguments but {n} were given",
            params.len()
        ));
    }
    let missing = params.get(n..).filter(|m| !m.is_empty())?;
    let quoted: Vec<String> = missing.iter().map(|p| format!("'{p}'")).collect();
    let names = match quoted.as_slice() {
        [one] => one.clone(),
        [first, second] => format!("{first} and {second}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
        [] => String::new(),
    };
    let plural = if missing.len() == 1 { "" } else { "s" };
    Some(format!(
        "{func}() missing {} required positional argument{plural}: {names}",
        missing.len()
    ))
}

/// The Python type name of a value of a built-in type (a built-in class
/// is a `type`, a known function a `function` or a
/// `builtin_function_or_method`); `None` for what pypickle does not build
/// itself (other globals, instances, calls).
fn builtin_type(g: &Graph, v: Value) -> Option<&'static str> {
    match g.resolve(v) {
        None => v.atom_type_name(),
        Some(Object::Global(_)) => {
            let (module, name) = global_of(g, v)?;
            if crate::known::is_builtin_type(module, name) {
                Some("type")
            } else {
                crate::known::function_type_name(module, name)
            }
        }
        Some(
            Object::Instance(_) | Object::Reduce(_) | Object::Persistent(_) | Object::Buffer(_),
        ) => None,
        Some(obj) => Some(obj.type_name()),
    }
}

/// True for `functools.partial(object.__new__)`, the first step of the
/// keyword-argument instance protocols 2 and 3 write; its BUILD then gives
/// it `(object.__new__, (cls, *args), kwargs, None)`.
pub(crate) fn is_partial_of_new(g: &Graph, callable: Value, args: &[Value]) -> bool {
    global_of(g, callable) == Some(("functools", "partial"))
        && matches!(args, [f] if global_of(g, *f) == Some(("builtins", "object.__new__")))
}

/// The call of such a partial with no arguments: the instance
/// `cls.__new__(cls, *args, **kwargs)`, as NEWOBJ_EX builds it.
fn partial_new_call(g: &Graph, callable: Value, args: &[Value]) -> Option<Object> {
    let Some(Object::Reduce(r)) = g.resolve(callable) else {
        return None;
    };
    let Some(Object::Tuple(partial_args)) = g.resolve(r.args) else {
        return None;
    };
    if !args.is_empty() || !is_partial_of_new(g, r.callable, partial_args) {
        return None;
    }
    let Some(Object::Tuple(state)) = r.state.and_then(|s| g.resolve(s)) else {
        return None;
    };
    let [_, call_args, kwargs, Value::None] = state.as_slice() else {
        return None;
    };
    let (Some(Object::Tuple(call_args)), Some(Object::Dict(_))) =
        (g.resolve(*call_args), g.resolve(*kwargs))
    else {
        return None;
    };
    let (cls, rest) = call_args.split_first()?;
    global_of(g, *cls)?;
    Some(instance(*cls, rest.to_vec(), Some(*kwargs)))
}

fn instance(class: Value, args: Vec<Value>, kwargs: Option<Value>) -> Object {
    Object::Instance(Box::new(Instance {
        class,
        args,
        kwargs,
        ..Instance::default()
    }))
}

pub(crate) fn is_latin1_name(enc: &PyStr) -> bool {
    enc.as_str().is_some_and(is_latin1_label)
}

/// True for the names of the latin-1 codec pickles use.
pub(crate) fn is_latin1_label(enc: &str) -> bool {
    matches!(
        enc.to_ascii_lowercase().replace('_', "-").as_str(),
        "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "l1"
    )
}

fn latin1_encode(s: &PyStr) -> Result<Vec<u8>> {
    if let Some(out) = crate::latin1::from_utf8(s.as_bytes()) {
        return Ok(out);
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            u8::try_from(c).map_err(|_| {
                Error::new(ErrorCode::BadText(format!(
                    "'latin-1' codec can't encode character '\\u{c:04x}' in position {i}: ordinal not in range(256)"
                )))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_encoding_agrees_with_code_points() {
        let all: String = (0u32..256).map(|c| char::from_u32(c).unwrap()).collect();
        for text in [
            "",
            "abc",
            "abcdefghijklmnop\u{e9}",
            "\u{ff}\u{80}xxxxxxxxxx\u{a0}",
            all.as_str(),
        ] {
            let want: Vec<u8> = text.chars().map(|c| c as u8).collect();
            assert_eq!(latin1_encode(&PyStr::from(text)).unwrap(), want);
        }
        for text in ["\u{100}", "abcdefgh\u{20ac}", "x\u{1f680}"] {
            assert!(latin1_encode(&PyStr::from(text)).is_err());
        }
    }
}
