"""The `linklab` command: a thin shell over the library (service.py for what trainees do, course.py for what
instructors do). Every command is documented in the generated reference (tests/test_docs.py checks it), and
every user error ends in one clear line and a non-zero exit."""

from __future__ import annotations

import json
import logging
import os
import shlex
import sqlite3
import sys
import threading

import click
from neo4j.exceptions import DriverError, Neo4jError

from . import __version__
from .config import check_settings
from .errors import LinklabError, ServerLostError

# What a server lost in the middle of a command leaves, by command (when the library does not say more).
LOST_LEAVES = {
    "check": "your answer was not graded and nothing was recorded",
    "grade": "what was graded before is kept in checks.jsonl, and the results files were not written",
    "reset": "the database may hold an incomplete scenario (`linklab scenario` tells)",
    "import": "the case file was read; the database may hold an incomplete network (`linklab scenario` tells)",
    "up": "the database may hold an incomplete scenario (`linklab scenario` tells)",
}


def command_line() -> str:
    return "linklab " + " ".join(shlex.quote(arg) for arg in sys.argv[1:])


def lost_server(exc: BaseException) -> str:
    """One sentence: what the lost server left, and what to run next (not the driver's retry log)."""
    if isinstance(exc, ServerLostError):
        said = exc.message
    else:
        from .db import first_line

        command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), "")
        leaves = LOST_LEAVES.get(command, "")
        said = f"the Neo4j server stopped answering ({first_line(exc)})" + (f": {leaves}" if leaves else "")
    return f"{said}; when it answers again (`linklab server status`, `linklab doctor`), run `{command_line()}` again"


def quiet_lost_threads(lost: tuple) -> None:
    """A background thread that meets a lost server (the watchdog's terminate, a lease's heartbeat) has
    nothing to tell: the command's own line says what happened. Other errors in threads are shown as ever."""
    shown = threading.excepthook

    def hook(args) -> None:
        if not issubclass(args.exc_type, lost):
            shown(args)
    threading.excepthook = hook


