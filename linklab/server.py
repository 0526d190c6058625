"""The local Neo4j 5.26 Community server, assembled from Maven Central jars (see neo4j/pom.xml).

An *instance* is one server: its own ports and its own home under .linklab/servers/NAME with
conf/, data/ (survives restarts), logs/ and run/neo4j.pid. `default` serves trainees on 7687/7474;
grading starts a second one (`grading`, 7688/7475) so that extra seeds never touch a trainee's data.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from .config import DATA_ROOT, local_password, state_dir
from .errors import LinklabError
from .scenario.admin_csv import write_marker_nodes

POM = DATA_ROOT / "neo4j" / "pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
MIN_JAVA = 17

# Neo4j Browser captions each node by its human key, not by whatever property it picks first (an Account's
# creation date). Applied on connect with `:style`, which takes Grass as JSON (no ";": the Browser splits
# browser.post_connect_cmd into commands at semicolons).
BROWSER_CAPTIONS = {
    "Person": "name", "Account": "handle", "Phone": "number", "Email": "address", "Location": "name",
    "Post": "text", "Organization": "name", "Market": "name", "Wallet": "address", "Term": "term",
}
BROWSER_STYLE = json.dumps({f"node.{label}": {"caption": f"{{{key}}}"} for label, key in BROWSER_CAPTIONS.items()},
                           separators=(",", ":"))

# The only APOC and GDS procedures and functions the server loads (dbms.security.procedures.allowlist): what
# answers may call (grade.allow: GDS on the check's own graph, APOC's path, collection, text and map helpers)
# and what linklab runs itself (the lease's apoc.lock.read.nodes, gds.graph.list for sweeping leftover graphs,
# estimates, versions). The rest is never loaded, so a gap in the guard meets a server where apoc.cypher.*,
# apoc.load.*, apoc.export.*, apoc.periodic.*, gds.*.write or gds.graph.export do not exist at all
# (tests/test_guard_server.py). Neo4j's own db.* and dbms.* procedures are not plugins; the guard's parse
# refuses those.
PLUGIN_ALLOWLIST = (
    "apoc.path.*", "apoc.neighbors.*", "apoc.algo.*", "apoc.coll.*", "apoc.text.*", "apoc.map.*", "apoc.agg.*",
    "apoc.math.*", "apoc.number.*", "apoc.convert.fromJson*", "apoc.convert.getJson*", "apoc.convert.to*",
    "apoc.date.*", "apoc.temporal.*", "apoc.node.degree*",
    "apoc.node.relationship.*", "apoc.nodes.connected", "apoc.label.exists", "apoc.bitwise.op", "apoc.version",
    "apoc.lock.read.nodes",
    "gds.graph.project", "gds.graph.project.*", "gds.graph.drop", "gds.graph.exists", "gds.graph.list",
    "gds.graph.nodeProperty.stream", "gds.graph.nodeProperties.stream", "gds.graph.relationshipProperty.stream",
    "gds.graph.relationshipProperties.stream", "gds.graph.relationships.stream",
    "gds.*.stream", "gds.*.stats", "gds.*.mutate", "gds.*.estimate", "gds.version", "gds.util.*",
    "gds.similarity.*",
)

# Settings shared by the local server and docker-compose.yml (tests/test_compose.py checks they agree).
SHARED_SETTINGS = {
    "dbms.usage_report.enabled": "false",
    "dbms.security.procedures.allowlist": ",".join(PLUGIN_ALLOWLIST),
    # GDS needs unrestricted access to kernel internals; APOC core's functions do not.
    "dbms.security.procedures.unrestricted": "gds.*",
    "dbms.security.allow_csv_import_from_file_urls": "false",
    # Server-side caps behind the grader's own, shorter, per-transaction timeout.
    "db.transaction.timeout": "120s",
    "db.memory.transaction.max": "2g",
    # How long each transaction has been on a CPU (SHOW TRANSACTIONS' cpuTime): a check stopped at its time
    # limit while it mostly waited for a CPU was the busy server's doing, not the answer's (grade.guard).
    "db.track_query_cpu_time": "true",
    # Neo4j Browser: no crash reports or usage statistics to outside hosts (Sentry, Segment); guides and styles
    # only from this machine (the lab serves them). browser.allow_outgoing_connections would say more, but it is
    # an Enterprise setting: Community 5.26 refuses to start with it ("Unrecognized setting").
    "client.allow_telemetry": "false",
    "browser.remote_content_hostname_whitelist": "localhost,127.0.0.1",
    "browser.post_connect_cmd": f"style {BROWSER_STYLE}",
    # Stopping waited 10 s for Bolt's network threads to stay idle for a "quiet period" (5 s for each of its
    # two listeners) after every connection had closed: a class's or a test's every stop paid it. Nothing is
    # sent in that period; the databases are checkpointed and closed before it begins.
    "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
}
# Answers never reach the network: LOAD CSV (and any procedure that fetches a URL) may connect to no address
# at all (Neo4j's internal.dbms.cypher_ip_blocklist; file:/// URLs are off by the setting above). Only the
# benchmark's own server, which times a LOAD CSV baseline over loopback, is started with URLs allowed.
URL_BLOCKLIST = {"internal.dbms.cypher_ip_blocklist": "0.0.0.0/0,::/0"}
# The server's own log (debug.log; neo4j.log, which linklab reads, is the user log and keeps Neo4j's default).
# As Neo4j's default but for two loggers that wrote most of its lines and said nothing an operator acts on:
# GDS's progress, about a hundred INFO lines per algorithm call ("PageRank :: Compute iteration 3 of 20"): its
# warnings are kept; and at every start a WARN line per procedure the allowlist above leaves out ("... is not
# on the allowlist and won't be loaded", hundreds) and per APOC class whose optional dependency is not shipped
# (Arrow export): only this logger's errors are kept.
QUIET_LOGGERS = {"org.neo4j.gds": "WARN", "org.neo4j.kernel.api.procedure.GlobalProcedures": "ERROR"}
ROLLING_LOG = """        <RollingRandomAccessFile name="{name}" fileName="${{config:server.directories.logs}}/{file}"
                                 filePattern="$${{config:server.directories.logs}}/{file}.%02i">
            {layout}
            <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
            <DefaultRolloverStrategy fileIndex="min" max="7"/>
        </RollingRandomAccessFile>
