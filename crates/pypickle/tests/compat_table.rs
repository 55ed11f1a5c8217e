//! Differential test: `compat::to_python3` and `compat::to_python2` against
//! the renames that CPython's `pickle.py` itself applies with
//! `_compat_pickle`.

mod common;

use common::python_stdout;
use pypickle::compat::{to_python2, to_python3};

/// Runs pickle.py's own `Unpickler.find_class` and `Pickler.save_global`
/// (at protocol 2, `fix_imports=True`) over every module and name in the
/// `_compat_pickle` tables, with imports stubbed out so that any module name
/// resolves. Prints `module name module3 name3 module2 name2` per probe,
/// tab-separated; the first two lines give the probe count and the four
/// table sizes.
const PROBE_PICKLE_PY: &str = r#"
import io, pickle, _compat_pickle as c

class Global:
    def __init__(self, module, name):
        self.__module__ = module
        self.__qualname__ = name

GLOBALS = {}

def lookup(module, name):
    return GLOBALS.setdefault((module, name), Global(module, name))

class Module:
    def __init__(self, name):
        self.name = name
    def __getattr__(self, attr):
        return lookup(self.name, attr)

class Modules:
    def __getitem__(self, name):
        return Module(name)

class Sys:
    modules = Modules()
    @staticmethod
    def audit(*args):
        pass

pickle.sys = Sys
pickle.__import__ = lambda name, *args, **kwargs: None

def to_python3(module, name):
    found = pickle._Unpickler(io.BytesIO(b"")).find_class(module, name)
    return found.__module__, found.__qualname__

def to_python2(module, name):
    out = io.BytesIO()
    pickle._Pickler(out, protocol=2).save_global(lookup(module, name))
    data = out.getvalue()
    assert data.startswith(pickle.GLOBAL), data
    new_module, new_name, _ = data[1:].split(b"\n", 2)
    return new_module.decode(), new_name.decode()

tables = [c.NAME_MAPPING, c.IMPORT_MAPPING, c.REVERSE_NAME_MAPPING, c.REVERSE_IMPORT_MAPPING]
modules, names = set(), {"__probe__"}
for table in tables:
    for key, value in table.items():
        for pair in (key, value):
            if isinstance(pair, tuple):
                modules.add(pair[0])
                names.add(pair[1])
            else:
                modules.add(pair)

print(len(modules) * len(names))
print(*map(len, tables))
for module in sorted(modules):
    for name in sorted(names):
        print(module, name, *to_python3(module, name), *to_python2(module, name), sep="\t")
"#;

#[test]
fn renames_match_pickle_py() {
    let stdout = python_stdout(PROBE_PICKLE_PY);
    let mut lines = stdout.lines();
    let probes: usize = lines.next().unwrap().parse().unwrap();
    // The sizes the Rust tables were generated with (CPython 3.11, not
    // Windows); a different Python needs tools/gen_compat.py rerun.
    assert_eq!(lines.next(), Some("88 55 112 47"), "table sizes differ");

    let (mut renamed3, mut renamed2, mut checked) = (0, 0, 0);
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let [module, name, module3, name3, module2, name2] = fields[..] else {
            panic!("bad line {line:?}");
        };
        let got3 = to_python3(module, name);
        let got2 = to_python2(module, name);
        assert_eq!(
            got3.unwrap_or((module, name)),
            (module3, name3),
            "to_python3({module:?}, {name:?})"
        );
        assert_eq!(
            got2.unwrap_or((module, name)),
            (module2, name2),
            "to_python2({module:?}, {name:?})"
        );
        renamed3 += usize::from(got3.is_some());
        renamed2 += usize::from(got2.is_some());
        checked += 1;
    }
    assert_eq!(checked, probes);
    // Sanity: the probes exercise both tables of each direction.
    assert!(renamed3 > 88 && renamed2 > 112, "{renamed3} {renamed2}");
}
