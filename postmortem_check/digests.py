"""Hash functions taken from the interpreter's own modules: ``hashlib`` loads OpenSSL first, which costs a
one-file run more than all its hashing. The digests are the same as ``hashlib``'s; an interpreter built
without these modules gets ``hashlib``'s."""

from __future__ import annotations

from _operator import _compare_digest as compare_digest  # what hmac.compare_digest falls back to

try:
    from _blake2 import blake2b
    from _sha1 import sha1
except ImportError:  # pragma: no cover (an interpreter built without them)
    from hashlib import blake2b, sha1

__all__ = ["blake2b", "compare_digest", "seal", "sealed", "sha1", "unsealed"]


def seal(secret: bytes, data: bytes) -> bytes:
    """A keyed BLAKE2b (a MAC) of ``data`` under ``secret``, in hexadecimal."""
    return blake2b(data, key=secret, digest_size=32).hexdigest().encode("ascii")


def sealed(secret: bytes, body: bytes) -> list[bytes]:
    """The bytes of a sealed file: its seal on the first line, then ``body``."""
    return [seal(secret, body), b"\n", body]


def unsealed(secret: bytes, data: bytes) -> bytes | None:
    """The body of a sealed file's bytes, or None when ``secret`` did not seal it."""
    kept, _, body = data.partition(b"\n")
    return body if compare_digest(kept, seal(secret, body)) else None
