"""The app registration's certificate (`MicrosoftAppCertificatePath`, issue 13 item 4) is
checked when the settings are read, so that a certificate the bot cannot use stops the
start with a message naming the setting and the fix, instead of failing the first reply;
and a usable one becomes the credential of both the Bot Connector's and Graph's tokens."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from bot.__main__ import main
from bot.outbound import bot_connector_credentials
from bot.settings import Settings, SettingsError, graph_credentials
from graph.tokens import ClientCertificate, ClientSecret
from graph.wiring import GraphSettingsError, credentials_from_environ
from tests.harness.certificates import app_certificate

NOW = datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC)


def environ(path: Path | str, **changes: str) -> dict[str, str]:
    return {
        "MicrosoftAppId": "app-1",
        "MicrosoftAppTenantId": "tenant-1",
        "MicrosoftAppType": "SingleTenant",
        "MicrosoftAppCertificatePath": str(path),
    } | changes


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as raised:
        Settings.from_environ(env, now=NOW)
    return str(raised.value)


@pytest.mark.parametrize("shape", ["pem", "p12"])
def test_a_pem_or_pkcs12_certificate_is_the_credential_of_both_token_requests(
    tmp_path: Path, shape: str
) -> None:
    made = app_certificate()
    path = made.pem_file(tmp_path) if shape == "pem" else made.p12_file(tmp_path)

    settings = Settings.from_environ(environ(path), now=NOW)

    certificate = settings.app_certificate
    assert isinstance(certificate, ClientCertificate)
    assert certificate.thumbprint == made.thumbprint
    assert certificate.certificate_pem == made.certificate_pem
    assert bot_connector_credentials(settings).credential == certificate
    assert graph_credentials(settings).credential == certificate
    assert "PRIVATE KEY" not in repr(settings)
    assert "PRIVATE KEY" not in repr(certificate)


def test_the_certificate_is_found_after_a_chain_in_the_file(tmp_path: Path) -> None:
    made, other = app_certificate(), app_certificate("issuer")
    path = tmp_path / "chain.pem"
    path.write_bytes(other.certificate_pem + made.key_pem + made.certificate_pem)

    settings = Settings.from_environ(environ(path), now=NOW)

    assert settings.app_certificate is not None
    assert settings.app_certificate.thumbprint == made.thumbprint


def test_a_missing_file_names_the_setting_and_the_fix(tmp_path: Path) -> None:
    message = refusal(environ(tmp_path / "nowhere.pem"))
    assert message.startswith("MicrosoftAppCertificatePath is ")
    assert "nowhere.pem" in message
    assert "which is not a file" in message
    assert "remove it to use MicrosoftAppPassword" in message


def test_an_unreadable_file_names_the_setting_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = app_certificate().pem_file(tmp_path)
    original = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return original(self)

    # The tests run as root, for whom file permissions do not stop a read.
    monkeypatch.setattr(Path, "read_bytes", denied)

    message = refusal(environ(path))
    assert "which the bot cannot read (PermissionError)" in message
    assert "give the user the bot runs as read access" in message


def test_a_certificate_without_its_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "public.pem"
    path.write_bytes(app_certificate().certificate_pem)
    message = refusal(environ(path))
    assert "which holds no private key" in message
    assert "both the private key and its certificate" in message


def test_a_key_without_its_certificate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(app_certificate().key_pem)
    assert "which holds no certificate" in refusal(environ(path))


def test_a_file_that_is_neither_pem_nor_pkcs12_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_bytes(b"a client secret pasted into a file")
    message = refusal(environ(path))
    assert "neither PEM nor a PKCS#12 file without a password" in message
    assert "a client secret" not in message


def test_a_key_that_is_not_the_certificates_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pem"
    path.write_bytes(app_certificate("one").key_pem + app_certificate("two").certificate_pem)
    assert "whose certificate is not the one of its private key" in refusal(environ(path))


def test_an_encrypted_key_is_refused_with_the_export_to_make(tmp_path: Path) -> None:
    made = app_certificate()
    encrypted = made.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass phrase"),
    )
    path = tmp_path / "encrypted.pem"
    path.write_bytes(encrypted + made.certificate_pem)
    message = refusal(environ(path))
    assert "whose private key is encrypted" in message
    assert "export it without a password" in message


def test_a_key_that_is_not_rsa_is_refused(tmp_path: Path) -> None:
    path = app_certificate("ec", elliptic=True).pem_file(tmp_path)
    assert "Entra ID accepts RSA certificates only" in refusal(environ(path))


def test_an_expired_certificate_is_refused_with_the_rotation(tmp_path: Path) -> None:
    path = app_certificate(
        valid_until=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    ).pem_file(tmp_path)
    message = refusal(environ(path))
    assert "whose certificate expired on 2026-12-01" in message
    assert "upload its public part to the app registration" in message
    assert "Rotating the certificate" in message


def test_a_certificate_not_valid_yet_is_refused(tmp_path: Path) -> None:
    path = app_certificate(valid_from=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)).pem_file(
        tmp_path
    )
    assert "whose certificate is valid only from 2027-01-01" in refusal(environ(path))


def test_a_secret_and_a_certificate_together_are_refused(tmp_path: Path) -> None:
    path = app_certificate().pem_file(tmp_path)
    message = refusal(environ(path, MicrosoftAppPassword="s3cret"))
    assert "MicrosoftAppPassword and MicrosoftAppCertificatePath are both set" in message
    assert "remove MicrosoftAppPassword to use the certificate" in message
    assert "s3cret" not in message


def test_a_certificate_with_a_managed_identity_is_refused(tmp_path: Path) -> None:
    path = app_certificate().pem_file(tmp_path)
    message = refusal(environ(path, MicrosoftAppType="UserAssignedMSI"))
    assert "MicrosoftAppType is UserAssignedMSI" in message
    assert "remove MicrosoftAppCertificatePath" in message


def test_a_certificate_without_an_app_id_is_refused(tmp_path: Path) -> None:
    path = app_certificate().pem_file(tmp_path)
    message = refusal(environ(path, MicrosoftAppId=""))
    assert "MicrosoftAppCertificatePath is set but MicrosoftAppId is empty" in message


def test_the_bot_does_not_start_with_a_certificate_it_cannot_use(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main(environ(tmp_path / "nowhere.pem") | {"SAFE_PREMISES_DATA": str(tmp_path)})

    assert status == 2
    err = capsys.readouterr().err
    assert "cannot start: MicrosoftAppCertificatePath is " in err
    assert "Traceback" not in err


def test_the_command_line_tools_read_the_certificate_too(tmp_path: Path) -> None:
    made = app_certificate()
    env = environ(made.pem_file(tmp_path))

    credential = credentials_from_environ(env).credential

    assert isinstance(credential, ClientCertificate)
    assert credential.thumbprint == made.thumbprint
    with pytest.raises(GraphSettingsError, match="are both set"):
        credentials_from_environ(env | {"MicrosoftAppPassword": "s3cret"})
    with pytest.raises(GraphSettingsError, match="which is not a file"):
        credentials_from_environ(environ(tmp_path / "nowhere.pem"))
    secret = credentials_from_environ(environ("", MicrosoftAppPassword="s3cret"))
    assert secret.credential == ClientSecret("s3cret")


def test_the_rotation_the_messages_point_to_is_in_the_guide() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text("utf-8")
    assert "\n### Rotating the certificate\n" in guide
    assert "MicrosoftAppCertificatePath" in guide.split("### Rotating the certificate", 1)[1]


def test_a_pkcs12_file_with_a_password_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    made = app_certificate()
    path = tmp_path / "protected.pfx"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"app", made.key, made.certificate, None, serialization.BestAvailableEncryption(b"pw")
        )
    )
    assert "neither PEM nor a PKCS#12 file without a password" in refusal(environ(path))
