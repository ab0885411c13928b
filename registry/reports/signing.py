"""Digital signatures on issued report PDFs: a development key, signing and verification."""

import fcntl
import os
import tempfile
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

KEY_NAME = "report-signing.key"
CERT_NAME = "report-signing.crt"
FIELD_NAME = "RegistrySignature"
CERT_VALIDITY = timedelta(days=5 * 365)


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ensure_development_key(directory: Path) -> tuple[Path, Path]:
    """Return (key, certificate) paths in `directory`, creating a self-signed pair once."""
    key_path, cert_path = directory / KEY_NAME, directory / CERT_NAME
    directory.mkdir(parents=True, exist_ok=True)
    # The lock keeps concurrent first calls from pairing one's key with another's certificate.
    with open(directory / ".report-signing.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if key_path.exists() and cert_path.exists():
            return key_path, cert_path
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, "Pigment Registry development signing key"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pigment Registry"),
            ]
        )
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + CERT_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_atomically(key_path, key_pem, 0o600)
        _write_atomically(cert_path, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
    return key_path, cert_path


def _align_info_producer(writer: IncrementalPdfFileWriter) -> None:
    # The update rewrites the XMP pdf:Producer as pyHanko's name but appends that name to the
    # info dictionary's /Producer; PDF/A requires both to be equal, so set the latter to match.
    if "/Info" not in writer.trailer:
        return
    reference = writer.trailer.raw_get("/Info")
    info = reference.get_object()
    info["/Producer"] = generic.TextStringObject(VENDOR)
    writer.mark_update(reference)


def sign_pdf(
    pdf: bytes, key_path: Path, cert_path: Path, *, reason: str, location: str | None = None
) -> bytes:
    """Append an invisible PAdES baseline B-B signature to `pdf` as an incremental update."""
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    if signer is None:
        raise ValueError(f"cannot load signing key {key_path} or certificate {cert_path}")
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    _align_info_producer(writer)
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def signature_status(pdf: bytes, trusted_cert_path: Path) -> dict:
    """Validate the signatures in `pdf` offline against one trusted certificate."""
    status = {
        "signed": False,
        "intact": False,
        "trusted": False,
        "signer": None,
        "covers_whole_file": False,
    }
    try:
        signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures
    except Exception:
        return status
    if not signatures:
        return status
    status["signed"] = True
    root = load_cert_from_pemder(str(trusted_cert_path))
    results = []
    for signature in signatures:
        context = ValidationContext(trust_roots=[root], allow_fetching=False)
        try:
            results.append(validate_pdf_signature(signature, context))
        except Exception:
            return status
    last = results[-1]
    status["intact"] = all(result.intact and result.valid for result in results)
    status["trusted"] = all(result.trusted for result in results)
    status["signer"] = last.signing_cert.subject.native.get("common_name")
    status["covers_whole_file"] = last.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return status
