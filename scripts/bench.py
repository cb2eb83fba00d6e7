"""Benchmark `exchange-eval build` against the papermill + nbconvert + weasyprint command-line loop.

Run with ``make bench`` (not part of ``make test``); ``--quick`` is a smoke run on small
data that proves the script works (tests run it; its numbers mean nothing). In temporary
folders it

1. writes a programme of 12 demo rounds, asks for reports in English and French, and
   cleans them (both contenders then read the same processed data);
2. times the baseline: a shell loop of ``papermill``, ``jupyter nbconvert --to html
   --no-input`` and ``weasyprint`` over every report of the programme (each round in both
   languages, the synthesis and the review in both);
3. times ``exchange-eval build --jobs 2`` from scratch (it cleans again: it has no build
   manifest yet), then with nothing changed, then after editing one round's export (and
   checks what was rebuilt);
4. edits one round's ``corrections.csv`` and times how long until that round's report in
   its own language is rewritten: with ``build --round`` started afresh, and with
   ``watch`` already running (workers and kernels warm);
5. builds a 50-round programme from scratch;
6. cleans about one million long response rows, and reads a 300,000-row .xlsx export,
   each in a fresh process;

measuring the peak memory of each (the sum over the process tree: build, workers, kernel
zygotes and kernels, proportional set size so pages shared by forked kernels count once),
then prints every figure and writes them to ``docs/benchmarks.md``.

Timings from a machine that other work is loading are inflated and noisy; run it on a
quiet machine for the numbers that go into the docs.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "src"))

from bench_tasks import BIG_CLEAN, XLSX_READ, big_round, write_big_xlsx  # noqa: E402

from exchange_eval.build import build_all  # noqa: E402
from exchange_eval.core.paths import Workspace  # noqa: E402
from exchange_eval.demo import write_demo  # noqa: E402

LANGUAGES = ("en", "fr")
PROGRAMME = (("synthesis_report.ipynb", "synthesis"), ("feedback_review.ipynb", "review"))


# --------------------------------------------------------------------------- processes and memory


class PeakMemory:
    """Sample the memory of a process and its descendants every ``every`` seconds; keep the peak.

    PSS (proportional set size) where the system tells it, so pages that forked kernels
    share with their zygote count once; RSS otherwise.
    """

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            import psutil
        except ImportError:  # no sampling: the peak stays unknown (0)
            return
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                total = 0
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        info = proc.memory_full_info()
                        total += getattr(info, "pss", 0) or info.rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                self.peak = max(self.peak, total)
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.every)

    @property
    def mb(self) -> float:
        return self.peak / 2**20


CPU: dict[str, float] = {}  # command label -> CPU seconds of its whole process tree


def children_cpu() -> float:
    """CPU seconds (user + system) of every child process ended and waited for so far.

    A process's waited-for descendants count in its own figure, so this covers the whole
    tree of a command: workers, kernel zygotes (each worker waits for its own) and kernels.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], *, env: dict | None = None, check: bool = True,
        cpu: str | None = None) -> tuple[float, subprocess.CompletedProcess, float]:
    """Run ``command``; (seconds, the completed process, peak memory in MB of its tree).
    With ``cpu``, the CPU seconds of its tree are kept in `CPU` under that name."""
    started = time.perf_counter()
    cpu_before = children_cpu()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    with PeakMemory(process.pid) as memory:
        stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    if cpu:
        CPU[cpu] = children_cpu() - cpu_before
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if check and done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"benchmark step failed: {shlex.join(command)}")
    return elapsed, done, memory.mb


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT / "src"), env.get("PYTHONPATH", "")] if p)
    env.pop("EXCHANGE_EVAL_DATA", None)
    env.pop("EXCHANGE_EVAL_REPORTS", None)
    # colleagues edit the package while the benchmark runs; only data changes should count
    env["EXCHANGE_EVAL_BUILD_IGNORE_CODE"] = "1"
    return env


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def cli(ws: Workspace, *args: str) -> list[str]:
    return [str(BIN / "exchange-eval"), "--data-dir", str(ws.data_dir), "--reports-dir", str(ws.reports_dir), *args]


# --------------------------------------------------------------------------- the programme


