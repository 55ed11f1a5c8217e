#!/usr/bin/env python3
"""A stand-in for `pypickle recode`, built on CPython's own pickle.

    python3 tests/oracle/fake_recode.py recode [--protocol N] [--encoding ENC]
                                               [--errors ERR] [FILE]

Same contract as the real command: read every pickle in FILE (or stdin)
until a clean EOF and write each one re-dumped at --protocol (default 4)
to stdout; exit 0 on success, 1 with one line on stderr on bad input, 2 on
a usage error. Every harness must report all-pass against this fake: that
checks the harnesses themselves.

"Generic mode" is approximated: this folder is on sys.path (so `pyclasses`
resolves), and a class missing from `__main__` is looked up after importing
test.pickletester, which puts the classes its vectors use there.
"""
import argparse
import contextlib
import io
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


class GenericishUnpickler(pickle.Unpickler):
    """An Unpickler that also finds test.pickletester's `__main__` classes."""

    def find_class(self, module, name):
        try:
            return super().find_class(module, name)
        except AttributeError:
            if module != "__main__":
                raise
            import test.pickletester  # noqa: F401  (sets __main__.C, D, E, ...)
            return super().find_class(module, name)


def parse_args(argv):
    """The `recode` command line; argparse exits 2 on a usage error."""
    parser = argparse.ArgumentParser(prog="fake_recode.py")
    commands = parser.add_subparsers(dest="command", required=True)
    recode = commands.add_parser("recode")
    recode.add_argument("--protocol", type=int, default=4, choices=range(6))
    recode.add_argument("--encoding", default="ASCII")
    recode.add_argument("--errors", default="strict")
    recode.add_argument("file", nargs="?", default="-")
    return parser.parse_args(argv)


def recode(data, protocol, encoding, errors, out):
    """Re-dumps each pickle of `data` to `out`; returns an error line or None."""
    stream = io.BytesIO(data)
    index = 0
    while stream.tell() < len(data):
        start = stream.tell()
        try:
            # CPython reports some failures twice: a huge BYTEARRAY8 raises
            # MemoryError and also prints "SystemError: deallocated bytearray
            # object has exported buffers" to sys.stderr. One line it is.
            with contextlib.redirect_stderr(io.StringIO()):
                obj = GenericishUnpickler(stream, encoding=encoding, errors=errors).load()
            out.write(pickle.dumps(obj, protocol))
        except Exception as e:
            message = " ".join(str(e).split())
            return "fake_recode: pickle #%d (at byte %d): %s: %s" % (index, start, type(e).__name__, message)
        index += 1
    return None


def main(argv):
    if os.environ.get("PYTHONHASHSEED") != "0":  # set order must match the harness's
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))
    args = parse_args(argv)
    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(args.file, "rb") as f:
                data = f.read()
        except OSError as e:
            print("fake_recode: %s" % e, file=sys.stderr)
            return 1
    error = recode(data, args.protocol, args.encoding, args.errors, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    if error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
