"""A boto3 client for S3-compatible servers, its errors as clean messages, and safe uploads."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions as bx
from botocore.config import Config as BotoConfig

from pipeline.errors import ConflictError, StorageError
from pipeline.fsutil import read_json_cache, write_json_cache
from pipeline.structure.config import StorageConfig

log = logging.getLogger(__name__)

MULTIPART_THRESHOLD = 16 << 20
PART_SIZE = 8 << 20
STALE_UPLOAD_AGE = timedelta(hours=24)
CONFLICT_CODES = {
    "PreconditionFailed",
    "ConditionalRequestConflict",
    "OperationAborted",
    "412",
    "409",
}
AUTH_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}
NETWORK_ERRORS = (
    bx.EndpointConnectionError,
    bx.ConnectTimeoutError,
    bx.ReadTimeoutError,
    bx.ConnectionClosedError,
    bx.ProxyConnectionError,
)


def make_client(
    storage: StorageConfig, *, max_attempts: int = 4, connect_timeout: float = 3.0
) -> Any:
    """Return an S3 client: credentials from the AWS chain only, bounded standard retries."""
    session = boto3.session.Session()
    if session.get_credentials() is None:
        raise StorageError(
            "no S3 credentials found: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or set AWS_PROFILE); they are never read from pipeline.toml"
        )
    config = BotoConfig(
        region_name=storage.region,
        s3={"addressing_style": storage.addressing_style},
        retries={"mode": "standard", "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=60,
        max_pool_connections=32,
        # S3-compatible servers reject or mishandle the newer default CRC checksums.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return session.client("s3", endpoint_url=storage.endpoint_url, config=config)


def error_code(exc: bx.ClientError) -> str:
    """Return the S3 error code, or the HTTP status when the body carried none."""
    err = exc.response.get("Error", {})
    return str(err.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


@contextmanager
def translated(storage: StorageConfig, what: str) -> Iterator[None]:
    """Turn botocore failures into StorageError lines that name the operation, never a secret."""
    where = storage.endpoint_url or "AWS S3"
    try:
        yield
    except NETWORK_ERRORS as exc:
        raise StorageError(
            f"{what}: cannot reach {where} ({type(exc).__name__}); "
            "nothing is lost: run the publish again once the server answers"
        ) from None
    except bx.NoCredentialsError:
        raise StorageError(f"{what}: no S3 credentials found (AWS_ACCESS_KEY_ID...)") from None
    except bx.ClientError as exc:
        code = error_code(exc)
        if code in CONFLICT_CODES:
            raise ConflictError(
                f"{what}: someone else published in the meantime (HTTP {code}); "
                "nothing of theirs was overwritten: update your tree and publish again"
            ) from None
        if code in AUTH_CODES:
            raise StorageError(
                f"{what}: {where} rejected the credentials ({code}); check AWS_ACCESS_KEY_ID "
                "and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
            ) from None
        if code in ("NoSuchBucket",):
            raise StorageError(missing_bucket(storage)) from None
        if code in ("AccessDenied", "403"):
            raise StorageError(
                f"{what}: access denied by {where} for bucket {storage.bucket}"
            ) from None
        raise StorageError(f"{what}: {where} answered {code}") from None
    except bx.BotoCoreError as exc:
        raise StorageError(f"{what}: {type(exc).__name__}: {exc}") from None


def missing_bucket(storage: StorageConfig) -> str:
    """Return the message for a bucket that does not exist."""
    return (
        f"bucket {storage.bucket!r} does not exist at {storage.endpoint_url or 'AWS S3'}; "
        "create it (or pass --create-bucket for a local server)"
    )


def check_bucket(client: Any, storage: StorageConfig, create: bool = False) -> None:
    """Make sure the bucket exists and the credentials may use it; create it if asked."""
    try:
        with translated(storage, f"checking bucket {storage.bucket}"):
            client.head_bucket(Bucket=storage.bucket)
        return
    except StorageError as exc:
        if "cannot reach" in str(exc):
            raise  # retried already: asking again would only double the wait
    # HEAD carries no error body: ask again with a LIST to learn why.
    try:
        with translated(storage, f"checking bucket {storage.bucket}"):
            client.list_objects_v2(Bucket=storage.bucket, MaxKeys=1)
        return
    except StorageError as exc:
        if not create or "does not exist" not in str(exc):
            raise
    with translated(storage, f"creating bucket {storage.bucket}"):
        client.create_bucket(Bucket=storage.bucket)
    log.info("created bucket %s", storage.bucket)


def bucket_exists(client: Any, storage: StorageConfig) -> bool:
    """Return whether the bucket exists; any other failure raises StorageError."""
    with translated(storage, f"checking bucket {storage.bucket}"):
        try:
            client.list_objects_v2(Bucket=storage.bucket, MaxKeys=1)
        except bx.ClientError as exc:
            if error_code(exc) in ("NoSuchBucket", "404"):
                return False
            raise
    return True


@dataclass(frozen=True)
class RemoteObject:
    """One object as a LIST shows it."""

    size: int
    etag: str


def list_objects(client: Any, storage: StorageConfig, prefix: str) -> dict[str, RemoteObject]:
    """Return every object under prefix (full keys)."""
    found: dict[str, RemoteObject] = {}
    with translated(storage, "listing the bucket"):
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=storage.bucket, Prefix=f"{prefix}/" if prefix else ""
        )
        for page in pages:
            for obj in page.get("Contents", []):
                found[obj["Key"]] = RemoteObject(int(obj["Size"]), obj["ETag"].strip('"'))
    return found


def get_object(client: Any, storage: StorageConfig, key: str) -> tuple[bytes, str] | None:
    """Return (body, etag) of an object, or None if it does not exist."""
    with translated(storage, f"reading {key}"):
        try:
            resp = client.get_object(Bucket=storage.bucket, Key=key)
        except bx.ClientError as exc:
            if error_code(exc) in ("NoSuchKey", "404"):
                return None
            raise
        return resp["Body"].read(), resp["ETag"].strip('"')


def head_object(client: Any, storage: StorageConfig, key: str) -> dict[str, Any] | None:
    """Return an object's HEAD response, or None if it does not exist."""
    with translated(storage, f"checking {key}"):
        try:
            return client.head_object(Bucket=storage.bucket, Key=key)
        except bx.ClientError as exc:
            if error_code(exc) in ("NoSuchKey", "404", "NotFound"):
                return None
            raise


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
        with translated(self.storage, "listing unfinished uploads"):
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
        with translated(self.storage, f"aborting the unfinished upload of {key}"):
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.storage.bucket, Key=key, UploadId=upload_id
                )
            except bx.ClientError as exc:
                if error_code(exc) not in ("NoSuchUpload", "404"):
                    raise
        self._journal(upload_id, None)

    def put(
        self,
        path: Path,
        key: str,
        *,
        md5: str,
        args: dict[str, Any],
        on_bytes: Callable[[int], None] = lambda n: None,
    ) -> str:
        """Upload one file to key with the given put_object arguments; return its ETag."""
        size = path.stat().st_size
        if size > MULTIPART_THRESHOLD and "IfMatch" not in args and "IfNoneMatch" not in args:
            return self._multipart(path, key, size, args, on_bytes)
        with translated(self.storage, f"uploading {key}"), path.open("rb") as body:
            md5_b64 = base64.b64encode(bytes.fromhex(md5)).decode()
            resp = self.client.put_object(
                Bucket=self.storage.bucket, Key=key, Body=body, ContentMD5=md5_b64, **args
            )
        on_bytes(size)
        return resp["ETag"].strip('"')

    def put_bytes(self, data: bytes, key: str, args: dict[str, Any]) -> str:
        """Upload bytes (the manifest) with the given arguments; return the ETag."""
        with translated(self.storage, f"writing {key}"):
            resp = self.client.put_object(Bucket=self.storage.bucket, Key=key, Body=data, **args)
        return resp["ETag"].strip('"')

    def _multipart(
        self, path: Path, key: str, size: int, args: dict[str, Any], on_bytes: Callable[[int], None]
    ) -> str:
        bucket = self.storage.bucket
        with translated(self.storage, f"starting the upload of {key}"):
            upload_id = self.client.create_multipart_upload(Bucket=bucket, Key=key, **args)[
                "UploadId"
            ]
        self._journal(upload_id, key)
        parts = []
        try:
            with translated(self.storage, f"uploading {key}"), path.open("rb") as f:
                for number in range(1, (size + PART_SIZE - 1) // PART_SIZE + 1):
                    chunk = f.read(PART_SIZE)
                    resp = self.client.upload_part(
                        Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=chunk
                    )
                    parts.append({"PartNumber": number, "ETag": resp["ETag"]})
                    on_bytes(len(chunk))
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
        return resp["ETag"].strip('"')
