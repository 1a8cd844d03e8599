"""The memory settings a container gives its runtime, read from what the pod spec shows
literally: the command and args, and the runtimes' memory variables (``runtimes.MEMORY_ENV``).

Pure: a Container in, a list of ``Setting`` out. The budget (``budget.py``) compares them with
the limit. Values from a ConfigMap or a Secret are never read; ``Container.memory_env_hidden``
names them.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Iterable, Optional

from kubectl_exitwhy.evidence import Container
from kubectl_exitwhy.runtimes import SCRIPT_ENV


@dataclass(frozen=True)
class Setting:
    runtime: str  # jvm | node | go | dotnet
    flag: str  # what it sets: Xmx, MaxRAMPercentage, max-old-space-size, GOMEMLIMIT, …
    text: str  # as written: "-XX:MaxRAMPercentage=80"
    where: str  # "args", "env JAVA_TOOL_OPTIONS", …
    value: Optional[float]  # bytes, or a percentage; None: could not be read


_JVM_SIZE = re.compile(r"^(\d+)([kKmMgGtT]?)$")
_JVM_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
# flag -> (pattern, kind of value)
_JVM_FLAGS = (
    ("Xmx", re.compile(r"^-Xmx(\S+)$"), "size"),
    ("Xmx", re.compile(r"^-XX:MaxHeapSize=(\S+)$"), "size"),
    ("MaxRAMPercentage", re.compile(r"^-XX:MaxRAMPercentage=(\S+)$"), "percent"),
    ("MaxRAMFraction", re.compile(r"^-XX:MaxRAMFraction=(\S+)$"), "number"),
    ("MaxRAM", re.compile(r"^-XX:MaxRAM=(\S+)$"), "size"),
    ("MaxMetaspaceSize", re.compile(r"^-XX:MaxMetaspaceSize=(\S+)$"), "size"),
    ("MaxDirectMemorySize", re.compile(r"^-XX:MaxDirectMemorySize=(\S+)$"), "size"),
    ("ReservedCodeCacheSize", re.compile(r"^-XX:ReservedCodeCacheSize=(\S+)$"), "size"),
    ("Xss", re.compile(r"^-Xss(\S+)$"), "size"),
    ("Xss", re.compile(r"^-XX:ThreadStackSize=(\S+)$"), "kib"),
    ("UseContainerSupport", re.compile(r"^-XX:([+-])UseContainerSupport$"), "switch"),
)
_NODE_FLAG = re.compile(r"^--max[-_]old[-_]space[-_]size=(\d+(?:\.\d+)?)$")
_GO_SIZE = re.compile(r"^(\d+)(B|KiB|MiB|GiB|TiB)?$")  # whole numbers: the runtime's parseByteCount
_GO_UNITS = {None: 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def jvm_size(text: str) -> Optional[float]:
    """A HotSpot size: digits and an optional k/m/g/t (either case); bare digits are bytes."""
    m = _JVM_SIZE.match(text)
    return float(int(m.group(1)) * _JVM_UNITS[m.group(2).lower()]) if m else None


def _number(text: str) -> Optional[float]:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def go_size(text: str) -> Optional[float]:
    m = _GO_SIZE.match(text.strip())
    return float(m.group(1)) * _GO_UNITS[m.group(2)] if m else None


def dotnet_hex(text: str) -> Optional[float]:
    """.NET reads GC settings from the environment as hexadecimal, with or without 0x."""
    t = text.strip().lower()
    t = t[2:] if t.startswith("0x") else t
    return float(int(t, 16)) if t and all(ch in "0123456789abcdef" for ch in t) else None


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote: the plain words still say something
        return text.split()


def command_words(c: Container) -> list[str]:
    """Every word of the command and args, a shell script's words included (``sh -c "exec java
    -Xmx2g …"``), with ``$(VAR)`` replaced as the kubelet does for the variables we keep."""
    env = dict(c.memory_env)
    out = []
    for arg in c.command:
        arg = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), arg)
        out += _words(arg) if " " in arg else [arg]
    return out


# options that take the next word as their value, and words after which the runtime's own
# options end (what follows belongs to the program)
_TAKES_VALUE = {
    "java": {"-cp", "-classpath", "--class-path", "-p", "--module-path", "--add-modules",
             "--add-opens", "--add-exports", "--add-reads", "--patch-module",
             "--upgrade-module-path", "--limit-modules"},
    "node": {"-r", "--require", "--import", "--loader", "--experimental-loader", "--conditions",
             "-C", "--title", "--input-type"},
}  # fmt: skip
_ENDS = {"java": {"-jar", "-m", "--module", "--source"}, "node": {"-e", "--eval", "-p", "--print"}}
_LAUNCHERS = {"java": ("java",), "node": ("node", "nodejs")}


