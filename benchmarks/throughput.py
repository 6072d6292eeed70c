"""Hot-path throughput of exitmatch against Splink (DuckDB backend), by data size.

Scenario: for each configuration (cases S, ordinary travellers T) a synthetic night from
``exitmatch.synth.generate`` (seed 0; generated once, not timed) is reconciled in a fresh
process per run (cold: nothing cached, no store on disk, libraries imported before the
clock starts). The default grid is S in {20,000, 100,000} by T in {100,000, 400,000,
1,000,000, 5,000,000, 10,000,000}; ``--quick`` is S in {2,000, 5,000} by T in {20,000,
60,000} (about two minutes). ``records`` is the exit and entry rows read (land, air,
entries), about 1.2 T: subjects' own departures and entries come on top of T.

- exitmatch: ``run_reconcile(inputs, out, Settings())`` into a new store on disk (as a
  first night); the stages' times
  come from the run report's ``timings_s``; ``untimed_s`` is the wall time no stage covers.
- splink: the same files through exitmatch's readers (the same accepted rows), then
  ``_splink_peer`` as in ``quality_vs_splink.py``: explode cases, train (u from 1e7 random
  pairs, 2e6 with ``--quick``), predict every blocked pair, the same IRPR 240(3) rules.

Each run is a child process with a wall-time limit (``--timeout``, ``--splink-timeout``,
default 900 s) and a peak-RSS limit (``--max-rss-gb``, default 16, sampled from /proc
every 100 ms); a run over a limit is killed and reported as ``status=timeout`` or
``status=memory``, and the tool is not tried on larger sizes. ``wall_s`` is the run alone
(reading the files to writing the outputs); ``peak_rss_mb`` the larger of the sampled peak
and the child's own high-water mark. Tools alternate per configuration (exitmatch, splink,
exitmatch, splink with ``--repeat 2``); figures are medians. Recall is closure recall in
any band against the truth (``exitmatch.evaluate.metrics.evaluate``), so a time ratio
reads "at equal or better recall" only where exitmatch's recall is not lower. Prints a
table, then per configuration and tool

    THROUGHPUT tool=exitmatch cases=S travellers=T records=R status=ok wall_s=..
        records_per_s=.. read_rps=.. normalise_rps=.. block_rps=.. compare_rps=..
        train_s=.. score_rps=.. decide_s=.. write_s=.. untimed_s=.. peak_rss_mb=.. recall=..

    RATIO cases=S travellers=T records=R splink_over_exitmatch_wall=.. (and rss, recalls)

(one line each), then scaling tables, then one ``TARGET`` line per target of the
throughput issue with what was measured and whether it was met (``not_run`` where this
benchmark does not measure it). ``--readme FILE`` also writes the results as a markdown
table between the ``<!-- throughput:begin -->`` and ``<!-- throughput:end -->`` lines of
FILE. ``--profile FILE`` instead runs exitmatch once under
pyinstrument for the first configuration given, writes the report to FILE and prints the
top 15 frames by self time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _process import resident_mb

STAGES = ("read", "normalise", "block", "compare", "train", "score", "decide", "write", "untimed")
RATE_STAGES = ("read", "normalise", "block", "compare", "score")  # per-record work
SPLINK_STAGES = ("read", "prepare", "predict", "decide")
TOOLS = ("exitmatch", "splink")
SOURCES = ("inventory", "land", "air", "entries")


# --- the child processes --------------------------------------------------------------


def _inputs(data: Path) -> dict[Any, list[Path]]:
    from exitmatch.contract.codes import Source

    return {Source(s): sorted(data.glob(f"{s}.*")) for s in SOURCES}


def child_generate(args: argparse.Namespace) -> dict[str, Any]:
    from exitmatch.synth.config import SynthConfig
    from exitmatch.synth.generate import generate

    config = SynthConfig(subjects=args.cases, travellers=args.travellers, seed=args.seed)
    started = time.perf_counter()
    generate(config, args.data)
    return {"wall_s": time.perf_counter() - started}


def child_exitmatch(args: argparse.Namespace) -> dict[str, Any]:
    from exitmatch.reconcile import run_reconcile
    from exitmatch.settings import Settings

    inputs = _inputs(args.data)
    started = time.perf_counter()
    report = run_reconcile(inputs, args.out, Settings())  # the store on disk, as users run it
    wall = time.perf_counter() - started
    records = sum(s.read for s in report.sources if s.source != "inventory")
    # What no stage reports: opening the store, the checks, the run report, record_run.
    timings = {**report.timings_s, "untimed": wall - sum(report.timings_s.values())}
    return {"wall_s": wall, "records": records, "timings": timings}


def child_splink(args: argparse.Namespace) -> dict[str, Any]:
    import _splink_peer as peer
    from exitmatch.contract.codes import Source
    from exitmatch.ingest.load import ingest
    from exitmatch.settings import Settings

    inputs = _inputs(args.data)
    started = time.perf_counter()
    laps: dict[str, float] = {}

    def lap(stage: str) -> None:
        laps[stage] = time.perf_counter() - started - sum(laps.values())

    loaded = {source: ingest(source, paths) for source, paths in inputs.items()}
    frames = {source: result.frame for source, result in loaded.items()}
    lap("read")
    inventory = frames[Source.INVENTORY]
    tables = peer.splink_tables(
        inventory, frames.get(Source.LAND), frames.get(Source.AIR), frames.get(Source.ENTRIES)
    )
    lap("prepare")
    links = peer.predict_links(tables, args.u_pairs)
    lap("predict")
    pairs = peer.case_pairs(links, tables)
    peer.write_outcomes(peer.decide(pairs, inventory, Settings()), args.out)
    lap("decide")
    records = sum(r.counts().read for s, r in loaded.items() if s is not Source.INVENTORY)
    return {"wall_s": time.perf_counter() - started, "records": records, "timings": laps}


def child_profile(args: argparse.Namespace) -> dict[str, Any]:
    from pyinstrument import Profiler

    from exitmatch.reconcile import run_reconcile
    from exitmatch.settings import Settings

    inputs = _inputs(args.data)
    profiler = Profiler(interval=0.005)
    with profiler:
        run_reconcile(inputs, args.out, Settings())
    session = profiler.last_session
    assert session is not None
    # Self time per frame, and per nearest exitmatch frame (where native time is spent).
    own: dict[str, float] = {}
    ours: dict[str, float] = {}
    stack = [(session.root_frame(), "")]
    while stack:
        frame, owner = stack.pop()
        if frame is None:
            continue
        where = f"{frame.function}  {frame.file_path_short}:{frame.line_no}"
        owner = where if str(frame.file_path_short).startswith("exitmatch/") else owner
        own[where] = own.get(where, 0.0) + frame.total_self_time
        ours[owner] = ours.get(owner, 0.0) + frame.total_self_time
        stack.extend((c, owner) for c in frame.children if not c.is_synthetic)
    top = sorted(own.items(), key=lambda item: -item[1])[:15]
    top_ours = sorted(ours.items(), key=lambda item: -item[1])[:15]
    text = profiler.output_text(unicode=False, color=False)
    for title, frames in (("frames", top), ("exitmatch frames (self + below)", top_ours)):
        flat = "\n".join(f"{seconds:8.2f} s  {where}" for where, seconds in frames)
        text += f"\nTop 15 {title} by self time\n{flat}\n"
    args.profile.write_text(text)
    return {"wall_s": session.duration, "top": top, "top_ours": top_ours}


CHILDREN = {f.__name__.removeprefix("child_"): f for f in (child_generate, child_exitmatch)}
CHILDREN |= {f.__name__.removeprefix("child_"): f for f in (child_splink, child_profile)}


def child_main(args: argparse.Namespace) -> int:
    result = CHILDREN[args.child](args)
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.result.write_text(json.dumps(result))
    return 0


# --- running a child under limits -----------------------------------------------------


def limited(child: str, options: list[str], work: Path, timeout_s: float, rss_mb: float):
    """Run this script as ``--child``; kill it (and its group) over either limit."""
    result = work / f"{child}.json"
    result.unlink(missing_ok=True)
    argv = [sys.executable, __file__, "--child", child, "--result", str(result), *options]
    with (work / f"{child}.stderr").open("w") as stderr:
        proc = subprocess.Popen(argv, stdout=stderr, stderr=stderr, start_new_session=True)
        started, peak, status = time.monotonic(), 0.0, "ok"
        while proc.poll() is None:
            peak = max(peak, resident_mb(proc.pid))
            if peak > rss_mb:
                status = "memory"
            elif time.monotonic() - started > timeout_s:
                status = "timeout"
            if status != "ok":
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(0.1)
    figures: dict[str, Any] = {"status": status, "process_s": time.monotonic() - started}
    if status == "ok" and proc.returncode != 0:
        tail = (work / f"{child}.stderr").read_text().strip().splitlines()[-3:]
        figures["status"] = "killed" if proc.returncode < 0 else "error"
        print(f"    {child} exited {proc.returncode}: {' | '.join(tail)}", flush=True)
    if figures["status"] == "ok":
        figures.update(json.loads(result.read_text()))
        peak = max(peak, figures.pop("maxrss_mb"))
    figures["peak_rss_mb"] = peak
    return figures


# --- the grid -------------------------------------------------------------------------


def dataset(args: argparse.Namespace, root: Path, cases: int, travellers: int) -> Path | None:
    data = root / f"synth_s{cases}_t{travellers}_seed{args.seed}"
    if (data / "truth" / "manifest.json").exists():
        return data
    options = ["--data", str(data), "--cases", str(cases), "--travellers", str(travellers)]
    options += ["--seed", str(args.seed)]
    run = limited("generate", options, root, args.timeout, args.max_rss_gb * 1024)
    if run["status"] != "ok":
        print(f"  generating: status={run['status']}", flush=True)
        return None
    print(f"  generated in {run['wall_s']:.1f} s (not timed below)", flush=True)
    return data


def measure(
    args: argparse.Namespace, root: Path, tools: list[str], cases: int, travellers: int
) -> list[dict[str, Any]]:
    """Each tool on one configuration, alternating, ``args.repeat`` rounds; medians."""
    from exitmatch.evaluate.metrics import evaluate

    runs: dict[str, list[dict[str, Any]]] = {tool: [] for tool in tools}
    data = dataset(args, root, cases, travellers)
    for _ in range(args.repeat):
        for tool in tools:
            if data is None or any(r["status"] != "ok" for r in runs[tool]):
                continue
            out = root / "out" / tool
            shutil.rmtree(out, ignore_errors=True)  # a first night: a new store every run
            options = ["--data", str(data), "--out", str(out), "--u-pairs", str(args.u_pairs)]
            timeout = args.splink_timeout if tool == "splink" else args.timeout
            load = os.getloadavg()[0]
            run = limited(tool, options, root, timeout, args.max_rss_gb * 1024)
            if run["status"] == "ok":
                run["recall"] = evaluate(out, data / "truth")["closures"]["all"]["recall"]
            shutil.rmtree(out, ignore_errors=True)
            runs[tool].append(run)
            print(
                f"  {tool}: status={run['status']} wall_s={_fmt(run.get('wall_s'))} "
                f"peak_rss_mb={run['peak_rss_mb']:.0f} (load before {load:.1f})",
                flush=True,
            )
    return [summary(tool, cases, travellers, runs[tool], data) for tool in tools]


def summary(tool: str, cases: int, travellers: int, runs: list[dict], data: Path | None):
    row: dict[str, Any] = {"tool": tool, "cases": cases, "travellers": travellers}
    done = [r for r in runs if r["status"] == "ok"]
    failed = [r for r in runs if r["status"] != "ok"]
    row["status"] = "nodata" if data is None else failed[0]["status"] if failed else "ok"
    if failed:
        row["stopped_after_s"] = failed[0]["process_s"]
        row["peak_rss_mb"] = failed[0]["peak_rss_mb"]
    if not done:
        return row
    row["records"] = done[0]["records"]
    row["peak_rss_mb"] = statistics.median(r["peak_rss_mb"] for r in done)
    row["wall_s"] = statistics.median(r["wall_s"] for r in done)
    row["records_per_s"] = row["records"] / row["wall_s"]
    row["recall"] = done[0]["recall"]
    for stage in done[0]["timings"]:
        row[f"{stage}_s"] = statistics.median(r["timings"].get(stage, 0.0) for r in done)
    return row


# --- printing -------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "na"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _rate(row: dict[str, Any], stage: str) -> str:
    seconds = row.get(f"{stage}_s")
    if seconds is None or "records" not in row:
        return "na"
    return "inf" if seconds == 0 else f"{row['records'] / seconds:.0f}"


def throughput_line(row: dict[str, Any]) -> str:
    fields = [
        f"tool={row['tool']}",
        f"cases={row['cases']}",
        f"travellers={row['travellers']}",
        f"records={row.get('records', 'na')}",
        f"status={row['status']}",
        f"wall_s={_fmt(row.get('wall_s'), 2)}",
        f"stopped_after_s={row['stopped_after_s']:.0f}" if "stopped_after_s" in row else "",
        f"records_per_s={_fmt(row.get('records_per_s'), 0)}",
    ]
    if row["tool"] == "exitmatch":
        fields += [
            f"{s}_rps={_rate(row, s)}"
            if s in RATE_STAGES
            else f"{s}_s={_fmt(row.get(f'{s}_s'), 2)}"
            for s in STAGES
        ]
    else:
        fields += [f"{s}_s={_fmt(row.get(f'{s}_s'), 2)}" for s in SPLINK_STAGES]
    fields += [
        f"peak_rss_mb={_fmt(row.get('peak_rss_mb'), 0)}",
        f"recall={_fmt(row.get('recall'), 4)}",
    ]
    return "THROUGHPUT " + " ".join(f for f in fields if f)


def print_report(rows: list[dict[str, Any]]) -> None:
    head = f"{'cases':>7} {'travel':>9} {'records':>9} {'tool':<9} {'status':<8}"
    stages = "".join(f"{s[:7]:>8}" for s in STAGES)
    print(f"\n{head} {'wall_s':>8} {'rec/s':>8} {'rss_mb':>7} {'recall':>7} {stages}")
    for r in rows:
        wall = f">{r['stopped_after_s']:.0f}" if "stopped_after_s" in r else _fmt(r.get("wall_s"))
        cells = "".join(f"{_fmt(r.get(f'{s}_s'), 2):>8}" for s in STAGES)
        if r["tool"] != "exitmatch":
            cells = "  " + " ".join(f"{s}={_fmt(r.get(f'{s}_s'), 1)}" for s in SPLINK_STAGES)
        print(
            f"{r['cases']:>7} {r['travellers']:>9} {_fmt(r.get('records')):>9} {r['tool']:<9} "
            f"{r['status']:<8} {wall:>8} {_fmt(r.get('records_per_s'), 0):>8} "
            f"{_fmt(r.get('peak_rss_mb'), 0):>7} {_fmt(r.get('recall'), 4):>7} {cells}"
        )
    print("\n>N: the run was stopped (or failed) after N s\n")
    for row in rows:
        print(throughput_line(row))
    done: dict[tuple[int, int], dict[str, dict[str, Any]]] = {}
    for row in (r for r in rows if r["status"] == "ok"):
        done.setdefault((row["cases"], row["travellers"]), {})[row["tool"]] = row
    for (cases, travellers), tool in done.items():
        if len(tool) == 2:
            em, sp = tool["exitmatch"], tool["splink"]
            print(
                f"RATIO cases={cases} travellers={travellers} records={em['records']} "
                f"splink_over_exitmatch_wall={sp['wall_s'] / em['wall_s']:.2f} "
                f"splink_over_exitmatch_rss={sp['peak_rss_mb'] / em['peak_rss_mb']:.2f} "
                f"recall_exitmatch={_fmt(em['recall'], 4)} recall_splink={_fmt(sp['recall'], 4)}"
            )
    print_scaling(rows)


def print_scaling(rows: list[dict[str, Any]]) -> None:
    """wall_s by records at each number of cases, and by cases at each traveller count."""
    tools = sorted({r["tool"] for r in rows}, key=TOOLS.index)
    for fixed, varied in (("cases", "travellers"), ("travellers", "cases")):
        for value in sorted({r[fixed] for r in rows}):
            picked = [r for r in rows if r[fixed] == value]
            steps = sorted({r[varied] for r in picked})
            if len(steps) < 2:
                continue
            print(f"\nscaling: wall_s by {varied} at {fixed}={value}")
            print(f"  {varied:>10} {'records':>9} " + " ".join(f"{t:>14}" for t in tools))
            for step in steps:
                cells = {r["tool"]: r for r in picked if r[varied] == step}
                records = next((r["records"] for r in cells.values() if "records" in r), None)
                shown = [
                    _fmt(cells[t].get("wall_s"))
                    if cells[t]["status"] == "ok"
                    else cells[t]["status"]
                    for t in tools
                    if t in cells
                ]
                print(f"  {step:>10} {_fmt(records):>9} " + " ".join(f"{s:>14}" for s in shown))


# --- main -----------------------------------------------------------------------------


# --- targets and the README table ----------------------------------------------------

TARGET_RPS = 1_000_000  # exit records per second end to end, against 100,000 cases
TARGET_RATIO = 10.0  # Splink's wall time over exitmatch's, at equal or better recall
TARGET_CASES = 100_000


def _pairs(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    ok = [r for r in rows if r["status"] == "ok"]
    return [
        (em, sp)
        for em in ok
        if em["tool"] == "exitmatch"
        for sp in ok
        if sp["tool"] == "splink"
        and (sp["cases"], sp["travellers"]) == (em["cases"], em["travellers"])
    ]


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target of the throughput issue against this run's figures."""
    at_target = [
        r
        for r in rows
        if r["tool"] == "exitmatch" and r["status"] == "ok" and r["cases"] >= TARGET_CASES
    ]
    best_rps = max((r["records_per_s"] for r in at_target), default=None)
    fair = [(em, sp) for em, sp in _pairs(rows) if em["recall"] >= sp["recall"]]
    worst_ratio = min((sp["wall_s"] / em["wall_s"] for em, sp in fair), default=None)
    return [
        {
            "name": "records_per_s_against_100k_cases",
            "target": f">={TARGET_RPS}",
            "measured": None if best_rps is None else round(best_rps),
            "met": None if best_rps is None else best_rps >= TARGET_RPS,
        },
        {
            "name": "splink_wall_over_exitmatch_at_equal_or_better_recall",
            "target": f">={TARGET_RATIO:g}",
            "measured": None if worst_ratio is None else round(worst_ratio, 2),
            "met": None if worst_ratio is None else worst_ratio >= TARGET_RATIO,
        },
        {
            "name": "peak_rss_mb_with_100M_record_history",
            "target": "<=4096",
            "measured": None,
            "met": None,
        },
        {
            "name": "seconds_for_1000_new_cases_against_100M_history",
            "target": "<=10",
            "measured": None,
            "met": None,
        },
    ]


