"""A botocore S3 client for S3-compatible servers, its failures as clean messages, and bounded reads."""

from __future__ import annotations

import hashlib
import http.client
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import botocore.exceptions as bx
import botocore.session
from botocore.config import Config as BotoConfig
from urllib3.exceptions import ProtocolError

from pipeline.errors import (
    ConflictError,
    IntegrityError,
    MissingBucketError,
    NetworkError,
    StorageError,
)
from pipeline.fsutil import CHUNK
from pipeline.structure.config import StorageConfig

log = logging.getLogger(__name__)

T = TypeVar("T")

# botocore's standard mode, 3 attempts in all (its max_attempts would count retries only);
# it waits at most 1 s then 2 s between them (far less unless the server throttles).
ATTEMPTS = 3
BACKOFF_BUDGET = 3.0
MAX_CONNECT_TIMEOUT = 3.0
# Our own retries of a GET whose body was cut (botocore retries only until the headers arrive).
READ_ATTEMPTS = 3
READ_BACKOFF = 0.5
CONFLICT_CODES = {
    "PreconditionFailed",
    "ConditionalRequestConflict",
    "OperationAborted",
    "412",
    "409",
}
AUTH_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}
DIGEST_CODES = {"BadDigest", "InvalidDigest"}
TIMEOUTS = (bx.ConnectTimeoutError, bx.ReadTimeoutError)
UNREACHABLE = (bx.EndpointConnectionError, bx.ProxyConnectionError)
# A connection that was cut mid-request or mid-body: before or after the server acted on it.
LOST = (
    bx.ConnectionClosedError,
    bx.ResponseStreamingError,
    bx.IncompleteReadError,
    bx.HTTPClientError,
    ProtocolError,
    http.client.HTTPException,
    ConnectionError,
)
CUT_BODY = (
    bx.ResponseStreamingError,
    bx.IncompleteReadError,
    ProtocolError,
    http.client.HTTPException,
)


def public_endpoint(url: str | None) -> str:
    """Return an endpoint URL fit to print: without user:password@, or "AWS S3" for none."""
    if not url:
        return "AWS S3"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def timeouts(total: float) -> tuple[float, float]:
    """Return (connect, read) timeouts so that every attempt on a silent server fits in total."""
    read = max(1.0, (total - BACKOFF_BUDGET) / ATTEMPTS)
    return min(MAX_CONNECT_TIMEOUT, read), read


