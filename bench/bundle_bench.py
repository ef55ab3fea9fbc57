"""Bundle benchmark: the one-folder bundle's size and build time, and its start-up next to the
unbundled program (the virtual environment's ``justice-desktop``) in the same run.

    python -m bench.bundle_bench [--bundle dist/justice-desktop] [--runs 7] [--cases 1000] [--json]

Without ``--bundle`` the bundle is built first (``build_spec/justice_desktop.spec`` into a
temporary folder) and the build is timed. Then, over one demo database of ``--cases`` cases
(made by the bundle), alternating bundled and unbundled runs, medians over ``--runs``:

* ``--version``: starting the process and the launcher (no Qt);
* ``--screen cases --exit-when-ready``: from starting the process to the main window showing
  the first page of the case list (``READY``);
* ``--smoke-test``: start, every screen and ten case editors rendered, exit.

Both programs run in the same minimal environment (PATH, HOME, LANG, QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build_spec" / "justice_desktop.spec"
UNBUNDLED = Path(sys.executable).with_name("justice-desktop")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build(out: Path) -> tuple[Path, float]:
    start = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pyinstaller")),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "work"),
            str(SPEC),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out / "dist" / "justice-desktop", time.perf_counter() - start


def size(bundle: Path) -> dict[str, Any]:
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    total = sum(p.stat().st_size for p in files)
    parts: dict[str, int] = {}
    internal = bundle / "_internal"
    for p in files:
        rel = p.relative_to(internal) if p.is_relative_to(internal) else p.relative_to(bundle)
        top = rel.parts[0] if len(rel.parts) > 1 else "(shared libraries and other files)"
        if top == "PySide6" and len(rel.parts) > 2 and rel.parts[1] == "Qt":
            top = "PySide6/Qt/" + rel.parts[2] if len(rel.parts) > 3 else "PySide6/Qt"
        parts[top] = parts.get(top, 0) + p.stat().st_size
    biggest = sorted(parts.items(), key=lambda kv: -kv[1])[:8]
    return {
        "mb": total / 1e6,
        "files": len(files),
        "parts_mb": {name: b / 1e6 for name, b in biggest},
    }


def clean_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def timed(command: list[str], env: dict[str, str], expect: str | None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or (expect is not None and expect not in done.stdout):
        raise RuntimeError(f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bundle", type=Path, default=None, help="an existing bundle folder")
    parser.add_argument(
        "--runs", type=int, default=7, help="measured runs per program and probe (default 7)"
    )
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    runs = args.runs

    with tempfile.TemporaryDirectory(prefix="bundle-bench-") as tmp_name:
        tmp = Path(tmp_name)
        build_s: float | None = None
        if args.bundle is None:
            _log("building the bundle …")
            bundle, build_s = build(tmp / "build")
        else:
            bundle = args.bundle.resolve()
        exe = bundle / "justice-desktop"
        measured_size = size(bundle)

        home = tmp / "home"
        home.mkdir()
        env = clean_env(home)
        data = tmp / "demo"
        _log(f"demo database of {args.cases} cases …")
        subprocess.run(
            [str(exe), "--data-dir", str(data), "demo-data", "--cases", str(args.cases)],
            env=env,
            check=True,
            capture_output=True,
        )
        window = ["--data-dir", str(data), "--demo", "--no-crash-dialog"]
        probes: list[tuple[str, list[str], str | None]] = [
            ("--version", ["--version"], "justice-desktop"),
            ("first window (READY)", [*window, "--screen", "cases", "--exit-when-ready"], "READY"),
            ("--smoke-test", [*window, "--smoke-test"], "自检通过"),
        ]
        programs = {"bundled": str(exe), "unbundled (venv)": str(UNBUNDLED)}
        times: dict[str, dict[str, list[float]]] = {
            name: {label: [] for label in programs} for name, _a, _e in probes
        }
        for name, probe_args, expect in probes:
            for program in programs.values():  # warm the file cache, not measured
                timed([program, *probe_args], env, expect)
            for i in range(runs):
                order = list(programs.items()) if i % 2 == 0 else list(programs.items())[::-1]
                for label, program in order:
                    times[name][label].append(timed([program, *probe_args], env, expect))
            _log(f"{name}: done")

    medians = {
        name: {label: statistics.median(values) for label, values in by.items()}
        for name, by in times.items()
    }
    result: dict[str, Any] = {
        "bundle_mb": round(measured_size["mb"], 1),
        "bundle_files": measured_size["files"],
        "bundle_parts_mb": {k: round(v, 1) for k, v in measured_size["parts_mb"].items()},
        "build_s": None if build_s is None else round(build_s, 1),
        "runs": runs,
        "median_s": {n: {k: round(v, 3) for k, v in by.items()} for n, by in medians.items()},
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    build_text = "—" if build_s is None else f"{build_s:.1f} s"
    print(
        f"bundle: {measured_size['mb']:.1f} MB in {measured_size['files']} files; build {build_text}"
    )
    for part, mb in measured_size["parts_mb"].items():
        print(f"    {part:<40} {mb:7.1f} MB")
    print(f"\nstart-up, median of {runs} runs (s), {os.cpu_count()} CPUs")
    print(f"{'probe':<24} {'bundled':>10} {'unbundled':>10} {'ratio':>7}")
    for name, by in medians.items():
        bundled, plain = by["bundled"], by["unbundled (venv)"]
        print(f"{name:<24} {bundled:>10.3f} {plain:>10.3f} {bundled / plain:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