"""
PLAIN_LAYOUT = '<PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>'
SERVER_LOGS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!-- Generated by `linklab server start`; edit linklab/server.py instead. -->\n"
    '<Configuration status="ERROR" packages="org.neo4j.logging.log4j">\n    <Appenders>\n'
    + ROLLING_LOG.format(name="DebugLog", file="debug.log", layout='<Neo4jDebugLogLayout pattern='
                         '"%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p [%c{1.}] %m%n"/>')
    + "".join(ROLLING_LOG.format(name=f"{kind}Log", file=f"{kind.lower()}.log", layout=PLAIN_LAYOUT)
              for kind in ("Http", "Query", "Security"))
    + "    </Appenders>\n    <Loggers>\n"
    '        <Root level="INFO"><AppenderRef ref="DebugLog"/></Root>\n'
    + "".join(f'        <Logger name="{kind}Logger" level="INFO" additivity="false"><AppenderRef ref="{kind}Log"/>'
              "</Logger>\n" for kind in ("Http", "Query", "Security"))
    + "".join(f'        <Logger name="{name}" level="{level}"/>\n' for name, level in QUIET_LOGGERS.items())
    + "    </Loggers>\n</Configuration>\n")
DEFAULT_HEAP = "4g"
DEFAULT_PAGECACHE = "2g"

# Instances known without flags; any other name needs --bolt-port/--http-port the first time.
PRESETS = {"default": (7687, 7474), "grading": (7688, 7475)}

JVM_OPTIONS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]


def dist_dir() -> Path:
    return state_dir() / "neo4j-dist"


def pom_versions() -> dict[str, str]:
    """The pinned versions, read from the pom so they live in one place."""
    text = POM.read_text()
    return {name: re.search(rf"<{name}\.version>([^<]+)<", text).group(1)
            for name in ("neo4j", "apoc", "gds", "browser")}


# ---------------------------------------------------------------- Java and jars


def java_executable() -> str:
    explicit = os.environ.get("LINKLAB_JAVA")
    if explicit:
        return explicit
    java_home = os.environ.get("JAVA_HOME")
    if java_home and Path(java_home, "bin", "java").exists():
        return str(Path(java_home, "bin", "java"))
    return shutil.which("java") or "java"


def java_version(java: str | None = None) -> int:
    """The major version of Java, or a LinklabError that says what to install."""
    java = java or java_executable()
    advice = (f"Neo4j 5.26 needs Java {MIN_JAVA} or 17+: install it (Debian/Ubuntu: "
              "`apt-get install openjdk-17-jre-headless`) or set JAVA_HOME")
    try:
        text = java_version_text(java)
    except (OSError, subprocess.TimeoutExpired):
        raise LinklabError(f"Java not found ({java}). {advice}") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not match:
        raise LinklabError(f"cannot tell the Java version of {java}. {advice}")
    major = int(match.group(1))
    if major == 1:  # "1.8.0" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise LinklabError(f"Java {major} found at {java}, too old. {advice}")
    return major


@cache
def java_version_text(java: str) -> str:
    """What `java -version` says (read once per process: every start asks)."""
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    return out.stderr + out.stdout


def pom_hash() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()[:16]


def is_installed() -> bool:
    marker = dist_dir() / "installed"
    return marker.exists() and marker.read_text().strip() == pom_hash()


def install(force: bool = False) -> Path:
    """Copy the pinned jars from Maven Central into dist_dir() (a no-op when they are there)."""
    if is_installed() and not force:
        return dist_dir()
    mvn = shutil.which("mvn")
    if not mvn:
        raise LinklabError("Maven (`mvn`) is needed once to fetch the Neo4j jars from Maven Central: "
                           "install it (Debian/Ubuntu: `apt-get install maven`)")
    target = dist_dir()
    shutil.rmtree(target, ignore_errors=True)
    build = state_dir() / "neo4j-build"  # Maven writes target/ beside its pom: never inside an installed package
    build.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(POM, build / "pom.xml")
    result = subprocess.run([mvn, "-B", "-q", "-f", str(build / "pom.xml"), "package", f"-Ddist.dir={target}"],
                            capture_output=True, text=True)
    if result.returncode != 0 or not any((target / "lib").glob("neo4j-server-*.jar")):
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise LinklabError(f"fetching the Neo4j jars with Maven failed:\n{tail}")
    (target / "installed").write_text(pom_hash() + "\n")
    return target


# ---------------------------------------------------------------- a class-data archive, for faster starts
# Each start of a JVM reads and verifies Neo4j's classes afresh from 155 MiB of jars: about a third of a server's
# start (python -m bench starts).
# A class-data-sharing archive (the JDK's CDS) holds them ready to map: made once per installation and Java by
# `linklab server install`, from the start and stop of a throwaway server. Without one (or with one the JVM
# declines, which it checks itself) a server starts as before, only slower.

def class_archive(java: str) -> Path:
    """Where the archive for this installation (its pom: which jars) and this Java lives: another Java or
    another set of jars gets its own."""
    identity = f"{os.path.realpath(shutil.which(java) or java)}\n{java_version_text(java)}\n{pom_hash()}"
    return dist_dir() / f"classes-{hashlib.sha256(identity.encode()).hexdigest()[:12]}.jsa"


def class_archive_options(java: str, archive_at_exit: Path | None = None) -> list[str]:
    if archive_at_exit is not None:
        return [f"-XX:ArchiveClassesAtExit={archive_at_exit}"]
    archive = class_archive(java)
    return [f"-XX:SharedArchiveFile={archive}"] if archive.exists() else []


def make_class_archive() -> tuple[Path, float]:
    """The archive of the classes a server loads as it starts (made here unless it exists); the seconds it
    took. A throwaway server in a temporary folder starts and stops; its JVM writes the archive as it exits."""
    java = java_executable()
    java_version(java)
    install()
    archive = class_archive(java)
    if archive.exists():
        return archive, 0.0
    began = time.monotonic()
    partial = archive.with_name(f"{archive.name}.{os.getpid()}.partial")  # two installs at once: one file each
    try:
        with tempfile.TemporaryDirectory(prefix="class-archive-", dir=dist_dir()) as folder:
            ports = free_ports(2)
            inst = Instance("class-archive", ports[0], ports[1], heap="512m", pagecache="64m", root=Path(folder))
            try:
                start(inst, archive_at_exit=partial)
            finally:  # stopped before its folder goes, whatever happened (an interrupted install too)
                stop(inst)
        if not partial.exists() or not archive_accepted(java, partial):
            raise LinklabError(f"{java} wrote no class archive it can use; servers start without one (slower)")
        partial.replace(archive)  # whole, or not there: a start never maps a half-written archive
    finally:
        partial.unlink(missing_ok=True)
    for stale in dist_dir().glob("classes-*.jsa"):  # another Java's or older jars' (150 MiB each)
        if stale != archive:
            stale.unlink(missing_ok=True)  # a server that maps it keeps its copy until it stops
    return archive, time.monotonic() - began


def archive_accepted(java: str, archive: Path) -> bool:
    """Whether this Java maps the archive (with -Xshare:on a JVM that cannot exits with an error)."""
    result = subprocess.run([java, "-Xshare:on", f"-XX:SharedArchiveFile={archive}", "-cp",
                             f"{dist_dir() / 'lib'}/*", "-version"], capture_output=True, text=True, timeout=60)
    return result.returncode == 0


def free_ports(count: int) -> list[int]:
    """Ports on 127.0.0.1 that nothing listens on now (the system's choice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def jars_size_bytes() -> int:
    return sum(p.stat().st_size for p in dist_dir().rglob("*.jar"))


# ---------------------------------------------------------------- instances


@dataclass
class Instance:
    name: str
    bolt_port: int
    http_port: int
    heap: str = DEFAULT_HEAP
    pagecache: str = DEFAULT_PAGECACHE
    urls_allowed: bool = False  # LOAD CSV over the network: only for the benchmark's baseline
    # the state folder the instance was made in: a process that later points LINKLAB_HOME elsewhere (a bench,
    # a test) still stops the server it started (not saved in instance.json: the folder may move)
    root: Path = field(default_factory=state_dir, compare=False, repr=False)

    @property
    def home(self) -> Path:
        return self.root / "servers" / self.name

    def saved(self) -> dict:
        """What instance.json keeps of it (the state folder is where the file is)."""
        return {k: v for k, v in asdict(self).items() if k != "root"}

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "neo4j.log"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def replacing_file(self) -> Path:
        """Present while a bulk import replaces the store (see linklab.bulk): the store may be half-written."""
        return self.home / "run" / "store-replacement.json"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def settings(self) -> dict[str, str]:
        home = self.home
        return {
            "server.default_listen_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.http.advertised_address": f"127.0.0.1:{self.http_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.https.enabled": "false",
            "server.directories.data": str(home / "data"),
            "server.directories.logs": str(home / "logs"),
            "server.directories.run": str(home / "run"),
            "server.directories.import": str(home / "import"),
            "server.directories.plugins": str(dist_dir() / "plugins"),
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.pagecache,
            "server.memory.query_cache.per_db_cache_num_entries": str(plans_kept(self.heap)),
            "server.logs.config": str(home / "conf" / "server-logs.xml"),
            **SHARED_SETTINGS,
            **({} if self.urls_allowed else URL_BLOCKLIST),
        }


# Plans a server keeps, per GiB of its heap. A course's preparation runs a few thousand different queries
# (every mutant and its tie-broken variants) and a class checks the same answers again and again; Neo4j's
# default, 1,000 plans, evicted most before they were needed again, and planning afresh is most of a query's time
# on a tiny world (bench/planning.py: a course's 1,197 mutants run again in 36.5 s instead of 79.1 s, 2.17x).
PLANS_PER_GIB = 1500


def plans_kept(heap: str) -> int:
    """How many query plans a server of this heap ("512m", "3g") keeps: at least Neo4j's default 1,000 (also
    for a heap that is no size: Neo4j itself says what is wrong with it when it starts)."""
    try:
        size = memory_size(heap, "--heap", bounds=False)
    except LinklabError:
        return 1000
    return max(1000, int(PLANS_PER_GIB * size / 2 ** 30))


def is_saved(name: str) -> bool:
    """Whether this server was started before (its ports, heap and page cache are remembered)."""
    return (state_dir() / "servers" / name / "instance.json").exists()


def instance(name: str = "default", bolt_port: int | None = None, http_port: int | None = None,
             heap: str | None = None, pagecache: str | None = None, urls_allowed: bool | None = None) -> Instance:
    """The instance called `name`: saved settings, overridden by what is given, or a preset."""
    saved_file = state_dir() / "servers" / name / "instance.json"
    if saved_file.exists():
        inst = Instance(**json.loads(saved_file.read_text()))
    elif name in PRESETS:
        inst = Instance(name, *PRESETS[name])
    elif bolt_port and http_port:
        inst = Instance(name, bolt_port, http_port)
    else:
        raise LinklabError(f"unknown server {name!r}: give --bolt-port and --http-port the first time")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise LinklabError(f"server name {name!r}: use letters, digits, '-' and '_' only")
    for option, given, kept in (("--heap", heap, inst.heap), ("--pagecache", pagecache, inst.pagecache)):
        if given is not None:
            memory_size(given, option)
        elif kept is not None:
            memory_size(kept, option, f"the {option[2:]} {kept!r} saved for server {name} in {saved_file} (give "
                                      f"{option} to replace it)", bounds=False)
    inst.bolt_port = bolt_port or inst.bolt_port
    inst.http_port = http_port or inst.http_port
    inst.heap = heap or inst.heap
    inst.pagecache = pagecache or inst.pagecache
    inst.urls_allowed = inst.urls_allowed if urls_allowed is None else urls_allowed
    return inst


MEMORY_SIZE = re.compile(r"([1-9][0-9]{0,12})([kmgt]?)", re.IGNORECASE)
UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
SMALLEST = {"--heap": 256 << 20, "--pagecache": 1 << 20}  # Neo4j does not start on less heap


def memory_size(value: str, option: str, what: str | None = None, bounds: bool = True) -> int:
    """Bytes of a JVM/Neo4j memory size such as 2g or 512m; LinklabError, before anything is saved or
    started, for anything Java or Neo4j would refuse with a stack trace (`bounds`: also too small, or more
    than the machine has)."""
    what = what or f"{option} {value}"
    found = MEMORY_SIZE.fullmatch(str(value).strip())
    if not found:
        raise LinklabError(f"{what}: not a memory size; give a whole number with k, m or g, such as 2g or 512m")
    size = int(found.group(1)) * UNITS[found.group(2).lower()]
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if not bounds:
        return size
    if size < SMALLEST[option]:
        raise LinklabError(f"{what}: too small; Neo4j needs at least {SMALLEST[option] >> 20}m")
    if size > machine:
        raise LinklabError(f"{what}: more than this machine's {machine / 2 ** 30:.0f} GiB of memory")
    return size


def browser_url(bolt_uri: str) -> str | None:
    """Neo4j Browser's address for a local server's Bolt URI (None for other servers)."""
    for saved in (state_dir() / "servers").glob("*/instance.json"):
        inst = Instance(**json.loads(saved.read_text()))
        if bolt_uri.rstrip("/") in (inst.uri, f"neo4j://127.0.0.1:{inst.bolt_port}",
                                    f"bolt://localhost:{inst.bolt_port}"):
            return f"http://127.0.0.1:{inst.http_port}/browser/"
    return None


def local_instance(uri: str) -> Instance | None:
    """The local server that `uri` reaches (its files are on this machine), or None (Docker, Aura, ...)."""
    scheme, _, rest = uri.partition("://")
    host, _, port = rest.split("/", 1)[0].rpartition(":")
    if scheme not in ("bolt", "neo4j") or host not in ("127.0.0.1", "localhost") or not port.isdigit():
        return None
    for saved in sorted((state_dir() / "servers").glob("*/instance.json")):
        inst = Instance(**json.loads(saved.read_text()))
        if inst.bolt_port == int(port):
            return inst
    return None


def running_pid(inst: Instance) -> int | None:
    """The pid of this instance's server if it is alive (checked against its command line)."""
    try:
        pid = int(inst.pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError):
        return None
    if ENTRY_POINT in cmdline and str(inst.home) in cmdline:
        return pid
    return None


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class StartResult:
    instance: Instance
    pid: int
    already_running: bool
    seconds: float


def start(inst: Instance, timeout: float = 180.0, archive_at_exit: Path | None = None) -> StartResult:
    """Start the server and wait until it answers `RETURN 1` over Bolt. Idempotent. `archive_at_exit`: the
    JVM writes the classes it loaded there when it exits (make_class_archive)."""
    pid = running_pid(inst)
    if pid:
        return StartResult(inst, pid, True, 0.0)
    java = java_executable()
    java_version(java)
    install()
    for port, what in ((inst.bolt_port, "Bolt"), (inst.http_port, "HTTP")):
        if not port_free(port):
            raise LinklabError(f"port {port} ({what}) on 127.0.0.1 is already in use: stop what uses it, "
                               f"or start with another port (linklab server start --{what.lower()}-port N)")
    write_home(inst)
    recover(inst)  # a bulk load killed while it replaced the store: make it an incomplete one
    password = local_password()
    if not (inst.home / "data" / "dbms" / "auth.ini").exists() and not (
            inst.home / "data" / "databases" / "system").exists():
        set_initial_password(inst, java, password)

    began = time.monotonic()
    with open(inst.console_log, "ab") as console:
        process = subprocess.Popen(
            [java, f"-Xms{inst.heap}", f"-Xmx{inst.heap}", *JVM_OPTIONS, *class_archive_options(java, archive_at_exit),
             "-cp", f"{dist_dir() / 'lib'}/*", ENTRY_POINT,
             f"--home-dir={inst.home}", f"--config-dir={inst.home / 'conf'}"],
            stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=inst.home, start_new_session=True)
    inst.pid_file.write_text(f"{process.pid}\n")
    try:
        wait_for_bolt(inst, process, password, timeout)
    except BaseException:
        kill(process.pid)
        inst.pid_file.unlink(missing_ok=True)
        raise
    return StartResult(inst, process.pid, False, time.monotonic() - began)


def write_home(inst: Instance) -> None:
    for sub in ("conf", "data", "logs", "run", "import"):
        (inst.home / sub).mkdir(parents=True, exist_ok=True)
    conf = "".join(f"{key}={value}\n" for key, value in inst.settings().items())
    (inst.home / "conf" / "neo4j.conf").write_text(
        "# Generated by `linklab server start`; edit linklab/server.py instead.\n" + conf)
    (inst.home / "conf" / "server-logs.xml").write_text(SERVER_LOGS)
    (inst.home / "instance.json").write_text(json.dumps(inst.saved(), indent=2) + "\n")


def set_initial_password(inst: Instance, java: str, password: str) -> None:
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(inst.home / "conf")}
    result = subprocess.run(
        [java, "-cp", f"{dist_dir() / 'lib'}/*", "org.neo4j.cli.AdminTool",
         "dbms", "set-initial-password", password],
        capture_output=True, text=True, env=env, cwd=inst.home)
    if result.returncode != 0:
        raise LinklabError(f"setting the initial Neo4j password failed: {result.stderr.strip()[-500:]}")


