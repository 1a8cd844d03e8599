"""kubectl's flag grammar (spf13/pflag), for a plugin that kubectl hands every argument to.

- ``--name value`` and ``--name=value``; a bool is ``--name`` or ``--name=true|false`` (never
  ``--name false``: ``false`` would be an argument), with Go's ParseBool spellings;
- ``-n value``, ``-nvalue``, ``-n=value``; bools combine with what follows: ``-Ao wide``,
  ``-An prod``, ``-Aowide``, ``-A=false``;
- flags anywhere, before or after the words; ``--`` ends them; ``-`` is a word;
- a flag given twice: the last wins, but a list flag (``--as-group``) adds up.

Beyond pflag: ``-1`` and ``-3.5`` are words (``code -1``), not shorthands.

Imported on every run, ``code N`` included: the standard library only, and little of it.
"""

from __future__ import annotations

from kubectl_exitwhy.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

BOOL, STR, LIST, INT = "bool", "str", "list", "int"
SELECT, SHOW, GLOBAL = "Select", "Output", "kubectl's global flags (as kubectl takes them)"


class Flag:
    __slots__ = ("name", "short", "kind", "metavar", "help", "group", "choices")

    def __init__(self, name, short, kind, metavar, help, group, choices=()):
        self.name, self.short, self.kind, self.metavar = name, short, kind, metavar
        self.help, self.group, self.choices = help, group, choices

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    @property
    def label(self) -> str:
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


# long name, shorthand, kind, value name, help group (Select, Output, Global), help
_TABLE = """
namespace                n  str   NS        S  namespace (default: the context's)
all-namespaces           A  bool  -         S  every namespace
selector                 l  str   SEL       S  label selector: app=api,tier!=db, env in (a,b)
filename                 f  str   FILE      S  saved kubectl get -o json|yaml output (- for stdin)
output                   o  str   FMT       O  table, wide, json or yaml
by                       -  str   BY        O  workload (a row per workload and cause) or pod
all                      -  bool  -         O  also healthy pods, completed Jobs, graceful stops
no-fold                  -  bool  -         O  every row, even past the terminal's height
logs                     -  int   N         O  previous-log lines per failed container (0: none)
watch                    w  bool  -         O  then print each new failure as it happens (Ctrl-C)
fail-on                  -  str   LEVEL     O  exit 1 on a finding at least info|warning|critical
help                     h  bool  -         O  this help
version                  -  bool  -         O  the version
context                  -  str   NAME      G  kubeconfig context
kubeconfig               -  str   FILE      G  kubeconfig (default: $KUBECONFIG or ~/.kube/config)
request-timeout          -  str   DUR       G  request deadline, retries in: 30, 30s, 1m (0: 60s)
cluster                  -  str   NAME      G  kubeconfig cluster to use
user                     -  str   NAME      G  kubeconfig user to use
server                   s  str   URL       G  the API server's address
token                    -  str   TOKEN     G  bearer token
certificate-authority    -  str   FILE      G  CA certificate file
client-certificate       -  str   FILE      G  client certificate file
client-key               -  str   FILE      G  client key file
insecure-skip-tls-verify -  bool  -         G  do not verify the server's certificate
tls-server-name          -  str   NAME      G  server name to verify the certificate against
as                       -  str   USER      G  impersonate this user
as-group                 -  list  GROUP     G  impersonate this group (repeatable)
as-uid                   -  str   UID       G  impersonate this UID
v                        v  int   N         G  log level: 6 traces each request on stderr
"""
CHOICES = {
    "output": ("table", "wide", "json", "yaml"),
    "by": ("workload", "pod"),
    "fail-on": ("info", "warning", "critical"),
}
_GROUPS = {"S": SELECT, "O": SHOW, "G": GLOBAL}
FLAGS = tuple(
    Flag(
        name,
        "" if short == "-" else short,
        kind,
        "" if metavar == "-" else metavar,
        help,
        _GROUPS[group],
        CHOICES.get(name, ()),
    )
    for name, short, kind, metavar, group, help in (
        line.split(None, 5) for line in _TABLE.strip().splitlines()
    )
)
LONG = {f.name: f for f in FLAGS}
SHORT = {f.short: f for f in FLAGS if f.short}
# the flags the typer commands take; the other global flags reach the connection (ctx.obj)
COMMAND_FLAGS = (
    "namespace", "all-namespaces", "selector", "filename", "output", "by", "all", "no-fold",
    "logs", "watch", "fail-on", "context", "kubeconfig", "request-timeout",
)  # fmt: skip
CONNECTION_FLAGS = tuple(f.name for f in FLAGS if f.group == GLOBAL and f.name not in COMMAND_FLAGS)
TRUE, FALSE = ("1", "t", "T", "TRUE", "true", "True"), ("0", "f", "F", "FALSE", "false", "False")


class Parsed:
    """The flags given (by long name; a bool True or False, a list of str, else str or int)
    and the words, in order."""

    def __init__(self) -> None:
        self.values: Dict[str, Any] = {}
        self.words: List[str] = []

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def _is_number(arg: str) -> bool:
    try:
        float(arg)
    except ValueError:
        return False
    return True


