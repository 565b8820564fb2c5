"""Finds the encoder's upstream files in the installed re-upload and checks them.

The re-upload's Python code is never imported (it would pull in sentence-transformers and
PyTorch): its files are located through `importlib.metadata`, and every one of them must
carry the sha256 the upstream repository publishes, or nothing is built.
"""

import hashlib
from importlib import metadata
from pathlib import Path
from typing import Dict, Mapping

from backpain_assistant import yaml_data


class ModelFileMismatch(RuntimeError):
    """A model file is missing or differs from the upstream file it claims to be."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def spec() -> Dict:
    return yaml_data.load("sentence_encoder")


def installed_model_dir(distribution: str, package_dir: str) -> Path:
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError as error:
        raise ModelFileMismatch(
            f"{distribution} is not installed; `make venv` installs it from requirements-models.lock"
        ) from error
    return Path(str(dist.locate_file(package_dir)))


def verify(directory: Path, expected: Mapping[str, str]) -> Dict[str, Path]:
    """The paths of the expected files, each checked against its sha256."""
    paths = {}
    for name, digest in expected.items():
        path = directory / name
        if not path.is_file():
            raise ModelFileMismatch(f"{path} is missing")
        actual = sha256_of(path)
        if actual != digest:
            raise ModelFileMismatch(
                f"{path} has sha256 {actual}, upstream publishes {digest}: refusing to use it"
            )
        paths[name] = path
    return paths


def verified_upstream_files() -> Dict[str, Path]:
    settings = spec()
    directory = installed_model_dir(settings["distribution"], settings["package_dir"])
    return verify(directory, settings["files"])