def wait_for_bolt(inst: Instance, process: subprocess.Popen, password: str, timeout: float) -> None:
    from neo4j import GraphDatabase  # imported late: `server status` should not pay for the driver

    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise LinklabError(f"Neo4j ({inst.name}) exited with code {process.returncode} while starting; "
                               f"see {inst.log_file} and {inst.console_log}")
        if time.monotonic() > deadline:
            raise LinklabError(f"Neo4j ({inst.name}) did not answer on {inst.uri} within {timeout:.0f} s; "
                               f"stopped it. See {inst.log_file}")
        if not port_free(inst.bolt_port):
            try:
                with GraphDatabase.driver(inst.uri, auth=("neo4j", password)) as driver:
                    driver.execute_query("RETURN 1")
                return
            except Exception as exc:  # noqa: BLE001 - not up yet; a wrong password is final
                if type(exc).__name__ == "AuthError":
                    raise LinklabError(
                        f"Neo4j ({inst.name}) is up on {inst.uri} but refuses the password: its data folder "
                        f"{inst.home / 'data'} was created with another one. Set NEO4J_PASSWORD to it") from None
        time.sleep(0.25)


def kill(pid: int, grace: float = 60.0) -> None:
    """SIGTERM the server's process group, then SIGKILL after `grace` seconds. A server another process
    started (a class server's, a lab's, the test suite's) stays a zombie once it has exited until that
    process reaps it: exited is what counts here, not reaped (`alive`), or every such stop took the grace."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            waited, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            waited = 0
        if waited == pid or not alive(pid):
            return
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop(inst: Instance) -> bool:
    """Stop the server; False when it was not running. Idempotent."""
    pid = running_pid(inst)
    if not pid:
        inst.pid_file.unlink(missing_ok=True)
        return False
    kill(pid)
    inst.pid_file.unlink(missing_ok=True)
    return True


def status(inst: Instance) -> dict:
    pid = running_pid(inst)
    return {
        "name": inst.name,
        "running": pid is not None,
        "pid": pid,
        "bolt": inst.uri,
        "browser": f"http://127.0.0.1:{inst.http_port}/browser/",
        "home": str(inst.home),
        "log": str(inst.log_file),
        "installed": is_installed(),
    }


# ---------------------------------------------------------------- a store replaced by neo4j-admin
# The bulk route (linklab.store) replaces a stopped server's store with `neo4j-admin database import full`;
# the record file (Instance.replacing_file) says while the store may be half-written. Recovering from a
# replacement cut short is part of starting a server, so it lives here, below linklab.store.

IMPORT_HEAP = "1g"
IMPORT_OFF_HEAP = "2g"  # neo4j-admin takes 90% of the machine's memory unless told otherwise


def marker_node(props: dict) -> dict:
    """The `:Scenario` marker as the UNWIND route's SET_SCENARIO leaves it: incomplete, loading `props`."""
    return {**props, "id": "current", "complete": False, "status": "resetting",
            "started_at": datetime.now(timezone.utc)}


