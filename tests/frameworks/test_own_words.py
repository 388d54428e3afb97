"""The built-in frameworks are written in nic's own words: no run of 12 words is shared
with any of the source documents they draw on (case-insensitive, punctuation stripped).

Those documents ("seeds") are other organisations' texts and are not part of this
repository, so the check compares against fingerprints of their 12-word runs, kept here
in seed_fingerprints.txt (a hash per run, no seed text): it needs no seed to run.
NIC_SEEDS_DIR names a folder of the seed documents (*.txt) when a machine has them; then
the fingerprints must be exactly those of the seeds (a folder with no seed fails, it is
not skipped). Unset (the default), the file is checked for its own shape only. .ci/run
sets it where CI keeps the seeds. After the seeds change, regenerate the file with
`NIC_SEEDS_DIR=/path/to/seeds python -m tests.frameworks.test_own_words`.

Twelve words is long enough that ordinary phrases ("the instructional leadership team")
never trip it, and short enough that any copied sentence does. Both every text field and
each whole file (its comments included) are checked.
"""

import hashlib
import os
import re
from pathlib import Path

import pytest

from nic.frameworks import list_builtin

RUN = 12
SEEDS_ENV = "NIC_SEEDS_DIR"
SEEDS = Path(os.environ[SEEDS_ENV]) if os.environ.get(SEEDS_ENV) else None  # no default: see the docstring
FINGERPRINTS = Path(__file__).with_name("seed_fingerprints.txt")
BUILTIN_FILES = sorted((Path(__file__).resolve().parents[2] / "nic" / "frameworks" / "builtin").glob("*.yaml"))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


def runs(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}


def fingerprint(run: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def shared_runs(text: str, seed_fingerprints: set[str]) -> list[str]:
    return sorted(" ".join(run) for run in runs(text) if fingerprint(run) in seed_fingerprints)


def fingerprints_of_seeds(folder: Path) -> set[str]:
    seeds = sorted(folder.glob("*.txt"))
    assert seeds, f"no seed documents (*.txt) in {folder} ({SEEDS_ENV})"
    found = set()
    for path in seeds:
        found |= {fingerprint(run) for run in runs(path.read_text(encoding="utf-8", errors="replace"))}
    return found


@pytest.fixture(scope="module")
def seed_runs() -> set[str]:
    return set(FINGERPRINTS.read_text(encoding="ascii").split())


def test_the_fingerprints_are_those_of_the_seeds(seed_runs):
    lines = FINGERPRINTS.read_text(encoding="ascii").splitlines()
    assert len(seed_runs) > 1000  # the seed documents hold a few thousand runs
    assert lines == sorted(seed_runs), "one fingerprint a line, sorted, no repeats (as the generator writes)"
    assert all(re.fullmatch(r"[0-9a-f]{16}", line) for line in lines)
    if SEEDS is not None:
        assert seed_runs == fingerprints_of_seeds(SEEDS), "seeds changed: regenerate seed_fingerprints.txt"


def texts(framework) -> list[str]:
    """Every piece of prose a framework ships, one field at a time."""
    found = [framework.name, framework.description]
    if framework.source:
        found += [framework.source.title, framework.source.note]
    for level in framework.levels:
        found += [level.name, level.descriptor]
    for domain in framework.domains:
        found += [domain.name, domain.description]
        for practice in domain.practices:
            found += [practice.name, practice.description, *practice.descriptors.values(), *practice.guiding_questions]
    return found


@pytest.mark.parametrize("framework", list_builtin(), ids=lambda f: f.key)
def test_no_field_of_a_builtin_copies_twelve_words_from_a_seed(framework, seed_runs):
    copied = {text: shared_runs(text, seed_runs) for text in texts(framework)}
    assert {text: runs_ for text, runs_ in copied.items() if runs_} == {}


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.name)
def test_no_builtin_file_copies_twelve_words_from_a_seed(path, seed_runs):
    assert shared_runs(path.read_text(encoding="utf-8"), seed_runs) == []


def test_the_check_catches_a_copied_sentence():
    """Guard against a check that can never fail: a 'seed' sentence, re-punctuated and
    re-cased, is caught by the same fingerprints and matching."""
    seed = (
        "Every school in the network meets each week to look at student work and decide "
        "together what the next small test of change will be"
    )
    seed_fingerprints = {fingerprint(run) for run in runs(seed)}
    copied = "Preamble. " + seed.upper().replace(" ", ", ") + " and more."
    assert shared_runs(copied, seed_fingerprints)
    assert shared_runs("A sentence of our own with nothing in common at all, truly none.", seed_fingerprints) == []


if __name__ == "__main__":
    if SEEDS is None:
        raise SystemExit(f"set {SEEDS_ENV} to the folder of seed documents")
    FINGERPRINTS.write_text("\n".join(sorted(fingerprints_of_seeds(SEEDS))) + "\n", encoding="ascii")
