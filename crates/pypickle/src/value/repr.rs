//! Python's `repr()` of a graph, without recursion.
//!
//! A value is printed by an explicit work stack, so a million-deep list
//! prints instead of overflowing the stack, and an object already being
//! printed shows as `[...]`, `{...}` or `(...)`, as Python prints it.

use std::collections::HashSet;
use std::fmt::{self, Write};

use super::expansion::Expansion;
use super::{Graph, ObjId, Object, PyStr, Value};

enum Task<'g> {
    Value(Value),
    Text(&'static str),
    Leave(ObjId),
    /// A dict item: key, ": ", value.
    Item(&'g (Value, Value)),
}

/// Python's `repr()` of the root value.
///
/// A shared object prints in full wherever it is reached, as in Python, up
/// to 16 times the graph's own size (plus 65,536 values): past that,
/// values print as `...`, so a small hostile pickle cannot make its repr
/// exhaust memory.
impl fmt::Display for Graph {
    /// Python's `repr()` of the root value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_repr(self, self.root(), &mut out);
        f.write_str(&out)
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph({self})")
    }
}

impl Graph {
    /// Python's `repr()` of one value of this graph, with the size bound
    /// of the [`Display`](fmt::Display) impl.
    pub fn repr(&self, v: Value) -> String {
        let mut out = String::new();
        write_repr(self, v, &mut out);
        out
    }
}

/// Pushes `items` separated by ", " (in reverse, since the stack is LIFO).
fn push_seq<'g>(stack: &mut Vec<Task<'g>>, items: &'g [Value]) {
    for (i, v) in items.iter().enumerate().rev() {
        stack.push(Task::Value(*v));
        if i > 0 {
            stack.push(Task::Text(", "));
        }
    }
}

fn push_items<'g>(stack: &mut Vec<Task<'g>>, items: &'g [(Value, Value)]) {
    for (i, kv) in items.iter().enumerate().rev() {
        stack.push(Task::Item(kv));
        if i > 0 {
            stack.push(Task::Text(", "));
        }
    }
}

/// What a repr may print before it needs the graph's size: values and
/// slots enough for any small value, and then 16 times the graph. A
/// shared object prints in full wherever it is reached, as in Python, so
/// without a bound a few hundred bytes of pickle have a repr of 2^64 items.
const REPR_ALLOWANCE: u64 = 1 << 16;

