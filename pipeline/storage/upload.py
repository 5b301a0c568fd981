"""Upload files and bytes safely: checksummed, verified after multipart, honest about races."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import botocore.exceptions as bx

from pipeline.errors import ConflictError, IntegrityError, NetworkError, StorageError
from pipeline.fsutil import file_stamp, read_json_cache, write_json_cache
from pipeline.storage import s3
from pipeline.storage.local import LocalFile, changed_error
from pipeline.structure.config import StorageConfig

log = logging.getLogger(__name__)

MULTIPART_THRESHOLD = 16 << 20
PART_SIZE = 8 << 20
STALE_UPLOAD_AGE = timedelta(hours=24)
PLAIN_MD5 = re.compile(r"^[0-9a-f]{32}$")
META_SHA = "sha256"  # x-amz-meta-sha256: what the writer meant to store (informative only)
T = TypeVar("T")


def b64(digest: bytes) -> str:
    """Return a digest as the base64 text Content-MD5 carries."""
    return base64.b64encode(digest).decode()


def multipart_etag(part_md5s: Iterable[bytes]) -> str:
    """Return the ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then -parts."""
    digests = list(part_md5s)
    joined = hashlib.md5(b"".join(digests), usedforsecurity=False).hexdigest()
    return f"{joined}-{len(digests)}"


def read_parts(path: Path) -> Iterator[bytes]:
    """Yield a file in PART_SIZE parts, the way a multipart upload sends it."""
    with path.open("rb") as f:
        while part := f.read(PART_SIZE):
            yield part


def file_multipart_etag(path: Path) -> str:
    """Return the multipart ETag this uploader's part size gives a local file."""
    return multipart_etag(hashlib.md5(p, usedforsecurity=False).digest() for p in read_parts(path))


