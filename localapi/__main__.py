"""``python -m localapi``: run the server until SIGTERM/SIGINT.

    python -m localapi --data examples --kubeconfig /tmp/kc.yaml [--port 0] [--http]
        [--generate N --seed S] [--log requests.jsonl] [--token T] [--fault SPEC ...]

Prints ``localapi: serving N objects at https://127.0.0.1:PORT, kubeconfig PATH`` on stdout
once it accepts connections, and exits 0 when stopped by a signal.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from .faults import Fault
from .server import LocalAPIServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localapi", description="A read-only local Kubernetes API server."
    )
    parser.add_argument("--data", type=Path, help="directory of *.json/*.yaml objects and logs/")
    parser.add_argument("--kubeconfig", type=Path, help="where to write the kubeconfig")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port (default)")
    parser.add_argument(
        "--generate", type=int, default=0, metavar="N", help="add a synthetic cluster of N pods"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log", type=Path, help="append request records to this JSON-lines file")
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    parser.add_argument("--token", help="bearer token (default: random)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault (kinds: localapi/faults.py): kind=forbidden,resource=pods,"
        "namespace=prod,times=2 or forbidden:pods:prod (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.data is None and not args.generate:
        parser.error("give --data DIR and/or --generate N")
    try:
        faults = [Fault.parse(spec) for spec in args.fault]
        server = LocalAPIServer(
            data_dir=args.data,
            tls=not args.http,
            token=args.token,
            kubeconfig_path=args.kubeconfig,
            host=args.host,
            port=args.port,
            generate=args.generate,
            seed=args.seed,
            faults=faults,
            request_log=args.log,
        )
    except (OSError, ValueError) as exc:
        print(f"localapi: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server.start()
    except OSError as exc:
        print(f"localapi: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    try:
        print(
            f"localapi: serving {len(server.store)} objects at {server.url}, "
            f"kubeconfig {server.kubeconfig}",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
