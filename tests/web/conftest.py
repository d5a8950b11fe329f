"""Fixtures shared by the web tests: the server's temp space, the app and its test client.

The app has no models unless a module overrides `model_dirs`, e.g. with `[models_dir]`, a folder
holding one tiny untrained look estimator (`estimator`), made once per module that asks for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_helpers import make_tiny_look_model
from web_helpers import make_app


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("models")
    make_tiny_look_model(root / "estimator")
    return root


@pytest.fixture
def work(tmp_path: Path) -> Path:
    d = tmp_path / "work"
    d.mkdir()
    return d


@pytest.fixture
def model_dirs() -> list[Path]:
    return []


@pytest.fixture
def app(model_dirs: list[Path], work: Path):
    return make_app(work, model_dirs)


@pytest.fixture
def client(app):
    return app.test_client()
