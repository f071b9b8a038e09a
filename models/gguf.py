"""Reading a GGUF file's header (metadata keys and tensor table) without loading the model."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from models.errors import ModelError

# GGUF value types, from ggml's gguf.h.
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
FILE_TYPES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
              12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
              19: "IQ2_XXS", 20: "IQ2_XS", 24: "IQ1_S", 25: "IQ4_NL", 28: "IQ4_XS", 32: "BF16"}
# Bytes per block and elements per block of each tensor type, to know how long the file must be.
_BLOCKS = {0: (4, 1), 1: (2, 1), 2: (18, 32), 3: (20, 32), 6: (22, 32), 7: (34, 32), 8: (22, 32), 9: (24, 32),
           10: (84, 256), 11: (110, 256), 12: (144, 256), 13: (176, 256), 14: (210, 256), 15: (292, 256), 30: (2, 1)}


@dataclass(frozen=True, slots=True)
class GGUFHeader:
    metadata: dict
    tensor_count: int
    data_end: int  # the file must be at least this long (0 when a tensor type is not known here)

    def get(self, key: str, default=None):
        return self.metadata.get(key, default)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def context_length(self) -> int:
        return int(self.metadata.get(f"{self.architecture}.context_length", 0) or 0)

    @property
    def quantisation(self) -> str:
        file_type = self.metadata.get("general.file_type")
        return FILE_TYPES.get(file_type, f"type {file_type}") if file_type is not None else ""

    @property
    def chat_template(self) -> str:
        return str(self.metadata.get("tokenizer.chat_template", "") or "")


def _read(f: BinaryIO, fmt: str):
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise EOFError
    return struct.unpack(fmt, data)[0]


def _string(f: BinaryIO) -> str:
    length = _read(f, "<Q")
    if length > 1 << 24:
        raise ValueError("string too long")
    data = f.read(length)
    if len(data) != length:
        raise EOFError
    return data.decode("utf-8", errors="replace")


def _value(f: BinaryIO, kind: int, keep: bool = True):
    if kind in _SCALARS:
        return _read(f, _SCALARS[kind])
    if kind == _STRING:
        return _string(f)
    if kind == _ARRAY:
        item_kind, count = _read(f, "<I"), _read(f, "<Q")
        if item_kind in _SCALARS and not keep:  # skip big arrays (the vocabulary) without decoding them
            f.seek(struct.calcsize(_SCALARS[item_kind]) * count, 1)
            return None
        values = [_value(f, item_kind, keep) for _ in range(count)]
        return values if keep else None
    raise ValueError(f"unknown value type {kind}")


def read_gguf_header(path: Path) -> GGUFHeader:
    """Metadata and expected length of a GGUF file; ModelError if it is not one or is cut short."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"GGUF":
                raise ModelError(f"{path}: not a GGUF model file. Frontdesk runs GGUF chat models (llama.cpp's format).")
            version = _read(f, "<I")
            if version < 2:
                raise ModelError(f"{path}: GGUF version {version} is too old. Convert the model again with a current llama.cpp.")
            tensor_count, kv_count = _read(f, "<Q"), _read(f, "<Q")
            metadata = {}
            for _ in range(kv_count):
                key = _string(f)
                kind = _read(f, "<I")
                keep = not key.startswith("tokenizer.ggml.")  # tokens, scores, merges: large and unneeded here
                value = _value(f, kind, keep)
                if keep:
                    metadata[key] = value
            data_end, known = 0, True
            last_offset = 0
            for _ in range(tensor_count):
                _string(f)
                dims = [_read(f, "<Q") for _ in range(_read(f, "<I"))]
                kind, offset = _read(f, "<I"), _read(f, "<Q")
                elements = 1
                for d in dims:
                    elements *= d
                if kind in _BLOCKS:
                    block_bytes, block_elems = _BLOCKS[kind]
                    last_offset = max(last_offset, offset + elements // block_elems * block_bytes)
                else:
                    known = False
            alignment = int(metadata.get("general.alignment", 32))
            data_start = -(-f.tell() // alignment) * alignment
            data_end = data_start + last_offset if known else 0
    except (EOFError, ValueError, struct.error) as exc:
        raise ModelError(f"{path}: the model file is cut short or damaged ({exc or 'ends early'}). Copy it again.") from exc
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror}). Check the path in Settings or the policy.") from exc
    return GGUFHeader(metadata, tensor_count, data_end)
