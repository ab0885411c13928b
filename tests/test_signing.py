"""Signing issued PDFs: development key, PAdES signature, PDF/A metadata and verification."""

import gc
import io
import stat
import warnings
from datetime import timedelta

import pypdf
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from registry.reports.signing import ensure_development_key, sign_pdf, signature_status

# WeasyPrint warns once, on import, when the system lacks libharfbuzz-subset (it then subsets
# fonts with fontTools); that is a property of the machine, not of the code under test.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="HarfBuzz-Subset will be required", category=DeprecationWarning
    )
    import weasyprint


@pytest.fixture(scope="module")
def unsigned_pdf() -> bytes:
    html = weasyprint.HTML(string="<html lang=en><title>t</title><p>Hello</p>")
    # WeasyPrint 70 leaves its bundled sRGB output-intent profile open when rendering PDF/A;
    # the handle is collected here so that its ResourceWarning is the only one silenced.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"unclosed file .*sRGB2014\.icc", category=ResourceWarning
        )
        pdf = html.write_pdf(pdf_variant="pdf/a-3b")
        gc.collect()
    return pdf


@pytest.fixture
def key_pair(tmp_path):
    return ensure_development_key(tmp_path / "keys")


@pytest.fixture
def signed_pdf(unsigned_pdf, key_pair) -> bytes:
    key_path, cert_path = key_pair
    return sign_pdf(unsigned_pdf, key_path, cert_path, reason="Audit report issued", location="HQ")


def test_signed_pdf_is_intact_trusted_and_covers_the_file(signed_pdf, key_pair):
    assert signature_status(signed_pdf, key_pair[1]) == {
        "signed": True,
        "intact": True,
        "trusted": True,
        "signer": "Pigment Registry development signing key",
        "covers_whole_file": True,
    }


def test_signature_is_an_incremental_update_with_reason_and_location(unsigned_pdf, signed_pdf):
    assert signed_pdf.startswith(unsigned_pdf)
    reader = pypdf.PdfReader(io.BytesIO(signed_pdf))
    (field,) = reader.get_fields().values()
    assert field["/T"] == "RegistrySignature"
    value = field["/V"]
    assert value["/SubFilter"] == "/ETSI.CAdES.detached"
    assert value["/Reason"] == "Audit report issued"
    assert value["/Location"] == "HQ"


def test_signing_keeps_pdfa_identification(signed_pdf):
    reader = pypdf.PdfReader(io.BytesIO(signed_pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B")
    assert reader.metadata.producer == xmp.pdf_producer


def test_changed_byte_in_signed_range_breaks_integrity(unsigned_pdf, signed_pdf, key_pair):
    position = signed_pdf.index(b"stream\n") + 100
    assert position < len(unsigned_pdf)
    tampered = bytearray(signed_pdf)
    tampered[position] ^= 0x01
    status = signature_status(bytes(tampered), key_pair[1])
    assert status["signed"] is True
    assert status["intact"] is False
    assert status["trusted"] is False


def test_other_certificate_is_not_trusted(signed_pdf, tmp_path):
    _, other_cert = ensure_development_key(tmp_path / "other")
    status = signature_status(signed_pdf, other_cert)
    assert status["signed"] is True
    assert status["intact"] is True
    assert status["trusted"] is False


@pytest.mark.parametrize("data", [b"", b"garbage", b"%PDF-1.7\n%%EOF\n", bytes(range(256)) * 8])
def test_garbage_is_not_signed(data, key_pair):
    assert signature_status(data, key_pair[1])["signed"] is False


def test_unsigned_pdf_is_not_signed(unsigned_pdf, key_pair):
    assert signature_status(unsigned_pdf, key_pair[1])["signed"] is False


def test_development_key_is_generated_once_and_private(tmp_path):
    key_path, cert_path = ensure_development_key(tmp_path)
    key_bytes, cert_bytes = key_path.read_bytes(), cert_path.read_bytes()
    assert ensure_development_key(tmp_path) == (key_path, cert_path)
    assert key_path.read_bytes() == key_bytes
    assert cert_path.read_bytes() == cert_bytes
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "report-signing.crt",
        "report-signing.key",
    ]


def test_development_certificate_subject_usage_and_validity(key_pair):
    certificate = x509.load_pem_x509_certificate(key_pair[1].read_bytes())
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Pigment Registry development signing key"
    )
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Pigment Registry"
    assert certificate.issuer == subject
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert timedelta(days=5 * 365) <= lifetime <= timedelta(days=5 * 366)
