"""``nox -s perf``: deploy this commit's build to the perf environment (or aim at ``--host``),
run Locust with a configured profile, judge its statistics, compare with the baseline, write
the reports, and stop everything it started, also when it fails or is interrupted."""

import dataclasses
import datetime
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shipway.config import Project
from shipway.config.deploy import ANY_ANSWER, RELEASE_HEADER
from shipway.config.perf import LoadProfile
from shipway.decisions.perf.baseline import regression_checks
from shipway.decisions.perf.commands import PerfPaths, locust_argv, time_limit, worker_processes
from shipway.decisions.perf.gate import PerfVerdict, slo_checks
from shipway.decisions.perf.options import PerfOptions
from shipway.decisions.perf.stats import LocustStats, parse_failures_csv, parse_stats_csv
from shipway.decisions.perf.summary import RunSummary
from shipway.decisions.perf.workload import Workload, locust_env, trust_env, workload
from shipway.effects import probes
from shipway.effects.command import log_tail
from shipway.effects.console import console
from shipway.effects.deploy.environment import environment_files
from shipway.effects.perf import records as perf_records
from shipway.effects.perf.load_generator import BUILTIN_USER, run_locust
from shipway.effects.perf.records import shown
from shipway.entry import deploy
from shipway.entry.interrupts import interrupted_by_sigterm
from shipway.errors import ShipwayError


@dataclass(frozen=True)
class LocustLoad:
    """What Locust runs: the file it loads, and the workload (user and paths) it stands for."""

    workload: Workload
    locustfile: Path


@dataclass(frozen=True)
class Measurement:
    stats: LocustStats | None
    errors: list[str]
    version: str | None


def run_perf_stage(
    project: Project, options: PerfOptions, bin_dirs: Sequence[str], cores: int | None = None
) -> PerfVerdict:
    """Run the stage and publish its reports; the verdict says whether it passed and why."""
    perf = project.config.perf
    profile = perf.profiles[options.profile]
    paths = PerfPaths(project.path(perf.reports))
    perf_records.reset(paths.reports)
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    processes = worker_processes(profile.processes, cores or os.cpu_count() or 1)
    load = locust_load(project)
    with interrupted_by_sigterm():
        if options.host is not None:
            host = options.host
            measured = measure(project, host, options, processes, paths, bin_dirs, load)
        else:
            with tools_on_path(bin_dirs), deployed(project, perf.environment) as host:
                measured = measure(project, host, options, processes, paths, bin_dirs, load)
    verdict = judge(project, options, measured, paths)
    described = f"load: {load.workload.describe()}"
    verdict = dataclasses.replace(verdict, notes=(described, *verdict.notes))
    summary = RunSummary(
        profile=options.profile,
        host=host,
        version=measured.version,
        users=profile.users,
        spawn_rate=profile.spawn_rate,
        duration_s=profile.duration,
        processes=processes,
        started=started,
        stats=measured.stats,
        verdict=verdict,
        reports=shown(project, paths.reports),
        workload=load.workload,
    )
    if options.update_baseline:
        summary = perf_records.update_baseline(project, summary)
    perf_records.publish(project, paths, summary)
    return summary.verdict


def judge(
    project: Project, options: PerfOptions, measured: Measurement, paths: PerfPaths
) -> PerfVerdict:
    """SLO checks, and the baseline comparison (only notes when a new baseline is stored)."""
    gates = project.config.gates.perf
    profile = project.config.perf.profiles[options.profile]
    checks = slo_checks(measured.stats, gates, shown(project, paths.summary_json))
    notes: list[str] = []
    total = measured.stats.total if measured.stats else None
    if total is not None and total.requests:
        baseline = project.path(project.config.perf.baseline)
        compared, notes = regression_checks(
            total,
            profile.users,
            options.profile,
            perf_records.read_baseline(baseline).get(options.profile),
            gates,
            shown(project, baseline),
        )
        if options.update_baseline:
            notes += [f"against the old baseline: {check.summary()}" for check in compared]
        else:
            checks += compared
    return PerfVerdict(tuple(checks), tuple(measured.errors), tuple(notes))


