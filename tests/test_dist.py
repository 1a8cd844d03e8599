"""The release archive and the krew manifest (issue 5, "Install with krew").

Every rule krew's CI applies to a plugin manifest (krew ``internal/index/validation``
``ValidatePlugin`` and ``cmd/validate-krew-manifest``; KNOWLEDGE §8.2) is an assertion in
``check_manifest``, applied to the committed ``krew-manifest.yaml``, to a manifest rendered from
a fresh build of this machine's archive, to a release rendered from a full set of assets, and to
what krew-release-bot would make of ``.krew.yaml``.

The build (``make dist``: ``scripts/build_dist.py``) is reused when ``dist/`` holds an archive
newer than every input of the build.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.util
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Dict, List, Optional, Tuple

import pytest
import yaml

import kubectl_exitwhy

pytestmark = pytest.mark.dist

REPO = Path(__file__).resolve().parent.parent

# krew cmd/validate-krew-manifest: the <os, arch> pairs a selector may match
SUPPORTED = [
    ("windows", "386"), ("windows", "amd64"), ("windows", "arm64"),
    ("linux", "386"), ("linux", "amd64"), ("linux", "arm"), ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("darwin", "386"), ("darwin", "amd64"), ("darwin", "arm64"),
]  # fmt: skip
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{port}{i}" for port in ("COM", "LPT") for i in range(1, 10)
}
LICENSE_NAMES = {
    "license", "license.txt", "license.md", "licenses", "licenses.txt", "licenses.md",
    "copying", "copying.txt",
}  # fmt: skip
SEMVER = re.compile(
    r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
SHA256 = re.compile(r"^[a-f0-9]{64}$")
PLATFORMS = [("linux", "amd64"), ("linux", "arm64"), ("darwin", "amd64"), ("darwin", "arm64"),
             ("windows", "amd64")]  # fmt: skip
RELEASE_MANIFEST = "exitwhy.yaml"  # the release asset and krew-index's plugins/<name>.yaml


def load_script(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build_dist = load_script("build_dist")
render_krew = load_script("render_krew_manifest")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render(*args: str) -> Tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "render_krew_manifest.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr


# --- the rules -------------------------------------------------------------------------------


def selector_matches(selector: dict, labels: Dict[str, str]) -> bool:
    """Kubernetes LabelSelector semantics, as krew uses them."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def check_manifest(doc: dict, file_name: str) -> None:
    """Assert every krew validation rule on a parsed manifest installed as ``file_name``."""
    assert doc.get("apiVersion") == "krew.googlecontainertools.github.com/v1alpha2"
    assert doc.get("kind") == "Plugin"
    name = doc["metadata"]["name"]
    assert re.fullmatch(r"[\w-]+", name, re.ASCII), name
    assert name.upper() not in WINDOWS_RESERVED
    assert file_name.endswith(".yaml"), "validate-krew-manifest wants a .yaml file"
    assert file_name[: -len(".yaml")] == name, "metadata.name must equal the file name"
    spec = doc["spec"]
    assert SEMVER.match(spec["version"]), f"{spec['version']} is not v + semver"
    assert spec["version"] == "v" + kubectl_exitwhy.__version__
    short = spec.get("shortDescription")
    assert isinstance(short, str) and short.strip() and not re.search(r"[\r\n]", short)
    assert isinstance(spec.get("description"), str) and spec["description"].strip()
    assert not re.search(r"(^|\s)--?[a-zA-Z]", spec["description"]), "no flags in description"
    platforms = spec.get("platforms")
    assert isinstance(platforms, list) and platforms, "at least one platform"
    claimed: Dict[Tuple[str, str], int] = {}
    for i, p in enumerate(platforms):
        assert isinstance(p.get("uri"), str) and p["uri"], f"platform {i}: uri"
        assert isinstance(p.get("sha256"), str) and SHA256.match(p["sha256"]), f"{i}: sha256"
        assert isinstance(p.get("bin"), str) and p["bin"], f"platform {i}: bin"
        assert p["uri"].endswith((".tar.gz", ".zip")), "krew unpacks .tar.gz and .zip only"
        if "files" in p and p["files"] is not None:
            assert isinstance(p["files"], list) and p["files"], f"{i}: files present but empty"
            for f in p["files"]:
                assert f.get("from") and f.get("to"), f"{i}: files need from and to"
        sel = p.get("selector")
        assert isinstance(sel, dict) and sel, f"platform {i}: selector nil or empty"
        assert set(sel) <= {"matchLabels", "matchExpressions"}
        for key in ("matchLabels", "matchExpressions"):
            if key in sel:
                assert sel[key], f"platform {i}: {key} present but empty"
        keys = set(sel.get("matchLabels") or {}) | {
            e["key"] for e in sel.get("matchExpressions") or []
        }
        assert keys <= {"os", "arch"}, f"platform {i}: selector keys {keys}"
        matched = [(o, a) for o, a in SUPPORTED if selector_matches(sel, {"os": o, "arch": a})]
        assert matched, f"platform {i} matches no supported os/arch"
        for pair in matched:
            assert pair not in claimed, f"platforms {claimed[pair]} and {i} both match {pair}"
            claimed[pair] = i
            if pair[0] == "windows":
                assert p["bin"].endswith(".exe"), "windows: only .exe entrypoints"
        # ours, beyond krew's rules: the uri names the archive of exactly this platform
        (os_, arch), *_ = matched
        ext = "zip" if os_ == "windows" else "tar.gz"
        version = spec["version"]
        assert p["uri"] == (
            f"https://github.com/exitwhy/kubectl-exitwhy/releases/download/{version}/"
            f"kubectl-exitwhy_{os_}_{arch}.{ext}"
        )
    assert sorted(claimed) == sorted(PLATFORMS)
    assert spec.get("homepage") == "https://github.com/exitwhy/kubectl-exitwhy"


