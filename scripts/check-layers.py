#!/usr/bin/env python3
"""Checks that no folder under src/ includes (or links) a folder above it in the layer order.

The order is read from one place: the tables under the "Layers" heading of
docs/architecture.md ("folder | may include", and "file | includes | why" for known
exceptions). A folder may include its own headers, the folders in its row, and, transitively,
what those may include. Tests (*_test.cc, *_itest.cc, *_suite.cc, *_benchmark.cc, *_suite.h,
and headers that only tests include) may also include testing/; nothing else may. fuzz/ is not
checked. The kiln_* libraries named in a folder's CMakeLists.txt follow the same rule.

Usage: scripts/check-layers.py [--root DIR]   (exit 0: clean; 1: violations, one a line)
       scripts/check-layers.py --self-test    (runs the checker on fixture trees)
"""
import os
import re
import sys
import tempfile

DOC = "docs/architecture.md"
SOURCE_EXTS = (".cc", ".h", ".c", ".hpp")
TEST_NAME = re.compile(r"_(test|itest|suite|benchmark)\.(cc|h)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
LIB = re.compile(r"\bkiln_([a-z0-9]+)\b")


class Layers:
    def __init__(self):
        self.deps = {}  # folder -> direct deps, in table order
        self.tests_only = set()
        self.exceptions = {}  # (file, folder) -> line of the doc

    def closure(self, folder):
        seen, todo = set(), list(self.deps.get(folder, []))
        while todo:
            f = todo.pop()
            if f not in seen:
                seen.add(f)
                todo.extend(self.deps.get(f, []))
        seen.discard(folder)
        return seen


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def names(cell):
    return re.findall(r"`([^`]+)`", cell)


def parse_doc(path, errors):
    layers = Layers()
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        errors.append(f"{path}: cannot read the layer order: {e.strerror}")
        return layers
    section, level = False, 0
    header = None
    for n, line in enumerate(lines, 1):
        m = re.match(r"^(#+)\s+(.*?)\s*$", line)
        if m:
            if section and len(m.group(1)) <= level:
                break
            if m.group(2) == "Layers":
                section, level = True, len(m.group(1))
            continue
        if not section:
            continue
        if not line.startswith("|"):
            header = None
            continue
        row = cells(line)
        if header is None:
            header = [c.lower() for c in row]
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in row):
            continue
        if header[:2] == ["folder", "may include"]:
            folder = names(row[0])
            if len(folder) != 1:
                errors.append(f"{path}:{n}: a Layers row needs one `folder` in its first cell")
                continue
            layers.deps[folder[0]] = names(row[1]) if len(row) > 1 else []
            if "tests only" in row[0]:
                layers.tests_only.add(folder[0])
        elif header[:2] == ["file", "includes"]:
            f, inc = names(row[0]), names(row[1]) if len(row) > 1 else []
            if len(f) != 1 or len(inc) != 1:
                errors.append(f"{path}:{n}: an exception row needs one `file` and one `folder`")
                continue
            layers.exceptions[(f[0], inc[0])] = n
    if not layers.deps:
        errors.append(f"{path}: no 'folder | may include' table under a 'Layers' heading")
    for folder, deps in layers.deps.items():
        for d in deps:
            if d not in layers.deps:
                errors.append(f"{path}: {folder} may include {d}, which has no row")
    return layers


def source_files(root):
    """Yields (folder, path relative to root) for every source file under src/."""
    src = os.path.join(root, "src")
    for folder in sorted(os.listdir(src)):
        top = os.path.join(src, folder)
        if not os.path.isdir(top):
            continue
        for d, _, files in sorted(os.walk(top)):
            for name in sorted(files):
                if name.endswith(SOURCE_EXTS) or name == "CMakeLists.txt":
                    yield folder, os.path.relpath(os.path.join(d, name), root)


