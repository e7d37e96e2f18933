"""The app registration's certificate, read from the file `MicrosoftAppCertificatePath` names.

The file holds the private key and its certificate, in either of the shapes Azure hands
them to an app:

- PEM, the key and the certificate one after the other: a Key Vault certificate whose
  content type is PEM (`application/x-pem-file`), as a Container Apps secret volume or the
  Key Vault provider of the Secrets Store CSI driver writes it, or `openssl` output;
- PKCS#12 without a password: App Service's `/var/ssl/private/<thumbprint>.p12`, written
  when `WEBSITE_LOAD_CERTIFICATES` names a certificate imported from Key Vault, or a Key
  Vault certificate downloaded in its default (PFX) form.

It is checked when it is read, so that the bot refuses to start with a message naming the
setting and the fix, rather than failing at its first reply: the file exists and can be
read, it holds an RSA private key (Entra ID accepts no other) and the certificate of that
key, and the certificate is valid today.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from graph.tokens import ClientCertificate

CERTIFICATE_SETTING = "MicrosoftAppCertificatePath"
_PEM_KEY = re.compile(
    rb"-----BEGIN ((?:RSA |EC )?)PRIVATE KEY-----.+?-----END \1PRIVATE KEY-----", re.DOTALL
)


class CertificateFileError(ValueError):
    """The certificate file cannot be used; the message names the setting and the fix."""


def load_certificate(
    path: str | Path,
    *,
    now: datetime.datetime | None = None,
    setting: str = CERTIFICATE_SETTING,
) -> ClientCertificate:
    """The key and certificate in the file at `path`, checked (see the module's text)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    where = f"{setting} is {str(path)!r}"
    file = Path(path)
    if not file.is_file():
        raise CertificateFileError(
            f"{where}, which is not a file: set it to the file holding the app "
            "registration's certificate and its private key (PEM, or PKCS#12 without a "
            "password), or remove it to use MicrosoftAppPassword"
        )
    try:
        data = file.read_bytes()
    except OSError as error:
        raise CertificateFileError(
            f"{where}, which the bot cannot read ({type(error).__name__}): give the user "
            "the bot runs as read access to it"
        ) from None

    key: object
    certificates: list[x509.Certificate]
    if b"-----BEGIN" in data:
        if b"ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data:
            raise CertificateFileError(
                f"{where}, whose private key is encrypted: export it without a password "
                "(Key Vault's PEM download and App Service's .p12 files have none)"
            )
        key = _pem_private_key(data, where)
        try:
            certificates = x509.load_pem_x509_certificates(data)
        except ValueError:
            certificates = []
    else:
        from cryptography.hazmat.primitives.serialization import pkcs12

        try:
            key, first, more = pkcs12.load_key_and_certificates(data, None)
        except ValueError:
            raise CertificateFileError(
                f"{where}, which is neither PEM nor a PKCS#12 file without a password: "
                "export the certificate with its private key as PEM, or as .pfx/.p12 with "
                "no password"
            ) from None
        certificates = ([first] if first is not None else []) + list(more)

    if key is None or not certificates:
        missing = "a private key" if key is None else "a certificate"
        raise CertificateFileError(
            f"{where}, which holds no {missing.removeprefix('a ')}: the file must hold both "
            "the private key and its certificate (download the Key Vault certificate as "
            "PEM or PFX, with its private key)"
        )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateFileError(
            f"{where}, whose private key is not an RSA key: Entra ID accepts RSA "
            "certificates only; create one with an RSA key (2048 bits or more)"
        )
    public = key.public_key().public_numbers()
    matching = [c for c in certificates if _public_numbers(c) == public]
    if not matching:
        raise CertificateFileError(
            f"{where}, whose certificate is not the one of its private key: put the "
            "certificate and the key that belongs to it in the file"
        )
    certificate = matching[0]
    today = now or datetime.datetime.now(datetime.UTC)
    if certificate.not_valid_after_utc <= today:
        raise CertificateFileError(
            f"{where}, whose certificate expired on "
            f"{certificate.not_valid_after_utc.date().isoformat()}: create a new one, upload "
            "its public part to the app registration (Certificates & secrets), and point "
            f'{setting} at it (docs/deploy.md, "Rotating the certificate")'
        )
    if certificate.not_valid_before_utc > today:
        raise CertificateFileError(
            f"{where}, whose certificate is valid only from "
            f"{certificate.not_valid_before_utc.isoformat()}: check this machine's clock, "
            "or use a certificate that is valid now"
        )
    return ClientCertificate(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
    )


def _pem_private_key(data: bytes, where: str) -> object:
    """The first private key in PEM `data`, or None if there is none."""
    from cryptography.hazmat.primitives import serialization

    block = _PEM_KEY.search(data)
    if block is None:
        return None
    try:
        return serialization.load_pem_private_key(block.group(0), password=None)
    except (ValueError, TypeError):
        raise CertificateFileError(
            f"{where}, whose private key cannot be read: export it again, unencrypted, as PEM"
        ) from None


def _public_numbers(certificate: object) -> object:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    assert isinstance(certificate, x509.Certificate)
    public = certificate.public_key()
    return public.public_numbers() if isinstance(public, rsa.RSAPublicKey) else None
