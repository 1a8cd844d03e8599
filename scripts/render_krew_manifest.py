"""Render the krew plugin manifest (``krew-manifest.yaml``) and the krew-release-bot template
(``.krew.yaml``) from one description of the plugin.

The manifest's version is ``v`` + ``kubectl_exitwhy.__version__``; each platform's sha256 comes
from ``<archive>.sha256`` (as ``scripts/build_dist.py`` writes it) or the archive itself, looked
up first in ``--assets DIR`` (the release workflow downloads every platform's build there), then
in ``dist/``. When both the archive and its ``.sha256`` are present they must agree.

A platform whose archive is in neither place cannot get a real checksum here. With
``--require-all`` (the release workflow) that is an error. Without it (a local ``make dist``
builds only the host's archive) the platform gets the all-zero placeholder, marked as such in a
comment on the line and in the file's header: the manifest is then good for
``kubectl krew install --manifest=dist/exitwhy.yaml --archive=dist/<host archive>`` and for the
tests, never for the krew index. Values are never carried over from an older manifest.

    python scripts/render_krew_manifest.py             # dist/exitwhy.yaml (make dist runs it)
    python scripts/render_krew_manifest.py --no-dist   # the committed krew-manifest.yaml
    python scripts/render_krew_manifest.py --template  # .krew.yaml for krew-release-bot
    python scripts/render_krew_manifest.py --assets assets --require-all --tag v0.1.0 \\
        --output assets/exitwhy.yaml                  # the release's manifest (release.yml)

The committed ``krew-manifest.yaml`` is rendered with ``--no-dist``: every sha256 in it is the
marked placeholder, because an archive built on one machine is not the one a release publishes
(PyInstaller builds are not byte-reproducible across machines), so no checksum in the
repository could be true of a downloadable file; tests/test_dist.py checks that it is exactly
what ``--no-dist`` renders.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

REPO = Path(__file__).resolve().parent.parent
PLUGIN = "exitwhy"
BIN = "kubectl-exitwhy"
HOMEPAGE = "https://github.com/exitwhy/kubectl-exitwhy"
DOWNLOAD = HOMEPAGE + "/releases/download"
PLACEHOLDER = "0" * 64
PLACEHOLDER_NOTE = "PLACEHOLDER, not a checksum: this platform was not built here"
SHORT_DESCRIPTION = "Explain why containers and pods terminated"
DESCRIPTION = """\
kubectl describe pod says "Last State: Terminated, Exit Code: 137"; exitwhy says why,
and what to do next: OOM-killed at the container's memory limit, killed by the kubelet
after failed liveness probes, the node ran out of memory, SIGTERM ignored past the grace
period, the image cannot be pulled, a missing Secret, the Job hit its backoff limit.

It sweeps the current namespace, another namespace or the whole cluster, tells the full
story of one pod (every container, the evidence, next steps and the previous log), explains
an exit code offline, and diagnoses saved kubectl get output without a cluster. It only
reads from the cluster and never changes it.
"""
CAVEATS = """\
exitwhy needs read access (get, list) to pods, events, nodes and jobs, and to pods/log
for the previous log of a failed container; it warns when some of these cannot be read.