def same_bytes(remote_etag: str, path: Path, size: int, md5: str) -> bool:
    """Return whether a listed ETag proves an object holds the bytes of a local file.

    A single-part ETag is the MD5 of the bytes; a multipart one is compared with the ETag our
    part size gives the file (another part size cannot be compared: counted as different).
    """
    if "-" not in remote_etag:
        return remote_etag == md5
    parts = remote_etag.rsplit("-", 1)[1]
    if not parts.isdigit() or int(parts) != max(1, -(-size // PART_SIZE)):
        return False
    return remote_etag == file_multipart_etag(path)


@dataclass(frozen=True)
class Sent:
    """What an upload put in the bucket: its checked ETag and the digests of the bytes sent."""

    etag: str
    sha256: str
    md5: str  # "" for a multipart upload (its parts' MD5s were checked instead)


def with_sha(args: dict[str, Any], sha256: str) -> dict[str, Any]:
    """Return put arguments with the SHA-256 of the bytes sent added to the object's metadata."""
    return {**args, "Metadata": {**args.get("Metadata", {}), META_SHA: sha256}}


def read_whole(f: LocalFile) -> bytes:
    """Return a file's bytes; refuse it unless it keeps its scanned size and mtime throughout."""
    if tuple(file_stamp(f.path)) != f.stamp:
        raise changed_error(f.rel)
    data = f.path.read_bytes()
    if len(data) != f.size or tuple(file_stamp(f.path)) != f.stamp:
        raise changed_error(f.rel)
    return data


class Uploader:
    """Upload files (multipart above a threshold) and keep a journal of unfinished multiparts."""

    def __init__(self, client: Any, storage: StorageConfig, journal: Path):
        self.client, self.storage, self.journal = client, storage, journal
        self.lock = threading.Lock()

    def _journal(self, upload_id: str, key: str | None) -> None:
        with self.lock:
            data = read_json_cache(self.journal)
            if key is None:
                data.pop(upload_id, None)
            else:
                data[upload_id] = key
            write_json_cache(self.journal, data)

    def abort_leftovers(self, prefix: str) -> int:
        """Abort multipart uploads an earlier run left behind (journalled, or older than a day)."""
        aborted = 0
        mine = read_json_cache(self.journal)
        cutoff = datetime.now(UTC) - STALE_UPLOAD_AGE
        with s3.translated(self.storage, "listing unfinished uploads"):
            resp = self.client.list_multipart_uploads(
                Bucket=self.storage.bucket, Prefix=f"{prefix}/" if prefix else ""
            )
        for up in resp.get("Uploads", []) or []:
            initiated = up.get("Initiated")
            if up["UploadId"] in mine or (initiated and initiated < cutoff):
                self._abort(up["Key"], up["UploadId"])
                aborted += 1
        for upload_id in mine:
            self._journal(upload_id, None)
        if aborted:
            log.info("aborted %d unfinished multipart upload(s)", aborted)
        return aborted

    def _abort(self, key: str, upload_id: str) -> None:
        with s3.translated(self.storage, f"aborting the unfinished upload of {key}"):
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.storage.bucket, Key=key, UploadId=upload_id
                )
            except bx.ClientError as exc:
                if s3.error_code(exc) not in ("NoSuchUpload", "404"):
                    raise
        self._journal(upload_id, None)

    def put(
        self,
        f: LocalFile,
        key: str,
        *,
        args: dict[str, Any],
        on_bytes: Callable[[int], None] = lambda n: None,
    ) -> Sent:
        """Upload one file to key with the given put_object arguments; return what was sent.

        The file is read once: its SHA-256 (x-amz-meta-sha256, the manifest) and MD5
        (Content-MD5) come from the very bytes sent, so a stale hash cannot be published; a
        file that is not the one scanned, or changes while read, is refused. Bytes that arrive
        different (refused by Content-MD5, or an ETag that is not the one the file gives) are
        sent once more; a second mismatch raises IntegrityError.
        """
        conditional = "IfMatch" in args or "IfNoneMatch" in args
        if f.size > MULTIPART_THRESHOLD and not conditional:
            return self._twice(key, lambda: self._multipart(f, key, args, on_bytes))
        data = read_whole(f)
        sha256 = hashlib.sha256(data).hexdigest()
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        planned = f.digests.known(f, "sha256")
        if planned is not None and planned != sha256:
            raise changed_error(f.rel)  # the plan decided on other bytes than these
        args = with_sha(args, sha256)

        def send() -> str:
            with s3.translated(self.storage, f"uploading {key}"):
                resp = self.client.put_object(
                    Bucket=self.storage.bucket,
                    Key=key,
                    Body=data,
                    ContentMD5=b64(bytes.fromhex(md5)),
                    **args,
                )
            etag = resp["ETag"].strip('"')
            self._check(key, etag, md5)
            on_bytes(f.size)
            return etag

        if conditional:
            return Sent(self._conditional(key, sha256, lambda: self._twice(key, send)), sha256, md5)
        return Sent(self._twice(key, send), sha256, md5)

    def put_bytes(self, data: bytes, key: str, args: dict[str, Any]) -> str:
        """Upload bytes (the manifest) with the given arguments; return the checked ETag."""
        md5 = hashlib.md5(data, usedforsecurity=False)

        def send() -> str:
            with s3.translated(self.storage, f"writing {key}"):
                resp = self.client.put_object(
                    Bucket=self.storage.bucket,
                    Key=key,
                    Body=data,
                    ContentMD5=b64(md5.digest()),
                    **args,
                )
            etag = resp["ETag"].strip('"')
            self._check(key, etag, md5.hexdigest())
            return etag

        sha = hashlib.sha256(data).hexdigest()
        if "IfMatch" in args or "IfNoneMatch" in args:
            return self._conditional(key, sha, lambda: self._twice(key, send))
        return self._twice(key, send)

    def _check(self, key: str, etag: str, expected: str) -> None:
        """Raise IntegrityError if the ETag the server gave is not the one our bytes give."""
        # Servers that encrypt with their own keys give other ETags: only an MD5 can be checked.
        if etag != expected and (PLAIN_MD5.match(etag) or "-" in etag):
            raise IntegrityError(
                f"uploading {key}: the bucket holds other bytes than were sent "
                f"(ETag {etag}, expected {expected}); publish again"
            )

    def _twice(self, key: str, send: Callable[[], T]) -> T:
        """Run send; when the bytes arrived different, send them once more."""
        try:
            return send()
        except IntegrityError:
            log.warning("%s: the bytes arrived different from the file; sending them again", key)
        return send()

    def _conditional(self, key: str, sha256: str, send: Callable[[], str]) -> str:
        """Run a conditional write; on 412 or a lost reply, read the object back before failing.

        botocore retries a write whose reply was lost, and the retry then fails its own
        condition: if what the bucket holds is what we sent, the write did succeed.
        """
        try:
            return send()
        except (ConflictError, NetworkError) as exc:
            if isinstance(exc, NetworkError) and exc.kind == "unreachable":
                raise
            try:
                found = s3.fetch(self.client, self.storage, key, s3.sha256_stream)
            except StorageError:
                raise exc from None  # the read-back failed too: report the first failure
            if found is None or found[0][0] != sha256:
                raise
            log.info("%s: the write landed although its reply was lost", key)
            return found[1]

    def _part(self, key: str, upload_id: str, number: int, part: bytes) -> dict[str, Any]:
        """Upload one part with its Content-MD5; send it again once if it arrived different."""
        digest = hashlib.md5(part, usedforsecurity=False)

        def send() -> str:
            with s3.translated(self.storage, f"uploading {key} (part {number})"):
                resp = self.client.upload_part(
                    Bucket=self.storage.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=part,
                    ContentMD5=b64(digest.digest()),
                )
            etag = resp["ETag"].strip('"')
            self._check(f"{key} (part {number})", etag, digest.hexdigest())
            return etag

        return {"PartNumber": number, "ETag": self._twice(key, send), "MD5": digest.digest()}

    def _multipart(
        self, f: LocalFile, key: str, args: dict[str, Any], on_bytes: Callable[[int], None]
    ) -> Sent:
        """Upload a large file in parts; refuse it unless the parts sent hash to its SHA-256.

        The SHA-256 goes into the object's metadata before the first part, so it is taken
        first (or known from the plan); the parts are hashed again as they are sent, and the
        upload completes only if both agree and the file kept its size and mtime.
        """
        bucket = self.storage.bucket
        sha256 = f.sha256  # from the plan or the cache, else hashed here
        with s3.translated(self.storage, f"starting the upload of {key}"):
            upload_id = self.client.create_multipart_upload(
                Bucket=bucket, Key=key, **with_sha(args, sha256)
            )["UploadId"]
        self._journal(upload_id, key)
        parts = []
        try:
            sent = hashlib.sha256()
            for number, part in enumerate(read_parts(f.path), start=1):
                sent.update(part)
                parts.append(self._part(key, upload_id, number, part))
                on_bytes(len(part))
            if sent.hexdigest() != sha256 or tuple(file_stamp(f.path)) != f.stamp:
                raise changed_error(f.rel)
            expected = multipart_etag(p.pop("MD5") for p in parts)
            with s3.translated(self.storage, f"completing the upload of {key}"):
                resp = self.client.complete_multipart_upload(
                    Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
                )
        except BaseException:
            # Best effort: if the server is gone, the journal lets the next run abort it.
            try:
                self._abort(key, upload_id)
            except StorageError:
                log.info("could not abort the upload of %s now; the next run will", key)
            raise
        self._journal(upload_id, None)
        etag = resp["ETag"].strip('"')
        self._check(key, etag, expected)
        head = s3.head_object(self.client, self.storage, key) or {}
        if head.get("ContentLength") != f.size or head.get("ETag", "").strip('"') != etag:
            raise IntegrityError(
                f"uploading {key}: the bucket holds {head.get('ContentLength')} bytes "
                f"(ETag {head.get('ETag', '').strip(chr(34))}), not the {f.size} sent; "
                "publish again"
            )
        return Sent(etag, sha256, "")