def target_line(check: dict[str, Any]) -> str:
    met = {True: "yes", False: "no", None: "not_run"}[check["met"]]
    measured = "na" if check["measured"] is None else check["measured"]
    return f"TARGET {check['name']} target={check['target']} measured={measured} met={met}"


def write_readme(
    path: Path, rows: list[dict[str, Any]], checks: list[dict[str, Any]], what: str, argv: list[str]
) -> None:
    """Replace the README's throughput block with this run's tables."""
    begin, end = "<!-- throughput:begin -->", "<!-- throughput:end -->"
    text = path.read_text()
    if begin not in text or end not in text:
        raise SystemExit(f"{path}: no {begin} ... {end} block to fill")
    splink = {(r["cases"], r["travellers"]): r for r in rows if r["tool"] == "splink"}
    lines = [
        begin,
        f"Measured {time.strftime('%Y-%m-%d')} on this machine ({what}) with",
        f"`python benchmarks/throughput.py {' '.join(argv)}`:",
        "",
        "| cases | exit and entry records | exitmatch | records/s | exitmatch recall "
        "| Splink | Splink recall | Splink / exitmatch |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for em in (r for r in rows if r["tool"] == "exitmatch"):
        sp = splink.get((em["cases"], em["travellers"]), {"status": "not run"})
        lines.append(
            f"| {em['cases']:,} | {_count(em)} | {_cell(em)} | {_fmt(em.get('records_per_s'), 0)} "
            f"| {_fmt(em.get('recall'), 4)} | {_cell(sp)} | {_fmt(sp.get('recall'), 4)} "
            f"| {_ratio(em, sp)} |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for check in checks:
        met = {True: "yes", False: "**no**", None: "not measured here"}[check["met"]]
        measured = "—" if check["measured"] is None else check["measured"]
        lines.append(
            f"| {check['name'].replace('_', ' ')} {check['target']} | {measured} | {met} |"
        )
    lines.append(end)
    before, rest = text.split(begin, 1)
    after = rest.split(end, 1)[1]
    path.write_text(before + "\n".join(lines) + after)


def _count(row: dict[str, Any]) -> str:
    return f"{row['records']:,}" if "records" in row else f"({row['travellers']:,} travellers)"


def _cell(row: dict[str, Any]) -> str:
    if row["status"] == "ok":
        return f"{row['wall_s']:.1f} s, {row['peak_rss_mb'] / 1024:.1f} GB"
    if "stopped_after_s" in row:
        return f"{row['status']} after {row['stopped_after_s']:.0f} s"
    return str(row["status"])


def _ratio(em: dict[str, Any], sp: dict[str, Any]) -> str:
    if em["status"] == "ok" and sp["status"] == "ok":
        return f"{sp['wall_s'] / em['wall_s']:.1f}"
    if em["status"] == "ok" and "stopped_after_s" in sp:
        return f"> {sp['stopped_after_s'] / em['wall_s']:.1f}"
    return "—"


def sizes(text: str) -> list[int]:
    return [int(float(x)) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, about two minutes")
    parser.add_argument("--cases", default=None, help="comma-separated; default 20000,100000")
    parser.add_argument("--travellers", default=None, help="comma-separated; default 1e5..1e7")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per configuration")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--splink-timeout", type=float, default=900.0)
    parser.add_argument("--max-rss-gb", type=float, default=16.0, help="per run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep data here; reused as is (regenerate after synth changes)",
    )
    parser.add_argument("--profile", type=Path, default=None, help="profile report file")
    parser.add_argument("--readme", type=Path, default=None, help="write the tables into FILE")
    # Used by the child processes only.
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--u-pairs", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.cases, args.travellers = int(args.cases or 0), int(args.travellers or 0)
        return child_main(args)
    quick = args.quick
    cases = sizes(args.cases or ("2000,5000" if quick else "20000,100000"))
    travellers = sizes(args.travellers or ("20000,60000" if quick else "1e5,4e5,1e6,5e6,1e7"))
    args.tools = [t for t in args.tools.split(",") if t]
    if unknown := set(args.tools) - set(TOOLS):
        parser.error(f"unknown tools: {sorted(unknown)}")
    args.u_pairs = args.u_pairs or (2e6 if quick else 1e7)
    with tempfile.TemporaryDirectory() as temp:
        root = args.data_dir or Path(temp)
        root.mkdir(parents=True, exist_ok=True)
        measured = versions()  # what is measured: the code as the run starts
        print(measured, flush=True)
        if args.profile:
            return profile(args, root, cases[0], travellers[0])
        rows = run_grid(args, root, cases, travellers)
        print_report(rows)
        checks = targets(rows)
        for check in checks:
            print(target_line(check))
        if args.readme:
            write_readme(args.readme, rows, checks, measured, argv or sys.argv[1:])
    return 0


def run_grid(
    args: argparse.Namespace, root: Path, cases: list[int], travellers: list[int]
) -> list[dict[str, Any]]:
    """Every configuration, smaller first; a tool stopped by a limit skips larger ones."""
    rows: list[dict[str, Any]] = []
    stopped: set[tuple[str, int, int]] = set()
    for n_cases in cases:
        for n_travellers in travellers:
            print(f"cases={n_cases} travellers={n_travellers}", flush=True)
            skipped = [
                t
                for t in args.tools
                if any(t == s and c <= n_cases and n <= n_travellers for s, c, n in stopped)
            ]
            tools = [t for t in args.tools if t not in skipped]
            found = measure(args, root, tools, n_cases, n_travellers) if tools else []
            found += [
                {"tool": t, "cases": n_cases, "travellers": n_travellers, "status": "skipped"}
                for t in skipped
            ]
            stopped |= {
                (r["tool"], n_cases, n_travellers)
                for r in found
                if r["status"] in ("timeout", "memory", "killed")
            }
            rows += sorted(found, key=lambda r: TOOLS.index(r["tool"]))
    return rows


def profile(args: argparse.Namespace, root: Path, cases: int, travellers: int) -> int:
    data = dataset(args, root, cases, travellers)
    if data is None:
        return 1
    out = root / "out" / "profile"
    shutil.rmtree(out, ignore_errors=True)  # a first night, as measured: a new store
    options = ["--data", str(data), "--out", str(out)]
    options += ["--profile", str(args.profile.resolve())]
    run = limited("profile", options, root, args.timeout, args.max_rss_gb * 1024)
    if run["status"] != "ok":
        print(f"PROFILE cases={cases} travellers={travellers} status={run['status']}")
        return 1
    print(f"\nexitmatch under pyinstrument, cases={cases} travellers={travellers}: ")
    print(f"{run['wall_s']:.1f} s, peak {run['peak_rss_mb']:.0f} MB; report in {args.profile}")
    for title, key in (("frames", "top"), ("exitmatch frames (self + below)", "top_ours")):
        print(f"top 15 {title} by self time:")
        for where, seconds in run[key]:
            print(f"  {seconds:8.2f} s  {where}")
    return 0


def versions() -> str:
    """What was measured: versions, the source revision, the machine and its load."""
    import duckdb
    import polars
    import splink

    import exitmatch

    git = ["git", "-C", str(Path(__file__).resolve().parents[1])]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True).stdout
    return (
        f"exitmatch {exitmatch.__version__} (git {head.stdout.strip() or 'unknown'}"
        f"{' with uncommitted src changes' if dirty else ''}), splink {splink.__version__}, "
        f"duckdb {duckdb.__version__}, polars {polars.__version__}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