def parse(argv: List[str]) -> Parsed:
    """pflag's parse, with its messages; every refusal is a UsageError."""
    out = Parsed()
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            out.words.extend(argv[i:])
            break
        if not arg.startswith("-") or arg == "-" or _is_number(arg):
            out.words.append(arg)
            continue
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if not name or name[0] in "-=":
                raise UsageError(f"bad flag syntax: {arg}")
            flag = LONG.get(name)
            if flag is None:
                raise UsageError(f"unknown flag: --{name}{_closest(name)}")
            if eq:
                _set(out, flag, value)
            elif flag.kind == BOOL:
                _set(out, flag, "true")
            elif i < len(argv):
                _set(out, flag, argv[i])
                i += 1
            else:
                raise UsageError(f"flag needs an argument: --{name}")
            continue
        shorts = arg[1:]
        while shorts:
            flag = SHORT.get(shorts[0])
            if flag is None:
                raise UsageError(f"unknown shorthand flag: {shorts[0]!r} in {arg}")
            rest = shorts[1:]
            if rest.startswith("="):
                _set(out, flag, rest[1:])
            elif flag.kind == BOOL:
                _set(out, flag, "true")
                shorts = rest
                continue
            elif rest:
                _set(out, flag, rest)
            elif i < len(argv):
                _set(out, flag, argv[i])
                i += 1
            else:
                raise UsageError(f"flag needs an argument: {shorts[0]!r} in {arg}")
            break
    return out


def _set(out: Parsed, flag: Flag, value: str) -> None:
    if flag.kind == BOOL:
        if value not in TRUE + FALSE:
            raise UsageError(f'invalid argument "{value}" for "{flag.label}" flag: not a bool')
        out.values[flag.name] = value in TRUE
    elif flag.kind == INT:
        try:
            out.values[flag.name] = int(value)
        except ValueError:
            raise UsageError(
                f'invalid argument "{value}" for "{flag.label}" flag: not a whole number'
            ) from None
    elif flag.kind == LIST:
        out.values.setdefault(flag.name, []).append(value)
    else:
        if flag.name == "filename" and flag.name in out.values:
            raise UsageError(  # kubectl reads each; silently keeping the last would lose pods
                "-f is given twice: give one file (cat a.json b.json > both.json joins saves)"
            )
        if flag.name == "output" and flag.choices and value.lower() in flag.choices:
            value = value.lower()  # kubectl takes -o JSON as -o json
        if flag.choices and value not in flag.choices:
            hint = _closest(value, flag.choices, "")
            raise UsageError(
                f'invalid argument "{value}" for "{flag.label}" flag: use '
                f"{', '.join(flag.choices[:-1])} or {flag.choices[-1]}{hint}"
            )
        out.values[flag.name] = value


def _closest(word: str, candidates: Any = None, prefix: str = "--") -> str:
    import difflib

    pool = list(candidates) if candidates is not None else list(LONG)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.75)
    return f"; did you mean {prefix}{close[0]}?" if close else ""


def check(parsed: Parsed) -> None:
    """What kubectl refuses before it sends a request: a malformed label selector, impersonation
    without a user, a CA with --insecure-skip-tls-verify, a negative --logs."""
    selector = parsed.get("selector")
    if selector:
        from kubectl_exitwhy.selector import parse as parse_selector

        parse_selector(selector)
    if (parsed.get("as-group") or parsed.get("as-uid")) and not parsed.get("as"):
        raise UsageError("--as-group and --as-uid impersonate only with --as USER")
    if parsed.get("insecure-skip-tls-verify") and parsed.get("certificate-authority"):
        raise UsageError(
            "--certificate-authority and --insecure-skip-tls-verify cannot be given together"
        )
    if parsed.get("logs", 0) < 0:
        raise UsageError("--logs takes a count of lines, 0 or more")
    namespace = parsed.get("namespace")
    if namespace:
        from kubectl_exitwhy.targets import path_segment

        refused = path_segment(namespace)
        if refused:
            raise UsageError(f"invalid namespace {namespace!r}: {refused}")


def command_args(parsed: Parsed, accepted: Tuple[str, ...] = COMMAND_FLAGS) -> List[str]:
    """The flags as click takes them (``--name=value``); an empty namespace, selector or
    context counts as not given, as kubectl counts it."""
    args: List[str] = []
    for name in accepted:
        if name not in parsed.values:
            continue
        value = parsed.values[name]
        if LONG[name].kind == BOOL:
            args += [f"--{name}"] if value else []
        elif value != "":
            args.append(f"--{name}={value}")
    return args


def connection(parsed: Parsed) -> Dict[str, Any]:
    """The global flags that change how the cluster is reached (``sources/overrides.py``)."""
    return {LONG[n].dest: parsed.values[n] for n in CONNECTION_FLAGS if n in parsed.values}


def unused(parsed: Parsed, accepted: Tuple[str, ...]) -> Optional[str]:
    """The first flag given that the command does not take, if any."""
    ignored = ("help", "version", *CONNECTION_FLAGS)
    for name in parsed.values:
        if name not in accepted and name not in ignored:
            return name
    return None