def measure(
    project: Project,
    host: str,
    options: PerfOptions,
    processes: int,
    paths: PerfPaths,
    bin_dirs: Sequence[str],
    load: LocustLoad,
) -> Measurement:
    """One Locust run against ``host``; what it measured, or why it measured nothing."""
    perf = project.config.perf
    profile: LoadProfile = perf.profiles[options.profile]
    version = served_release(project, host)
    trusted = trust(project, host)
    env = (
        dict(os.environ) | locust_env(load.workload) | trust_env(str(trusted) if trusted else None)
    )
    env["PATH"] = os.pathsep.join([*bin_dirs, env.get("PATH", "")])
    errors = []
    try:
        status = run_locust(
            locust_argv(load.locustfile, host, profile, processes, paths),
            marker=str(paths.html),
            record=project.path(perf.state_dir) / "loadgen.json",
            log=paths.log,
            cwd=project.root,
            env=env,
            time_limit=time_limit(profile),
            label=f"Locust: profile {options.profile}, {profile.users} users for "
            f"{profile.duration:g}s against {host}, {load.workload.describe()}",
        )
    except ShipwayError as problem:  # not installed, or hung: the run measured nothing usable
        return Measurement(None, [str(problem)], version)
    if status != 0:
        last = log_tail(paths.log)
        errors.append(f"Locust exited with status {status}: {last} (see {paths.log})")
    stats = None
    if not paths.stats_csv.is_file():
        errors.append(f"Locust wrote no statistics ({paths.stats_csv}); see {paths.log}")
    else:
        try:
            stats = parse_stats_csv(paths.stats_csv.read_text(encoding="utf-8"))
        except ShipwayError as problem:
            errors.append(str(problem))
    if stats is not None and paths.failures_csv.is_file():
        failures = parse_failures_csv(paths.failures_csv.read_text(encoding="utf-8"))
        stats = dataclasses.replace(stats, failures=failures)
    return Measurement(stats, errors, version)


def locust_load(project: Project) -> LocustLoad:
    """The configured locustfile, which must exist, else the built-in user shipway ships."""
    load = workload(project.config.perf, project.config.environments)
    if load.locustfile is None:
        return LocustLoad(load, BUILTIN_USER)
    locustfile = project.path(load.locustfile)
    if not locustfile.is_file():
        raise ShipwayError(f"tool.shipway.perf.locustfile: {locustfile} does not exist")
    return LocustLoad(load, locustfile)


def served_release(project: Project, host: str) -> str | None:
    """The release answering at ``host``, named by the header the perf environment's router adds
    (the default header and path when that environment is not configured)."""
    environment = project.config.environments.get(project.config.perf.environment)
    header = environment.release_header if environment else RELEASE_HEADER
    path = environment.ready_path if environment else ANY_ANSWER
    return probes.version(host, header, path, trust=trust(project, host))


def trust(project: Project, host: str) -> Path | None:
    """The perf environment's trust file when ``host`` is its HTTPS URL (another HTTPS host
    is verified against the system's CAs)."""
    name = project.config.perf.environment
    environment = project.config.environments.get(name)
    if environment is None or environment.tls is None or host.rstrip("/") != environment.url:
        return None
    return environment_files(project, name).tls_trust


@contextmanager
def deployed(project: Project, environment: str) -> Iterator[str]:
    """This commit's build serving in ``environment`` for the block; stopped afterwards."""
    if environment not in project.config.environments:
        raise ShipwayError(
            f"nox -s perf deploys to the environment {environment!r} "
            "(tool.shipway.perf.environment), which is not configured: add "
            f"[tool.shipway.environments.{environment}] with its own port, or pass --host URL"
        )
    try:
        deploy.deploy(project, environment, version=None, yes=True, dry_run=False, lock_wait=0)
        yield project.config.environments[environment].url
    finally:
        console.print(f"perf: stopping the {environment} environment")
        deploy.stop(project, environment, lock_wait=60)


@contextmanager
def tools_on_path(bin_dirs: Sequence[str]) -> Iterator[None]:
    """The session's tools (Envoy from the 'perf' group) findable by the deploy, even when
    shipway itself runs without the dev group (`uv run --no-default-groups nox -s perf`)."""
    previous = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([*bin_dirs, previous])
    try:
        yield
    finally:
        os.environ["PATH"] = previous
