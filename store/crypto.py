"""Keys and the encrypted file format.

Key hierarchy: passphrase --Argon2id--> key-encryption key --AES-GCM--> random 256-bit data key
--AES-GCM--> every file. Changing the passphrase rewraps the data key and touches nothing else.

Blob format (case files, table files)::

    magic "DTYS" | 0x02 | counter (u64, big-endian) | nonce (12 random bytes) | ciphertext+tag

The associated data is the header (magic, format, counter) plus an identity saying which file
this is meant to be (b"case-file:<file name>", b"table:<name>"): a file copied over another
file fails to decrypt, and so does one whose counter was edited. The counter is the file's
version: the manifest remembers the last one written, so an older copy put back is caught.
Format 0x01 (no counter) is still read, as counter 0, for stores made before it.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import re
import struct
from typing import Any

import attrs
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"DTYS"
VERSION = 2
HEADER = MAGIC + bytes([VERSION])
LEGACY_HEADER = MAGIC + bytes([1])
COUNTER = struct.Struct(">Q")
NONCE_LEN = 12
TAG_LEN = 16
KEY_LEN = 32
SALT_LEN = 16
# OWASP Password Storage Cheat Sheet, Argon2id minimum: m=19 MiB, t=2, p=1.
OWASP_MIN_MEMORY_KIB = 19456
OWASP_MIN_TIME_COST = 2

# A rotated store's data folder: "gen-" and 16 hex digits (see Store.change_passphrase).
GENERATION = re.compile(r"gen-[0-9a-f]{16}")

KEYFILE_FORMAT = "duty-tui/store-key"
KEYFILE_VERSION = 1


class Corrupt(Exception):
    """Internal: a blob or record that fails to authenticate. Callers turn it into an error
    naming the case or table."""


@attrs.frozen
class KdfParams:
    """Argon2id cost. The defaults are above OWASP's minimum (about 0.1 s on a laptop)."""

    memory_cost: int = 65536  # KiB
    time_cost: int = 3
    parallelism: int = 1

    @classmethod
    def for_tests(cls) -> KdfParams:
        """INSECURE: the cheapest Argon2id there is, so tests can create hundreds of stores.

        Only ever passed explicitly; nothing in the store chooses it.
        """
        return cls(memory_cost=8, time_cost=1, parallelism=1)

    def meets_owasp_minimum(self) -> bool:
        return (
            self.memory_cost >= OWASP_MIN_MEMORY_KIB
            and self.time_cost >= OWASP_MIN_TIME_COST
            and self.parallelism >= 1
        )


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret=passphrase.encode("utf-8"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=KEY_LEN,
        type=Type.ID,
    )


class Cipher:
    """AES-GCM under the data key, with a fresh random nonce for every write.

    Random 96-bit nonces are safe for far more writes than a laptop will ever make (NIST's
    2^32 limit per key).
    """

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(data_key)
        # A separate key for file names, so a name never helps an attack on the data key.
        self._name_key = hmac.new(data_key, b"duty-tui file names", "sha256").digest()

    def seal_blob(self, plaintext: bytes, identity: bytes, counter: int = 0) -> bytes:
        header = HEADER + COUNTER.pack(counter)
        nonce = os.urandom(NONCE_LEN)
        return header + nonce + self._aead.encrypt(nonce, plaintext, header + identity)

    def open_blob(self, blob: bytes, identity: bytes) -> tuple[int, bytes]:
        """(counter, plaintext) of a blob sealed for ``identity``; Corrupt otherwise."""
        if blob[: len(LEGACY_HEADER)] == LEGACY_HEADER:
            header, counter = LEGACY_HEADER, 0
        elif blob[: len(HEADER)] == HEADER:
            header = blob[: len(HEADER) + COUNTER.size]
            if len(header) < len(HEADER) + COUNTER.size:
                raise Corrupt("truncated")
            (counter,) = COUNTER.unpack_from(header, len(HEADER))
        elif len(blob) < len(HEADER):
            raise Corrupt("truncated")
        else:
            raise Corrupt("not a store file of a known version")
        start = len(header)
        if len(blob) < start + NONCE_LEN + TAG_LEN:
            raise Corrupt("truncated")
        nonce = blob[start : start + NONCE_LEN]
        try:
            plaintext = self._aead.decrypt(nonce, blob[start + NONCE_LEN :], header + identity)
        except InvalidTag:
            raise Corrupt("fails authentication") from None
        return counter, plaintext

    def name_for(self, purpose: bytes, value: str) -> str:
        """An opaque, stable file name for ``value``: a keyed hash, so the name says nothing
        of the case it holds to anyone without the data key."""
        return hmac.new(self._name_key, purpose + value.encode("utf-8"), "sha256").hexdigest()[:32]

    def seal_record(self, plaintext: bytes, aad: bytes) -> bytes:
        """nonce + ciphertext + tag, without the file header (index log records)."""
        nonce = os.urandom(NONCE_LEN)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open_record(self, record: bytes | memoryview, aad: bytes) -> bytes:
        if len(record) < NONCE_LEN + TAG_LEN:
            raise Corrupt("truncated")
        try:
            return self._aead.decrypt(bytes(record[:NONCE_LEN]), bytes(record[NONCE_LEN:]), aad)
        except InvalidTag:
            raise Corrupt("fails authentication") from None