def main() -> None:
    from .db import DRIVER_LOST

    # the driver logs every retry at WARNING, which Python prints when no handler is set: a lost server
    # gets one sentence from us instead
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    logging.getLogger("neo4j").propagate = False
    quiet_lost_threads(DRIVER_LOST)
    try:
        check_settings()
        cli.main(standalone_mode=False)
    except ServerLostError as exc:
        click.echo(f"error: {lost_server(exc)}", err=True)
        sys.exit(exc.exit_code)
    except LinklabError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except DRIVER_LOST as exc:
        click.echo(f"error: {lost_server(exc)}", err=True)
        sys.exit(1)
    except sqlite3.Error as exc:
        from .recordstore import store_error

        click.echo(f"error: {store_error(exc).message}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.UsageError as exc:  # one line, the command named, instead of click's usage block
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        click.echo(f"error: {exc.format_message()}{where}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except (Neo4jError, DriverError, OSError) as exc:
        from .db import first_line
        click.echo(f"error: {type(exc).__name__}: {first_line(exc)}", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="linklab")
def cli() -> None:
    """linklab: a Neo4j sandbox for link-analysis (SOCMINT) training."""


# ---------------------------------------------------------------- server


PORT = click.IntRange(1, 65535)


@cli.group()
def server() -> None:
    """Install, start, stop and inspect the local Neo4j server."""


def instance_options(func):
    func = click.option("--name", default="default", show_default=True,
                        help="Which local server (default for trainees, grading for extra seeds).")(func)
    func = click.option("--bolt-port", type=PORT, help="Bolt port (remembered per server).")(func)
    func = click.option("--http-port", type=PORT, help="HTTP/Browser port (remembered per server).")(func)
    return func


@server.command("install")
@click.option("--force", is_flag=True, help="Fetch the jars again even if they are there.")
def server_install(force: bool) -> None:
    """Fetch the pinned Neo4j, APOC and GDS jars from Maven Central (neo4j/pom.xml)."""
    from . import server as srv

    target = srv.install(force=force)
    click.echo(f"Neo4j jars in {target} ({srv.jars_size_bytes() / 2**20:.0f} MiB)")
    try:
        archive, seconds = srv.make_class_archive()
    except LinklabError as exc:  # servers start without it, only slower
        click.echo(f"note: {exc}", err=True)
        return
    if seconds:
        click.echo(f"Made a class archive, so that servers start faster, in {seconds:.0f} s ({archive.name})")


@server.command("start")
@instance_options
@click.option("--heap", help="JVM heap, e.g. 4g (remembered per server).")
@click.option("--pagecache", help="Page cache, e.g. 2g (remembered per server).")
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for Bolt.")
def server_start(name, bolt_port, http_port, heap, pagecache, timeout) -> None:
    """Start a local Neo4j server and wait until Bolt answers."""
    from . import server as srv

    inst = srv.instance(name, bolt_port, http_port, heap, pagecache)
    result = srv.start(inst, timeout=timeout)
    if result.already_running:
        click.echo(f"Neo4j ({name}) is already running (pid {result.pid}) on {inst.uri}")
    else:
        click.echo(f"Neo4j ({name}) started in {result.seconds:.1f} s (pid {result.pid})")
        click.echo(f"  Warmed up the loader in {warm_up_server(inst):.1f} s, so that a first load is as fast as "
                   "later ones")
    click.echo(f"  Bolt:    {inst.uri}\n  Browser: http://127.0.0.1:{inst.http_port}/browser/\n"
               f"  Data:    {inst.home / 'data'}\n  Log:     {inst.log_file}\n  Pid:     {inst.pid_file}")


def warm_up_server(inst) -> float:
    from .config import Connection, local_password
    from .db import connect
    from .load import warm_up

    with connect(Connection(inst.uri, "neo4j", local_password())) as driver:
        return warm_up(driver)


@server.command("stop")
@instance_options
def server_stop(name, bolt_port, http_port) -> None:
    """Stop a local Neo4j server (its data stays)."""
    from . import server as srv

    inst = srv.instance(name, bolt_port, http_port)
    if srv.stop(inst):
        click.echo(f"Neo4j ({name}) stopped; data kept in {inst.home / 'data'}")
    else:
        click.echo(f"Neo4j ({name}) is not running")


@server.command("status")
@instance_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def server_status(name, bolt_port, http_port, as_json) -> None:
    """Say whether a local Neo4j server runs, and where its files are. Exit 3 when stopped."""
    from . import server as srv

    state = srv.status(srv.instance(name, bolt_port, http_port))
    if as_json:
        click.echo(json.dumps(state, indent=2))
    else:
        word = f"running (pid {state['pid']})" if state["running"] else "stopped"
        click.echo(f"Neo4j ({name}) {word}\n  Bolt: {state['bolt']}\n  Home: {state['home']}\n"
                   f"  Log:  {state['log']}")
    if not state["running"]:
        sys.exit(3)


# ---------------------------------------------------------------- doctor


@cli.command()
def doctor() -> None:
    """Check Java, the local server, Bolt, GDS and APOC, and say what to do about anything missing."""
    from .doctor import run_checks

    problems = 0
    for check in run_checks():
        mark = "ok  " if check.ok else "FAIL"
        click.echo(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok:
            problems += 1
            if check.fix:
                click.echo(f"       fix: {check.fix}")
    if problems:
        raise LinklabError(f"{problems} problem(s) found", exit_code=1)


# ---------------------------------------------------------------- scenarios


SEED = click.IntRange(0, 2**63 - 1)  # what Neo4j can store (a 64-bit integer): checked before anything is wiped
HOPS = click.IntRange(0, 6)


def say(message: str) -> None:
    """Waits and other news from the library, on stderr (stdout stays the command's result)."""
    click.echo(message, err=True)


def scenario_options(func):
    func = click.option("--seed", type=SEED, default=1, show_default=True, help="Seed of the scenario.")(func)
    func = click.option("--size", default="class", show_default=True,
                        help="tiny, class, large, or a person count (30 to 2,000,000).")(func)
    func = click.option("--profile", default="investigation", show_default=True,
                        help="The world's design (seed/profiles/NAME.toml): investigation, the one world "
                        "every exercise runs on.")(func)
    return func


def case_option(func):
    return click.option("--case", help="For exercises on a case network: which imported case "
                        "(default: the last one imported).")(func)


def trainee_options(func):
    func = click.option("--course", help="Course id (default: $LINKLAB_COURSE or linklab-101).")(func)
    func = click.option("--trainee", help="Trainee id (default: $LINKLAB_TRAINEE or your user name).")(func)
    return func


def progress_bar(total_estimate: int, what: str):
    from tqdm import tqdm

    return tqdm(total=total_estimate, unit=" entities", unit_scale=True, desc=what, file=sys.stderr,
                disable=None, dynamic_ncols=True)


def estimate_entities(persons: int) -> int:
    return 1000 + 13 * persons  # about 13.5 nodes and relationships per person; only for the bar


def print_counts(counts: dict[str, int]) -> None:
    labels = {k: v for k, v in counts.items() if not k.isupper()}
    types = {k: v for k, v in counts.items() if k.isupper()}
    click.echo(f"  nodes ({sum(labels.values()):,}): " + ", ".join(f"{k} {v:,}" for k, v in sorted(labels.items())))
    click.echo(f"  relationships ({sum(types.values()):,}): " + ", ".join(f"{k} {v:,}" for k, v in sorted(types.items())))


def load_key(driver, key) -> None:
    """Load the scenario or case network that `key` names (engine.ScenarioKey or CaseKey)."""
    from .grade.engine import CaseKey, graphs_for

    if isinstance(key, CaseKey):
        load_case_with_progress(driver, graphs_for(key))
    else:
        load_with_progress(driver, key.profile, key.size, key.seed)


def load_case_with_progress(driver, case) -> None:
    from .load import load_case

    with progress_bar(len(case.people) + len(case.contacts), "loading") as bar:
        report = load_case(driver, case, progress=bar.update, on_wait=say)
    click.echo(f"Loaded case {case.name} in {report.seconds:.2f} s, hash {report.meta['hash'][:16]}")
    print_counts(report.meta["counts"])


def load_with_progress(driver, profile: str, size: str, seed: int, bulk: bool | None = None) -> None:
    """Load a generated scenario by the route that suits the server (linklab.bulk.choose_route)."""
    from .bulk import choose_route, reset as load_scenario
    from .config import connection
    from .scenario.generate import generate

    scenario = generate(profile, size, seed)
    route = choose_route(connection().uri, scenario.info.persons, bulk)
    if route.note:
        say(route.note)
    with progress_bar(estimate_entities(scenario.info.persons), "writing files" if route.bulk else "loading") as bar:
        report = load_scenario(driver, scenario, route, progress=bar.update, on_stage=lambda m: bar.write(m, file=sys.stderr), on_wait=say)
        bar.total = bar.n
    meta = report.meta
    how = " through neo4j-admin import" if route.bulk else ""
    click.echo(f"Loaded {meta['profile']} / {meta['size']} / seed {meta['seed']}{how} in {report.seconds:.2f} s "
               f"({report.entities / report.seconds:,.0f} entities/s), hash {meta['hash'][:16]}")
    print_counts(meta["counts"])


@cli.command()
@scenario_options
@click.option("--exercise", "exercise_id", help="Load your own scenario for this exercise instead "
              "(the seed from your trainee id and course; for a case exercise, the case).")
@trainee_options
@case_option
@click.option("--bulk/--no-bulk", default=None, help="Load through neo4j-admin import (a local server only: it "
              "is stopped and started) or through UNWIND batches. Default: neo4j-admin from size large up.")
def reset(profile, size, seed, exercise_id, trainee, course, case, bulk) -> None:
    """Wipe the database and load a freshly generated scenario."""
    from .db import connect

    with connect() as driver:
        if exercise_id:
            from .exercises.catalogue import get
            from .service import exploring, identity

            load_key(driver, exploring(get(exercise_id), *identity(trainee, course), case=case))
        else:
            load_with_progress(driver, profile, size, seed, bulk)


@cli.command()
@trainee_options
@click.option("--no-lab", "lab", flag_value=False, default=True, help="Do not start the lab in the browser.")
def up(trainee, course, lab) -> None:
    """The main job: load your scenario for the first exercise unless it is loaded, show that exercise,
    and start the lab (http://127.0.0.1:8000) in the background."""
    from .db import connect
    from .exercises.catalogue import catalogue
    from .load import DataState, loaded
    from .service import exploring, identity, is_loaded

    trainee, course = identity(trainee, course)
    key = exploring(catalogue()[0], trainee, course)
    with connect() as driver:
        if is_loaded(driver, key):
            click.echo(f"Your scenario is loaded: {key} (trainee {trainee}, course {course})")
        else:
            state = loaded(driver).state
            if state in (DataState.INCOMPLETE, DataState.FOREIGN):
                click.echo(f"The database holds {'an incomplete' if state is DataState.INCOMPLETE else 'a foreign'} "
                           "scenario: replacing it.")
            click.echo(f"Loading your scenario: {key} (trainee {trainee}, course {course})")
            load_with_progress(driver, key.profile, key.size, key.seed)
    show_start(trainee, course)
    if lab:
        from .web.process import start

        url, already = start(trainee, course, "127.0.0.1", 8000)
        click.echo(f"\nThe lab {'is running' if already else 'is open'} at {url}  (exercises, editor, Run and Check "
                   "in your browser; `linklab lab --stop` stops it)")


@cli.command("lab")
@trainee_options
@click.option("--host", default=None, help="Where to listen: 127.0.0.1 (default); a class server may "
              "use 0.0.0.0 to be reached from the room.")
@click.option("--port", type=PORT, default=8000, show_default=True, help="The lab's port.")
@click.option("--background", is_flag=True, help="Start it in the background and return once it answers.")
@click.option("--stop", is_flag=True, help="Stop the lab running in the background and the local grading server it "
              "started (with --class: the class's servers).")
@click.option("--class", "class_course", metavar="COURSE",
              help="Run a class server for COURSE: logins, the instructor's console at /console, its own Neo4j servers.")
@click.option("--trainees", type=click.IntRange(1, 500), default=30, show_default=True,
              help="With --class: how many trainees to size the servers for.")
@click.option("--grading-servers", type=click.IntRange(1, 32), default=None,
              help="With --class: local grading servers (default: one per hidden scenario, as memory allows).")
@click.option("--first-port", type=PORT, default=7710, show_default=True,
              help="With --class: the Neo4j servers use ports from here up.")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="ADDRESS",
              help="With --class: a reverse proxy in front of the lab (an address or network; repeat for more, "
                   "or set LINKLAB_TRUSTED_PROXIES). Only these may say who the client is (X-Forwarded-For).")
@click.option("--public-url", metavar="URL", default=None,
              help="With --class: the address trainees and the LMS use (https://lab.example.org behind a TLS proxy; "
                   "or set LINKLAB_PUBLIC_URL). Shown on the console and used for LTI.")
@click.option("--exercises", metavar="IDS", default=None,
              help="Offer only these exercises (ids or numbers, comma-separated, e.g. 1,2,crews; or set "
                   "LINKLAB_EXERCISES): the lab lists, prepares and grades no others.")
def lab_command(trainee, course, host, port, background, stop, class_course, trainees, grading_servers,
                first_port, trusted_proxies, public_url, exercises) -> None:
    """The lab in your browser: exercises, a Cypher editor, results as a table and a graph, Check."""
    from .exercises.catalogue import catalogue
    from .service import identity
    from .web import process

    if exercises is not None:
        os.environ["LINKLAB_EXERCISES"] = exercises  # read by every part, and by a lab started in the background
    catalogue()  # an unknown exercise named there: one line now, not an error page later

    if class_course:
        proxies = list(trusted_proxies) or os.environ.get("LINKLAB_TRUSTED_PROXIES", "").split(",")
        run_class(class_course, host or "127.0.0.1", port, trainees, grading_servers, first_port, stop, proxies,
                  public_url or os.environ.get("LINKLAB_PUBLIC_URL") or None)
        return
    host = host or "127.0.0.1"
    if stop:
        from .service import stop_local_grading

        click.echo("The lab is stopped." if process.stop() else "The lab is not running in the background.")
        if stop_local_grading():
            click.echo("The grading server is stopped too (its hidden worlds stay on disk; the next check starts it).")
        return
    trainee, course = identity(trainee, course)
    process.check_host(host)
    if background:
        url, already = process.start(trainee, course, host, port)
        click.echo(f"The lab {'is already running' if already else 'runs'} at {url}")
        return
    import uvicorn

    from .service import Databases
    from .web.app import create_app

    with Databases(notify=say) as databases:
        app = create_app(trainee, course, databases, prepare=True)
        click.echo(f"The lab for {trainee} ({course}): {process.address(host, port)}   (Ctrl+C stops it)")
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def run_class(course: str, host: str, port: int, trainees: int, grading_servers: int | None, first_port: int,
              stop: bool, trusted_proxies: list[str], public_url: str | None = None) -> None:
    """`linklab lab --class COURSE`: the class's servers, then the class lab in the foreground. The course
    admits `trainees` (or more, if the instructor raised it); X-Forwarded-For counts from `trusted_proxies` only."""
    from .classroom import accounts, servers
    from .web import process, walls

    try:
        proxies = walls.parse_proxies(trusted_proxies)
    except ValueError as exc:
        raise LinklabError(f"--trusted-proxy: {exc}") from None
    if public_url and not public_url.startswith(("http://", "https://")):
        raise LinklabError(f"--public-url {public_url!r}: give the whole address, such as https://lab.example.org")
    plan = servers.plan(course, trainees, grading_servers, first_port)
    if stop:
        stopped = servers.stop_servers(plan)
        click.echo(f"Stopped {', '.join(stopped)}." if stopped else "No server of this class was running.")
        return
    if not accounts.has_instructor_password():
        password = os.environ.get("LINKLAB_INSTRUCTOR_PASSWORD") or (
            click.prompt("Choose the instructor's password", hide_input=True, confirmation_prompt=True)
            if sys.stdin.isatty() else "")
        if not password:
            raise LinklabError("set the instructor's password first: run this in a terminal, or set "
                               "LINKLAB_INSTRUCTOR_PASSWORD")
        accounts.set_instructor_password(password)
    import uvicorn

    from .web.classroom import create_class_app

    click.echo(f"Class {course}: {len(plan.profiles)} exploration server(s) ({', '.join(plan.profiles)}), "
               f"{plan.grading_servers or 'remote'} grading server(s), about {plan.memory_gb} GiB.")
    for note in plan.why:
        click.echo(f"  note: {note}")
    servers.start_servers(plan, say)
    supervisor = servers.Supervisor(plan, say, course=course)
    supervisor.start()
    with servers.ClassDatabases(plan, notify=say) as databases:
        servers.load_course_scenarios(databases, course, say)
        join_code = accounts.open_course(course, places=trainees)
        app = create_class_app(course, databases, trusted_proxies=proxies, listen=(host, port), public_url=public_url)
        click.echo(f"The class lab is open at {process.address(host, port)} (course code "
                   f"{join_code}); the instructor's console is {process.address(host, port)}console\n"
                   "Prepare the course from the console before the trainees check answers.   (Ctrl+C stops it)")
        try:
            # X-Forwarded-For is read by the app, from the trusted proxies only (uvicorn would trust loopback)
            uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
        finally:
            supervisor.stop()


@cli.group()
def lti() -> None:
    """Connect the class server to an LMS (LTI 1.3): register platforms, show what to enter in the LMS."""


@lti.command("register")
@click.option("--issuer", required=True, help="The platform's issuer (Moodle: its Platform ID; Canvas: "
              "https://canvas.instructure.com).")
@click.option("--client-id", required=True, help="The client ID the LMS gave linklab.")
@click.option("--deployment", "deployments", multiple=True, required=True,
              help="A deployment ID the LMS shows for the tool (repeat for more).")
@click.option("--auth-url", required=True, help="The platform's OIDC authentication (authorisation) URL.")
@click.option("--token-url", required=True, help="The platform's access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset (JWKS) URL.")
@click.option("--name", default="", help="A name to show in the console (Moodle, Canvas...).")
def lti_register(issuer, client_id, deployments, auth_url, token_url, jwks_url, name) -> None:
    """Register an LMS platform (again: its URLs are replaced, deployments added)."""
    from .lti import registry

    found = registry.register(issuer, client_id, list(deployments), auth_url, token_url, jwks_url, name)
    click.echo(f"Registered {found.name or found.issuer} (client {found.client_id}; deployments "
               f"{', '.join(found.deployments)}).")


@lti.command("list")
def lti_list() -> None:
    """The registered platforms."""
    from .lti import registry

    found = registry.platforms()
    if not found:
        click.echo("No LMS platform is registered: `linklab lti register --help`.")
    for p in found:
        click.echo(f"{p.name or p.issuer}: issuer {p.issuer}, client {p.client_id}, deployments "
                   f"{', '.join(p.deployments)}\n  auth {p.auth_url}\n  token {p.token_url}\n  keys {p.jwks_url}")


@lti.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
def lti_remove(issuer, client_id) -> None:
    """Remove a platform's registration (its launches are refused from then on)."""
    from .lti import registry

    if not registry.remove(issuer, client_id):
        raise LinklabError(f"no platform with issuer {issuer!r} and client ID {client_id!r} is registered")
    click.echo(f"Removed {issuer} (client {client_id}).")


@lti.command("tool")
@click.option("--url", "public_url", required=True, metavar="URL",
              help="The class lab's address as the LMS reaches it (https://lab.example.org).")
def lti_tool(public_url) -> None:
    """What to enter in the LMS for linklab: its URLs and public key (made now if there is none)."""
    from .lti import keys
    from .web.lti import tool_addresses

    if not public_url.startswith(("http://", "https://")):
        raise LinklabError(f"--url {public_url!r}: give the whole address, such as https://lab.example.org")
    addresses = tool_addresses(public_url.rstrip("/"))
    keys.tool_key()
    for label, key in (("Tool URL / target link URI", "tool_url"), ("Initiate login URL", "login_url"),
                       ("Redirection URI", "redirect_url"), ("Public keyset (JWKS) URL", "jwks_url"),
                       ("Deep linking URL", "deep_link_url")):
        click.echo(f"{label + ':':28} {addresses[key]}")
    click.echo(f"{'Key file (mode 600):':28} {keys.key_path()}")


def show_start(trainee: str | None = None, course: str | None = None) -> None:
    """Where to look, and the first exercise."""
    from .config import connection
    from .exercises.catalogue import catalogue

    from . import server as srv

    uri = connection().uri
    browser = srv.browser_url(uri)
    click.echo(f"\n{'Neo4j Browser: ' + browser + '  ' if browser else ''}(Bolt {uri}, user neo4j, "
               "password in $NEO4J_PASSWORD or .linklab/password)\n")
    first = catalogue()[0]
    click.get_current_context().invoke(show, exercise_id=first.id, trainee=trainee, course=course, case=None)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def scenario(as_json) -> None:
    """Show the scenario loaded now. Exit 1 when none is loaded or the last reset did not finish."""
    from .db import connect
    from .load import DataState, observe

    with connect() as driver:
        current = observe(driver)
    if as_json:
        click.echo(json.dumps({"state": current.state, **current.props, "counts": current.counts},
                              indent=2, default=str))
    elif current.state is DataState.COMPLETE and current.props.get("kind") == "hidden":
        click.echo("a hidden scenario (the grader loaded it; its marker says nothing of what it is)")
    elif current.state is DataState.COMPLETE and current.props.get("kind") == "case":
        p = current.props
        click.echo(f"case {p['case']}" + (f" (hidden variant {p['variant']})" if p["variant"] else "") +
                   f": {p['persons']:,} people, {p['contacts']:,} :{p['rel_type']} relationships"
                   f"{' (weighted)' if p['weighted'] else ''}\n"
                   f"  from {p['file']} ({p['format']}, sha256 {p['file_sha256'][:16]}), loaded {p['loaded_at']}\n"
                   f"  hash {p['hash']}")
        print_counts(current.counts)
    elif current.state is DataState.COMPLETE:
        p = current.props
        click.echo(f"{p['profile']} / size {p['size']} ({p['persons']:,} persons) / seed {p['seed']}\n"
                   f"  loaded {p['loaded_at']}, generator {p['generator_version']}, Faker {p['faker_version']}\n"
                   f"  hash {p['hash']}")
        print_counts(current.counts)
    if current.state is not DataState.COMPLETE:
        raise LinklabError(current.problem())


@cli.command()
@scenario_options
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl: the canonical stream (its sha256 is the scenario hash); csv: a file per label and type.")
def generate(profile, size, seed, out, fmt) -> None:
    """Write a scenario as files, without a database."""
    from pathlib import Path

    from .scenario.export import write_csv, write_jsonl
    from .scenario.generate import generate as make

    scenario = make(profile, size, seed)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    with progress_bar(estimate_entities(scenario.info.persons), "writing") as bar:
        meta = writer(scenario, Path(out), progress=bar.update)
        bar.total = bar.n
    click.echo(f"Wrote {profile} / {meta['size']} / seed {seed} to {out} ({fmt}), hash {meta['hash']}")
    print_counts(meta["counts"])


@cli.command("import")
@click.argument("file", type=click.Path())
@click.option("--name", required=True, help="Name of the case (letters, digits, - and _).")
@click.option("--type", "rel_type", default="KNOWS", show_default=True, help="Relationship type of the links.")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv"]),
              help="File format (default: from the extension).")
@click.option("--no-header", is_flag=True, help="A CSV edge list whose first line is already a link "
              "(source, target, optional weight).")
@click.option("--matrix", is_flag=True, help="A CSV adjacency matrix: names in the first row and column, "
              "weights in the cells (0 or empty: no link).")
def import_case(file, name, rel_type, fmt, no_header, matrix) -> None:
    """Load a published network (GraphML, GEXF, a CSV edge list or adjacency matrix, or a folder that
    `linklab export --format csv` wrote) as a case of Person nodes.

    The file is checked in full before the database is touched; the case exercises then work on it."""
    from pathlib import Path

    from .cases.network import save
    from .cases.read import read_case
    from .db import connect
    from .exercises.catalogue import case_catalogue

    case, notes = read_case(Path(file), name, rel_type, fmt, no_header=no_header, matrix=matrix)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    with connect() as driver:
        path = save(case)
        load_case_with_progress(driver, case)
    click.echo(f"Case {name} saved in {path}; exercises on it: "
               f"{', '.join(e.id for e in case_catalogue())} (`linklab show case-degree`)")
    echo_not_separable(case.name, case.digest)


def echo_not_separable(case_name: str, digest: str) -> None:
    """Choose the case's hidden variants (grading server) and say which mistakes it cannot separate."""
    from .course import Course

    echo_missed(Course(None, say).not_separable(case_name, digest))


def echo_missed(missed: list[tuple[str, str]]) -> None:
    click.echo(f"Mutants (known mistakes) this case cannot separate from the right answer: {len(missed)}")
    for name, diagnosis in missed:
        click.echo(f"  {name}: {diagnosis}")


# ---------------------------------------------------------------- trainees


@cli.command()
@trainee_options
def exercises(trainee, course) -> None:
    """List the exercises with your status (new, started, trying, passed)."""
    from .lab import Lab

    listing = Lab.of(trainee, course).exercises()
    click.echo(f"{'#':>2}  {'id':<22} {'level':<5} {'pts':>3}  {'status':<8} title")
    for ex in (e for e in listing if not e["on_case"]):
        click.echo(f"{ex['number']:>2}  {ex['id']:<22} {ex['level']:<5} {ex['points']:>3}  {ex['status']:<8} {ex['title']}")
    click.echo("\nOn an imported case network (`linklab import FILE --name NAME`):")
    for ex in (e for e in listing if e["on_case"]):
        click.echo(f"{'':>2}  {ex['id']:<22} {ex['level']:<5} {ex['points']:>3}  {ex['status']:<8} {ex['title']}")


def describe_parameters(exercise, key) -> list[str]:
    from .service import parameters

    lines = []
    for name, value in parameters(exercise, key).items():
        if name == "graph":
            lines.append("  :param graph => 'my-graph'   (any name here; the grader gives its own)")
        else:
            lines.append(f"  :param {name} => {json.dumps(value, ensure_ascii=False)}")
    return lines


@cli.command()
@click.argument("exercise_id")
@trainee_options
@case_option
def show(exercise_id, trainee, course, case) -> None:
    """Show an exercise: what to find and return, and its parameters for your scenario."""
    from .exercises.catalogue import get
    from .lab import Lab

    exercise = get(exercise_id)
    lab = Lab.of(trainee, course)
    key = lab.scenario(exercise, case)
    click.echo(f"{'Case exercise' if exercise.on_case else 'Exercise'} {exercise.number}: {exercise.title}   "
               f"[{exercise.id}]")
    click.echo(f"Level {exercise.level}, {exercise.points} points. Skills: {', '.join(exercise.skills)}")
    click.echo("")
    click.echo(exercise.prompt)
    params = describe_parameters(exercise, key)
    if params:
        click.echo("\nParameters for your scenario (paste into Neo4j Browser):")
        click.echo("\n".join(params))
    try:
        with lab:
            ready = lab.is_loaded(exercise, case)
    except LinklabError:
        ready = False
    reload = f"linklab reset --exercise {exercise.id}" + (f" --case {key.case}" if exercise.on_case else "")
    click.echo(f"\nYour scenario: {key}" + ("" if ready else f"  (not loaded: run `{reload}`)"))
    click.echo(f"Check an answer: linklab check {exercise.id} answer.cypher   "
               f"(or --query '...');  a hint: linklab hint {exercise.id}")


@cli.command()
@click.argument("exercise_id")
@trainee_options
def hint(exercise_id, trainee, course) -> None:
    """Show the next hint of an exercise (hints used are recorded)."""
    from .exercises.catalogue import get
    from .lab import Lab

    exercise = get(exercise_id)
    hint = Lab.of(trainee, course).hint(exercise)
    if hint["number"] is None:
        click.echo(f"No more hints for {exercise.id} ({hint['total']} shown). Here they are again:")
        for i, text in enumerate(hint["all"], 1):
            click.echo(f"  {i}. {text}")
        return
    click.echo(f"Hint {hint['number']} of {hint['total']}: {hint['text']}")


def read_answer(file, query) -> str:
    if bool(file) == bool(query):
        raise LinklabError("give the answer as a FILE or with --query TEXT (one of them)")
    if query:
        return query
    from pathlib import Path

    path = Path(file)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LinklabError(f"no such file: {file}") from None
    except UnicodeDecodeError:
        raise LinklabError(f"{file} is not UTF-8 text") from None


@cli.command()
@click.argument("exercise_id")
@click.argument("file", required=False)
@click.option("--query", help="The answer as text instead of a file.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@trainee_options
@case_option
def check(exercise_id, file, query, as_json, trainee, course, case) -> None:
    """Check an answer on your scenario and hidden ones. Exit 0 passed, 2 not passed, 3 not graded (a server
    was not available: the check does not count)."""
    from .exercises.catalogue import get
    from .grade.status import Status
    from .lab import Lab
    from .service import verdict_view

    exercise = get(exercise_id)
    text = read_answer(file, query)
    with Lab.of(trainee, course, notify=say) as lab:
        verdict = lab.check(exercise, text, case)
    if as_json:
        click.echo(json.dumps(verdict.to_dict(), indent=2))
    else:  # colour on a terminal only (click leaves it out when the output is a file or a pipe)
        mark = click.style("PASSED", fg="green", bold=True) if verdict.passed else \
            click.style("NOT GRADED", bold=True) if verdict.status is Status.NOT_GRADED else \
            click.style("NOT YET", fg="yellow", bold=True)
        click.echo(f"{mark} {exercise.id}: {verdict.feedback}")
        for c in verdict_view(verdict)["checks"]:  # each reason once: not again where the headline says it
            said = f": {c['feedback']}" if c["feedback"] and c["feedback"] not in verdict.feedback else ""
            click.echo(f"  {c['status'].replace('_', ' '):<7} {c['scenario']}{said}")
    if query and any(c.reason == "syntax" for c in verdict.checks):
        click.echo("note: a query given with --query loses its inner quotes to many shells; save it in a file "
                   "and give the file instead (or use the lab: `linklab lab`)", err=True)
    if verdict.status is Status.NOT_GRADED:
        sys.exit(3)
    if not verdict.passed:
        sys.exit(2)


@cli.command()
@trainee_options
@click.option("--export", "export_to", type=click.Path(dir_okay=False),
              help="Also write your progress as JSON (the progress.json to hand in with your answers).")
def progress(trainee, course, export_to) -> None:
    """Your progress: exercises passed, points, hints used."""
    from pathlib import Path

    from .lab import Lab
    from .progress import Progress, export
    from .service import offered

    lab = Lab.of(trainee, course)
    trainee, course = lab.trainee, lab.course
    if export_to:
        click.echo(f"Wrote {export(trainee, course, Path(export_to))}", err=True)
    shown = lab.progress()  # the lab's count: every exercise offered, the case ones included
    click.echo(f"{trainee} in {course}: {shown['passed']}/{shown['total']} exercises passed, "
               f"{shown['points']}/{shown['max_points']} points, {shown['hints']} hint(s) used")
    record = Progress.load(trainee, course)
    for e in offered():
        status = record.status(e.id)
        if status != "new":
            entry = record.exercises[e.id]
            click.echo(f"  {e.id:<22} {status:<8} attempts {entry['attempts']}, hints {entry['hints']}")


# ---------------------------------------------------------------- instructors and automated grading


@cli.command()
@click.argument("submissions", type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), default="grading-results", show_default=True,
              help="Folder for results.json, junit.xml, gradescope/ and the resumable checks.jsonl.")
@click.option("--course", help="Course id (default: $LINKLAB_COURSE or linklab-101).")
@click.option("--single", "single", help="SUBMISSIONS holds this one trainee's .cypher files (Gradescope).")
@click.option("--gradescope", "gradescope_path", type=click.Path(dir_okay=False),
              help="With --single: also write Gradescope's results.json here.")
@click.option("--case", help="Grade the exercises on this imported case network instead.")
@click.option("--class", "shared", is_flag=True,
              help="A class session: every trainee explored the course's scenarios, not their own.")
@click.option("--regrade", is_flag=True, help="Grade again what checks.jsonl already holds (the old verdicts stay "
              "there for audit; the new ones win). With --trainee or --exercise: only theirs.")
@click.option("--trainee", "regrade_trainee", help="With --regrade: only this trainee's answers.")
@click.option("--exercise", "regrade_exercise", help="With --regrade: only the answers to this exercise.")
def grade(submissions, out, course, single, gradescope_path, case, shared, regrade, regrade_trainee,
          regrade_exercise) -> None:
    """Grade a folder of submissions (one sub-folder per trainee, one .cypher per exercise), on every
    grading server of LINKLAB_GRADING_URI (comma-separated), or a local one started on demand.

    Exit 0 whenever grading ran, whatever the trainees scored; non-zero for linklab's own errors, and when
    there was nothing to grade."""
    from pathlib import Path

    from .course import Course

    course = Course(course, say)
    planned = course.grading_plan(Path(submissions), single=single, case=case, shared=shared, regrade=regrade,
                                  gradescope=Path(gradescope_path) if gradescope_path else None,
                                  regrade_trainee=regrade_trainee, regrade_exercise=regrade_exercise)
    with progress_bar(planned.checks, "grading") as bar:
        bar.unit = " checks"
        graded = course.grade(planned, Path(out), progress=bar.update)
    results, paths = graded.results, graded.paths
    if results.out_of_date:
        click.echo("Graded again, since their earlier verdicts are out of date: " + ", ".join(
            f"{n} check(s) because {what} changed" for what, n in sorted(results.out_of_date.items())), err=True)
    if regrade:
        click.echo(f"Re-graded {results.regraded} recorded check(s); their earlier verdicts stay in "
                   f"{Path(out) / 'checks.jsonl'}", err=True)
    for trainee, verdicts in results.verdicts.items():
        passed = sum(v.passed for v in verdicts)
        click.echo(f"  {trainee:<20} {passed:>2}/{len(verdicts)} passed, "
                   f"{sum(v.points for v in verdicts)}/{sum(v.max_points for v in verdicts)} points")
    click.echo(f"{results.checks_run} check(s) run in {results.seconds:.1f} s "
               f"({results.reseed_seconds:.1f} s loading scenarios). Results: {paths['json']}, {paths['junit']}, "
               f"{paths['gradescope']}/")


@cli.command()
@click.option("--course", help="Course id (default: $LINKLAB_COURSE or linklab-101).")
def prepare(course) -> None:
    """Choose the course's hidden scenarios (from the course secret) so that every registered mistake
    fails; check and grade do it on first use. Runs on the grading server."""
    from .course import Course

    prepared = Course(course, say).prepare()
    for prep in prepared.chosen:
        c = prep.choice
        click.echo(f"{prep.world}: {len(c.keys)} hidden worlds fail {c.killed} of {c.mutants} mutants "
                   f"({c.written} written, {c.automatic} automatic); {len(c.equivalent)} probably equivalent; "
                   f"{len(c.survivors)} not separated ({prep.seconds:.1f} s)")
    click.echo(f"Course {prepared.course}: hidden worlds {'chosen' if prepared.chosen else 'already chosen'} "
               f"in {prepared.seconds:.1f} s (kept in {prepared.kept_in})")


@cli.command()
@click.option("--seeds", default=3, show_default=True, help="Seeds of the world to check on.")
@click.option("--size", default="tiny", show_default=True, help="Scenario size to check on.")
@click.option("--course", help="Course whose hidden scenarios are checked (default: $LINKLAB_COURSE or linklab-101).")
def selftest(seeds, size, course) -> None:
    """Every reference solution must pass its own exercise on several seeds of the world (as generated and
    varied, asked about each organisation it may ask about), and the registered mistakes (each exercise's mutants/)
    must fail: prints the mutant kill rate per exercise.

    Runs on the grading server (never the trainee's); exit 1 if a reference fails or a mutant is refused."""
    from .course import Course

    def checked(profile: str, failures: list[tuple[str, str, str]]) -> None:
        for exercise, scenario, feedback in failures:
            click.echo(f"FAIL {exercise} on {scenario}: {feedback}")
        click.echo(f"{profile}: {seeds} seed(s) checked, as generated and varied")

    course = Course(course, say)
    test = course.selftest(seeds, size, checked)
    click.echo(f"{test.passed}/{test.checks} reference checks passed")
    click.echo(f"\nMutants of course {course.name} (its hidden worlds{', chosen now' if test.chosen_now else ''}):")
    for profile, choice in test.choices.items():
        click.echo(f"  {profile:<12} {choice.mutants} mutants ({choice.written} written, {choice.automatic} "
                   f"automatic): {choice.killed} fail on the hidden worlds, {len(choice.equivalent)} probably "
                   f"equivalent, {len(choice.survivors)} not separated")
        for name, diagnosis in test.not_separated[profile]:
            click.echo(f"      not separated (written): {name}: {diagnosis}")
    if test.failures:
        raise LinklabError(f"{len(test.failures)} reference solution check(s) failed")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default="answer-keys", show_default=True,
              help="Folder for answer-key.md and answer-key.json.")
