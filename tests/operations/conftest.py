"""Operations tests run with no deployment settings of the machine's own:
no HOTLINE_* variables, no ./hotline.toml (the working directory is a
fresh temporary one)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory,
                   ) -> None:
    for name in list(os.environ):
        if name.startswith("HOTLINE_") and name != "HOTLINE_TEST_PG":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