def test_files(includes):
    """Files that are tests: by name, or headers that only tests include (at least one)."""
    tests = {f for f in includes if TEST_NAME.search(f)}
    includers = {}
    for f, incs in includes.items():
        for _, target, _ in incs:
            includers.setdefault("src/" + target, set()).add(f)
    changed = True
    while changed:
        changed = False
        for f in includes:
            if f in tests or not f.endswith((".h", ".hpp")):
                continue
            who = includers.get(f, set())
            if who and who <= tests:
                tests.add(f)
                changed = True
    return tests


def check(root, doc=None):
    errors = []
    doc_path = doc or os.path.join(root, DOC)
    doc_name = os.path.relpath(doc_path, root)
    layers = parse_doc(doc_path, errors)
    if errors:
        return errors
    src_folders = {f for f in os.listdir(os.path.join(root, "src"))
                   if os.path.isdir(os.path.join(root, "src", f))}
    known = set(layers.deps) | src_folders

    includes, cmake, folder_of = {}, {}, {}
    for folder, path in source_files(root):
        folder_of[path] = folder
        text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        if path.endswith("CMakeLists.txt"):
            cmake[path] = [(n, m.group(1)) for n, line in enumerate(text.splitlines(), 1)
                           for m in LIB.finditer(line.split("#", 1)[0])]
            continue
        incs = []
        for n, line in enumerate(text.splitlines(), 1):
            m = INCLUDE.match(line)
            if m and "/" in m.group(1) and m.group(1).split("/", 1)[0] in known:
                incs.append((n, m.group(1), m.group(1).split("/", 1)[0]))
        includes[path] = incs
    tests = test_files(includes)

    for folder in sorted(src_folders - set(layers.deps)):
        errors.append(f"src/{folder}/: folder not in the Layers table of {doc_name}; add its row")

    used = set()

    def rule(path, folder, target, is_test):
        """None if folder may use target, else the rule it breaks."""
        if target == folder:
            return None
        allowed = layers.closure(folder)
        if target in layers.tests_only:
            if is_test or folder in layers.tests_only:
                return None
            return (f"only tests may include {target}/ (a test is *_test.cc, *_itest.cc, "
                    f"*_suite.cc, *_suite.h, or a header only tests include)")
        if target in allowed:
            return None
        below = ", ".join(sorted(allowed)) or "nothing"
        return f"{folder} may not include {target} ({folder} may include: {below})"

    def report(path, n, what, folder, target, is_test):
        broken = rule(path, folder, target, is_test)
        if broken is None:
            return
        if (path, target) in layers.exceptions:
            used.add((path, target))
            return
        errors.append(f"{path}:{n}: {what}: {broken}; see {doc_name}#layers")

    for path, incs in includes.items():
        for n, inc, target in incs:
            report(path, n, f'#include "{inc}"', folder_of[path], target, path in tests)
    for path, libs in cmake.items():
        for n, lib in libs:
            if lib in layers.deps and lib not in layers.tests_only:
                report(path, n, f"links kiln_{lib}", folder_of[path], lib, False)
    for (path, target), n in sorted(layers.exceptions.items()):
        if (path, target) not in used:
            errors.append(f"{doc_name}:{n}: the exception '{path} includes {target}' is no "
                          f"longer needed (or the file is gone): remove its row")
    return errors


# ---- self-test -------------------------------------------------------------------------------

FIXTURE_DOC = """# Architecture
## Layers
| folder | may include |
|---|---|
| `base` | — |
| `oci` | `base` |
| `content` | `oci` |
| `runtime` | `content` |
| `testing` (tests only) | `base` |

| file | includes | why |
|---|---|---|
{exceptions}
## Other
| folder | may include |
|---|---|
| `ignored` | `nothing` |
"""


