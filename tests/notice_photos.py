"""Photos for the 公示 photo upload tests, made where a test needs them: a real phone-like JPEG, and files
that must be refused (not images, images of the wrong kind, broken ones, a decompression bomb)."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_bytes(width: int = 640, height: int = 480) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    for x in range(0, width, 40):  # some content, so the encoder writes a real entropy-coded stream
        for y in range(height):
            image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def png_bytes(width: int = 400, height: int = 300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 40)).save(out, "PNG")
    return out.getvalue()


def png_bomb(side: int = 100_000) -> bytes:
    """A PNG whose header claims side × side pixels (10 gigapixels) over a few hundred bytes of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
            + chunk(b"IEND", b""))


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


#: (name, bytes, why it must be refused: words of the message)
def hostile() -> list[tuple[str, bytes, str]]:
    good = jpeg_bytes()
    gif = io.BytesIO()
    Image.new("RGB", (400, 300)).save(gif, "GIF")
    return [
        ("公示.jpg", "这不是照片，是改了扩展名的文本".encode(), "不是可以打开的照片"),
        ("公示.jpg", b"<html><script>alert(1)</script></html>", "不是可以打开的照片"),
        ("公示.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "不是可以打开的照片"),
        ("公示.eps", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 400 300\nshowpage\n", "不是可以打开的照片"),
        ("公示.gif", gif.getvalue(), "不是可以打开的照片"),
        ("截断.jpg", good[: len(good) // 2], "不是可以打开的照片"),
        ("炸弹.png", png_bomb(), "超过上限"),          # past Pillow's own ceiling
        ("大图.png", png_bomb(8000), "超过上限"),       # 64 megapixels: under Pillow's, over ours
        ("太小.jpg", jpeg_bytes(60, 40), "看不清公示内容"),
        ("空.jpg", b"", "空文件"),
    ]
