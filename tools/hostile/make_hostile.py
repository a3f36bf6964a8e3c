#!/usr/bin/env python3
"""Writes the hostile and broken inputs of issue 11 into a folder, with nothing but the
standard library: deep pickles, overflowing shapes, stride-0 views, safetensors with
huge header lengths or overlapping offsets, bad .npy headers, IDX and gzip bombs, image
decompression bombs, a JPEG cut short, CMYK and YCCK JPEGs.

Usage: make_hostile.py OUT_DIR
"""
import gzip
import io
import os
import random
import struct
import sys
import zipfile
import zlib


def nested_pickle(kind, depth):
    if kind == "tuple":
        body = b")" + b"\x85" * (depth - 1)
    elif kind == "list":
        body = b"]" * depth + b"a" * (depth - 1)
    else:
        body = b"}K\x00" * (depth - 1) + b"}" + b"s" * (depth - 1)
    return b"\x80\x02" + body + b"."


def legacy_wrap(pickle):
    """A legacy checkpoint starts with its magic-number pickle; the hostile one follows."""
    magic = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little") + b"."
    return magic + b"\x80\x02M\xe9\x03." + pickle


def zip_checkpoint(pickle, storages=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", pickle)
        archive.writestr("archive/byteorder", "little")
        for key, data in storages:
            archive.writestr(f"archive/data/{key}", data)
    return buffer.getvalue()


def state_dict_pickle(name, storage_count, shape, strides, offset=0):
    def string(text):
        data = text.encode()
        return b"X" + struct.pack("<I", len(data)) + data

    def integer(value):
        return b"\x8a\x08" + struct.pack("<q", value)

    def tuple_(items):
        return b"(" + b"".join(items) + b"t"

    def global_(module, attribute):
        return b"c" + f"{module}\n{attribute}\n".encode()

    ordered_dict = global_("collections", "OrderedDict") + b")R"
    storage = tuple_([string("storage"), global_("torch", "FloatStorage"), string("0"), string("cpu"),
                      integer(storage_count)]) + b"Q"
    arguments = tuple_([storage, integer(offset), tuple_([integer(d) for d in shape]),
                        tuple_([integer(s) for s in strides]), b"\x89", ordered_dict])
    tensor = string(name) + global_("torch._utils", "_rebuild_tensor_v2") + arguments + b"R"
    return b"\x80\x02" + ordered_dict + b"(" + tensor + b"u."


def safetensors(header, body=b"", length=None):
    data = header.encode()
    return struct.pack("<Q", len(data) if length is None else length) + data + body


def npy(descr, shape, body=b""):
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}\n".encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def idx(dims, payload=b""):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def gray_png(width, height, row=lambda y: b""):
    """A valid 8-bit gray PNG; row(y) gives the pixels of row y (zeros where it is short)."""
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(b"\x00" + row(y).ljust(width, b"\x00")) for y in range(height)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b""))


DC_LENGTHS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]