def programme(folder: Path, n_rounds: int, languages: tuple[str, ...]) -> tuple[Workspace, list[str]]:
    """``n_rounds`` demo rounds in ``folder``, reports asked for in ``languages``."""
    ws = Workspace(folder / "data", folder / "reports", NOTEBOOKS)
    written = write_demo(ws.data_dir, seed=0, n_rounds=n_rounds)
    (ws.data_dir / "config").mkdir(parents=True, exist_ok=True)
    listed = ", ".join(languages)
    (ws.data_dir / "config" / "settings.yaml").write_text(f"reports:\n  languages: [{listed}]\n", encoding="utf-8")
    return ws, written


def clean_all(ws: Workspace) -> float:
    from exchange_eval.clean.pipeline import clean_round

    started = time.perf_counter()
    for rid in ws.round_ids():
        clean_round(ws, rid)
    return time.perf_counter() - started


def report_list(ws: Workspace, languages: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    """(notebook, folder, language, file stem) of every report a build makes."""
    reports = []
    for rid in ws.round_ids():
        meta = json.loads((ws.processed_round(rid) / "meta.json").read_text(encoding="utf-8"))
        own = meta["language"]
        for lang in dict.fromkeys([own, *languages]):
            stem = "round_report" if lang == own else f"round_report.{lang}"
            reports.append(("round_report.ipynb", rid, lang, stem))
    for lang in languages or ("en",):
        for notebook, folder in PROGRAMME:
            stem = notebook.removesuffix(".ipynb") + ("" if lang == "en" else f".{lang}")
            reports.append((notebook, folder, lang, stem))
    return reports


def baseline_script(ws: Workspace, out: Path, languages: tuple[str, ...], pdf: bool) -> str:
    """The shell loop a user would write with the command-line tools, one report after another."""
    # like `build`, one failing report does not stop the others
    lines = ["failed=0"]
    dirs = f"-r data_dir {shlex.quote(str(ws.data_dir))} -r reports_dir {shlex.quote(str(out))}"
    for notebook, folder, lang, stem in report_list(ws, languages):
        target = out / folder
        ipynb = target / f"{stem}.ipynb"
        html = target / f"{stem}.html"
        params = f"-r lang {lang} {dirs}"
        if folder not in ("synthesis", "review"):
            params += f" -r round_id {shlex.quote(folder)}"
        lines.append(f"mkdir -p {shlex.quote(str(target))}")
        step = (
            f"papermill --no-progress-bar -k python3 {shlex.quote(str(NOTEBOOKS / notebook))} {shlex.quote(str(ipynb))} {params} 2>/dev/null"
            f" && jupyter nbconvert --to html --no-input --log-level=ERROR {shlex.quote(str(ipynb))}"
        )
        if pdf:
            step += f" && weasyprint {shlex.quote(str(html))} {shlex.quote(str(html.with_suffix('.pdf')))} 2>/dev/null"
        lines.append(step + " || failed=$((failed+1))")
    lines.append('echo "failed=$failed"')
    return "\n".join(lines) + "\n"


def built_reports(ws: Workspace, since: float) -> list[str]:
    """Reports whose HTML was replaced after ``since`` (``round (fr)`` for another language), plus the index."""
    names = []
    for html in sorted(ws.reports_dir.glob("*/*.html")):
        if html.stat().st_mtime > since:
            parts = html.name.split(".")
            names.append(html.parent.name + (f" ({parts[1]})" if len(parts) == 3 else ""))
    index = ws.reports_dir / "index.html"
    if index.is_file() and index.stat().st_mtime > since:
        names.append("index")
    return names


def expected_rebuild(ws: Workspace, round_id: str, languages: tuple[str, ...]) -> list[str]:
    """What an edit of one round's data must rebuild: its reports, the synthesis, the review, the index."""
    own = json.loads((ws.processed_round(round_id) / "meta.json").read_text(encoding="utf-8"))["language"]
    names = [round_id, *(f"{round_id} ({lang})" for lang in languages if lang != own)]
    for lang in languages or ("en",):
        names += [kind if lang == "en" else f"{kind} ({lang})" for _, kind in PROGRAMME]
    return sorted([*names, "index"])


def edit_one_export(ws: Workspace, round_id: str) -> Path:
    """Drop the last answer of one session-feedback export (a real change of data)."""
    folder = ws.raw_round(round_id)
    candidates = sorted(p for p in folder.glob("*.csv") if "feedback" in p.name) or sorted(folder.glob("*.csv"))
    path = candidates[0]
    # drop the last line as it is, so the export keeps its own delimiter and quoting
    lines = path.read_bytes().rstrip(b"\r\n").split(b"\n")
    path.write_bytes(b"\n".join(lines[:-1]) + b"\n")
    return path


# --------------------------------------------------------------------------- one correction


def correction_target(ws: Workspace, round_id: str) -> dict[str, str]:
    """A numeric outcomes answer of ``round_id`` to correct: its keys and its value."""
    import pandas as pd

    responses = pd.read_parquet(ws.processed_round(round_id) / "responses.parquet")
    numeric = responses[responses["value"].notna() & responses["instrument"].notna() & responses["wave"].notna()]
    outcomes = numeric[numeric["instrument"] == "outcomes"]
    row = (outcomes if len(outcomes) else numeric).iloc[0]
    return {"pid": str(row["pid"]), "instrument": str(row["instrument"]), "wave": str(row["wave"]),
            "item_id": str(row["item_id"]), "value": str(int(row["value"]))}


def write_correction(ws: Workspace, round_id: str, target: dict[str, str], new_value: str) -> Path:
    """``corrections.csv`` of ``round_id`` with one row setting ``target``'s answer to ``new_value``."""
    path = ws.raw_round(round_id) / "corrections.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pid", "instrument", "wave", "item_id", "old_value", "new_value", "reason"])
        writer.writerow([target["pid"], target["instrument"], target["wave"], target["item_id"], "",
                         new_value, "benchmark"])
    return path