def die_with_parent() -> None:
    """In the importer's process: be killed when the linklab process that started it dies, so a killed
    load never leaves an import running under a server that is being started."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def admin_import(inst: Instance, arguments: list[str], database: str = "neo4j") -> None:
    """Run neo4j-admin's full import into `database` of the stopped server `inst`."""
    java = java_executable()
    log = inst.home / "logs" / "import.log"
    command = [java, f"-Xmx{IMPORT_HEAP}", *JVM_OPTIONS, "-cp", f"{dist_dir() / 'lib'}/*",
               "org.neo4j.cli.AdminTool", "database", "import", "full", database, "--overwrite-destination",
               f"--max-off-heap-memory={IMPORT_OFF_HEAP}", f"--report-file={inst.home / 'logs' / 'import.report'}",
               *arguments]
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(inst.home / "conf")}
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, cwd=inst.home, preexec_fn=die_with_parent)
        note_importer(inst, process.pid)
        code = process.wait()
    if code != 0:
        tail = " | ".join(line for line in log.read_text(errors="replace").splitlines()[-5:] if line.strip())
        raise LinklabError(f"neo4j-admin import into server {inst.name} failed (exit {code}): {tail} (see {log})")


def note_importer(inst: Instance, pid: int) -> None:
    record = json.loads(inst.replacing_file.read_text())
    inst.replacing_file.write_text(json.dumps({**record, "importer": pid}))


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return False


def recover(inst: Instance) -> bool:
    """Before a server starts: if a store replacement was cut short, replace the half-written store by one
    that holds only the incomplete marker. False when there was nothing to recover."""
    if not inst.replacing_file.exists():
        return False
    record = json.loads(inst.replacing_file.read_text())
    for role in ("loader", "importer"):
        if record.get(role) != os.getpid() and alive(record.get(role)):
            raise LinklabError(f"a bulk load is replacing the store of server {inst.name} (pid {record[role]}): "
                               "wait for it to finish")
    with tempfile.TemporaryDirectory(dir=inst.home) as folder:
        nodes = write_marker_nodes(Path(folder), [marker_node(record["props"])])
        admin_import(inst, [f"--nodes={label}={path}" for label, path in nodes])
    inst.replacing_file.unlink()
    return True
