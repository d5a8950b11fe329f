"""The lutml web UI: grade a frame in the browser, preview it, download the `.cube`.

`create_app()` builds the Flask app; `lutml serve` runs it under waitress (never Flask's
development server). Importing this package does not import TensorFlow.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

# look_routes and view_routes add the look and the preview/export routes to `bp` as they load
from lutml.web import look_routes, view_routes  # noqa: F401
from lutml.web.looks import JobManager
from lutml.web.model_index import ModelRegistry
from lutml.web.results import ResultCache
from lutml.web.routes import bp
from lutml.web.tempfolders import TempFolders

DEFAULTS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 200 * 1024 * 1024,  # per request: a pair of 16-bit 4K TIFFs is ~100 MB
    "LUTML_MAX_PIXELS": 40_000_000,  # per image; 8K UHD is 33 MP
    "LUTML_MODEL_DIRS": ["data/models"],
    "LUTML_PREVIEW_EDGE": 1280,  # long edge of the on-screen preview, pixels
    "LUTML_FIT_PIXELS": 1_000_000,  # pixel pairs sampled for match-mode fitting (fills the fit's 96^3 bins)
    "LUTML_LUT_SIZES": [17, 33, 65],
    "LUTML_CACHE_ENTRIES": 64,  # the byte budget is the real bound for big frames
    "LUTML_CACHE_BYTES": 1 << 30,
    "LUTML_CACHE_TTL_S": 3600,
    # A result its page has not fetched yet is kept at least this long (concurrent requests queue
    # the page's GETs behind other POSTs); see ResultCache.
    "LUTML_CACHE_GRACE_S": 300,
    # Host names served (DNS-rebinding guard); `lutml serve` adds the address it binds. None = any.
    "LUTML_ALLOWED_HOSTS": ["localhost", "127.0.0.1", "::1"],
    # Look-from-stills jobs decoding at once (each holds at most ~240 MB of downscaled stills);
    # more wait their turn. Finished jobs are remembered this long for the page to poll.
    "LUTML_MAX_JOBS": 2,
    "LUTML_JOB_KEEP_S": 600,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides `DEFAULTS` (and SECRET_KEY, TESTING, ...).

    The secret key comes from `config`, else the `LUTML_SECRET_KEY` environment variable,
    else a random one per process (nothing here needs it to survive a restart).
    """
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config["SECRET_KEY"] = os.environ.get("LUTML_SECRET_KEY") or secrets.token_hex(32)
    app.config.update(config or {})
    app.config["DEBUG"] = False  # never: the debugger would execute code sent by the client
    app.extensions["lutml_registry"] = ModelRegistry(
        [Path(d) for d in app.config["LUTML_MODEL_DIRS"]]
    )
    app.extensions["lutml_cache"] = ResultCache(
        app.config["LUTML_CACHE_ENTRIES"],
        app.config["LUTML_CACHE_BYTES"],
        app.config["LUTML_CACHE_TTL_S"],
        app.config["LUTML_CACHE_GRACE_S"],
    )
    app.extensions["lutml_temp"] = TempFolders()
    app.extensions["lutml_jobs"] = JobManager(
        app.config["LUTML_MAX_JOBS"], app.config["LUTML_JOB_KEEP_S"], app.extensions["lutml_temp"]
    )
    app.register_blueprint(bp)
    app.logger.setLevel(logging.INFO)
    return app


def stop_work(app: Flask, wait_s: float = 10.0) -> int:
    """When the server stops: cancel the stills jobs, wait up to `wait_s` for them to end, then
    remove every temporary folder a request or job still holds; how many were left to remove."""
    app.extensions["lutml_jobs"].stop(wait_s)
    return app.extensions["lutml_temp"].remove_all()