def make_client(storage: StorageConfig) -> Any:
    """Return an S3 client: credentials from the AWS chain only, bounded retries and timeouts."""
    # botocore without boto3: the same client and credential chain, 0.1 s less to import.
    session = botocore.session.get_session()
    if session.get_credentials() is None:
        raise StorageError(
            "no S3 credentials found: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or set AWS_PROFILE); they are never read from pipeline.toml"
        )
    connect, read = timeouts(storage.timeout)
    config = BotoConfig(
        region_name=storage.region,
        # No SHA-256 of the body in the signature: on plain-http endpoints botocore would hash
        # every body again (0.6 ms/MB). Every object and part we send carries Content-MD5, a
        # signed header the server checks the bytes against (botocore does the same by itself
        # on https), and a completed multipart upload is checked by its ETag.
        s3={"addressing_style": storage.addressing_style, "payload_signing_enabled": False},
        retries={"mode": "standard", "total_max_attempts": ATTEMPTS},
        connect_timeout=connect,
        read_timeout=read,
        max_pool_connections=32,
        # S3-compatible servers reject or mishandle the newer default CRC checksums.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return session.create_client("s3", endpoint_url=storage.endpoint_url, config=config)


def error_code(exc: bx.ClientError) -> str:
    """Return the S3 error code, or the HTTP status when the body carried none."""
    err = exc.response.get("Error", {})
    return str(err.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


def _answered(exc: bx.ClientError) -> str:
    """Return "HTTP 503 SlowDown"-style text for what the server answered."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = error_code(exc)
    return f"HTTP {status} {code}" if status and str(status) != code else f"HTTP {code}"


@contextmanager
def translated(storage: StorageConfig, what: str) -> Iterator[None]:
    """Turn botocore failures into StorageError lines that say what happened, never a secret.

    Messages name the operation, the endpoint without userinfo and the error class or S3
    code; never a header, a signed URL or the library's own text.
    """
    where = public_endpoint(storage.endpoint_url)
    again = "nothing is lost: run it again once the server answers"
    try:
        yield
    except TIMEOUTS:
        raise NetworkError(
            f"{what}: timed out: {where} did not answer within {storage.timeout:g} s "
            f"({ATTEMPTS} attempts); {again}",
            "timeout",
        ) from None
    except UNREACHABLE as exc:
        raise NetworkError(
            f"{what}: cannot reach {where} ({type(exc).__name__}); {again}", "unreachable"
        ) from None
    except bx.SSLError:
        raise NetworkError(
            f"{what}: the TLS handshake with {where} failed", "unreachable"
        ) from None
    except LOST as exc:
        raise NetworkError(
            f"{what}: connection lost: {where} cut the connection mid-request "
            f"({type(exc).__name__}); {again}",
            "lost",
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
        if code in DIGEST_CODES:
            raise IntegrityError(
                f"{what}: {where} received other bytes than were sent ({code})"
            ) from None
        if code in ("NoSuchBucket",):
            raise MissingBucketError(missing_bucket(storage)) from None
        if code in ("AccessDenied", "403"):
            raise StorageError(
                f"{what}: access denied by {where} for bucket {storage.bucket}"
            ) from None
        raise StorageError(f"{what}: the server answered {_answered(exc)}") from None
    except bx.BotoCoreError as exc:
        # The class name only: botocore's text may carry a URL or a parameter value.
        raise StorageError(f"{what}: {type(exc).__name__}") from None


def missing_bucket(storage: StorageConfig) -> str:
    """Return the message for a bucket that does not exist."""
    return (
        f"bucket {storage.bucket!r} does not exist at {public_endpoint(storage.endpoint_url)}; "
        "create it (or pass --create-bucket for a local server)"
    )


def check_bucket(client: Any, storage: StorageConfig, create: bool = False) -> None:
    """Make sure the bucket exists and the credentials may use it; create it if asked."""
    what = f"checking bucket {storage.bucket}"
    try:
        with translated(storage, what):
            client.head_bucket(Bucket=storage.bucket)
        return
    except NetworkError:
        raise  # retried already: asking again would only double the wait
    except StorageError:
        pass  # HEAD carries no error body: ask again with a LIST to learn why
    try:
        with translated(storage, what):
            client.list_objects_v2(Bucket=storage.bucket, MaxKeys=1)
        return
    except MissingBucketError:
        if not create:
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


def ensure_cors(client: Any, storage: StorageConfig, rule: dict[str, Any]) -> bool:
    """Set the bucket's CORS rule unless it holds it already; False if the bucket refuses."""
    with translated(storage, f"setting CORS on bucket {storage.bucket}"):
        try:
            if client.get_bucket_cors(Bucket=storage.bucket).get("CORSRules") == [rule]:
                return True
        except bx.ClientError as exc:
            if error_code(exc) not in ("NoSuchCORSConfiguration", "404"):
                log.info("reading the bucket's CORS rules: %s", error_code(exc))
        try:
            client.put_bucket_cors(Bucket=storage.bucket, CORSConfiguration={"CORSRules": [rule]})
        except bx.ClientError as exc:
            log.info("the bucket refused a CORS rule: %s", error_code(exc))
            return False
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


def fetch(
    client: Any, storage: StorageConfig, key: str, consume: Callable[[Iterator[bytes]], T]
) -> tuple[T, str] | None:
    """GET an object, hand its body in chunks to consume; return (result, etag) or None if absent.

    A body cut mid-way is fetched again (READ_ATTEMPTS in all, with a short backoff), and
    consume starts over each time, so it must not keep state between calls.
    """
    for attempt in range(1, READ_ATTEMPTS + 1):
        with translated(storage, f"reading {key}"):
            try:
                resp = client.get_object(Bucket=storage.bucket, Key=key)
            except bx.ClientError as exc:
                if error_code(exc) in ("NoSuchKey", "404"):
                    return None
                raise
            try:
                return consume(resp["Body"].iter_chunks(CHUNK)), resp["ETag"].strip('"')
            except CUT_BODY as exc:
                if attempt == READ_ATTEMPTS:
                    raise
                log.info("reading %s: the body was cut (%s); again", key, type(exc).__name__)
            finally:
                resp["Body"].close()
        time.sleep(READ_BACKOFF * attempt)
    raise AssertionError("unreachable")  # the last attempt returns or raises


def sha256_stream(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Return the SHA-256 and length of a stream, holding one chunk at a time."""
    h, size = hashlib.sha256(), 0
    for chunk in chunks:
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def get_object(client: Any, storage: StorageConfig, key: str) -> tuple[bytes, str] | None:
    """Return (body, etag) of an object, or None if it does not exist."""
    return fetch(client, storage, key, b"".join)


def head_object(client: Any, storage: StorageConfig, key: str) -> dict[str, Any] | None:
    """Return an object's HEAD response, or None if it does not exist."""
    with translated(storage, f"checking {key}"):
        try:
            return client.head_object(Bucket=storage.bucket, Key=key)
        except bx.ClientError as exc:
            if error_code(exc) in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