@click.option("--profile", default="investigation", show_default=True, help="With --seed: the world's design.")
@click.option("--seed", type=SEED, help="Keys for this seed (class size).")
@click.option("--trainee", help="Keys for this trainee's own scenarios.")
@click.option("--course", help="Course id (default: $LINKLAB_COURSE or linklab-101).")
@click.option("--case", help="Keys of the case exercises for this imported case network.")
def answers(out, profile, seed, trainee, course, case) -> None:
    """Write the confidential answer key of every exercise for one scenario (Markdown and JSON).

    Without --seed, --trainee or --case: the keys of the scenario (or case) loaded in the database now."""
    from pathlib import Path

    from .course import Course

    course = Course(course, say)
    keys = course.answer_keys(Path(out), profile, seed, trainee, case)
    if keys.not_separated is not None:
        echo_missed(keys.not_separated)
    click.echo(f"Wrote {keys.answers} answer(s): {', '.join(str(p) for p in keys.paths)} (confidential)")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv"]), default="graphml",
              show_default=True, help="graphml and gexf for Gephi, Cytoscape, yEd; csv for i2-style importers.")
@click.option("--out", type=click.Path(), required=True, help="File (graphml, gexf) or folder (csv).")
@click.option("--around", help="Only the neighbourhood of the account with this handle (or person with this name).")
@click.option("--hops", type=HOPS, default=2, show_default=True, help="With --around: how far (0 to 6).")
def export(fmt, out, around, hops) -> None:
    """Export the loaded scenario (or a neighbourhood) with its labels and properties."""
    from pathlib import Path

    from .db import connect
    from .export import read_graph, write
    from .load import require_complete

    with connect() as driver:
        require_complete(driver)
        graph = read_graph(driver, around, hops)
    paths = write(graph, fmt, Path(out))
    click.echo(f"Exported {graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} relationships "
               f"to {', '.join(str(p) for p in paths)}")


