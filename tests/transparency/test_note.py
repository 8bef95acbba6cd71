"""The signed-note format against golang.org/x/mod/sumdb/note's known-good vector, the
checkpoint and cosignature formats, and the log's key."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from omi_commons_client import logverify as v

from transparency import checkpoints, note

SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
SIGNED = (
    TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngo"
    "tpRZb6KE6RyyBwJnAM=\n"
)


def test_known_good_signed_note():
    name, key = note.parse_signer_key(SIGNER)
    assert name == "PeterNeumann"
    assert note.verifier_key(name, note.raw_public(key)) == VERIFIER
    assert note.signer_key(name, key) == SIGNER
    assert note.sign(TEXT, name, key) == SIGNED  # Ed25519 is deterministic
    assert v.open_note(SIGNED, VERIFIER) == TEXT
    assert v.parse_key(VERIFIER).key_id.hex() == "c74f20a3"
    with pytest.raises(v.VerifyError):
        v.open_note(SIGNED.replace("cryptography", "cryptographY"), VERIFIER)
    other = Ed25519PrivateKey.generate()
    with pytest.raises(v.VerifyError):
        v.open_note(SIGNED, note.verifier_key("PeterNeumann", note.raw_public(other)))


def test_bad_keys_are_refused():
    for bad in ["", "a+b", "PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"]:
        with pytest.raises(v.VerifyError):
            v.parse_key(bad)
        with pytest.raises(note.NoteError):
            note.parse_verifier_key(bad)
    with pytest.raises(note.NoteError):
        note.parse_signer_key(SIGNER.replace("c74f20a3", "c74f20a4"))


def test_checkpoint_and_cosignature_formats():
    root = bytes(range(32))
    text = note.checkpoint_text("commons.test/log", 7, root)
    assert text == f"commons.test/log\n7\n{base64.b64encode(root).decode()}\n"
    assert v.parse_checkpoint(text) == ("commons.test/log", 7, root)
    wkey = Ed25519PrivateKey.generate()
    line = note.cosign(text, "witness.test", wkey, 1_700_000_000)
    wverifier = note.verifier_key("witness.test", note.raw_public(wkey), note.COSIGNATURE_V1)
    assert note.verify_cosignature(text, line, note.parse_verifier_key(wverifier)) == 1_700_000_000
    _, log_signer = note.parse_signer_key(SIGNER)
    signed = note.sign(text, "PeterNeumann", log_signer) + line
    assert v.verify_cosignature(signed, wverifier) == 1_700_000_000
    assert v.open_note(signed, VERIFIER) == text
    with pytest.raises(v.VerifyError):
        v.verify_cosignature(signed.replace("\n7\n", "\n8\n"), wverifier)


def test_the_log_key_is_generated_once_into_data_dir(settings, tmp_path):
    key = checkpoints.log_key()
    stored = (tmp_path / "log_signing_key").read_text().strip()
    assert stored.startswith("PRIVATE+KEY+commons.test/log+")
    assert (tmp_path / "log_signing_key").stat().st_mode & 0o077 == 0
    checkpoints._key.cache_clear()
    assert checkpoints.log_key().verifier_key == key.verifier_key
    assert key.verifier_key.startswith("commons.test/log+")


def test_a_configured_key_is_used(settings):
    settings.LOG_SIGNING_KEY = SIGNER
    assert checkpoints.log_key().verifier_key == VERIFIER


# Our own vector, published in docs/log.md: the RFC 6962 test tree of 8 leaves, checkpointed and
# signed with the key whose seed is the bytes 0..31, cosigned by the key whose seed is 32..63.
OUR_SIGNER = "PRIVATE+KEY+commons.example/log+6f17604e+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
OUR_VERIFIER = "commons.example/log+6f17604e+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
OUR_NOTE = (
    "commons.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— commons.example/log "
    "bxdgTkZbQsn0lB646pO3T+YXO4CKCh0WMoHQIMAGmzilZb5FffcNBLmjXfehmdcbWa67Mtc+UbLl5+zL33h3sS3Ytgo=\n"
)
OUR_WITNESS = "witness.example/w+18284f18+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X"
OUR_COSIG = (
    "— witness.example/w GChPGAAAAABpVbkADIQWRDszYNmyx37Wz+F54p9YWSo5pEZHT6oMaP7Fclw+wngMGG2FrNaU"
    "3dYqjHXByJeIwk4msXQ1oTECBI7HAQ==\n"
)


def test_our_own_checkpoint_vector():
    name, key = note.parse_signer_key(OUR_SIGNER)
    root = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
    text = note.checkpoint_text(name, 8, root)
    assert note.sign(text, name, key) == OUR_NOTE
    assert note.verifier_key(name, note.raw_public(key)) == OUR_VERIFIER
    assert v.parse_checkpoint(v.open_note(OUR_NOTE, OUR_VERIFIER)) == (name, 8, root)
    assert v.verify_cosignature(OUR_NOTE + OUR_COSIG, OUR_WITNESS) == 1767225600