def runtime_options(words: list[str], runtime: str) -> list[str]:
    """The words the runtime reads as its own options: after each of its launchers (``java``,
    ``node``) up to the main class, the script, or ``-jar``'s file — what comes after is the
    program's (``java -jar a.jar -Xmx3g`` gives the program a -Xmx3g). When the command shows no
    launcher (the image's entrypoint runs it and the args carry its options), the leading
    options."""
    starts = [i + 1 for i, w in enumerate(words) if w.rsplit("/", 1)[-1] in _LAUNCHERS[runtime]]
    out: list[str] = []
    for i in starts or [0]:
        while i < len(words):
            word = words[i]
            if word in _ENDS[runtime] or not word.startswith("-"):
                break
            out.append(word)
            i += 2 if word in _TAKES_VALUE[runtime] else 1
    return out


def _jvm(words: Iterable[str], where: str) -> list[Setting]:
    found = []
    for word in words:
        for flag, pattern, kind in _JVM_FLAGS:
            m = pattern.match(word)
            if not m:
                continue
            raw = m.group(1)
            if kind == "size":
                value = jvm_size(raw)
            elif kind == "kib":
                value = None if (n := _number(raw)) is None else n * 1024
            elif kind == "switch":
                value = 1.0 if raw == "+" else 0.0
            else:
                value = _number(raw)
            found.append(Setting("jvm", flag, word, where, value))
    return found


def _node(words: Iterable[str], where: str) -> list[Setting]:
    found = []
    for word in words:
        m = _NODE_FLAG.match(word)
        if m:  # MiB
            found.append(
                Setting("node", "max-old-space-size", word, where, float(m.group(1)) * (1 << 20))
            )
    return found


def _uses(words: list[str], name: str) -> bool:
    return any(f"${name}" in w or f"${{{name}}}" in w for w in words)


def read(c: Container) -> list[Setting]:
    """Every memory setting the spec shows, in the order the runtime applies them (for the same
    flag, the last one wins)."""
    words = command_words(c)
    env = dict(c.memory_env)  # the last definition of a name wins, as in the kubelet
    found: list[Setting] = []
    # the JVM: JAVA_TOOL_OPTIONS first, then the launcher's JDK_JAVA_OPTIONS and the command
    # line, then _JAVA_OPTIONS, which overrides both
    if "JAVA_TOOL_OPTIONS" in env:
        found += _jvm(_words(env["JAVA_TOOL_OPTIONS"]), "env JAVA_TOOL_OPTIONS")
    for name in SCRIPT_ENV:  # spliced into the java command by the image's start script
        if name in env and (not words or _uses(words, name)):
            found += _jvm(_words(env[name]), f"env {name}")
    if "JDK_JAVA_OPTIONS" in env:
        found += _jvm(_words(env["JDK_JAVA_OPTIONS"]), "env JDK_JAVA_OPTIONS")
    found += _jvm(runtime_options(words, "java"), "command")
    if "_JAVA_OPTIONS" in env:
        found += _jvm(_words(env["_JAVA_OPTIONS"]), "env _JAVA_OPTIONS")
    if "NODE_OPTIONS" in env:
        found += _node(_words(env["NODE_OPTIONS"]), "env NODE_OPTIONS")
    found += _node(runtime_options(words, "node"), "command")
    if "GOMEMLIMIT" in env:
        text = env["GOMEMLIMIT"]
        value = float("inf") if text.strip() == "off" else go_size(text)
        found.append(Setting("go", "GOMEMLIMIT", f"GOMEMLIMIT={text}", "env GOMEMLIMIT", value))
    if "GOGC" in env:
        text = env["GOGC"]
        value = 0.0 if text.strip().lower() == "off" else _number(text)
        found.append(Setting("go", "GOGC", f"GOGC={text}", "env GOGC", value))
    for prefix in ("COMPlus_", "DOTNET_"):  # DOTNET_ wins over the older COMPlus_
        for flag in ("GCHeapHardLimit", "GCHeapHardLimitPercent"):
            if prefix + flag in env:
                text = env[prefix + flag]
                found.append(
                    Setting(
                        "dotnet",
                        flag,
                        f"{prefix}{flag}={text}",
                        f"env {prefix}{flag}",
                        dotnet_hex(text),
                    )  # fmt: skip
                )
    return found


def last(settings: list[Setting], flag: str) -> Optional[Setting]:
    return next((s for s in reversed(settings) if s.flag == flag), None)