Completion (kubectl 1.26 or later): krew puts only kubectl-exitwhy on PATH; to complete
`kubectl exitwhy <TAB>`, link the completion program beside it:
  ln -sf ~/.krew/store/exitwhy/*/kubectl_complete-exitwhy ~/.krew/bin/
"""


class Platform(NamedTuple):
    os: str
    arch: str

    @property
    def archive(self) -> str:
        ext = "zip" if self.os == "windows" else "tar.gz"
        return f"{BIN}_{self.os}_{self.arch}.{ext}"

    @property
    def bin(self) -> str:
        return BIN + (".exe" if self.os == "windows" else "")


PLATFORMS = [
    Platform("linux", "amd64"),
    Platform("linux", "arm64"),
    Platform("darwin", "amd64"),
    Platform("darwin", "arm64"),
    Platform("windows", "amd64"),
]


class RenderError(Exception):
    pass


def package_version() -> str:
    text = (REPO / "kubectl_exitwhy" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.M)
    if not m:
        raise RenderError("no __version__ in kubectl_exitwhy/__init__.py")
    return m.group(1)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checksum(platform: Platform, dirs: List[Path]) -> Optional[Tuple[str, Path]]:
    """The platform archive's sha256 and where it was found, or None."""
    for d in dirs:
        archive = d / platform.archive
        sha_file = d / (platform.archive + ".sha256")
        declared = None
        if sha_file.is_file():
            fields = sha_file.read_text(encoding="utf-8").split()
            if len(fields) != 2 or fields[1].lstrip("*") != platform.archive:
                raise RenderError(f"{sha_file} is not '<sha256>  {platform.archive}'")
            declared = fields[0].lower()
            if not re.fullmatch(r"[a-f0-9]{64}", declared):
                raise RenderError(f"{sha_file} holds no sha256")
        actual = _sha256_file(archive) if archive.is_file() else None
        if declared and actual and declared != actual:
            raise RenderError(f"{sha_file} does not match {archive} (sha256 {actual})")
        if declared or actual:
            return (declared or actual), (archive if actual else sha_file)
    return None


def _block(key: str, text: str, indent: str) -> str:
    body = "".join(f"{indent}  {line}\n" if line else "\n" for line in text.splitlines())
    return f"{indent}{key}: |\n{body}"


def render(version: str, shas: Dict[Platform, Optional[str]], header: str, template: bool) -> str:
    out = [header]
    out.append(
        "apiVersion: krew.googlecontainertools.github.com/v1alpha2\n"
        "kind: Plugin\n"
        "metadata:\n"
        f"  name: {PLUGIN}\n"
        "spec:\n"
        f"  version: {'{{ .TagName }}' if template else version}\n"
        f"  homepage: {HOMEPAGE}\n"
        f"  shortDescription: {SHORT_DESCRIPTION}\n"
    )
    out.append(_block("description", DESCRIPTION, "  "))
    out.append(_block("caveats", CAVEATS, "  "))
    out.append("  platforms:\n")
    for p in PLATFORMS:
        out.append(
            f"  - selector:\n      matchLabels:\n        os: {p.os}\n        arch: {p.arch}\n"
        )
        if template:
            uri = f"{DOWNLOAD}/{{{{ .TagName }}}}/{p.archive}"
            out.append(f'    {{{{ addURIAndSha "{uri}" .TagName }}}}\n')
        else:
            sha = shas.get(p)
            out.append(f"    uri: {DOWNLOAD}/{version}/{p.archive}\n")
            # quoted: unquoted, an all-digit checksum (or the placeholder) would be a number
            if sha is None:
                out.append(f'    sha256: "{PLACEHOLDER}"  # {PLACEHOLDER_NOTE}\n')
            else:
                out.append(f'    sha256: "{sha}"\n')
        out.append(f'    files:\n    - from: "*"\n      to: "."\n    bin: {p.bin}\n')
    return "".join(out)


HEADER_RELEASE = """\
# krew plugin manifest for {plugin} {version} (in krew-index: plugins/{plugin}.yaml).
# Rendered by scripts/render_krew_manifest.py from the release archives; do not edit by hand.
"""
HEADER_LOCAL = """\
# krew plugin manifest for {plugin} {version} (in krew-index: plugins/{plugin}.yaml).
# Rendered by scripts/render_krew_manifest.py; do not edit by hand.
#
# NOT THE RELEASE MANIFEST: {real}
# Every platform not built here holds the all-zero placeholder, marked on its line.
# Local test: `make dist` writes dist/exitwhy.yaml with the host's real sha256, then
#   kubectl krew install --manifest=dist/exitwhy.yaml --archive=dist/<host archive>
# The release workflow (.github/workflows/release.yml) renders the real manifest from every
# platform's release archive and attaches it to the GitHub release as {plugin}.yaml;
# krew-release-bot renders .krew.yaml for the krew index.
"""
HEADER_TEMPLATE = """\
# krew-release-bot template (rajatjindal/krew-release-bot): on a release it fills in the tag and
# each archive's uri and sha256, and opens the version bump in kubernetes-sigs/krew-index.
# Generated by `python scripts/render_krew_manifest.py --template`; edit that script, then
# regenerate (tests/test_dist.py checks that the two agree).
"""


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render krew-manifest.yaml (or the .krew.yaml template).",
        epilog="Platforms without an archive get the all-zero placeholder unless --require-all.",
    )
    parser.add_argument("--assets", type=Path, help="directory of release archives / .sha256")
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="default: dist/")
    parser.add_argument(
        "--no-dist", action="store_true", help="ignore dist/ (the committed manifest)"
    )
    parser.add_argument("--require-all", action="store_true", help="fail on a missing platform")
    parser.add_argument("--tag", help="the release tag; must be v + the package version")
    parser.add_argument("--template", action="store_true", help="render .krew.yaml instead")
    parser.add_argument(
        "--output",
        "-o",
        help="file to write, - for stdout (default: .krew.yaml with --template, "
        "krew-manifest.yaml with --no-dist, else dist/exitwhy.yaml)",
    )
    args = parser.parse_args(argv)
    try:
        version = "v" + package_version()
        if args.tag is not None and args.tag != version:
            raise RenderError(
                f"tag {args.tag} does not match the package version {version} "
                "(kubectl_exitwhy/__init__.py)"
            )
        if args.template:
            default_out = REPO / ".krew.yaml"
        elif args.no_dist:
            default_out = REPO / "krew-manifest.yaml"
        else:
            default_out = args.dist / f"{PLUGIN}.yaml"
        if args.template:
            text = render(version, {}, HEADER_TEMPLATE, template=True)
        else:
            dirs = [d for d in (args.assets, None if args.no_dist else args.dist) if d]
            if args.assets is not None and not args.assets.is_dir():
                raise RenderError(f"--assets {args.assets} is not a directory")
            shas: Dict[Platform, Optional[str]] = {}
            for p in PLATFORMS:
                found = checksum(p, dirs)
                shas[p] = found[0] if found else None
                where = f"from {found[1]}" if found else "NOT FOUND: placeholder"
                print(f"render_krew_manifest: {p.os}/{p.arch}: {where}", file=sys.stderr)
            missing = [f"{p.os}/{p.arch}" for p in PLATFORMS if shas[p] is None]
            if missing and args.require_all:
                raise RenderError(
                    f"no archive or .sha256 for {', '.join(missing)} in "
                    f"{' or '.join(str(d) for d in dirs)}"
                )
            if not missing:
                header = HEADER_RELEASE.format(plugin=PLUGIN, version=version)
            else:
                built = [f"{p.os}/{p.arch}" for p in PLATFORMS if shas[p] is not None]
                real = (
                    f"the sha256 of {', '.join(built)} is that of an archive built locally."
                    if built
                    else "no archive was at hand, no sha256 below is real."
                )
                header = HEADER_LOCAL.format(plugin=PLUGIN, version=version, real=real)
            text = render(version, shas, header, template=False)
        if args.output == "-":
            sys.stdout.write(text)
        else:
            out = Path(args.output) if args.output else default_out
            out.write_bytes(text.encode("utf-8"))  # LF everywhere
            print(f"render_krew_manifest: wrote {out}", file=sys.stderr)
    except (RenderError, OSError) as err:
        print(f"render_krew_manifest: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
