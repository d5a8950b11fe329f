"""`lutml serve`: the web UI under waitress (a production WSGI server; never Flask's dev server)."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve", help="web UI: grade or match a frame, preview it, download the .cube",
        description="Serve the lutml web UI. Models are found once at start in --models-dir "
                    "(folders holding model.json) and chosen in the page by id. Set "
                    "LUTML_SECRET_KEY to fix the secret key (otherwise a random one per process).",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument("--models-dir", action="append", default=None, metavar="DIR",
                   help="folder of trained models; repeatable (default data/models)")
    p.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    p.add_argument("--max-upload-mb", type=int, default=200, help="largest request body in MB (default 200)")
    p.add_argument("--max-megapixels", type=float, default=40.0, help="largest image in megapixels (default 40)")
    p.add_argument("--cache-mb", type=int, default=1024,
                   help="memory for recent results (frames, previews, LUTs) in MB (default 1024)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import waitress

    from lutml.web import create_app

    if not 0 < args.port < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {args.port}")
    if min(args.max_upload_mb, args.max_megapixels, args.threads, args.cache_mb) <= 0:
        raise ValueError("--max-upload-mb, --max-megapixels, --threads and --cache-mb must be positive")
    app = create_app({
        "LUTML_MODEL_DIRS": args.models_dir or ["data/models"],
        "MAX_CONTENT_LENGTH": args.max_upload_mb * 1024 * 1024,
        "LUTML_MAX_PIXELS": int(args.max_megapixels * 1e6),
        "LUTML_CACHE_BYTES": args.cache_mb * 1024 * 1024,
    })
    models = app.extensions["lutml_registry"].entries
    print(f"lutml serve: {len(models)} model(s): {', '.join(models) or 'none (match mode only)'}")
    print(f"lutml serve: open http://{args.host}:{args.port}/  (Ctrl-C to stop)", flush=True)
    # Waitress buffers the whole request before the app sees it; cap that at the upload limit.
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads,
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)
    return 0
