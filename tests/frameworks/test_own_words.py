"""The built-in frameworks are written in nic's own words: no run of 12 words is shared
with any source document in ../shared/seeds (case-insensitive, punctuation stripped).

Twelve words is long enough that ordinary phrases ("the instructional leadership team")
never trip it, and short enough that any copied sentence does. Both every text field and
each whole file (its comments included) are checked.
"""

import re
from pathlib import Path

import pytest

from nic.frameworks import list_builtin

RUN = 12
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
BUILTIN_FILES = sorted((Path(__file__).resolve().parents[2] / "nic" / "frameworks" / "builtin").glob("*.yaml"))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


def runs(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + RUN]) for i in range(len(w) - RUN + 1)}


def shared_runs(text: str, seed_runs: set) -> list[str]:
    return sorted(" ".join(run) for run in runs(text) & seed_runs)


@pytest.fixture(scope="module")
def seed_runs() -> set[tuple[str, ...]]:
    if not SEEDS.is_dir():
        pytest.skip(f"no source documents at {SEEDS} (they live in shared/, beside the repository)")
    seeds = [path for path in SEEDS.iterdir() if path.suffix == ".txt"]
    assert seeds, f"no seed documents in {SEEDS}"
    found = set()
    for path in seeds:
        found |= runs(path.read_text(encoding="utf-8", errors="replace"))
    return found


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
            found += [practice.name, practice.description, *practice.descriptors.values(),
                      *practice.guiding_questions]
    return found


@pytest.mark.parametrize("framework", list_builtin(), ids=lambda f: f.key)
def test_no_field_of_a_builtin_copies_twelve_words_from_a_seed(framework, seed_runs):
    copied = {text: shared_runs(text, seed_runs) for text in texts(framework)}
    assert {text: runs_ for text, runs_ in copied.items() if runs_} == {}


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.name)
def test_no_builtin_file_copies_twelve_words_from_a_seed(path, seed_runs):
    assert shared_runs(path.read_text(encoding="utf-8"), seed_runs) == []


def test_the_check_catches_a_copied_sentence(seed_runs):
    """Guard against a check that can never fail: a seed sentence, re-punctuated and
    re-cased, is caught."""
    seed = next(path for path in sorted(SEEDS.iterdir()) if path.suffix == ".txt")
    sentence = " ".join(words(seed.read_text(encoding="utf-8", errors="replace"))[40:40 + RUN + 3])
    assert shared_runs(sentence.upper().replace(" ", ", "), seed_runs)
