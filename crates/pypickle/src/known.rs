//! What this crate knows about CPython's built-in names without running
//! Python: which globals of `builtins` are types and which are functions.

/// Built-in types (not functions) in the `builtins` module, sorted.
const BUILTIN_TYPES: &[&str] = &[
    "bool",
    "bytearray",
    "bytes",
    "classmethod",
    "complex",
    "dict",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "int",
    "list",
    "map",
    "memoryview",
    "object",
    "property",
    "range",
    "reversed",
    "set",
    "slice",
    "staticmethod",
    "str",
    "super",
    "tuple",
    "type",
    "zip",
];

/// True for a built-in type such as `builtins.set`.
pub(crate) fn is_builtin_type(module: &str, name: &str) -> bool {
    module == "builtins" && BUILTIN_TYPES.binary_search(&name).is_ok()
}

/// True for a built-in function such as `builtins.len`: a lowercase global
/// of `builtins` that is not a type.
pub(crate) fn is_builtin_function(module: &str, name: &str) -> bool {
    module == "builtins"
        && !is_builtin_type(module, name)
        && name.starts_with(|c: char| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_types_are_sorted_for_binary_search() {
        assert!(BUILTIN_TYPES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn functions_are_not_types() {
        assert!(is_builtin_function("builtins", "len"));
        assert!(!is_builtin_function("builtins", "set"));
        assert!(!is_builtin_function("builtins", "ValueError"));
        assert!(is_builtin_type("builtins", "bytearray"));
    }
}