@cli.command()
@click.argument("results", type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), default="report", show_default=True,
              help="Folder for report.html and gradebook.csv.")
def report(results, out) -> None:
    """Turn grading results (a `linklab grade` folder or its results.json) into an offline HTML report
    (pass rate per exercise, trainees, hints used, common failure reasons) and a CSV gradebook."""
    from pathlib import Path

    from .report import write_report

    paths = write_report(Path(results), Path(out))
    click.echo(f"Wrote {', '.join(str(p) for p in paths)}")


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False), default="network.png", show_default=True,
              help="PNG path; the interactive page goes beside it with .html.")
@click.option("--around", help="Draw the message neighbourhood of the person behind this account handle "
              "(on a case network: of the person with this name).")
@click.option("--hops", type=HOPS, default=2, show_default=True, help="With --around: how many message hops (0 to 6).")
def picture(out, around, hops) -> None:
    """Draw the loaded network as a PNG and an offline interactive HTML page."""
    from pathlib import Path

    from .db import connect
    from .load import require_complete
    from .picture import draw

    with connect() as driver:
        current = require_complete(driver)
        props = current.props
        on_case = props.get("kind") == "case"
        if props.get("kind") == "hidden":
            raise LinklabError("this database holds a hidden scenario (the grader loaded it): reset it first")
        seed = int(props["case_hash"][:8], 16) if on_case else int(props["seed"])
        data, paths = draw(driver, seed, Path(out), around, hops, case=on_case)
    note = f" ({data['note']})" if data["note"] else ""
    click.echo(f"Drew {len(data['nodes'])} people and {len(data['edges'])} contacts{note}: "
               f"{', '.join(str(p) for p in paths)}")
