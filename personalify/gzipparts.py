"""A page compressed once and served many times as gzip, with a few bytes that differ on every
response (the CSRF token) put in without compressing the page again.

``pack`` compresses the pieces of a page (the page split where the per-response bytes go) into
one raw deflate stream, flushing fully after each piece: every piece ends on a byte boundary and
refers to nothing before it, so bytes can go between two pieces as a stored (uncompressed)
deflate block. ``gzip_join`` makes the gzip member (RFC 1952) of the pieces joined by those
bytes: the header, the pieces and stored blocks, and the trailer, whose CRC-32 is combined from
the pieces' own CRCs and the filler's instead of being computed over the whole page again.

CRC-32 is affine in its starting register: running it over ``n`` bytes ``B`` from register ``r``
gives ``M_n(r) ^ crc32(B)``, where ``M_n`` (running over ``n`` zero bytes) is linear, a 32x32
bit matrix. ``pack`` stores each piece's matrix as its 32 columns (what zlib's crc32_combine
computes by squaring, which Python's zlib does not expose), so a join costs a few microseconds
per piece, whatever the page's size.
"""

from __future__ import annotations

import re
import secrets
import struct
import zlib

_MASK = 0xFFFFFFFF
_POLYNOMIAL = 0xEDB88320  # CRC-32's, bit-reversed (zlib's register shifts right)
# ID1 ID2, deflate, FNAME, no modification time, no extra flags, OS unknown; then the name.
_GZIP_HEADER = b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff"
_NAME_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789"
_HEAD = struct.Struct("<I")
_PIECE = struct.Struct("<III")  # deflate length, raw length, CRC-32 of the raw piece
_COLUMNS = struct.Struct("<32I")
MAX_FILLER = 0xFFFF  # one stored block


def _zeros_columns(length: int) -> tuple[int, ...]:
    """The columns of M_length: column ``i`` is the register after ``length`` zero bytes run
    from a register holding only bit ``i``.

    One pass of zlib gives column 31 (zlib's crc32 inverts the register on the way in and out,
    hence the masks); the others follow without another pass, because M_length commutes with
    the one-bit step A (both are powers of it) and A takes bit ``i`` to bit ``i - 1``:
    column ``i - 1`` = M(A e_i) = A(column ``i``)."""
    column = zlib.crc32(bytes(length), (1 << 31) ^ _MASK) ^ _MASK
    columns = [column]
    for _ in range(31):
        column = (column >> 1) ^ (_POLYNOMIAL if column & 1 else 0)
        columns.append(column)
    return tuple(reversed(columns))


def _times(columns: tuple[int, ...], register: int) -> int:
    result = 0
    for column in columns:
        if not register:
            break
        if register & 1:
            result ^= column
        register >>= 1
    return result


def pack(pieces: list[bytes], level: int = 6) -> bytes:
    """The pieces compressed for ``gzip_join`` and ``plain_join``."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    heads, columns, streams = [], [], []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        stream = compressor.compress(piece) + compressor.flush(
            zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH
        )
        heads.append(_PIECE.pack(len(stream), len(piece), zlib.crc32(piece)))
        if index:
            columns.append(_COLUMNS.pack(*_zeros_columns(len(piece))))
        streams.append(stream)
    return b"".join([_HEAD.pack(len(pieces)), *heads, *columns, *streams])


def _unpack(packed: bytes) -> list[tuple[bytes, int, int, tuple[int, ...] | None]]:
    try:
        return _pieces(packed)
    except struct.error as error:
        raise ValueError("a packed page is shorter than its pieces say") from error


def _pieces(packed: bytes) -> list[tuple[bytes, int, int, tuple[int, ...] | None]]:
    (count,) = _HEAD.unpack_from(packed)
    if count < 1 or count * (_PIECE.size + _COLUMNS.size) > len(packed) + _COLUMNS.size:
        raise ValueError("a packed page holds fewer bytes than its pieces say")
    offset = _HEAD.size
    heads = []
    for _ in range(count):
        heads.append(_PIECE.unpack_from(packed, offset))
        offset += _PIECE.size
    columns: list[tuple[int, ...] | None] = [None]
    for _ in range(count - 1):
        columns.append(_COLUMNS.unpack_from(packed, offset))
        offset += _COLUMNS.size
    pieces = []
    for (stream_length, raw_length, crc), piece_columns in zip(heads, columns, strict=True):
        stream = packed[offset : offset + stream_length]
        if len(stream) != stream_length:
            raise ValueError("a packed page is shorter than its pieces say")
        pieces.append((stream, raw_length, crc, piece_columns))
        offset += stream_length
    if offset != len(packed):
        raise ValueError("a packed page is longer than its pieces say")
    return pieces


def _deflate_join(pieces, filler: bytes) -> bytes:
    if len(filler) > MAX_FILLER:
        raise ValueError("the bytes between pieces must fit one stored block")
    # BFINAL 0, BTYPE 00 (stored), padded to the byte boundary the full flush left; LEN, NLEN.
    stored = b"\x00" + struct.pack("<HH", len(filler), len(filler) ^ 0xFFFF) + filler
    return stored.join(stream for stream, _raw, _crc, _columns in pieces)


def gzip_join(packed: bytes, filler: bytes) -> bytes:
    """A gzip member of the packed pieces joined by ``filler``."""
    pieces = _unpack(packed)
    crc = size = 0
    for index, (_stream, raw_length, piece_crc, columns) in enumerate(pieces):
        if index:
            crc = zlib.crc32(filler, crc)
            crc = _times(columns, crc) ^ piece_crc
            size += len(filler)
        else:
            crc = piece_crc
        size += raw_length
    trailer = struct.pack("<II", crc, size & _MASK)
    return _GZIP_HEADER + _padding() + _deflate_join(pieces, filler) + trailer


def _padding() -> bytes:
    """A file name of 1 to 100 random characters: each response's length differs by a random
    amount ("Heal the Breach", as Django's GZipMiddleware does), so the size of a response is a
    poorer oracle for what it holds."""
    rng = secrets.SystemRandom()
    return bytes(rng.choices(_NAME_BYTES, k=rng.randint(1, 100))) + b"\0"


def plain_join(packed: bytes, filler: bytes) -> bytes:
    """The packed pieces joined by ``filler``, uncompressed (for a client that takes no gzip)."""
    return zlib.decompress(_deflate_join(_unpack(packed), filler), -zlib.MAX_WBITS)


_WEIGHT = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")  # RFC 9110 12.4.2's qvalue


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header (RFC 9110 12.5.3) takes gzip: ``gzip`` (or ``x-gzip``)
    with a weight above 0, else ``*`` with a weight above 0. A malformed weight counts as 0."""
    weights = {}
    for item in accept_encoding.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                value = value.strip()
                weight = float(value) if _WEIGHT.fullmatch(value) else 0.0
        weights[name.lower()] = weight
    for name in ("gzip", "x-gzip", "*"):
        if name in weights:
            return weights[name] > 0
    return False