pub(crate) fn write_repr(g: &Graph, root: Value, out: &mut String) {
    let mut stack = vec![Task::Value(root)];
    let mut active: HashSet<ObjId> = HashSet::new();
    let mut budget = Expansion::new(1, REPR_ALLOWANCE, u64::MAX);
    while let Some(task) = stack.pop() {
        let v = match task {
            Task::Text(t) => {
                out.push_str(t);
                continue;
            }
            Task::Leave(id) => {
                active.remove(&id);
                continue;
            }
            Task::Item((k, v)) => {
                stack.push(Task::Value(*v));
                stack.push(Task::Text(": "));
                stack.push(Task::Value(*k));
                continue;
            }
            Task::Value(v) => v,
        };
        if !budget.spend(g, 1) {
            out.push_str("...");
            continue;
        }
        let id = match v {
            Value::None => {
                out.push_str("None");
                continue;
            }
            Value::Bool(b) => {
                out.push_str(if b { "True" } else { "False" });
                continue;
            }
            Value::Int(i) => {
                let _ = write!(out, "{i}");
                continue;
            }
            Value::Float(x) => {
                write_float(out, x);
                continue;
            }
            Value::Ref(id) => id,
        };
        let Some(obj) = g.get(id) else {
            out.push_str("<dangling>");
            continue;
        };
        // Past the limit this leaves nothing, so what it puts on the work
        // stack prints as `...`.
        budget.spend(g, obj.content_weight() as u64);
        // Containers guard against printing themselves inside themselves.
        let recursive_text = match obj {
            Object::List(_) => Some("[...]"),
            Object::Dict(_) | Object::Instance(_) | Object::Reduce(_) => Some("{...}"),
            Object::Tuple(_) | Object::Set(_) | Object::FrozenSet(_) => Some("(...)"),
            _ => None,
        };
        if let Some(text) = recursive_text {
            if !active.insert(id) {
                out.push_str(text);
                continue;
            }
            stack.push(Task::Leave(id));
        }
        match obj {
            Object::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Object::Str(s) => write_str_repr(out, s),
            Object::Bytes(b) => write_bytes_repr(out, b),
            Object::ByteArray(b) => {
                out.push_str("bytearray(");
                write_bytes_repr(out, b);
                out.push(')');
            }
            Object::Complex { re, im } => write_complex(out, *re, *im),
            Object::List(items) => {
                out.push('[');
                stack.push(Task::Text("]"));
                push_seq(&mut stack, items);
            }
            Object::Tuple(items) => {
                out.push('(');
                stack.push(Task::Text(if items.len() == 1 { ",)" } else { ")" }));
                push_seq(&mut stack, items);
            }
            Object::Dict(items) => {
                out.push('{');
                stack.push(Task::Text("}"));
                push_items(&mut stack, items);
            }
            Object::Set(items) if items.is_empty() => out.push_str("set()"),
            Object::Set(items) => {
                out.push('{');
                stack.push(Task::Text("}"));
                push_seq(&mut stack, items);
            }
            Object::FrozenSet(items) if items.is_empty() => out.push_str("frozenset()"),
            Object::FrozenSet(items) => {
                out.push_str("frozenset({");
                stack.push(Task::Text("})"));
                push_seq(&mut stack, items);
            }
            Object::Global(gl) => write_global(out, &gl.module, &gl.name),
            Object::Instance(inst) => {
                stack.push(Task::Text(")"));
                let mut parts: Vec<Task> = Vec::new();
                let mut sep = false;
                for a in &inst.args {
                    if sep {
                        parts.push(Task::Text(", "));
                    }
                    parts.push(Task::Value(*a));
                    sep = true;
                }
                if let Some(kw) = inst.kwargs {
                    if sep {
                        parts.push(Task::Text(", "));
                    }
                    parts.push(Task::Text("**"));
                    parts.push(Task::Value(kw));
                    sep = true;
                }
                if let Some(state) = inst.state {
                    if sep {
                        parts.push(Task::Text(", "));
                    }
                    parts.push(Task::Text("__state__="));
                    parts.push(Task::Value(state));
                }
                stack.extend(parts.into_iter().rev());
                stack.push(Task::Text("("));
                stack.push(Task::Value(inst.class));
            }
            Object::Reduce(r) => {
                stack.push(Task::Text(")"));
                if let Some(state) = r.state {
                    stack.push(Task::Value(state));
                    stack.push(Task::Text(", __state__="));
                }
                stack.push(Task::Value(r.args));
                stack.push(Task::Text("("));
                stack.push(Task::Value(r.callable));
            }
            Object::Persistent(pid) => {
                out.push_str("persistent_load(");
                stack.push(Task::Text(")"));
                stack.push(Task::Value(*pid));
            }
            Object::Buffer(b) => {
                out.push_str("PickleBuffer(");
                write_bytes_repr(out, &b.data);
                out.push(')');
            }
        }
    }
}

fn write_global(out: &mut String, module: &PyStr, name: &PyStr) {
    out.push_str(&module.to_string_lossy());
    out.push('.');
    out.push_str(&name.to_string_lossy());
}

fn write_float(out: &mut String, x: f64) {
    let mut buf = Vec::new();
    crate::text::write_float_repr(&mut buf, x);
    out.push_str(std::str::from_utf8(&buf).unwrap_or("nan"));
}

/// Python's repr of a complex part: like a float, without a trailing ".0".
fn write_complex_part(out: &mut String, x: f64) {
    let start = out.len();
    write_float(out, x);
    if out[start..].ends_with(".0") {
        out.truncate(out.len() - 2);
    }
}

fn write_complex(out: &mut String, re: f64, im: f64) {
    if re == 0.0 && re.is_sign_positive() {
        write_complex_part(out, im);
        out.push('j');
        return;
    }
    out.push('(');
    write_complex_part(out, re);
    if im >= 0.0 || im.is_nan() {
        out.push('+');
    }
    write_complex_part(out, im);
    out.push_str("j)");
}

