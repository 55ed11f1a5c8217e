#!/usr/bin/env python3
# Copied unchanged from the project's shared benchmark generator (shared/bench/gen_data.py).
"""Write the fixed benchmark pickles: data/<dataset>.p<N>.pkl for N in 2, 4, 5.

Deterministic (fixed seeds), CPython's own pickle (C accelerator), no extra
packages.  Default sizes keep data/ under 60 MB; `--full` writes larger
datasets (about 330 MB; the 64 KiB blobs dominate).

    python3 gen_data.py [--full] [--out DIR]
"""
import datetime, os, pickle, random, sys

PROTOCOLS = (2, 4, 5)
# element counts: default (fits 60 MB for all 15 files) vs --full (larger)
SIZES = {
    "default": dict(records=100_000, numbers=125_000, short_strs=200_000, blobs=16, objects=50_000),
    "full": dict(records=100_000, numbers=1_000_000, short_strs=200_000, blobs=1_000, objects=50_000),
}
BLOB = 64 * 1024


# --- pyperf: the objects of pyperformance's bm_pickle, recreated -------------
def pyperf_unit():
    """One copy of the objects bm_pickle pickles (DICT, TUPLE, DICT_GROUP, LIST,
    MICRO_DICT): a user-profile dict with str/int values and a datetime.date,
    a (list-of-ints, int) tuple, three copies of the profile dict whose values
    became stringified random floats, a list of int lists, and a dict of
    int-keyed dicts of None."""
    profile = {
        "ads_flags": 0, "age": 18, "birthday": datetime.date(1980, 5, 7),
        "bulletin_count": 0, "comment_count": 0, "country": "BR",
        "encrypted_id": "G9urXXAJwjE", "favorite_count": 9, "first_name": "",
        "flags": 412317970704, "friend_count": 0, "gender": "m",
        "gender_for_display": "Male", "id": 302935349,
        "is_custom_profile_icon": 0, "last_name": "",
        "locale_preference": "pt_BR", "member": 0,
        "tags": ["a", "b", "c", "d", "e", "f", "g"],
        "profile_foo_id": 827119638, "secure_encrypted_id": "Z_xxx2dYx3t4YAdnmfgyKw",
        "session_number": 2, "signup_id": "201-19225-223", "status": "A",
        "theme": 1, "time_created": 1225237014, "time_updated": 1233134493,
        "unread_message_count": 0, "user_group": "0", "username": "collinwinter",
        "play_count": 9, "view_count": 7, "zip": "",
    }
    ids = ([265867233, 265868503, 265252341, 265243910, 265879514, 266219766,
            266021701, 265843726, 265592821, 265246784, 265853180, 45526486,
            265463699, 265848143, 265863062, 265392591, 265877490, 265823665,
            265828884, 265753032], 60)
    rnd = random.Random(5)
    group = [{k: str(rnd.random() * sys.maxsize) for k in profile} for _ in range(3)]
    lists = [[list(range(10)), list(range(10))] for _ in range(10)]
    micro = {k: dict.fromkeys(range(10)) for k in range(100)}
    return [profile, ids, group, lists, micro]


def pyperf_data(target=1_000_000):
    # bm_pickle pickles each object on its own; to get ~1 MB we put many
    # *independent* copies in a list.  A loads() round trip gives every copy
    # fresh str objects, so the memo does not collapse them into BINGETs.
    blob = pickle.dumps(pyperf_unit(), 4)
    return [pickle.loads(blob) for _ in range(round(target / len(blob)))]


# --- records: list of flat dicts ----------------------------------------------
def records_data(n):
    rnd = random.Random(1)
    vocab = ["red", "green", "blue", "alpha", "beta", "prod", "test", "eu", "us", "vip"]
    first = ["ana", "bob", "chloé", "dmitri", "eve", "fatima", "günter", "hiro"]
    return [{"id": i, "name": "%s_%d" % (rnd.choice(first), rnd.randrange(10**6)),
             "score": rnd.uniform(0, 100), "tags": [rnd.choice(vocab), rnd.choice(vocab)],
             "active": rnd.random() < 0.5} for i in range(n)]


# --- numeric: floats and ints of mixed widths ---------------------------------
def numeric_data(n):
    rnd = random.Random(2)
    floats = [rnd.gauss(0, 1e3) for _ in range(n)]
    # bit widths -> BININT1, BININT2, BININT, LONG1 (64-bit and beyond)
    widths = (7, 15, 30, 62, 100)
    ints = [rnd.getrandbits(rnd.choice(widths)) * rnd.choice((1, 1, -1)) for _ in range(n)]
    return {"floats": floats, "ints": ints}


# --- strings: many short str (some non-ASCII) + a few large bytes --------------
def strings_data(n_short, n_blobs):
    rnd = random.Random(3)
    ascii_ = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-"
    extra = "éèüßøñçλπжд中文字日本語한국😀🚀"
    def short():
        alphabet = ascii_ + extra if rnd.random() < 0.25 else ascii_
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(4, 24)))
    shorts = [short() for _ in range(n_short)]
    blobs = [rnd.randbytes(BLOB) for _ in range(n_blobs)]
    return {"short": shorts, "blobs": blobs}


# --- graph: small shared objects, referenced from several places --------------
def graph_data(n):
    rnd = random.Random(4)
    objs = [{"id": i, "name": "obj%d" % i, "pos": (rnd.random(), rnd.random())} for i in range(n)]
    def tree(depth):  # balanced binary tree of lists, leaves are shared objects
        return rnd.choice(objs) if depth == 0 else [tree(depth - 1), tree(depth - 1)]
    chain = None
    for _ in range(400):  # deep nesting (CPython's pickler recursion limit is ~1000)
        chain = {"obj": rnd.choice(objs), "next": chain}
    return {
        "objects": objs,                                   # each object once...
        "by_name": {o["name"]: o for o in objs},           # ...again (key str shared too)
        "edges": [(rnd.choice(objs), rnd.choice(objs)) for _ in range(2 * n)],  # ~4 more refs
        "tree": tree(16),                                  # 65,536 more refs, depth 16
        "chain": chain,                                    # depth 400
    }


def main():
    sizes = SIZES["full" if "--full" in sys.argv else "default"]
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    os.makedirs(out, exist_ok=True)
    datasets = {
        "pyperf": lambda: pyperf_data(),
        "records": lambda: records_data(sizes["records"]),
        "numeric": lambda: numeric_data(sizes["numbers"]),
        "strings": lambda: strings_data(sizes["short_strs"], sizes["blobs"]),
        "graph": lambda: graph_data(sizes["objects"]),
    }
    total = 0
    for name, make in datasets.items():
        obj = make()
        for proto in PROTOCOLS:
            data = pickle.dumps(obj, proto)
            assert pickle.loads(data) == obj
            path = os.path.join(out, "%s.p%d.pkl" % (name, proto))
            with open(path, "wb") as f:
                f.write(data)
            total += len(data)
            print("%-22s %10d bytes" % (os.path.basename(path), len(data)))
    print("total %.1f MB in %s" % (total / 1e6, out))


if __name__ == "__main__":
    main()