def installed_files(archive_names: List[str], files: Optional[list]) -> List[str]:
    """Top-level names krew puts in the install directory: each ``from`` glob (a path.Match
    pattern on the archive's relative paths) moves what it matches into ``to``."""
    rules = files or [{"from": "*", "to": "."}]
    paths = sorted({n.rstrip("/") for n in archive_names})
    out = []
    for rule in rules:
        depth = rule["from"].count("/")
        hits = [n for n in paths if n.count("/") == depth and fnmatch.fnmatchcase(n, rule["from"])]
        assert hits, f"files: {rule['from']!r} matches nothing in the archive"
        to = rule["to"].strip("/")
        out += [n.rsplit("/", 1)[-1] if to in (".", "") else f"{to}/{n}" for n in hits]
    return out


def archive_members(path: Path) -> List[Tuple[str, str, int]]:
    """(name, kind, mode) per entry; kind is 'file' or 'dir', and anything else fails, as in
    krew's extractor (internal/download/downloader.go)."""
    members = []
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                kind = "dir" if info.is_dir() else "file"
                members.append(
                    (info.filename.rstrip("/"), kind, (info.external_attr >> 16) & 0o777)
                )
    else:
        with tarfile.open(path, "r:gz") as tf:
            for m in tf.getmembers():
                assert m.isreg() or m.isdir(), f"krew cannot unpack {m.name} (type {m.type!r})"
                members.append((m.name, "dir" if m.isdir() else "file", m.mode))
    for name, _, _ in members:
        assert ".." not in name and not name.startswith(("/", "\\")), f"krew refuses {name!r}"
    return members


def read_member(path: Path, name: str) -> bytes:
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            return zf.read(name)
    with tarfile.open(path, "r:gz") as tf:
        fh = tf.extractfile(name)
        assert fh is not None
        return fh.read()