/// Python's `repr()` of a str: quotes chosen as Python does, escapes for
/// control characters and lone surrogates.
pub(crate) fn write_str_repr(out: &mut String, s: &PyStr) {
    let bytes = s.as_bytes();
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for cp in s.chars() {
        match cp {
            0x5c => out.push_str("\\\\"),
            0x0a => out.push_str("\\n"),
            0x0d => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            c if c == quote as u32 => {
                out.push('\\');
                out.push(quote);
            }
            c if c < 0x20 || c == 0x7f || (0x80..=0xa0).contains(&c) || c == 0xad => {
                let _ = write!(out, "\\x{c:02x}");
            }
            c if (0xd800..=0xdfff).contains(&c) => {
                let _ = write!(out, "\\u{c:04x}");
            }
            c => out.push(char::from_u32(c).unwrap_or('\u{fffd}')),
        }
    }
    out.push(quote);
}

/// Python's `repr()` of a bytes object.
pub(crate) fn write_bytes_repr(out: &mut String, b: &[u8]) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote as char);
}

impl PyStr {
    /// Python's `repr()` of the str: quoted and escaped as Python prints it.
    ///
    /// ```
    /// assert_eq!(pypickle::PyStr::from("it's").repr(), "\"it's\"");
    /// ```
    pub fn repr(&self) -> String {
        let mut out = String::new();
        write_str_repr(&mut out, self);
        out
    }
}

/// Python's `repr()` of a bytes object.
///
/// ```
/// assert_eq!(pypickle::value::bytes_repr(b"\x80\x04K\x01."), "b'\\x80\\x04K\\x01.'");
/// ```
pub fn bytes_repr(bytes: &[u8]) -> String {
    let mut out = String::new();
    write_bytes_repr(&mut out, bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Items;

    #[test]
    fn million_deep_list_prints() {
        let mut g = Graph::new();
        let mut inner = Value::None;
        for _ in 0..1_000_000 {
            inner = Value::Ref(g.add(Object::List(Items::from([inner]))));
        }
        g.set_root(inner);
        let s = g.to_string();
        assert_eq!(s.len(), 2_000_000 + 4);
        assert!(s.starts_with("[[[") && s.contains("[None]") && s.ends_with("]]]"));
    }

    #[test]
    fn cycles_print_like_python() {
        let mut g = Graph::new();
        let l = g.add(Object::List(Items::new()));
        let d = g.add(Object::Dict(vec![]));
        let k = g.str("d");
        let t = g.add(Object::Tuple(Items::from([Value::Ref(l)])));
        g.list_mut(l)
            .unwrap()
            .extend([Value::Ref(l), Value::Ref(d), Value::Ref(t)]);
        if let Some(Object::Dict(items)) = g.get_mut(d) {
            items.push((k, Value::Ref(d)));
        }
        g.set_root(Value::Ref(l));
        assert_eq!(g.to_string(), "[[...], {'d': {...}}, ([...],)]");
    }

    #[test]
    fn shared_objects_print_within_a_budget() {
        // Each list holds the one before twice: a repr of 2^64 Nones.
        let mut g = Graph::new();
        let mut inner = Value::None;
        for _ in 0..64 {
            inner = Value::Ref(g.add(Object::List(Items::from([inner, inner]))));
        }
        g.set_root(inner);
        let s = g.to_string();
        // The budget: 16 times (64 objects of weight 2, plus one each),
        // plus the allowance, each value printed in a few bytes.
        let budget = 16 * 192 + REPR_ALLOWANCE as usize;
        assert!(s.len() <= 8 * budget, "{} bytes", s.len());
        assert!(s.starts_with("[[[") && s.contains("None") && s.contains("..."));
        assert_eq!(
            s.matches('[').count(),
            s.matches(']').count(),
            "brackets close"
        );
        assert!(s.ends_with(", ...]"));
        // Shared objects within the budget print in full, as in Python.
        let mut g = Graph::new();
        let s = g.str("x");
        let pair = g.add(Object::List(Items::from([s, s])));
        let both = g.add(Object::Tuple(Items::from([
            Value::Ref(pair),
            Value::Ref(pair),
        ])));
        g.set_root(Value::Ref(both));
        assert_eq!(g.to_string(), "(['x', 'x'], ['x', 'x'])");
    }

    #[test]
    fn str_and_bytes_repr() {
        let mut out = String::new();
        write_str_repr(&mut out, &PyStr::from("it's\n\u{e9}\x01"));
        assert_eq!(out, "\"it's\\n\u{e9}\\x01\"");
        out.clear();
        write_bytes_repr(&mut out, b"a'\x00\xff");
        assert_eq!(out, "b\"a'\\x00\\xff\"");
    }
}
