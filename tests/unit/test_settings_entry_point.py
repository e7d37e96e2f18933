"""`python -m bot` refuses bad configuration with a clear message and status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main


def test_a_port_that_is_not_a_number(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status = main({"PORT": "eighty", "SAFE_PREMISES_DATA": str(tmp_path / "var")})

    assert status == 2
    err = capsys.readouterr().err
    assert "cannot start: PORT must be a number" in err
    assert "Traceback" not in err


def test_no_credentials_on_a_public_interface(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main({"HOST": "0.0.0.0", "SAFE_PREMISES_DATA": str(tmp_path / "var")})

    assert status == 2
    assert "refusing to start" in capsys.readouterr().err
    assert not (tmp_path / "var").exists(), "nothing is created before the refusal"


def test_a_missing_trust_configuration(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status = main(
        {
            "SAFE_PREMISES_CONFIG": str(tmp_path / "nowhere.yaml"),
            "SAFE_PREMISES_DATA": str(tmp_path / "var"),
        }
    )

    assert status == 2
    err = capsys.readouterr().err
    assert "cannot start" in err
    assert "nowhere.yaml" in err