def krew_unpack(path: Path, dest: Path) -> None:
    """Extract as krew does: directories and regular files only, modes from the archive."""
    archive_members(path)  # the checks
    dest.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                target = dest / info.filename
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
                target.chmod((info.external_attr >> 16) & 0o777 or 0o644)
        return
    with tarfile.open(path, "r:gz") as tf:
        for m in tf.getmembers():
            target = dest / m.name
            if m.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fh = tf.extractfile(m)
            assert fh is not None
            target.write_bytes(fh.read())
            target.chmod(m.mode)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A directory with this machine's archive, its .sha256 and dist's exitwhy.yaml."""
    dest = tmp_path_factory.mktemp("dist")
    build_dist.ensure_archive(dest)
    return dest


# --- the committed files ---------------------------------------------------------------------


def test_committed_manifest_is_valid_and_carries_no_checksum_it_cannot_know(tmp_path):
    text = (REPO / "krew-manifest.yaml").read_text(encoding="utf-8")
    check_manifest(yaml.safe_load(text), RELEASE_MANIFEST)
    status, expected, err = render("--no-dist", "--output", "-")
    assert status == 0, err
    assert text == expected, (
        "krew-manifest.yaml is stale or holds locally built checksums: regenerate it with "
        "`python scripts/render_krew_manifest.py --no-dist`"
    )
    for line in text.splitlines():
        if line.strip().startswith("sha256:"):
            assert render_krew.PLACEHOLDER in line and "PLACEHOLDER" in line
    assert "NOT THE RELEASE MANIFEST" in text


def test_bot_template_is_current_and_renders_a_valid_manifest():
    text = (REPO / ".krew.yaml").read_text(encoding="utf-8")
    status, expected, err = render("--template", "--output", "-")
    assert status == 0, err
    assert text == expected, "regenerate: python scripts/render_krew_manifest.py --template"
    tag = "v" + kubectl_exitwhy.__version__
    calls = re.findall(r'\{\{ ?addURIAndSha "([^"]+)" \.TagName ?\}\}', text)
    assert len(calls) == len(PLATFORMS)

    # what krew-release-bot does (pkg/source/template.go): the url is itself a template of the
    # tag; addURIAndSha emits "uri: <url>\n    sha256: <sha of the downloaded asset>"
    def add_uri_and_sha(m: re.Match) -> str:
        url = re.sub(r"\{\{ ?\.TagName ?\}\}", tag, m.group(1))
        return f"uri: {url}\n    sha256: {hashlib.sha256(url.encode()).hexdigest()}"

    out = re.sub(r'\{\{ ?addURIAndSha "([^"]+)" \.TagName ?\}\}', add_uri_and_sha, text)
    out = re.sub(r"\{\{ ?\.TagName ?\}\}", tag, out)
    assert "{{" not in out
    check_manifest(yaml.safe_load(out), RELEASE_MANIFEST)


def test_release_workflow_publishes_the_manifest_under_the_plugin_name():
    wf = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    doc = yaml.safe_load(wf)
    assert doc[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    include = doc["jobs"]["build"]["strategy"]["matrix"]["include"]
    assert sorted((e["os"], e["arch"]) for e in include) == sorted(PLATFORMS)
    assert f"--output assets/{RELEASE_MANIFEST}" in wf
    assert "--require-all" in wf and "--assets assets" in wf
    assert "rajatjindal/krew-release-bot@v0.0.50" in wf


# --- the render script -----------------------------------------------------------------------


def fake_assets(directory: Path, skip: Tuple[str, str] = ("", "")) -> Dict[str, str]:
    shas = {}
    for os_, arch in PLATFORMS:
        if (os_, arch) == skip:
            continue
        name = f"kubectl-exitwhy_{os_}_{arch}." + ("zip" if os_ == "windows" else "tar.gz")
        (directory / name).write_bytes(f"archive for {os_}/{arch}".encode())
        shas[name] = sha256(directory / name)
        (directory / f"{name}.sha256").write_text(f"{shas[name]}  {name}\n")
    return shas


def test_release_render_takes_every_checksum_from_the_assets(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    shas = fake_assets(assets)
    out = tmp_path / RELEASE_MANIFEST
    tag = "v" + kubectl_exitwhy.__version__
    status, _, err = render("--assets", str(assets), "--require-all", "--tag", tag,
                            "--dist", str(tmp_path / "none"), "--output", str(out))  # fmt: skip
    assert status == 0, err
    text = out.read_text()
    assert "PLACEHOLDER" not in text and "NOT THE RELEASE" not in text
    doc = yaml.safe_load(text)
    check_manifest(doc, RELEASE_MANIFEST)
    for p in doc["spec"]["platforms"]:
        assert p["sha256"] == shas[p["uri"].rsplit("/", 1)[1]]


def test_release_render_refuses_a_missing_platform_a_wrong_tag_and_a_bad_checksum(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    fake_assets(assets, skip=("darwin", "arm64"))
    none = str(tmp_path / "none")
    status, _, err = render("--assets", str(assets), "--require-all", "--dist", none, "-o", "-")
    assert status == 1 and "darwin/arm64" in err
    fake_assets(assets)
    status, _, err = render("--assets", str(assets), "--tag", "v9.9.9", "-o", "-")
    assert status == 1 and "v9.9.9" in err
    victim = assets / "kubectl-exitwhy_linux_arm64.tar.gz"
    victim.write_bytes(b"tampered")
    status, _, err = render("--assets", str(assets), "--dist", none, "-o", "-")
    assert status == 1 and "does not match" in err
    victim.unlink()  # a .sha256 without its archive is enough (the archive may be elsewhere)
    status, out, err = render("--assets", str(assets), "--dist", none, "-o", "-")
    assert status == 0, err


# --- the build -------------------------------------------------------------------------------


def test_build_refuses_to_package_without_a_license(tmp_path, monkeypatch):
    monkeypatch.setattr(build_dist, "REPO", tmp_path)
    with pytest.raises(build_dist.BuildError, match="LICENSE and README.md missing"):
        build_dist.check_doc_files()


def test_archive_layout(built):
    archive = built / build_dist.archive_name(build_dist.goos(), build_dist.goarch())
    members = archive_members(archive)
    names = [n for n, _, _ in members]
    suffix = ".exe" if build_dist.goos() == "windows" else ""
    exe, completer = "kubectl-exitwhy" + suffix, "kubectl_complete-exitwhy" + suffix
    assert {n.split("/")[0] for n in names} == {exe, completer, "_internal", "LICENSE", "README.md"}
    modes = {n: m for n, _, m in members}
    assert modes[exe] & 0o111, "the executable is executable"
    assert modes[completer] & 0o111, "so is the completion program kubectl runs"
    assert modes["LICENSE"] == 0o644
    assert names == sorted(names, key=lambda n: n.split("/")), "entries sorted"
    assert read_member(archive, "LICENSE") == (REPO / "LICENSE").read_bytes()
    assert read_member(archive, "README.md") == (REPO / "README.md").read_bytes()
    # the kubernetes client's generated API and model classes stay out of the bundle
    assert not any(re.search(r"(^|/)(aio|models/v1_pod|api/core_v1_api)", n) for n in names)
    for unwanted in ("mypy", "hypothesis", "rich", "cryptography"):
        assert not any(n.startswith(f"_internal/{unwanted}") for n in names), unwanted


def test_archive_is_reproducible_from_the_same_build(built, tmp_path):
    folder = REPO / "build" / "pyinstaller" / "dist" / "kubectl-exitwhy"
    if not folder.is_dir():
        pytest.skip("no PyInstaller output folder (dist/ was reused)")
    writer = build_dist.write_zip if build_dist.goos() == "windows" else build_dist.write_tar_gz
    a, b = tmp_path / "a", tmp_path / "b"
    writer(a, folder, 1_700_000_000)
    writer(b, folder, 1_700_000_000)
    assert a.read_bytes() == b.read_bytes()


def test_manifest_rendered_from_the_build_holds_the_real_checksum(built, tmp_path):
    os_, arch = build_dist.goos(), build_dist.goarch()
    archive = built / build_dist.archive_name(os_, arch)
    real = sha256(archive)
    fields = (built / f"{archive.name}.sha256").read_text().split()
    assert fields == [real, archive.name]

    out = tmp_path / RELEASE_MANIFEST
    status, _, err = render("--dist", str(built), "--output", str(out))
    assert status == 0, err
    text = out.read_text()
    doc = yaml.safe_load(text)
    check_manifest(doc, RELEASE_MANIFEST)
    assert text == (built / RELEASE_MANIFEST).read_text(), "make dist wrote the same manifest"
    for p in doc["spec"]["platforms"]:
        labels = p["selector"]["matchLabels"]
        if (labels["os"], labels["arch"]) == (os_, arch):
            assert p["sha256"] == real
            names = [n for n, _, _ in archive_members(archive)]
            installed = installed_files(names, p.get("files"))
            assert p["bin"] in installed
            assert any(n.lower() in LICENSE_NAMES for n in installed), "krew wants a license"
        else:
            assert p["sha256"] == render_krew.PLACEHOLDER
    line = next(ln for ln in text.splitlines() if real in ln)
    assert "PLACEHOLDER" not in line
    assert f"the sha256 of {os_}/{arch} is that of an archive built locally" in text


def test_frozen_executable_runs_without_the_project_environment(built, tmp_path):
    archive = built / build_dist.archive_name(build_dist.goos(), build_dist.goarch())
    krew_unpack(archive, tmp_path / "x")
    exe = tmp_path / "x" / "kubectl-exitwhy"
    if build_dist.goos() == "windows":
        exe = exe.with_name("kubectl-exitwhy.exe")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"}

    def run(*cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path,
                              timeout=60)  # fmt: skip

    code = run(str(exe), "code", "137")
    assert code.returncode == 0, code.stderr
    assert "SIGKILL" in code.stdout
    for args in (["--help"], ["pod", "--help"], ["code", "-1", "-o", "json"], ["--bogus"]):
        frozen = run(str(exe), *args)
        package = run(sys.executable, "-m", "kubectl_exitwhy", *args)
        assert (frozen.returncode, frozen.stdout, frozen.stderr) == (
            package.returncode, package.stdout, package.stderr
        ), f"the frozen app and the package disagree on {args}"  # fmt: skip
