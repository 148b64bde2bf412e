"""Symbol extraction beside its peers, on three real corpora in three languages.

    .venv/bin/python -m bench.peers [--no-doc]

For each corpus (the CPython standard library, the Go standard library of the installed
toolchain, and the TypeScript declarations of the `typescript` npm package), on both cores:
tree-sitter parse only (the limit), repograph's extraction (definitions, imports, calls,
inheritance), and universal-ctags (definitions only, Debian's package) on the same files.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from activities.codegraph.extract import extract
from activities.codegraph.languages import detect_language, get_parser
from bench._corpus import load_corpus

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks-peers.md"
WORKERS = 2
CHUNK = 64


def typescript_package(scratch: Path) -> Path:
    """`npm pack typescript` from the npm registry, unpacked: its lib/*.d.ts files."""
    subprocess.run(
        ["npm", "pack", "typescript", "--silent"], cwd=scratch, check=True, capture_output=True
    )
    tarball = next(scratch.glob("typescript-*.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(scratch, filter="data")
    return scratch / "package"


def files_of(root: Path, suffix: str, limit_bytes: int = 1024 * 1024) -> list[Path]:
    found = []
    for path in sorted(root.rglob(f"*{suffix}")):
        if "testdata" in path.parts or "__pycache__" in path.parts or not path.is_file():
            continue
        if path.stat().st_size <= limit_bytes:
            found.append(path)
    return found


def _parse(paths: list[str]) -> int:
    for path in paths:
        get_parser(detect_language(path) or "python").parse(Path(path).read_bytes())
    return len(paths)


def _extract(paths: list[str]) -> int:
    symbols = 0
    for path in paths:
        symbols += len(
            extract(path, Path(path).read_bytes(), detect_language(path) or "").definitions
        )
    return symbols


def pooled(function: object, paths: list[Path]) -> tuple[float, int]:
    chunks = [[str(p) for p in paths[i : i + CHUNK]] for i in range(0, len(paths), CHUNK)]
    with ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn")) as pool:
        list(pool.map(_parse, [chunks[0][:1]]))  # warm the pool: imports, grammar load
        started = time.monotonic()
        total = sum(pool.map(function, chunks))  # type: ignore[arg-type]
        return time.monotonic() - started, total


def ctags(paths: list[Path], scratch: Path) -> tuple[float, int]:
    half = len(paths) // 2
    parts = [paths[:half], paths[half:]]  # two processes, like the pools above
    lists = []
    for n, part in enumerate(parts):
        lists.append(scratch / f"part{n}.txt")
        lists[-1].write_text("\n".join(str(p) for p in part))
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            ["ctags", "-L", str(lst), "-f", "-", "--fields=+n"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for lst in lists
    ]
    tags = sum(len(proc.communicate()[0].splitlines()) for proc in procs)
    return time.monotonic() - started, tags


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    if shutil.which("ctags") is None:
        print("universal-ctags is missing: `make bench` installs it", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="repograph-bench-peers-"))
    corpora = []
    for name, label in (("cpython", "CPython stdlib (Python)"), ("go", "Go stdlib (Go)")):
        corpus = load_corpus(name, quick=False)  # the same files bench.index uses
        corpora.append((label, [corpus.root / f for f in corpus.files]))
    package = typescript_package(scratch)
    corpora.append(
        (
            "typescript@5 npm package (.ts, .js under 1 MiB)",
            files_of(package, ".ts") + files_of(package, ".js"),
        )
    )
    rows = [
        "| corpus | files | MB | parse only s (limit) | repograph extract s | x parse | "
        "definitions | universal-ctags s | ctags tags | extract / ctags |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, paths in corpora:
        size = sum(p.stat().st_size for p in paths) / 1e6
        parse_s, _ = pooled(_parse, paths)
        extract_s, definitions = pooled(_extract, paths)
        ctags_s, tags = ctags(paths, scratch)
        rows.append(
            f"| {name} | {len(paths)} | {size:.1f} | {parse_s:.2f} | {extract_s:.2f} | "
            f"{extract_s / parse_s:.1f} | {definitions} | {ctags_s:.2f} | {tags} | "
            f"{extract_s / ctags_s:.2f} |"
        )
        print(rows[-1], flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    table = "\n".join(rows)
    print(table)
    if not args.no_doc:
        DOC.write_text(
            f"# Extraction beside its peers\n\n{datetime.date.today().isoformat()}, "
            f"{os.cpu_count()} cores. Both pools and ctags use two processes; timings exclude "
            "pool start-up. repograph's extraction also finds imports, calls and inheritance, "
            "which ctags does not; ctags counts every tag kind it emits.\n\n" + table + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
