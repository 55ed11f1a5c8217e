//! How CPython names globals, and which name strings it shares.
//!
//! When CPython pickles a class at protocol 4 it saves the module and the
//! qualified name as ordinary memoized strs, so whether a second global
//! reuses the first one's module string depends on object identity in the
//! Python process. These rules reproduce it: module names are interned
//! strings shared by every global of that module, except that built-in
//! functions carry the `builtins` module's own name object. The names of
//! classes and functions written in C (built-in types, `datetime.date`,
//! `collections.OrderedDict`, `len`) are fresh strings each time they are
//! read, while those of Python classes are interned identifiers.

use crate::known::is_builtin_function;

/// Which string object a global's module or name is, for memo sharing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NameIdentity {
    /// An interned string: shared with every equal interned string.
    Interned,
    /// The `builtins` module's own `__name__`, which built-in functions
    /// carry as their `__module__`.
    BuiltinsModuleName,
    /// A new string each time: never shared.
    Fresh,
}

/// Modules whose globals (when not listed in [`C_GLOBALS`]) are all
/// written in C.
const C_MODULES: &[&str] = &[
    "_codecs",
    "_operator",
    "array",
    "builtins",
    "datetime",
    "itertools",
    "math",
    "operator",
];

/// Globals written in C in modules that also hold Python classes.
const C_GLOBALS: &[(&str, &str)] = &[
    ("collections", "OrderedDict"),
    ("collections", "defaultdict"),
    ("collections", "deque"),
    ("decimal", "Context"),
    ("decimal", "Decimal"),
    ("functools", "partial"),
    ("functools", "reduce"),
];

fn is_written_in_c(module: &str, name: &str) -> bool {
    C_MODULES.contains(&module) || C_GLOBALS.contains(&(module, name))
}

/// The identity of the module string CPython saves for `module.name`.
pub(crate) fn module_identity(module: &str, name: &str) -> NameIdentity {
    if is_builtin_function(module, name) {
        NameIdentity::BuiltinsModuleName
    } else {
        NameIdentity::Interned
    }
}

/// The identity of the name string CPython saves for `module.name`.
pub(crate) fn name_identity(module: &str, name: &str) -> NameIdentity {
    if is_written_in_c(module, name) {
        NameIdentity::Fresh
    } else {
        NameIdentity::Interned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_and_types_differ() {
        assert_eq!(
            module_identity("builtins", "getattr"),
            NameIdentity::BuiltinsModuleName
        );
        assert_eq!(module_identity("builtins", "set"), NameIdentity::Interned);
        assert_eq!(name_identity("builtins", "set"), NameIdentity::Fresh);
        assert_eq!(
            name_identity("collections", "OrderedDict"),
            NameIdentity::Fresh
        );
        assert_eq!(
            name_identity("collections", "Counter"),
            NameIdentity::Interned
        );
        assert_eq!(name_identity("datetime", "datetime"), NameIdentity::Fresh);
    }
}
