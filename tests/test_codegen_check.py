"""``python -m codegen --check``: clean on the committed tree, failing on every kind of drift."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen.__main__ import compare, main
from codegen.outputs import DOCS, PACKAGE_DIR, build_outputs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def copy_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the contract, the generated package and the docs."""
    root = tmp_path_factory.mktemp("repo")
    for name in ("asyncapi.yaml", "openapi.yaml", "schemas.yaml", "flows.schema.yaml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(
        ROOT / PACKAGE_DIR, root / PACKAGE_DIR, ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "docs").mkdir()
    for rel in DOCS.values():
        if (ROOT / rel).exists():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, root / rel)
    return root


@pytest.fixture(scope="module")
def expected(copy_root: Path) -> dict[str, str]:
    return build_outputs(copy_root)


def test_check_passes_on_the_committed_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--root", str(ROOT)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_passes_on_an_unchanged_copy(copy_root: Path, expected: dict[str, str]) -> None:
    assert compare(copy_root, expected) == ([], [], [])


def test_check_fails_when_a_generated_file_was_edited(
    copy_root: Path, expected: dict[str, str]
) -> None:
    path = copy_root / PACKAGE_DIR / "models.py"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "# hand edit\n", encoding="utf-8")
    try:
        assert compare(copy_root, expected) == ([f"{PACKAGE_DIR}/models.py"], [], [])
    finally:
        path.write_text(original, encoding="utf-8")


def test_check_fails_on_an_orphan_and_a_missing_file(
    copy_root: Path, expected: dict[str, str]
) -> None:
    orphan = copy_root / PACKAGE_DIR / "leftover.py"
    orphan.write_text("x = 1\n", encoding="utf-8")
    emitter = copy_root / PACKAGE_DIR / "emitter.py"
    kept = emitter.read_text(encoding="utf-8")
    emitter.unlink()
    try:
        stale, missing, orphaned = compare(copy_root, expected)
        assert (stale, missing, orphaned) == (
            [],
            [f"{PACKAGE_DIR}/emitter.py"],
            [f"{PACKAGE_DIR}/leftover.py"],
        )
    finally:
        orphan.unlink()
        emitter.write_text(kept, encoding="utf-8")


def test_check_exits_1_listing_stale_files_when_the_contract_changed_without_regeneration(
    copy_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = copy_root / "asyncapi.yaml"
    original = contract.read_text(encoding="utf-8")
    contract.write_text(
        original.replace("Join a conversation room.", "Join a room."), encoding="utf-8"
    )
    try:
        assert main(["--check", "--root", str(copy_root)]) == 1
        err = capsys.readouterr().err
        assert f"stale: {PACKAGE_DIR}/models.py" in err
        assert f"stale: {PACKAGE_DIR}/asyncapi.json" in err
    finally:
        contract.write_text(original, encoding="utf-8")
