"""Pickled messages between leadbot and a child process it started (the capture process,
the list reader): each message is its length (8 bytes, big-endian), then the pickle. Only
the parent and its own child ever read them."""

from __future__ import annotations

import asyncio
import os
import pickle
import struct
import sys
from typing import Any, BinaryIO, Final

LENGTH: Final = struct.Struct(">Q")


def frame(message: object) -> bytes:
    """One message as written to the pipe."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


async def read_message(stream: asyncio.StreamReader) -> Any:
    """The next message (asyncio.IncompleteReadError once the other end has gone)."""
    (size,) = LENGTH.unpack(await stream.readexactly(LENGTH.size))
    return pickle.loads(await stream.readexactly(size))


def read_message_blocking(stream: BinaryIO) -> Any:
    """The next message, or None once the other end has closed the stream."""
    header = stream.read(LENGTH.size)
    if len(header) < LENGTH.size:
        return None
    (size,) = LENGTH.unpack(header)
    return pickle.loads(stream.read(size))


def message_channel() -> BinaryIO:
    """The child's standard output for messages only: a stray print goes to standard
    error instead, and can never break a message."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return channel
