"""A multipart/form-data body streamed from disk.

requests' ``files=`` builds the whole body in memory; a 7.5 MB sample then costs about twice that
per upload in flight. This reader yields the same bytes in small blocks, knows its length (so the
request carries Content-Length, not chunked encoding) and can seek back to the start, which
urllib3 needs to resend a clone the server refused with 429. It also checks, as the last file
byte goes out, that the content is the one validated; if not it aborts before the closing
boundary, so the server never receives a complete request.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from voicesync.errors import VoicesyncError

BLOCK_BYTES = 64 * 1024


class SampleChangedError(VoicesyncError):
    """The sample file changed between validation and upload."""


class SampleUnreadableError(VoicesyncError):
    """The sample could not be opened for upload (deleted or moved since the plan): nothing
    was sent."""


class MultipartFile(io.RawIOBase):
    """``fields`` as text parts, then the file at ``path`` as the ``file`` part."""

    def __init__(
        self,
        fields: Mapping[str, str],
        path: Path,
        *,
        filename: str,
        content_type: str,
        expected_sha256: str | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._file: BinaryIO | None = None  # close() may run (IOBase's finalizer) if open fails
        self.boundary = secrets.token_hex(16)
        head = b"".join(self._text_part(k, v) for k, v in fields.items())
        head += (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{_quote(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._head = head
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._path = path
        try:
            # Opened now, before anything is sent: a file removed later still reads in full.
            self._file = path.open("rb")
            self._file_size = os.fstat(self._file.fileno()).st_size
        except OSError as exc:
            raise SampleUnreadableError(
                f"sample {path} cannot be read ({exc.strerror}); it was there when the plan "
                "was made, and nothing was sent",
                hint="restore the file (or change voices.yaml), then apply again",
            ) from None
        self._expected = expected_sha256
        self._on_sent = on_sent  # called each time the last byte is handed over (also on resends)
        self._pos = 0
        self._digest = hashlib.sha256()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self._head) + self._file_size + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(BLOCK_BYTES):
            yield chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence != io.SEEK_SET or offset != 0:
            raise io.UnsupportedOperation("only a rewind to the start is supported")
        self._pos = 0
        self._digest = hashlib.sha256()
        return 0

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = len(self) - self._pos
        out = bytearray()
        while len(out) < size and self._pos < len(self):
            out += self._read_some(size - len(out))
        return bytes(out)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        super().close()

    def _read_some(self, size: int) -> bytes:
        head, body_end = len(self._head), len(self._head) + self._file_size
        if self._pos < head:
            chunk = self._head[self._pos : self._pos + size]
        elif self._pos < body_end:
            chunk = self._read_file(min(size, BLOCK_BYTES, body_end - self._pos))
        else:
            start = self._pos - body_end
            chunk = self._tail[start : start + size]
        self._pos += len(chunk)
        if chunk and self._pos == len(self) and self._on_sent is not None:
            self._on_sent()
        return chunk

    def _read_file(self, size: int) -> bytes:
        if self._file is None:
            raise SampleChangedError(f"{self._path} was closed before the upload ended")
        self._file.seek(self._pos - len(self._head))
        chunk = self._file.read(size)
        if not chunk:
            raise SampleChangedError(f"{self._path} became shorter during the upload")
        self._digest.update(chunk)
        if self._pos + len(chunk) == len(self._head) + self._file_size:
            self._check_digest()
        return chunk

    def _check_digest(self) -> None:
        if self._expected is not None and self._digest.hexdigest() != self._expected:
            raise SampleChangedError(
                f"{self._path} changed after it was validated; the upload was aborted",
                hint="run the command again so the new content is planned and validated",
            )

    def _text_part(self, name: str, value: str) -> bytes:
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quote(name)}"\r\n\r\n{value}\r\n'
        ).encode()


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "").replace("\n", "")
