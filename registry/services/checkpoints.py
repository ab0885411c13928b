"""Signed checkpoints of every audit chain's head, kept outside the database."""

import hashlib
import hmac
import json
import os
import tempfile
from base64 import b64decode, b64encode
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from flask import current_app
from peewee import fn

from registry.clock import utcnow
from registry.models import AuditChainHead, AuditEvent

FORMAT = "pigment-registry audit checkpoint 1"
RSA_PSS = "rsa-pss-sha256"
ECDSA = "ecdsa-sha256"
HMAC = "hmac-sha256"


def configured_directory() -> Path:
    settings = current_app.config["REGISTRY_SETTINGS"]
    return settings.audit_checkpoint_dir or settings.instance_path / "checkpoints"


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _signing_pair():
    from registry.reports.issuing import signing_key

    return signing_key()


def _sign(payload: bytes) -> dict:
    """Signed with the report-signing key when one is configured, else the audit key's HMAC."""
    pair = _signing_pair()
    if pair is None:
        key_id = current_app.config["AUDIT_KEY_ID"]
        mac = hmac.new(current_app.config["AUDIT_KEYS"][key_id], payload, hashlib.sha256)
        return {"method": HMAC, "key_id": key_id, "value": mac.hexdigest()}
    key = serialization.load_pem_private_key(Path(pair[0]).read_bytes(), password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        method, value = RSA_PSS, key.sign(payload, _pss(), hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        method, value = ECDSA, key.sign(payload, ec.ECDSA(hashes.SHA256()))
    else:
        raise ValueError("the report-signing key is neither RSA nor EC")
    certificate = x509.load_pem_x509_certificate(Path(pair[1]).read_bytes())
    return {"method": method, "certificate_sha256": certificate.fingerprint(hashes.SHA256()).hex(),
            "value": b64encode(value).decode()}


def _pss():
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)


def signature_is_valid(payload: bytes, signature: dict) -> bool:
    method = signature.get("method")
    if method == HMAC:
        key = current_app.config["AUDIT_KEYS"].get(signature.get("key_id"))
        expected = key and hmac.new(key, payload, hashlib.sha256).hexdigest()
        return bool(expected) and hmac.compare_digest(expected, str(signature.get("value")))
    pair = _signing_pair()
    if pair is None or method not in (RSA_PSS, ECDSA):
        return False
    public_key = x509.load_pem_x509_certificate(Path(pair[1]).read_bytes()).public_key()
    try:
        value = b64decode(str(signature.get("value")), validate=True)
        if method == RSA_PSS:
            public_key.verify(value, payload, _pss(), hashes.SHA256())
        else:
            public_key.verify(value, payload, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False
    return True


def take(directory: Path) -> tuple[Path, int]:
    """Write every chain's head to a new signed file in `directory`; returns it and the count."""
    taken_at = utcnow()
    heads = [{"chain": h.chain, "seq": h.seq, "mac": h.mac,
              "updated_at": h.updated_at.isoformat()}
             for h in AuditChainHead.select().order_by(AuditChainHead.chain)]
    body = {"format": FORMAT, "taken_at": taken_at.isoformat(), "heads": heads}
    document = {**body, "signature": _sign(_canonical(body))}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-checkpoint-{taken_at:%Y%m%dT%H%M%S%fZ}.json"
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".checkpoint-")
    with os.fdopen(handle, "w") as out:
        json.dump(document, out, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return path, len(heads)


def scheduled() -> str:
    """The scheduler's job: a checkpoint in the configured directory."""
    path, count = take(configured_directory())
    return f"{count} chains checkpointed in {path}"


def check(directory: Path) -> tuple[int, list[str]]:
    """Check every checkpoint in `directory`: its signature, and that no chain fell behind it.

    Returns the number of checkpoints read and one line per problem.
    """
    paths = sorted(directory.glob("*.json"))
    problems = []
    for path in paths:
        try:
            document = json.loads(path.read_text())
            signature = document.pop("signature")
            heads = document["heads"]
        except (ValueError, KeyError, TypeError, AttributeError):
            problems.append(f"{path.name}: not a checkpoint")
            continue
        if document.get("format") != FORMAT or not signature_is_valid(
                _canonical(document), signature):
            problems.append(f"{path.name}: signature is not valid")
            continue
        problems += [f"{head['chain']}: BEHIND checkpoint {path.name}: {problem}"
                     for head in heads if (problem := _behind(head))]
    return len(paths), problems


def _behind(head: dict) -> str | None:
    chain, seq = head["chain"], head["seq"]
    last = (AuditEvent.select(fn.MAX(AuditEvent.seq)).where(AuditEvent.chain == chain)
            .scalar()) or 0
    if last < seq:
        return f"it recorded event {seq}, the chain now ends at event {last}"
    event = AuditEvent.get_or_none(AuditEvent.chain == chain, AuditEvent.seq == seq)
    if event is None or not hmac.compare_digest(event.mac, head["mac"]):
        return f"event {seq} is a different event from the one it recorded"
    return None