def wait_replaced(path: Path, before: float, deadline: float, alive: Any = None) -> float | None:
    """The time ``path`` was replaced (its mtime passed ``before``), polling; None if it never was."""
    while time.time() < deadline:
        try:
            if path.stat().st_mtime > before:
                return time.time()
        except OSError:
            pass
        if alive is not None and not alive():
            try:
                return time.time() if path.stat().st_mtime > before else None
            except OSError:
                return None
        time.sleep(0.02)
    return None


def correction_cold(ws: Workspace, env: dict, rid: str, target: dict[str, str], new_value: str,
                    formats: str) -> dict[str, Any]:
    """Edit the correction, then run ``build --round`` afresh: seconds until the own-language
    report is rewritten, and until the command ends."""
    own = ws.reports_dir / rid / "round_report.html"
    time.sleep(0.05)
    mark = time.time()
    write_correction(ws, rid, target, new_value)
    process = subprocess.Popen(cli(ws, "build", "--jobs", "2", "--format", formats, "--round", rid), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    with PeakMemory(process.pid) as memory:
        replaced = wait_replaced(own, mark, mark + 600, alive=lambda: process.poll() is None)
        process.communicate()
    return {"own": (replaced - mark) if replaced else float("nan"), "total": time.time() - mark,
            "peak_mb": memory.mb, "rebuilt": built_reports(ws, mark), "returncode": process.returncode}


def correction_watch(ws: Workspace, env: dict, rid: str, target: dict[str, str], new_value: str,
                     formats: str) -> dict[str, Any]:
    """Start ``watch``, wait for its first build, edit the correction: seconds until the
    own-language report is rewritten, and until the rebuild ends; then Ctrl-C."""
    own = ws.reports_dir / rid / "round_report.html"
    process = subprocess.Popen(cli(ws, "watch", rid, "--jobs", "2", "--format", formats), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    watching = threading.Semaphore(0)
    output: list[str] = []

    def read() -> None:
        for line in process.stdout or []:
            output.append(line)
            if line.startswith("Watching"):
                watching.release()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result: dict[str, Any] = {"own": float("nan"), "total": float("nan"), "returncode": None}
    with PeakMemory(process.pid) as memory:
        if watching.acquire(timeout=900):
            time.sleep(1.0)  # the watch looks at the files twice a second: let it settle
            mark = time.time()
            write_correction(ws, rid, target, new_value)
            replaced = wait_replaced(own, mark, mark + 600)
            result["own"] = (replaced - mark) if replaced else float("nan")
            if watching.acquire(timeout=900):  # the rebuild is over when it watches again
                result["total"] = time.time() - mark
            result["rebuilt"] = built_reports(ws, mark)
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    reader.join(timeout=5)
    result["returncode"] = process.returncode
    result["peak_mb"] = memory.mb
    result["stopped_cleanly"] = process.returncode == 0 and not any("Traceback" in line for line in output)
    if not result["stopped_cleanly"]:  # what it printed, for whoever reads why
        result["output_tail"] = "".join(output[-40:])
    return result


# --------------------------------------------------------------------------- main


def main() -> None:
    # started in the background (`make bench &`), this process and everything it starts would
    # ignore Ctrl-C, and the watch step could not be stopped the way a user stops it
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--programme-rounds", type=int, default=50)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=300_000)
    parser.add_argument("--quick", action="store_true",
                        help="Smoke run: 3 rounds, own language only, HTML only, small files, no 50-round programme.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.programme_rounds, args.big_rows, args.xlsx_rows = 3, 0, 20_000, 2_000
    languages: tuple[str, ...] = () if args.quick else LANGUAGES
    formats = "html" if args.quick else "html,pdf"

    env = environment()
    tmp = Path(tempfile.mkdtemp(prefix="exchange-eval-bench-"))
    f: dict[str, Any] = {"quick": args.quick, "load_before": load_average(), "languages": list(languages)}
    try:
        ws, written = programme(tmp / "programme", args.rounds, languages)
        f["rounds"] = len(written)
        print(f"{len(written)} demo rounds in {tmp}")
        f["clean_all"] = clean_all(ws)
        f["reports"] = len(report_list(ws, languages))
        print(f"cleaning {len(written)} rounds (in one process): {f['clean_all']:.1f} s; {f['reports']} reports")

        script = tmp / "baseline.sh"
        script.write_text(baseline_script(ws, tmp / "baseline-reports", languages, pdf=not args.quick), encoding="utf-8")
        f["baseline"], done, f["baseline_mb"] = run(["bash", str(script)], env=env, cpu="baseline")
        f["baseline_failed"] = int(done.stdout.strip().rsplit("failed=", 1)[-1] or 0)
        print(f"(1) baseline CLI loop, {f['reports']} reports: {f['baseline']:.1f} s ({f['baseline_failed']} failed)")

        f["scratch"], done, f["scratch_mb"] = run(cli(ws, "build", "--jobs", "2", "--format", formats), env=env,
                                                  check=False, cpu="scratch")
        f["scratch_failed"] = sum(1 for line in done.stdout.splitlines() if ": failed" in line)
        f["ratio"] = f["baseline"] / f["scratch"]
        f["baseline_cpu"], f["scratch_cpu"] = CPU["baseline"], CPU["scratch"]
        # on two otherwise idle cores the build's wall time is about half its CPU time: the
        # ratio the CPU times predict, robust to other load on the machine
        f["cpu_ratio"] = f["baseline_cpu"] / max(f["scratch_cpu"] / 2, 1e-9)
        print(f"(2) build --jobs 2 from scratch: {f['scratch']:.1f} s, {f['ratio']:.2f}x the baseline, "
              f"peak {f['scratch_mb']:.0f} MB" + ("" if done.returncode == 0 else f" (exit {done.returncode})"))
        print(f"    CPU time: baseline {f['baseline_cpu']:.1f} s, build {f['scratch_cpu']:.1f} s; "
              f"baseline CPU / (build CPU / 2 cores) = {f['cpu_ratio']:.2f}x")

        f["noop"], _, _ = run(cli(ws, "build", "--jobs", "2", "--format", formats), env=env, check=False)
        started = time.perf_counter()
        noop = build_all(dataclasses.replace(ws, fingerprint_code=False), jobs=2, formats=formats, progress=False)
        f["noop_inproc"] = time.perf_counter() - started
        print(f"(3) nothing changed: {f['noop']:.2f} s (in-process build_all {f['noop_inproc']:.3f} s, built {noop.built or 'nothing'})")

        rid = next((r for r in written if (ws.reports_dir / r / "round_report.html").is_file()), written[1])
        time.sleep(0.05)
        mark = time.time()
        edited = edit_one_export(ws, rid)
        f["one"], _, _ = run(cli(ws, "build", "--jobs", "2", "--format", formats), env=env, check=False)
        rebuilt = built_reports(ws, mark)
        expected = expected_rebuild(ws, rid, languages)
        f["one_rebuilt"] = ", ".join(rebuilt)
        f["one_verdict"] = "as expected" if sorted(rebuilt) == expected else f"expected {', '.join(expected)}"
        print(f"(4) after editing {rid}/{edited.name}: {f['one']:.1f} s; rebuilt {f['one_rebuilt']} ({f['one_verdict']})")

        target = correction_target(ws, rid)
        flip = "2" if target["value"] != "2" else "3"
        cold = correction_cold(ws, env, rid, target, flip, formats)
        f.update({f"cold_{k}": v for k, v in cold.items()})
        print(f"(5) one correction, `build --round {rid}` afresh: own-language report in {cold['own']:.1f} s, "
              f"everything in {cold['total']:.1f} s, peak {cold['peak_mb']:.0f} MB; rebuilt {', '.join(cold['rebuilt'])}")
        warm = correction_watch(ws, env, rid, target, target["value"], formats)
        f.update({f"warm_{k}": v for k, v in warm.items()})
        print(f"(6) one correction under `watch {rid}`: own-language report in {warm['own']:.1f} s, everything in "
              f"{warm['total']:.1f} s, peak {warm['peak_mb']:.0f} MB, Ctrl-C {'clean' if warm['stopped_cleanly'] else 'NOT clean'}")
        if not warm["stopped_cleanly"]:
            print(f"    watch exited with {warm['returncode']}; its last lines:\n{warm.get('output_tail', '')}")

        if args.programme_rounds:
            big_ws, big_written = programme(tmp / "programme-50", args.programme_rounds, languages)
            f["p50_rounds"] = len(big_written)
            f["p50"], done, f["p50_mb"] = run(cli(big_ws, "build", "--jobs", "2", "--format", formats), env=env, check=False)
            f["p50_reports"] = sum(1 for line in done.stdout.splitlines() if line.endswith(")") and ": done (" in line)
            f["p50_failed"] = sum(1 for line in done.stdout.splitlines() if ": failed" in line)
            print(f"(7) {len(big_written)}-round programme from scratch: {f['p50']:.1f} s, {f['p50_reports']} reports, "
                  f"peak {f['p50_mb']:.0f} MB")

        big_rid, respondents = big_round(ws, "jsr-2025-en", args.big_rows)
        _, done, _ = run([sys.executable, "-c", BIG_CLEAN, str(ws.data_dir), big_rid, str(ROOT / "src")], env=env)
        big = json.loads(done.stdout.strip().splitlines()[-1])
        f.update({f"big_{k}": v for k, v in big.items()})
        f["big_respondents"] = respondents
        print(f"(8) cleaning {big['rows']:,} long rows ({respondents:,} respondents): {big['seconds']:.1f} s, "
              f"peak {big['peak_mb']:.0f} MB")

        xlsx = write_big_xlsx(tmp / "big.xlsx", args.xlsx_rows)
        _, done, _ = run([sys.executable, "-c", XLSX_READ, str(xlsx), str(ROOT / "src")], env=env)
        read = json.loads(done.stdout.strip().splitlines()[-1])
        f.update({f"xlsx_{k}": v for k, v in read.items()})
        print(f"(9) reading a {read['rows']:,}-row .xlsx ({read['columns']} columns): {read['seconds']:.1f} s, "
              f"peak {read['peak_mb']:.0f} MB")

        f["load_after"] = load_average()
        write_markdown(args.output, f)
        print(f"wrote {args.output}")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def write_markdown(path: Path, f: dict[str, Any]) -> None:
    langs = " and ".join(f["languages"]) or "each round's own language"
    rows = [
        ("(1) baseline: `papermill` + `jupyter nbconvert --to html --no-input` + `weasyprint`, one report after another",
         f"{f['baseline']:.1f} s", f"1.00×; peak {f['baseline_mb']:.0f} MB"),
        ("(2) `exchange-eval build --jobs 2` from scratch (cleaning included)", f"{f['scratch']:.1f} s",
         f"**{f['ratio']:.2f}× faster**; peak {f['scratch_mb']:.0f} MB"),
        ("CPU time of (1) / of (2), whole process trees", f"{f['baseline_cpu']:.1f} s / {f['scratch_cpu']:.1f} s",
         f"(1) ÷ ((2) ÷ 2 cores) = {f['cpu_ratio']:.2f}×: the ratio on two idle cores"),
        ("reports that failed (baseline / build)", f"{f['baseline_failed']} / {f['scratch_failed']}",
         "a failing notebook costs both contenders the same"),
        ("(3) `exchange-eval build` with nothing changed (whole command)", f"{f['noop']:.2f} s",
         f"in-process `build_all`: {f['noop_inproc']:.3f} s"),
        ("(4) after editing one round's export", f"{f['one']:.1f} s", f"rebuilt: {f['one_rebuilt']} ({f['one_verdict']})"),
        ("(5) one round's `corrections.csv` edited, `build --round ROUND` started afresh: its own-language report rewritten",
         f"{f['cold_own']:.1f} s", f"everything rebuilt in {f['cold_total']:.1f} s; peak {f['cold_peak_mb']:.0f} MB"),
        ("(6) the same edit under a running `watch ROUND`: its own-language report rewritten",
         f"{f['warm_own']:.1f} s", f"everything rebuilt in {f['warm_total']:.1f} s; peak {f['warm_peak_mb']:.0f} MB; "
         f"Ctrl-C {'ends it cleanly (exit 0)' if f['warm_stopped_cleanly'] else 'did NOT end it cleanly'}"),
    ]
    if "p50" in f:
        rows.append((f"(7) a {f['p50_rounds']}-round programme, `build --jobs 2` from scratch", f"{f['p50']:.1f} s",
                     f"{f['p50_reports']} reports ({f['p50_failed']} failed); peak {f['p50_mb']:.0f} MB"))
    rows += [
        (f"(8) cleaning {int(f['big_rows']):,} long response rows", f"{f['big_seconds']:.1f} s", f"peak {f['big_peak_mb']:.0f} MB"),
        (f"(9) reading a {int(f['xlsx_rows']):,}-row .xlsx export ({f['xlsx_columns']} columns)", f"{f['xlsx_seconds']:.1f} s",
         f"peak {f['xlsx_peak_mb']:.0f} MB"),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    quick = "\n**Quick mode (smoke run on small data): these numbers mean nothing.**\n" if f["quick"] else ""
    text = f"""# Benchmarks

Written by `make bench` (`scripts/bench.py`); numbers from the last run, do not edit by hand.
{quick}
- Machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}, {platform.system()} {platform.release()}
- Date: {dt.datetime.now().strftime("%Y-%m-%d %H:%M")}; load average before / after: {f['load_before']} / {f['load_after']}
- Programme: {f['rounds']} demo rounds → {f['reports']} reports ({langs}: every round report, the synthesis and
  the review), HTML and PDF
- Cleaning the {f['rounds']} rounds once, in one process, before (1): {f['clean_all']:.1f} s

| step | time | note |
|---|---|---|
{table}

Targets on 2 cores: from scratch ≥ 6× faster than the baseline; one edited correction → its
own-language report ≤ 15 s; no-op < 1 s; 1 M rows ≤ 5 s and ≤ 1 GB; a 300k-row .xlsx ≤ 60 s.

Notes
- The baseline starts three programs per report (papermill, nbconvert, weasyprint): each
  pays its interpreter start and imports, its kernel imports pandas, statsmodels and
  matplotlib again, and the loop runs one report at a time.
- `build` runs two long-lived worker processes that import papermill, nbconvert and
  weasyprint once. Each worker starts a kernel zygote, a process that imports the report
  libraries once; every report's kernel is forked from it (a new process per report,
  thrown away after it), and the executed notebook goes to HTML and PDF in memory. From
  scratch it also cleans every round again (its build manifest is empty), which the
  baseline does not have to do.
- (5) counts from the save of `corrections.csv` to the replacement of the round's
  `round_report.html` (the PDF and the record are swapped in with it), with a new
  command: interpreter, workers and zygotes start first. (6) is the loop an evaluator
  runs: `watch` keeps them between builds.
- Peak memory is the largest sum, over the process tree, of each process's proportional
  set size (pages shared by the forked kernels counted once), sampled four times a second.
- A no-op build reads file sizes and mtimes, the build manifest and each round's
  meta.json; it imports neither pandas nor papermill and starts no kernel. Most of the
  command's time is the interpreter and the CLI's imports.
- Machine load from other processes during the run inflates every figure (see the load
  average above); the ratio is the most robust number.
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
