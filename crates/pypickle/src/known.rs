//! What this crate knows about CPython's built-in names without running
//! Python: which globals of `builtins` are types and which are functions,
//! and which other well-known globals are functions.

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
    builtin_type(module, name).is_some()
}

/// The name of the built-in type `module.name`, such as `set` for
/// `builtins.set`; `None` for anything else.
pub(crate) fn builtin_type(module: &str, name: &str) -> Option<&'static str> {
    if module != "builtins" {
        return None;
    }
    BUILTIN_TYPES
        .binary_search(&name)
        .ok()
        .map(|i| BUILTIN_TYPES[i])
}

/// Whether the instances of a built-in type can be called: what `type()`
/// makes is a class, and a `staticmethod` is callable since Python 3.10.
pub(crate) fn instances_are_callable(type_name: &str) -> bool {
    matches!(type_name, "type" | "staticmethod")
}

/// True for a built-in function such as `builtins.len`: a lowercase global
/// of `builtins` that is not a type.
pub(crate) fn is_builtin_function(module: &str, name: &str) -> bool {
    module == "builtins"
        && !is_builtin_type(module, name)
        && name.starts_with(|c: char| c.is_ascii_lowercase())
}

/// What `type(f).__name__` says of a global known to be a function: the
/// built-in functions of `builtins` and `_codecs`, and copyreg's Python
/// functions. `None` for types and for globals this crate does not know.
pub(crate) fn function_type_name(module: &str, name: &str) -> Option<&'static str> {
    if is_builtin_function(module, name) || module == "_codecs" {
        Some("builtin_function_or_method")
    } else if module == "copyreg"
        && matches!(name, "_reconstructor" | "__newobj__" | "__newobj_ex__")
    {
        Some("function")
    } else {
        None
    }
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
        assert_eq!(
            function_type_name("_codecs", "encode"),
            Some("builtin_function_or_method")
        );
        assert_eq!(
            function_type_name("copyreg", "__newobj__"),
            Some("function")
        );
        assert_eq!(function_type_name("builtins", "set"), None);
    }
}
