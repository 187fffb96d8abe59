"""Photographs of posted notices: checked before anything is stored.

A photo must be a JPEG, PNG or WebP image (what phones take; the file's content decides, not its name),
at most PHOTO_MAX_BYTES, with a sensible number of pixels, and must decode completely. Pillow is asked to
try only those three formats, so a file that would start another decoder (EPS and its Ghostscript, for
one) is refused as "not a photo"; the pixel count is read from the header and checked before decoding,
so a small file that inflates to gigabytes (a decompression bomb) is refused without being decoded.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .common import WorkflowError

#: Pillow format → (content type served, suffix stored).
PHOTO_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
PHOTO_MAX_BYTES = 10 * 1024 * 1024
#: A 48-megapixel phone photo passes; a header claiming more is refused before decoding.
PHOTO_MAX_PIXELS = 60_000_000
#: A photo of a posted notice is legible only above this (shorter side, pixels).
PHOTO_MIN_SIDE = 200
#: Photos one notice may carry (several boards, close-ups of the list).
PHOTOS_PER_NOTICE = 12


@dataclass(frozen=True)
class PhotoInfo:
    content_type: str
    suffix: str
    width: int
    height: int
    size: int
    sha256: str


def _not_a_photo(name: str) -> WorkflowError:
    return WorkflowError(_("“%(name)s”不是可以打开的照片：请上传 JPG、PNG 或 WebP 格式的照片。"
                           "苹果手机拍摄的 HEIC 照片请先在“设置—相机—格式”中选择“兼容性最佳”后重新拍摄，"
                           "或导出为 JPG。") % {"name": name})


def photo_check(upload) -> PhotoInfo:
    """The checked photo's format, size and digest, or WorkflowError (Chinese) for anything else."""
    name = upload.name or _("照片")
    if upload.size == 0:
        raise WorkflowError(_("“%(name)s”是空文件。") % {"name": name})
    if upload.size > PHOTO_MAX_BYTES:
        raise WorkflowError(_("“%(name)s”有 %(mb).1f MB，照片不能超过 %(max)d MB：请压缩后或在手机上选择较小的尺寸重新上传。")
                            % {"name": name, "mb": upload.size / 2**20, "max": PHOTO_MAX_BYTES // 2**20})
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(PHOTO_FORMATS)) as image:
                width, height = image.size
                if width * height > PHOTO_MAX_PIXELS:
                    raise WorkflowError(_("“%(name)s”有 %(w)d × %(h)d 像素，超过上限（%(max)d 万像素），不能上传。")
                                        % {"name": name, "w": width, "h": height, "max": PHOTO_MAX_PIXELS // 10_000})
                if min(width, height) < PHOTO_MIN_SIDE:
                    raise WorkflowError(_("“%(name)s”只有 %(w)d × %(h)d 像素，看不清公示内容：请上传清晰的照片。")
                                        % {"name": name, "w": width, "h": height})
                fmt = image.format
                if fmt == "JPEG":
                    # Decode at an eighth of the size: every byte of the stream is still read and checked.
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except WorkflowError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own ceiling, from the header
        raise WorkflowError(_("“%(name)s”的像素数超过上限（%(max)d 万像素），不能上传。")
                            % {"name": name, "max": PHOTO_MAX_PIXELS // 10_000}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        raise _not_a_photo(name) from None
    finally:
        upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    content_type, suffix = PHOTO_FORMATS[fmt]
    return PhotoInfo(content_type=content_type, suffix=suffix, width=width, height=height, size=upload.size,
                     sha256=digest.hexdigest())