def fixture(tmp, files, exceptions=""):
    for path, text in files.items():
        full = os.path.join(tmp, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
    os.makedirs(os.path.join(tmp, "docs"), exist_ok=True)
    with open(os.path.join(tmp, DOC), "w", encoding="utf-8") as f:
        f.write(FIXTURE_DOC.format(exceptions=exceptions))


CLEAN = {
    "src/base/status.h": "#pragma once\n",
    "src/oci/digest.h": '#include "base/status.h"\n#include <string>\n',
    "src/content/store.cc": '#include "content/store.h"\n#include "oci/digest.h"\n',
    "src/content/store.h": '#include "base/status.h"\n',
    "src/runtime/run.cc": '#include "base/status.h"\n#include "nlohmann/json.hpp"\n',
    "src/runtime/run_test.cc": '#include "testing/env.h"\n#include "runtime/suite_util.h"\n',
    "src/runtime/suite_util.h": '#include "testing/env.h"\n',
    "src/testing/env.h": '#include "base/status.h"\n',
    "src/runtime/CMakeLists.txt": "kiln_module(runtime DEPS kiln_content)  # not kiln_cli\n",
    "fuzz/any.cc": '#include "runtime/run.h"\n#include "testing/env.h"\n',
}

CASES = [
    # (name, extra files, exceptions, expected substrings of the errors; [] = must pass)
    ("clean tree passes (transitive, same folder, tests and their headers use testing/)",
     {}, "", []),
    ("upward include fails",
     {"src/oci/bad.cc": '#include "base/status.h"\n  #  include "content/store.h"\n'}, "",
     ['src/oci/bad.cc:2: #include "content/store.h": oci may not include content '
      '(oci may include: base)']),
    ("non-test file includes testing/",
     {"src/content/helper.cc": '#include "testing/env.h"\n'}, "",
     ['src/content/helper.cc:1: #include "testing/env.h": only tests may include testing/']),
    ("header included by a test and by non-test code may not include testing/",
     {"src/runtime/run2.cc": '#include "runtime/suite_util.h"\n'}, "",
     ['src/runtime/suite_util.h:1: #include "testing/env.h": only tests may include']),
    ("a test may not include a folder above its own",
     {"src/oci/digest_test.cc": '#include "runtime/run.h"\n'}, "",
     ['src/oci/digest_test.cc:1: #include "runtime/run.h": oci may not include runtime']),
    ("folder missing from the table",
     {"src/extra/x.cc": '#include "base/status.h"\n'}, "",
     ["src/extra/: folder not in the Layers table"]),
    ("CMake link to a folder above",
     {"src/content/CMakeLists.txt": "kiln_module(content DEPS kiln_oci\n  kiln_runtime)\n"}, "",
     ["src/content/CMakeLists.txt:2: links kiln_runtime: content may not include runtime"]),
    ("a listed exception is allowed",
     {"src/oci/bad.cc": '#include "content/store.h"\n'},
     "| `src/oci/bad.cc` | `content` | moving |", []),
    ("a stale exception fails",
     {}, "| `src/oci/bad.cc` | `content` | moving |",
     ["the exception 'src/oci/bad.cc includes content' is no longer needed"]),
]


def self_test():
    failed = 0
    for name, extra, exceptions, expected in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            fixture(tmp, {**CLEAN, **extra}, exceptions)
            errors = check(tmp)
        ok = (not errors) if not expected else (
            errors and all(any(e in err for err in errors) for e in expected))
        print(("ok   " if ok else "FAIL ") + name)
        if not ok:
            failed += 1
            print("     expected: " + (" | ".join(expected) or "no errors"))
            print("     got:      " + (" | ".join(errors) or "no errors"))
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "src", "base"))
        errors = check(tmp)
        ok = any("cannot read the layer order" in e for e in errors)
        print(("ok   " if ok else "FAIL ") + "missing doc fails")
        failed += not ok
    print(f"{len(CASES) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    if len(argv) == 3 and argv[1] == "--root":
        root = argv[2]
    elif len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.normpath(root)
    errors = check(root)
    for e in errors:
        print(e)
    if errors:
        print(f"layers: {len(errors)} violation(s) of the order in {DOC}", file=sys.stderr)
        return 1
    print(f"layers: src/ keeps the order in {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