# --- keyfile --------------------------------------------------------------------------------
# A small JSON file, not secret: the KDF parameters and salt, and the wrapped data key. The
# parameters are bound as associated data of the wrap, so editing them cannot go unnoticed.


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


# What a keyfile may ask for: a keyfile is not secret and can be edited, and Argon2 with, say,
# time_cost 10^6 would hang every unlock. Generous next to the defaults and OWASP's minimum.
MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB
MAX_TIME_COST = 16
MAX_PARALLELISM = 16


def _wrap_aad(params: KdfParams, salt: bytes, generation: str | None) -> bytes:
    fields: dict[str, Any] = {
        "name": "argon2id",
        "memory_cost": params.memory_cost,
        "time_cost": params.time_cost,
        "parallelism": params.parallelism,
        "salt": _b64(salt),
    }
    if generation is not None:
        # Which folder holds the data this key opens (after a key rotation): bound to the key,
        # so pointing the keyfile at another folder fails like a wrong passphrase.
        fields["generation"] = generation
    return b"keyfile:" + json.dumps(fields, sort_keys=True).encode("ascii")


def wrap_key(
    data_key: bytes, passphrase: str, params: KdfParams, *, generation: str | None = None
) -> bytes:
    """The keyfile's bytes: data_key wrapped under a key derived from passphrase."""
    salt = os.urandom(SALT_LEN)
    kek = derive_key(passphrase, salt, params)
    nonce = os.urandom(NONCE_LEN)
    wrapped = AESGCM(kek).encrypt(nonce, data_key, _wrap_aad(params, salt, generation))
    document: dict[str, Any] = {
        "format": KEYFILE_FORMAT,
        "version": KEYFILE_VERSION,
        "kdf": {
            "name": "argon2id",
            "memory_cost": params.memory_cost,
            "time_cost": params.time_cost,
            "parallelism": params.parallelism,
            "salt": _b64(salt),
        },
        "wrapped_key": {"nonce": _b64(nonce), "ciphertext": _b64(wrapped)},
    }
    if generation is not None:
        document["generation"] = generation
    return (json.dumps(document, indent=2) + "\n").encode("ascii")


class BadKeyfile(Exception):
    """Internal: the keyfile is not one we can read (as opposed to a wrong passphrase)."""


@attrs.frozen
class Keyfile:
    params: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes
    generation: str | None  # None: the data is in the data dir itself


def read_keyfile_params(raw: bytes) -> KdfParams:
    return parse_keyfile(raw).params


def parse_keyfile(raw: bytes) -> Keyfile:
    try:
        document = json.loads(raw.decode("ascii"))
        if document.get("format") != KEYFILE_FORMAT:
            raise BadKeyfile("not a duty-tui keyfile")
        if document.get("version") != KEYFILE_VERSION:
            raise BadKeyfile(f"keyfile version {document.get('version')!r} is not supported")
        kdf = document["kdf"]
        if kdf.get("name") != "argon2id":
            raise BadKeyfile("unknown key derivation")
        params = KdfParams(
            memory_cost=int(kdf["memory_cost"]),
            time_cost=int(kdf["time_cost"]),
            parallelism=int(kdf["parallelism"]),
        )
        salt = _unb64(kdf["salt"])
        nonce = _unb64(document["wrapped_key"]["nonce"])
        wrapped = _unb64(document["wrapped_key"]["ciphertext"])
        generation = document.get("generation")
        if generation is not None and not (
            isinstance(generation, str) and GENERATION.fullmatch(generation)
        ):
            raise BadKeyfile("keyfile names no usable data folder")
    except BadKeyfile:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise BadKeyfile(f"keyfile is malformed ({type(exc).__name__})") from None
    if len(nonce) != NONCE_LEN or len(salt) < 8:
        raise BadKeyfile("keyfile is malformed")
    if not (
        8 <= params.memory_cost <= MAX_MEMORY_KIB
        and 1 <= params.time_cost <= MAX_TIME_COST
        and 1 <= params.parallelism <= MAX_PARALLELISM
    ):
        raise BadKeyfile("keyfile asks for key derivation costs outside what duty-tui allows")
    return Keyfile(params, salt, nonce, wrapped, generation)


def unwrap_key(raw: bytes, passphrase: str) -> bytes | None:
    """The data key, or None if the passphrase does not unwrap it."""
    keyfile = parse_keyfile(raw)
    try:
        kek = derive_key(passphrase, keyfile.salt, keyfile.params)
    except Exception as exc:  # argon2 rejects impossible parameters with its own errors
        raise BadKeyfile(f"keyfile has unusable KDF parameters ({type(exc).__name__})") from None
    aad = _wrap_aad(keyfile.params, keyfile.salt, keyfile.generation)
    try:
        data_key = AESGCM(kek).decrypt(keyfile.nonce, keyfile.wrapped, aad)
    except InvalidTag:
        return None
    if len(data_key) != KEY_LEN:
        raise BadKeyfile("keyfile holds a key of the wrong size")
    return data_key
