"""The ``exitmatch`` command line: a thin layer over the library (typer, on click).

Commands import their library modules lazily so ``exitmatch --help`` stays quick.
Exit codes: 0 done; 1 bad usage or settings; 3 done, but some input file could not be
read at all (its error is in run_report.json and on stderr).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from pydantic import ValidationError

from exitmatch import __version__
from exitmatch.contract.codes import Source
from exitmatch.errors import ExitmatchError
from exitmatch.settings import Settings

if TYPE_CHECKING:
    from rich.progress import TaskID

    from exitmatch.contract.outputs import RunReport
    from exitmatch.store.store import Store

app = typer.Typer(
    name="exitmatch",
    help="Entry/exit record reconciliation for IRPR 240(3) removal-order closures.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_UNREADABLE_FILES = 3
T = TypeVar("T")

InputPaths = Annotated[
    list[Path] | None,
    typer.Option(help="File or folder; repeat the option for several", show_default=False),
]
OutDir = Annotated[Path, typer.Option(help="Folder for the output files")]
StorePath = Annotated[
    Path | None,
    typer.Option(help="The store (an embedded DuckDB file); default OUT/exitmatch.duckdb"),
]
WaitSeconds = Annotated[
    float, typer.Option(help="Seconds to wait for a store another run is using, then refuse")
]
StoreMemory = Annotated[
    float | None,
    typer.Option(
        "--store-memory",
        min=0.1,
        help="GB of memory the store (DuckDB) may use before it spills to disk; "
        "default: DuckDB's own, 80% of RAM",
    ),
]


@app.command()
def version() -> None:
    """Print the exitmatch version."""
    typer.echo(__version__)


@app.command()
def schemas(
    out: Annotated[Path, typer.Option(help="Folder to write the JSON Schemas into")] = Path(
        "schemas"
    ),
) -> None:
    """Write JSON Schemas of every input and output file, generated from the models."""
    from exitmatch.contract.schemas import write_schemas

    for path in write_schemas(out):
        typer.echo(str(path))


@app.command()
def validate(
    out: OutDir,
    inventory: InputPaths = None,
    land: InputPaths = None,
    air: InputPaths = None,
    entries: InputPaths = None,
) -> None:
    """Read and check input files only: write quarantine.csv, data_issues.csv, run_report.json."""
    inputs = _inputs(inventory=inventory, land=land, air=air, entries=entries)
    if not inputs:
        raise typer.BadParameter("give at least one of --inventory, --land, --air, --entries")
    report = _run(lambda: _validate(inputs, out))
    _summarise(report, out)


@app.command()
def reconcile(
    out: OutDir,
    inventory: InputPaths = None,
    land: InputPaths = None,
    air: InputPaths = None,
    entries: InputPaths = None,
    settings_file: Annotated[
        Path | None, typer.Option("--settings", help="Settings JSON (defaults otherwise)")
    ] = None,
    model_file: Annotated[
        Path | None, typer.Option("--model", help="Saved model.json to reuse, not retrain")
    ] = None,
    db: StorePath = None,
    wait: WaitSeconds = 0.0,
    store_memory: StoreMemory = None,
) -> None:
    """Reconcile a night against the store: closures, warrant cancellations, alerts."""
    from exitmatch.reconcile import run_reconcile
    from exitmatch.score.model import MatchModel

    inputs = _inputs(inventory=inventory, land=land, air=air, entries=entries)
    settings = _run(lambda: _settings(settings_file))
    model = _run(lambda: MatchModel.load(model_file)) if model_file else None
    with _stages() as stage:
        report = _run(
            lambda: run_reconcile(
                inputs,
                out,
                settings,
                model,
                db=db,
                wait_s=wait,
                store_memory_gb=store_memory,
                progress=stage,
            )
        )
    _summarise(report, out)


@app.command()
def watch(
    inbox: Annotated[Path, typer.Option(help="Folder whose <source>/ subfolders receive files")],
    out: OutDir,
    db: StorePath = None,
    interval: Annotated[float, typer.Option(help="Seconds between looks at the inbox")] = 2.0,
    once: Annotated[bool, typer.Option(help="Stop when nothing complete is left")] = False,
    settings_file: Annotated[
        Path | None, typer.Option("--settings", help="Settings JSON (defaults otherwise)")
    ] = None,
) -> None:
    """Reconcile files as they land in the inbox, in micro-batches, through the same engine."""
    from exitmatch.watch import Batch
    from exitmatch.watch import watch as run_watch

    settings = _run(lambda: _settings(settings_file))

    def report(batch: Batch) -> None:
        _summarise(batch.report, out, exit_on_error=False)
        typer.echo(
            f"batch of {len(batch.files)} file(s): outputs {batch.latency_s:.2f} s after landing"
        )

    def failed(error: Exception) -> None:
        typer.secho(
            f"batch not taken, its files stay in the inbox: {error}",
            err=True,
            fg=typer.colors.YELLOW,
        )

    typer.echo(f"watching {inbox} (Ctrl-C to stop)")
    try:
        _run(
            lambda: run_watch(
                inbox,
                out,
                settings,
                db=db,
                interval_s=interval,
                once=once,
                on_batch=report,
                on_error=failed,
            )
        )
    except KeyboardInterrupt:
        typer.echo("stopped")


@app.command()
def status(
    db: Annotated[Path, typer.Option(help="The store to describe")],
) -> None:
    """What the store holds: history size, open cases, last run, pending candidates."""
    import json

    from exitmatch.store.status import store_status
    from exitmatch.store.store import Store

    def describe() -> dict[str, object]:
        with Store.open(db) as store:
            return store_status(store)

    typer.echo(json.dumps(_run(describe), indent=2))


@app.command()
def review(
    db: Annotated[Path, typer.Option(help="The store whose candidates officers review")],
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default is this machine only")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    idle_minutes: Annotated[
        float, typer.Option(help="Sign a user out after this many idle minutes", min=1)
    ] = 15.0,
    max_session_hours: Annotated[
        float,
        typer.Option(help="Sign a user out this many hours after sign-in, busy or not", min=0.1),
    ] = 12.0,
) -> None:
    """Serve the officer review web app (queue, case view, decisions, dashboard)."""
    from exitmatch.review.server import serve

    if not db.exists():
        typer.secho(f"error: {db}: no store there (run reconcile first)", err=True, fg="red")
        raise typer.Exit(1)
    _run(lambda: serve(db, host, port, idle_minutes, max_session_hours))


users_app = typer.Typer(help="Review accounts: officers, supervisors, analysts.")
app.add_typer(users_app, name="users")
UsersStore = Annotated[Path, typer.Option(help="The store holding the accounts")]


def _actor() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


# Account commands wait this long for a run holding the store.
_ACCOUNTS_WAIT_S = 5

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input")
]


def _password(from_stdin: bool, prompt: str) -> str:
    if from_stdin:
        import sys

        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


def _on_accounts(db: Path, change: Callable[[Store], T]) -> T:
    """``change`` applied to the store at ``db``; errors end the command with a message."""
    from exitmatch.store.store import Store

    def work() -> T:
        with Store.open(db, wait_s=_ACCOUNTS_WAIT_S) as store:
            return change(store)

    return _run(work)


@users_app.command("add")
def users_add(
    username: str,
    db: UsersStore,
    role: Annotated[str, typer.Option(help="officer, supervisor or analyst")] = "officer",
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account (the password is prompted for, or read from stdin)."""
    from exitmatch.review.accounts import add_user

    password = _password(password_stdin, "Password")
    user = _on_accounts(db, lambda store: add_user(store, username, password, role, _actor()))
    typer.echo(f"{user.username}: {user.role.value}")


