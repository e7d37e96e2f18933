"""Throwaway app registration certificates for the tests: an RSA key (or, to be refused,
an EC one) and its self-signed certificate, valid over a window the test chooses, written
in the shapes the bot reads (`graph/certificates.py`): PEM (key and certificate in one
file) or PKCS#12 without a password."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

# A fixed window, not today's date: a hidden clock would make a test depend on when it runs.
VALID_FROM = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
VALID_UNTIL = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)


@cache
def _rsa_key(name: str) -> rsa.RSAPrivateKey:
    # Generated once per test process: RSA generation is slow and the keys are throwaway.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class AppCertificate:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def certificate_pem(self) -> bytes:
        """The public part: what is uploaded to the app registration."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def thumbprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()

    def pem_file(self, folder: Path, name: str = "app.pem") -> Path:
        """Key then certificate, as Key Vault's PEM download holds them."""
        path = folder / name
        path.write_bytes(self.key_pem + self.certificate_pem)
        return path

    def p12_file(self, folder: Path, name: str = "app.p12") -> Path:
        """PKCS#12 with no password, as App Service writes /var/ssl/private/<thumbprint>.p12."""
        path = folder / name
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"safe premises", self.key, self.certificate, None, serialization.NoEncryption()
            )
        )
        return path


def app_certificate(
    name: str = "app",
    *,
    valid_from: datetime.datetime = VALID_FROM,
    valid_until: datetime.datetime = VALID_UNTIL,
    elliptic: bool = False,
) -> AppCertificate:
    """A certificate for a key named `name` (the same name, the same key)."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        ec.generate_private_key(ec.SECP256R1()) if elliptic else _rsa_key(name)
    )
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"safe premises {name}")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_until)
        .sign(key, hashes.SHA256())
    )
    return AppCertificate(key, certificate)
