"""A page packed once, served as gzip with per-response bytes spliced in (personalify.gzipparts):
what a client decompresses is exactly the pieces joined by the filler, CRC and length included
(Python's gzip module checks both, as browsers do)."""

import gzip
import random
import zlib

import pytest

from personalify.gzipparts import MAX_FILLER, accepts_gzip, gzip_join, pack, plain_join


def _page_pieces(rng: random.Random, count: int) -> list[bytes]:
    words = [b"<li>", b"</li>", b"track", b"artist", b'class="row"', b"\n", b"\xc3\xa9t\xc3\xa9"]
    pieces = []
    for _ in range(count):
        size = rng.choice([0, 1, 7, 300, 5_000, 70_000])
        pieces.append(
            b"".join(rng.choice(words) for _ in range(size // 4)) + rng.randbytes(size % 5)
        )
    return pieces


@pytest.mark.parametrize("seed", range(8))
def test_gzip_join_decompresses_to_the_pieces_joined_by_the_filler_when_pieces_vary(seed):
    rng = random.Random(seed)
    pieces = _page_pieces(rng, rng.randint(1, 6))
    filler = rng.randbytes(rng.choice([0, 1, 64, 500]))
    packed = pack(pieces)

    served = gzip_join(packed, filler)

    assert gzip.decompress(served) == filler.join(pieces)  # raises on a wrong CRC or length
    assert plain_join(packed, filler) == filler.join(pieces)


def test_gzip_join_gives_each_response_its_own_filler_when_one_packed_page_serves_many():
    pieces = [b"<form>", b"</form><form>", b"</form>"]
    packed = pack(pieces)
    for token in (b"a" * 64, b"b" * 64, b"0123456789" * 6):
        assert gzip.decompress(gzip_join(packed, token)) == token.join(pieces)


def test_gzip_join_is_a_tenth_of_the_page_when_the_page_is_repetitive_markup():
    rows = b"".join(
        b'<li class="row"><a href="/t/%d">Track %d</a></li>\n' % (i, i) for i in range(2000)
    )
    packed = pack([rows[:50_000], rows[50_000:]])
    assert len(gzip_join(packed, b"t" * 64)) < len(rows) / 8


def test_gzip_join_stream_is_one_deflate_stream_when_a_strict_decoder_reads_it():
    served = gzip_join(pack([b"a" * 1000, b"b" * 1000]), b"token")
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing, one member
    assert decoder.decompress(served) == b"a" * 1000 + b"token" + b"b" * 1000
    assert decoder.eof and decoder.unused_data == b""


def test_gzip_join_refuses_a_filler_when_it_does_not_fit_a_stored_block():
    with pytest.raises(ValueError, match="stored block"):
        gzip_join(pack([b"a", b"b"]), b"x" * (MAX_FILLER + 1))


@pytest.mark.parametrize("cut", [1, -1])
def test_gzip_join_raises_when_the_packed_page_is_cut_or_extended(cut):
    packed = pack([b"a" * 100, b"b" * 100])
    damaged = packed[:-1] if cut > 0 else packed + b"x"
    with pytest.raises(ValueError, match="packed page"):
        gzip_join(damaged, b"t")


@pytest.mark.parametrize(
    ("header", "takes"),
    [
        ("gzip, deflate, br, zstd", True),  # Chromium's
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),  # named beats the wildcard
        ("gzip; q=nonsense", False),
        ("gzip;q=inf", False),
        ("gzip;q=2", False),
        ("gzip;q=0.001", True),
        ("identity", False),
        ("br", False),
        ("", False),
    ],
)
def test_accepts_gzip_reads_the_weights_when_the_header_names_encodings(header, takes):
    assert accepts_gzip(header) is takes


def test_gzip_join_length_varies_between_responses_when_the_page_and_token_are_the_same():
    packed = pack([b"<p>" * 1000, b"</p>"])
    lengths = {len(gzip_join(packed, b"t" * 64)) for _ in range(50)}
    assert len(lengths) > 10  # random padding in the header's file name