@users_app.command("list")
def users_list(db: UsersStore) -> None:
    """List accounts with their roles."""
    from exitmatch.review.accounts import list_users

    for u in _on_accounts(db, list_users):
        typer.echo(f"{u.username}\t{u.role.value}\t{'active' if u.active else 'disabled'}")


@users_app.command("set-role")
def users_set_role(
    username: str,
    role: Annotated[str, typer.Argument(help="officer, supervisor or analyst")],
    db: UsersStore,
) -> None:
    """Change an account's role."""
    from exitmatch.review.accounts import set_role

    user = _on_accounts(db, lambda store: set_role(store, username, role, _actor()))
    typer.echo(f"{user.username}: {user.role.value}")


@users_app.command("disable")
def users_disable(username: str, db: UsersStore) -> None:
    """Disable an account: it can no longer sign in (its decisions stay attributed)."""
    _set_active(username, db, active=False)


@users_app.command("enable")
def users_enable(username: str, db: UsersStore) -> None:
    """Enable a disabled account: it can sign in again."""
    _set_active(username, db, active=True)


def _set_active(username: str, db: Path, *, active: bool) -> None:
    from exitmatch.review.accounts import set_active

    user = _on_accounts(db, lambda store: set_active(store, username, active, _actor()))
    typer.echo(f"{user.username}: {'enabled' if active else 'disabled'}")


@users_app.command("set-password")
def users_set_password(
    username: str, db: UsersStore, password_stdin: PasswordStdin = False
) -> None:
    """Set an account's password (prompted for, or read from stdin); its sessions end."""
    from exitmatch.review.accounts import set_password

    password = _password(password_stdin, "New password")
    user = _on_accounts(db, lambda store: set_password(store, username, password, _actor()))
    typer.echo(f"{user.username}: password set, sessions ended")


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Option(help="Ground-truth folder written by synth")],
    out: Annotated[Path, typer.Option(help="Folder a reconcile run wrote its outputs into")],
) -> None:
    """Measure a reconcile run against ground truth; writes evaluation.json into --out."""
    import json

    from exitmatch.evaluate.metrics import evaluate as measure
    from exitmatch.evaluate.metrics import write_evaluation

    figures = measure(out, truth)
    write_evaluation(figures, out / "evaluation.json")
    typer.echo(json.dumps({k: v for k, v in figures.items() if "cause" not in k}, indent=2))


