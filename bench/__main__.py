"""`make bench`: every benchmark under bench/, then one report in docs/benchmarks.md.

Each benchmark starts its own private services, prints its table and writes its own page
(docs/benchmarks-<name>.md); this runner runs them one after another (so they do not share
the two cores) and gathers the pages, with the date and machine, into docs/benchmarks.md.
"""

from __future__ import annotations

import datetime
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BENCHMARKS = ("receiver", "index", "freshness", "peers")


def main() -> int:
    failed = []
    # `--collect` only gathers the pages already written (after re-running one benchmark).
    for name in () if "--collect" in sys.argv else BENCHMARKS:
        print(f"== bench.{name}", flush=True)
        if subprocess.run(
            [sys.executable, "-m", f"bench.{name}"], cwd=ROOT, check=False
        ).returncode:
            failed.append(name)
    sections = []
    for name in BENCHMARKS:
        page = DOCS / f"benchmarks-{name}.md"
        if page.exists():
            text = page.read_text().strip()
            sections.append(text.replace("# ", "## ", 1))
    header = (
        "# repograph benchmarks\n\n"
        f"Produced by `make bench` on {datetime.date.today().isoformat()} "
        f"({platform.node()}, {platform.platform()}, Python {platform.python_version()}). "
        "Figures are the ones the benchmarks printed on that run; each section gives its own "
        "machine details, limits and verdicts. Timings on a shared 2-core machine are noisy: "
        "compare ratios measured in the same run.\n"
    )
    (DOCS / "benchmarks.md").write_text(header + "\n" + "\n\n".join(sections) + "\n")
    print(f"written {DOCS / 'benchmarks.md'}")
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