def jpeg(width, height, blocks, adobe_transform=None, claimed=None):
    """A baseline JPEG whose 8x8 blocks hold only a DC coefficient: blocks(index) gives one
    sample level per component. claimed=(w, h) writes a different size into the header."""
    def segment(marker, data):
        return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data

    components = len(blocks(0))
    out = b"\xff\xd8"
    if adobe_transform is not None:
        out += segment(0xEE, b"Adobe" + bytes([0, 100, 0, 0, 0, 0, adobe_transform]))
    out += segment(0xDB, bytes([0] + [1] * 64))
    claimed_width, claimed_height = claimed or (width, height)
    out += segment(0xC0, bytes([8]) + struct.pack(">HH", claimed_height, claimed_width) + bytes([components])
                   + b"".join(bytes([c + 1, 0x11, 0]) for c in range(components)))
    out += segment(0xC4, bytes([0x00] + DC_LENGTHS + list(range(12))))
    out += segment(0xC4, bytes([0x10, 1] + [0] * 15 + [0]))
    out += segment(0xDA, bytes([components]) + b"".join(bytes([c + 1, 0]) for c in range(components)) + bytes([0, 63, 0]))
    codes, code = [], 0
    for index, count in enumerate(DC_LENGTHS):
        for _ in range(count):
            codes.append((code, index + 1))
            code += 1
        code <<= 1
    bits = []

    def put(value, length):
        bits.extend((value >> shift) & 1 for shift in reversed(range(length)))

    previous = [0] * components
    for block in range(((width + 7) // 8) * ((height + 7) // 8)):
        for component, level in enumerate(blocks(block)):
            dc = (level - 128) * 8
            difference, previous[component] = dc - previous[component], dc
            category = abs(difference).bit_length()
            put(*codes[category])
            put(difference if difference >= 0 else (difference - 1) & ((1 << category) - 1), category)
            put(0, 1)
    bits.extend([1] * (-len(bits) % 8))
    for start in range(0, len(bits), 8):
        byte = int("".join(map(str, bits[start:start + 8])), 2)
        out += b"\xff\x00" if byte == 0xFF else bytes([byte])
    return out + b"\xff\xd9"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    def write(name, data):
        with open(os.path.join(out, name), "wb") as file:
            file.write(data)

    for kind in ("tuple", "list", "dict"):
        write(f"deep_{kind}_legacy.pth", legacy_wrap(nested_pickle(kind, 100_000)))
        write(f"deep_{kind}_zip.pth", zip_checkpoint(nested_pickle(kind, 100_000)))
    write("deep_tuple_30k_legacy.pth", legacy_wrap(nested_pickle("tuple", 30_000)))
    write("stride0_1e6x1e6.pth", zip_checkpoint(state_dict_pickle("conv1.weight", 1, [10**6, 10**6], [0, 0]),
                                                [("0", struct.pack("<f", 1))]))
    write("stride0_40000x40000.pth", zip_checkpoint(state_dict_pickle("conv1.weight", 1, [40_000, 40_000], [0, 0]),
                                                    [("0", struct.pack("<f", 1))]))
    write("shape_2e32x2e32.pth", zip_checkpoint(state_dict_pickle("conv1.weight", 1, [2**32, 2**32], [1, 1]),
                                                [("0", struct.pack("<f", 1))]))
    write("header_2e63.safetensors", safetensors("{}", length=2**63 - 8))
    write("shape_2e32x2e32.safetensors",
          safetensors('{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}', bytes(16)))
    write("overlap.safetensors",
          safetensors('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                      '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', bytes(12)))
    write("negative_shape.npy", npy("<f4", "(-1, 3)", bytes(64)))
    write("overflow_shape.npy", npy("<f4", "(4294967296, 4294967296)", bytes(64)))
    write("dtype_i0.npy", npy("<i0", "(1, 1, 28, 28)", bytes(64)))
    write("dtype_f-4.npy", npy("<f-4", "(1, 1, 28, 28)", bytes(64)))

    os.makedirs(os.path.join(out, "idx_overflow"), exist_ok=True)
    write("idx_overflow/t10k-images-idx3-ubyte", idx([0xFFFFFFFF] * 3))
    write("idx_overflow/t10k-labels-idx1-ubyte", idx([2], b"\x01\x02"))
    os.makedirs(os.path.join(out, "idx_gzip_bomb"), exist_ok=True)
    # The header announces 2 images of 28x28; 4 GB of zeros follow, in about 4 MB.
    stream = io.BytesIO()
    with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=9) as bomb:
        bomb.write(idx([2, 28, 28], bytes(2 * 28 * 28)))
        zeros = bytes(1 << 24)
        for _ in range(256):
            bomb.write(zeros)
    write("idx_gzip_bomb/t10k-images-idx3-ubyte.gz", stream.getvalue())
    write("idx_gzip_bomb/t10k-labels-idx1-ubyte", idx([2], b"\x01\x02"))

    generator = random.Random(11)
    levels = [(generator.randrange(256),) for _ in range(64 * 64)]
    write("bomb_65500.jpg", jpeg(16, 16, lambda block: (128,), claimed=(65500, 65500)))
    whole = jpeg(512, 512, lambda block: levels[block])
    scan = whole.index(b"\xff\xda")
    write("truncated.jpg", whole[:scan + (len(whole) - scan) // 10] + b"\xff\xd9")
    write("whole.jpg", whole)
    write("cmyk_adobe.jpg", jpeg(64, 64, lambda block: (200, 100, 50, 255), adobe_transform=0))
    write("ycck_adobe.jpg", jpeg(64, 64, lambda block: (200, 128, 128, 255), adobe_transform=2))
    write("bomb_20000.png", gray_png(20_000, 20_000))  # zeros: about 389 KB
    write("digit.png", gray_png(28, 28, lambda y: bytes((x * y) % 256 for x in range(28))))


if __name__ == "__main__":
    main()
