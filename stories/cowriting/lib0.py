"""Strict reads of lib0's binary encoding (what Yjs updates and y-protocols messages are made of).

`Reader` reads every value bounded, on bytes from a client. It once extended pycrdt's `Decoder`, whose reads
are not enough there (`tests/stories/test_crdt.py` pins each reason): its `read_var_uint` takes a varuint
of any length, at a cost that grows with the square of that length, and reads past the end (`IndexError`);
its `read_message` returns a short slice for a length beyond the end; its `read_var_string` returns "" at
the end and raises on invalid UTF-8. Reading here also costs a quarter of pycrdt's per varuint, and leans
on none of `Decoder`'s attributes (docs/private-seams.md).
"""

from __future__ import annotations

import builtins

MAX_VARUINT_BYTES = 10  # 64 bits: more than any client id, clock or length a Yjs client writes
MAX_ANY_DEPTH = 100
# lib0 `any` tags followed by a fixed number of bytes: undefined, null, false, true, float32, float64, bigint
_FIXED_ANY = {127: 0, 126: 0, 121: 0, 120: 0, 124: 4, 123: 8, 122: 8}
_VARINT, _STRING, _OBJECT, _ARRAY, _BYTES = 125, 119, 118, 117, 116


class Reader:
    """A lib0 reader that raises `error` on anything it cannot read (subclasses name their own error)."""

    error: type[ValueError] = ValueError

    def __init__(self, stream: bytes) -> None:
        self.stream = stream
        self.i0 = 0  # the next byte to read
        self.length = len(stream)  # bytes left

    def uint(self) -> int:
        """A varuint of at most `MAX_VARUINT_BYTES` bytes (read here: pycrdt's loop costs four times more)."""
        start = self.i0
        if self.length <= 0:
            raise self.error("truncated")
        byte = self.stream[start]
        if byte < 0x80:  # most varuints are one byte
            self.i0 = start + 1
            self.length -= 1
            return byte
        value, shift, i = byte & 0x7F, 7, start + 1
        end = start + min(self.length, MAX_VARUINT_BYTES)
        while i < end:
            byte = self.stream[i]
            i += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.length -= i - start
                self.i0 = i
                return value
            shift += 7
        raise self.error("truncated" if self.length < MAX_VARUINT_BYTES else "varuint too long")

    def var_bytes(self) -> bytes:
        """A varUint8Array (length, then bytes) that ends within the data."""
        size = self.uint()
        if size > self.length:
            raise self.error("truncated")
        chunk = self.stream[self.i0 : self.i0 + size]
        self.i0 += size
        self.length -= size
        return chunk

    def string(self) -> str:
        """A varString; bytes that are not UTF-8 are replaced, as a JavaScript reader does."""
        return self.var_bytes().decode("utf-8", errors="replace")

    def byte(self) -> int:
        if self.length <= 0:
            raise self.error("truncated")
        value = self.stream[self.i0]
        self.i0 += 1
        self.length -= 1
        return value

    def take(self, count: int) -> bytes:
        """`count` raw bytes."""
        if count > self.length:
            raise self.error("truncated")
        chunk = self.stream[self.i0 : self.i0 + count]
        self.i0 += count
        self.length -= count
        return chunk

    def int(self) -> int:
        """A signed varint: sign in the first byte's 0x40 bit, 6 value bits there and 7 in each next byte."""
        byte = self.byte()
        value, negative, shift = byte & 0x3F, byte & 0x40, 6
        while byte & 0x80:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            shift += 7
            if shift > 7 * MAX_VARUINT_BYTES:
                raise self.error("varint too long")
        return -value if negative else value

    def skip_any(self, depth: builtins.int = 0) -> builtins.int:  # `int` here is Reader.int
        """Read past one lib0 `any` value (JSON-like, with undefined, bigints and bytes); the length in
        characters of the longest string in it (0 if none), keys aside."""
        if depth > MAX_ANY_DEPTH:
            raise self.error("value nested too deeply")
        tag = self.byte()
        longest = 0
        if tag in _FIXED_ANY:
            self.take(_FIXED_ANY[tag])
        elif tag == _VARINT:
            self.int()
        elif tag == _STRING:
            longest = len(self.var_bytes().decode("utf-8", errors="replace"))
        elif tag == _BYTES:
            self.var_bytes()
        elif tag == _OBJECT:
            for _ in range(self.uint()):
                self.var_bytes()
                longest = max(longest, self.skip_any(depth + 1))
        elif tag == _ARRAY:
            for _ in range(self.uint()):
                longest = max(longest, self.skip_any(depth + 1))
        else:
            raise self.error(f"unknown value tag {tag}")
        return longest


def uints(data: bytes, error: type[ValueError] = ValueError) -> list[int]:
    """Every varuint of `data`, which holds nothing else (e.g. a state vector); `error` if it cannot."""
    values: list[int] = []
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            values.append(value)
            value = shift = 0
        else:
            shift += 7
            if shift >= 7 * MAX_VARUINT_BYTES:
                raise error("varuint too long")
    if shift:
        raise error("truncated")
    return values
