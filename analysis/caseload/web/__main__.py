"""python3 -m caseload.web --caseload-bin BIN [--host H] [--port P] [--scenarios DIR] [--results DIR]

What `caseload serve` execs. Serves the app with waitress, a production WSGI server, bound to
127.0.0.1 unless --host says otherwise (with a warning: anyone who can reach the address can then
run simulations on this machine).
"""

from __future__ import annotations

import argparse
import pathlib
import signal
import sys

import waitress

from . import Config, create_app, is_loopback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="caseload serve", description="The planner's web app.")
    parser.add_argument("--caseload-bin", type=pathlib.Path, required=True, help="the caseload binary to run")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--scenarios", type=pathlib.Path, default=pathlib.Path("scenarios"),
                        help="folder of scenario files (default ./scenarios)")
    parser.add_argument("--results", type=pathlib.Path, default=pathlib.Path("results"),
                        help="folder of results (default ./results, made if missing)")
    parser.add_argument("--max-queued", type=int, default=3, help="most runs waiting behind the one running")
    args = parser.parse_args(argv)
    if not args.scenarios.is_dir():
        print(f"caseload: error: --scenarios: no folder {args.scenarios}", file=sys.stderr)
        return 2
    if not 0 <= args.max_queued <= 100:
        print("caseload: error: --max-queued: expected 0 to 100", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(f"caseload: warning: listening on {args.host}, not only on this machine: anyone who can reach "
              "it can run simulations here and read the scenarios and results. Use --host only on a "
              "network you trust.", file=sys.stderr)
    try:
        args.results.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f"caseload: error: --results: cannot make {args.results}: {e.strerror}", file=sys.stderr)
        return 2
    app = create_app(Config(args.caseload_bin.resolve(), args.scenarios, args.results, args.host, args.port,
                            args.max_queued))
    host = f"[{args.host}]" if ":" in args.host else args.host
    # Stopped (Ctrl-C, or SIGTERM), the app ends the run going: runs are in sessions of their own.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server = waitress.create_server(app, host=args.host, port=args.port, threads=8,
                                        max_request_body_size=2 * 1024 * 1024, ident="caseload")
    except OSError as e:
        print(f"caseload: error: cannot listen on {host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"caseload: the planner's web app is at http://{host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["caseload"]["runner"].stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
