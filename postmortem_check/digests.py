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

__all__ = ["blake2b", "compare_digest", "seal", "sha1"]


def seal(secret: bytes, data: bytes) -> bytes:
    """A keyed BLAKE2b (a MAC) of ``data`` under ``secret``, in hexadecimal."""
    return blake2b(data, key=secret, digest_size=32).hexdigest().encode("ascii")
