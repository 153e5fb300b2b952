"""Digest of what the three run chains write, to prove a refactor changed no output byte.

Runs, through the command line only (so the script outlives any reshaping of the library),
in a scratch folder with ../shared beside the project:

- ``refresh`` of the embedded default offline, then again against a fake arXiv on 127.0.0.1
  made from the README@ad1eb52 cards (so enriched records are compared too);
- ``ingest-readme`` of the four awesome-deep-phenomena snapshots;
- ``replay`` of the 380-version history.

and prints one JSON object: ``{"<dataset>/<version #>/<file>": sha256}`` for every data file
(records, events, papers, near_misses, warnings, changes, CHANGES.md). Version names are
times, so they are replaced by their position before hashing; manifests hold the creation
time and are left out. Compare two runs with ``diff``::

    python tests/tools/output_digest.py > before.json   # on the old commit
    python tests/tools/output_digest.py > after.json    # on the new one
    diff before.json after.json && echo identical
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
CORPUS = PROJECT.parent / "shared" / "corpus" / "awesome-deep-phenomena"
SNAPSHOTS = ["e0e7b2a-2020-06-27", "bc38380-2022-05-15", "4c8f6b1-2024-01-15", "ad1eb52-2025-01-07"]
COMPARED = re.compile(r"^(records|events|papers|near_misses|warnings|changes)\.json$|^CHANGES\.md$")
VERSION_NAME = re.compile(r"\d{8}T\d{6}Z(?:-\d+)?")


def read_version_file(path: Path) -> bytes:
    try:
        from pipeline.store.compaction import read_version_file as read
    except ImportError:  # before the store/ package
        from pipeline.compaction import read_version_file as read  # type: ignore
    data: bytes = read(path)
    return data


def cli(folder: Path, *args: str, env: dict[str, str]) -> None:
    command = [str(PROJECT / ".venv" / "bin" / "paper-pipeline"), *args]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 3):  # 3: done but partial (offline: papers pending)
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")


def digest(processed: Path, label: str, out: dict[str, str]) -> None:
    for dataset in sorted(p for p in processed.iterdir() if p.is_dir()):
        versions = sorted(
            v.name for v in dataset.iterdir() if v.is_dir() and (v / "manifest.json").exists()
        )
        position = {name: f"V{index:04d}" for index, name in enumerate(versions)}
        for name in versions:
            files = {
                entry.name.split(".json")[0] + ".json" if ".json" in entry.name else entry.name
                for entry in (dataset / name).iterdir()
            }
            for file_name in sorted(files):
                if not COMPARED.match(file_name):
                    continue
                data = read_version_file(dataset / name / file_name).decode("utf-8")
                data = VERSION_NAME.sub(lambda m, names=position: names.get(m.group(0), "V?"), data)
                key = f"{label}/{dataset.name}/{position[name]}/{file_name}"
                out[key] = hashlib.sha256(data.encode("utf-8")).hexdigest()


def environment(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    env.update(
        PIPELINE_SOURCES_FILE=str(folder / "sources.toml"),
        PIPELINE_RAW_DIR=str(folder / "raw"),
        PIPELINE_PROCESSED_DIR=str(folder / "processed"),
        PIPELINE_STATE_DIR=str(folder / "state"),
        PIPELINE_OFFLINE="true",
    )
    env.update(extra)
    return env


def fake_arxiv_corpus(folder: Path, env: dict[str, str]) -> list[Any]:
    from tests.fake_arxiv import FakePaper

    readme = CORPUS / "README@ad1eb52-2025-01-07.md"
    command = [str(PROJECT / ".venv" / "bin" / "paper-pipeline"), "parse", str(readme)]
    parsed = json.loads(subprocess.run(command, env=env, capture_output=True, check=True).stdout)
    return [
        FakePaper(
            arxiv_id=card["arxiv_id"],
            title=card["title"].upper() if index % 7 == 0 else card["title"],
            authors=card["authors"] or ["Anonymous Author"],
            version=(card["arxiv_version"] or 1) + 1,
        )
        for index, card in enumerate(parsed["items"])
        if card["arxiv_id"]
    ]


def main() -> int:
    from tests.fake_arxiv import FakeArxiv

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="digest-") as scratch:
        root = Path(scratch)
        for label in ("offline", "arxiv"):
            folder = root / label
            folder.mkdir()
            shutil.copytree(PROJECT / "raw", folder / "raw")
            shutil.copy(PROJECT / "sources.toml", folder / "sources.toml")
            env = environment(folder)
            if label == "offline":
                cli(folder, "refresh", env=env)
            else:
                with FakeArxiv(fake_arxiv_corpus(folder, env)) as fake:
                    env = environment(
                        folder,
                        PIPELINE_OFFLINE="false",
                        PIPELINE_ARXIV_API_URL=fake.url,
                        PIPELINE_ARXIV_DELAY_SECONDS="0",
                    )
                    cli(folder, "refresh", env=env)
                    for snapshot in SNAPSHOTS:
                        name = "adp-" + snapshot.split("-")[0]
                        cli(
                            folder,
                            "ingest-readme",
                            str(CORPUS / f"README@{snapshot}.md"),
                            "--name",
                            name,
                            env=env,
                        )
            digest(folder / "processed", label, out)
        folder = root / "replay"
        folder.mkdir()
        env = environment(folder)
        cli(folder, "replay", str(CORPUS / "readme-history.tar.xz"), "--name", "history", env=env)
        digest(folder / "processed", "replay", out)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
