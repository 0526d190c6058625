"""The `linklab` command: a thin shell over the library. Every command is documented in the README
(tests/test_cli_docs.py checks it), and every user error ends in one clear line and a non-zero exit."""

from __future__ import annotations

import json
import sys

import click
from neo4j.exceptions import DriverError, Neo4jError

from . import __version__
from .errors import LinklabError


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except LinklabError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
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


@cli.group()
def server() -> None:
    """Install, start, stop and inspect the local Neo4j server."""


def instance_options(func):
    func = click.option("--name", default="default", show_default=True,
                        help="Which local server (default for trainees, grading for extra seeds).")(func)
    func = click.option("--bolt-port", type=int, help="Bolt port (remembered per server).")(func)
    func = click.option("--http-port", type=int, help="HTTP/Browser port (remembered per server).")(func)
    return func


@server.command("install")
@click.option("--force", is_flag=True, help="Fetch the jars again even if they are there.")
def server_install(force: bool) -> None:
    """Fetch the pinned Neo4j, APOC and GDS jars from Maven Central (neo4j/pom.xml)."""
    from . import server as srv

    target = srv.install(force=force)
    click.echo(f"Neo4j jars in {target} ({srv.jars_size_bytes() / 2**20:.0f} MiB)")


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
    click.echo(f"  Bolt:    {inst.uri}\n  Browser: http://127.0.0.1:{inst.http_port}/browser/\n"
               f"  Data:    {inst.home / 'data'}\n  Log:     {inst.log_file}\n  Pid:     {inst.pid_file}")


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