@app.command()
def synth(
    out: OutDir,
    subjects: Annotated[int, typer.Option(help="People under removal orders", min=1)] = 2000,
    travellers: Annotated[int, typer.Option(help="Ordinary exit records", min=0)] = 100_000,
    seed: Annotated[int, typer.Option(help="Same seed, same files")] = 1,
    file_format: Annotated[
        str, typer.Option("--format", help="csv or parquet for the tabular files")
    ] = "csv",
    paxlst: Annotated[bool, typer.Option(help="Also write air manifests as PAXLST")] = False,
) -> None:
    """Write a synthetic night (inventory, land, air, entries) with its ground truth."""
    from exitmatch.synth.config import SynthConfig
    from exitmatch.synth.generate import generate

    config = _run(
        lambda: SynthConfig(
            subjects=subjects,
            travellers=travellers,
            seed=seed,
            format=file_format,
            paxlst=paxlst,
        )
    )
    with _bar() as tick:
        summary = _run(lambda: generate(config, out, progress=tick))
    typer.echo(f"wrote {out}: {summary}")


@app.command()
def demo(
    out: OutDir = Path("demo-out"),
    subjects: Annotated[int, typer.Option(help="People under removal orders", min=1)] = 2000,
    travellers: Annotated[int, typer.Option(help="Ordinary exit records", min=0)] = 100_000,
    nights: Annotated[int, typer.Option(help="Nightly deliveries to split it into", min=1)] = 3,
    seed: Annotated[int, typer.Option(help="Same seed, same nights")] = 1,
) -> None:
    """A demo on synthetic data: generate it, deliver it over several nights to a fresh
    store (OUT/exitmatch.duckdb), reconcile each night, measure the result."""
    import shutil
    from functools import partial

    from exitmatch.evaluate.metrics import evaluate as measure
    from exitmatch.evaluate.metrics import headline, write_evaluation
    from exitmatch.reconcile import STORE_FILE, run_reconcile
    from exitmatch.synth.config import SynthConfig
    from exitmatch.synth.generate import generate
    from exitmatch.synth.nights import split_into_nights

    data = out / "data"
    # A demo starts afresh: only what an earlier demo left here is removed.
    for leftover in (data, out / "nights"):
        shutil.rmtree(leftover, ignore_errors=True)
    for store_file in out.glob(f"{STORE_FILE}*"):
        store_file.unlink()
    typer.echo(f"generating synthetic data in {data} ...")
    config = SynthConfig(subjects=subjects, travellers=travellers, seed=seed)
    with _bar() as tick:
        _run(lambda: generate(config, data, progress=tick))
    deliveries = split_into_nights(data, out / "nights", nights)
    for number, inputs in enumerate(deliveries, start=1):
        typer.echo(f"\nnight {number} of {nights}")
        with _stages() as stage:
            report = _run(partial(run_reconcile, inputs, out, Settings(), progress=stage))
        _summarise(report, out, exit_on_error=False)
    figures = measure(out, data / "truth")
    write_evaluation(figures, out / "evaluation.json")
    typer.echo(f"\nstore: {out / STORE_FILE}; outputs and evaluation.json in {out}")
    typer.echo(headline(figures))


@contextlib.contextmanager
def _bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr for work that reports (stage, done, total)."""
    from rich.progress import Progress

    with Progress(transient=True, console=None) as bars:
        tasks: dict[str, TaskID] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield tick


@contextlib.contextmanager
def _stages() -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the stage a run is in (silent when not a terminal)."""
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("starting") as status:

        def show(stage: str) -> None:
            status.update(f"{stage} ...")

        yield show


def _settings(path: Path | None) -> Settings:
    from exitmatch.errors import SettingsError

    if path is None:
        return Settings()
    try:
        return Settings.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as e:
        raise SettingsError(f"{path}: {e}") from e


def _inputs(**given: list[Path] | None) -> dict[Source, list[Path]]:
    return {Source(name): paths for name, paths in given.items() if paths}


def _validate(inputs: dict[Source, list[Path]], out: Path) -> RunReport:
    from exitmatch.ingest.load import run_validate

    return run_validate(inputs, out)


def _run(work: Callable[[], T]) -> T:
    try:
        return work()
    except (ExitmatchError, ValidationError) as e:
        typer.secho(f"error: {e}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from e


def _summarise(report: RunReport, out: Path, *, exit_on_error: bool = True) -> None:
    from exitmatch.output.summary import print_summary

    print_summary(report, out)
    if report.unreadable_files and exit_on_error:
        raise typer.Exit(EXIT_UNREADABLE_FILES)
