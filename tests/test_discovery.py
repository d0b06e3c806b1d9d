"""Which files a run looks at: include/exclude globs with ruff's semantics, ``.gitignore`` files, paths
named on the command line, and symlinks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentlint import globs
from agentlint.config import Settings
from agentlint.discovery import DiscoveredFile, discover, relative_to_root, stdin_file

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symlinks")


def touch(root: Path, *relatives: str) -> None:
    for relative in relatives:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def found(
    root: Path, *paths: str | Path, settings: Settings | None = None, force_exclude: bool = False
) -> list[str]:
    files = discover(
        [root / p for p in (paths or (".",))], settings or Settings(), root.resolve(), force_exclude=force_exclude
    )
    return [file.relative for file in files]


# --------------------------------------------------------------------------------------------------
# globs


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("build", "build", True),
        ("build", "src/build", True),  # basename
        ("build", "build/x.py", False),  # neither basename nor whole path
        ("src/gen", "src/gen", True),
        ("src/gen", "other/src/gen", False),  # a path pattern is anchored at the root
        ("*.pyi", "pkg/stubs.pyi", True),
        ("*_pb2.py", "a/b/api_pb2.py", True),
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/sub/a.py", False),  # `*` does not cross `/`
        ("src/**/*.py", "src/a.py", True),
        ("src/**/*.py", "src/sub/deep/a.py", True),
        ("**/gen", "a/b/gen", True),
        ("legacy/**", "legacy/a/b.py", True),
        ("file?.py", "file1.py", True),
        ("file?.py", "file10.py", False),
        ("file[0-9].py", "file7.py", True),
        ("file[!0-9].py", "file7.py", False),
        ("file[!0-9].py", "filex.py", True),
        ("build/", "build", True),  # trailing slash tolerated
        ("./build", "build", True),
        ("a+b(c).py", "a+b(c).py", True),  # regex metacharacters are literal
        ("a+b(c).py", "aab(c).py", False),
        ("[unclosed", "[unclosed", True),
    ],
)
def test_glob_matches(pattern: str, path: str, expected: bool) -> None:
    assert globs.matches(pattern, path) is expected


@pytest.mark.parametrize("pattern", ["[z-a]", "[]", "[!]", "src/[]x]"])
def test_invalid_glob_is_a_value_error(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid glob pattern"):
        globs.check(pattern)
    with pytest.raises(ValueError):
        globs.matches(pattern, "a.py")


@pytest.mark.parametrize(
    ("pattern", "path"),
    [("*.py", "a.py"), ("src/**", "src/x/y.py"), ("[!_]*.py", "a.py"), ("build/", "build"), ("./x", "x"), ("[a-z]", "q")],
)
def test_valid_globs_pass_the_check(pattern: str, path: str) -> None:
    globs.check(pattern)
    assert globs.matches(pattern, path)


def test_matches_any() -> None:
    assert globs.matches_any(("*.md", "*.py"), "a/b.py")
    assert not globs.matches_any((), "a/b.py")


# --------------------------------------------------------------------------------------------------
# Walking


def test_walk_is_sorted_and_uses_the_default_include(tmp_path: Path) -> None:
    touch(tmp_path, "b.py", "a.yaml", "c/d.json", "c/e.toml", "c/f.yml", "notes.txt", "README.md", "setup.cfg")
    assert found(tmp_path) == ["a.yaml", "b.py", "c/d.json", "c/e.toml", "c/f.yml"]


def test_default_excludes(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "app.py",
        ".venv/lib/x.py", "venv/x.py", ".git/hooks/x.py", "node_modules/pkg/x.json", "__pycache__/x.py",
        "build/x.py", "dist/x.py", "src/site-packages/x.py", ".tox/x.py", "stubs/app.pyi", ".mypy_cache/x.json",
    )
    assert found(tmp_path) == ["app.py"]


def test_exclude_basename_and_relative_path(tmp_path: Path) -> None:
    touch(tmp_path, "src/gen/a.py", "lib/gen/b.py", "src/keep.py", "src/x_pb2.py", "tests/data/c.py")
    settings = Settings(extend_exclude=("src/gen", "*_pb2.py", "data"))
    assert found(tmp_path, settings=settings) == ["lib/gen/b.py", "src/keep.py"]


def test_exclude_is_relative_to_the_project_root_not_the_named_directory(tmp_path: Path) -> None:
    touch(tmp_path, "src/gen/a.py", "src/b.py")
    settings = Settings(extend_exclude=("src/gen",))
    assert found(tmp_path, "src", settings=settings) == ["src/b.py"]
    assert found(tmp_path, "src/gen", settings=settings) == ["src/gen/a.py"]


def test_include_narrows(tmp_path: Path) -> None:
    touch(tmp_path, "a.py", "b.yaml", "config/c.yaml")
    assert found(tmp_path, settings=Settings(include=("*.py",))) == ["a.py"]
    assert found(tmp_path, settings=Settings(include=("config/*.yaml",))) == ["config/c.yaml"]


def test_named_file_is_checked_even_when_excluded_or_not_included(tmp_path: Path) -> None:
    touch(tmp_path, "build/x.py", "notes.txt", "gen_a.py")
    settings = Settings(extend_exclude=("gen_*.py",))
    assert found(tmp_path, "build/x.py", "gen_a.py", "notes.txt", settings=settings) == [
        "build/x.py", "gen_a.py", "notes.txt"
    ]


def test_force_exclude_on_named_files(tmp_path: Path) -> None:
    touch(tmp_path, "build/x.py", "notes.txt", "gen_a.py", "src/gen/deep/b.py", "src/ok.py")
    settings = Settings(extend_exclude=("gen_*.py", "src/gen"))
    assert found(
        tmp_path, "build/x.py", "gen_a.py", "notes.txt", "src/gen/deep/b.py", "src/ok.py",
        settings=settings, force_exclude=True,
    ) == ["src/ok.py"]


def test_force_exclude_on_named_directories(tmp_path: Path) -> None:
    touch(tmp_path, "build/lib/x.py", "src/a.py")
    assert found(tmp_path, "build", force_exclude=True) == []
    assert found(tmp_path, "build/lib", force_exclude=True) == []
    assert found(tmp_path, "build/lib") == ["build/lib/x.py"]
    assert found(tmp_path, "src", force_exclude=True) == ["src/a.py"]


def test_force_exclude_looks_no_higher_than_the_project_root(tmp_path: Path) -> None:
    """A project that itself lives under a directory named like an exclusion (``build``) still works."""
    root = tmp_path / "build" / "proj"
    touch(root, "app.py")
    assert found(root, "app.py", force_exclude=True) == ["app.py"]
    assert found(root, force_exclude=True) == ["app.py"]


def test_same_file_named_twice_is_reported_once(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/a.py")
    assert found(tmp_path, "pkg/a.py", "pkg", "pkg/a.py", ".") == ["pkg/a.py"]


def test_relative_to_root(tmp_path: Path) -> None:
    assert relative_to_root(tmp_path / "a" / "b.py", tmp_path) == "a/b.py"
    outside = tmp_path.parent / "elsewhere.py"
    assert relative_to_root(outside, tmp_path) == outside.as_posix()


def test_file_outside_the_root_keeps_its_absolute_path(tmp_path: Path) -> None:
    touch(tmp_path, "root/a.py", "other/b.py")
    files = list(discover([tmp_path / "other/b.py"], Settings(), (tmp_path / "root").resolve(), force_exclude=False))
    assert files == [DiscoveredFile(tmp_path / "other/b.py", (tmp_path / "other/b.py").as_posix())]


def test_stdin_file(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    assert stdin_file(tmp_path / "new/x.py", Settings(), root, force_exclude=False) == DiscoveredFile(
        tmp_path / "new/x.py", "new/x.py"
    )
    assert stdin_file(tmp_path / "build/x.py", Settings(), root, force_exclude=False) is not None
    assert stdin_file(tmp_path / "build/x.py", Settings(), root, force_exclude=True) is None
    assert stdin_file(tmp_path / "notes.txt", Settings(), root, force_exclude=True) is None
    assert stdin_file(tmp_path / "src/x.py", Settings(), root, force_exclude=True) is not None


# --------------------------------------------------------------------------------------------------
# .gitignore


def test_gitignore(tmp_path: Path) -> None:
    touch(tmp_path, "app.py", "out/gen.py", "scratch_1.py", "src/scratch_2.py", "src/keep.py", "secret.py", "src/secret.py")
    (tmp_path / ".gitignore").write_text("# comment\nout/\nscratch_*.py\n/secret.py\n")
    assert found(tmp_path) == ["app.py", "src/keep.py", "src/secret.py"]


def test_nested_gitignore_applies_to_its_directory_only(tmp_path: Path) -> None:
    touch(tmp_path, "a.gen.py", "sub/b.gen.py", "sub/deep/c.gen.py", "sub/deep/d.py", "other/e.gen.py")
    (tmp_path / "sub/.gitignore").write_text("*.gen.py\n")
    assert found(tmp_path) == ["a.gen.py", "other/e.gen.py", "sub/deep/d.py"]


def test_nested_gitignore_negation_reincludes(tmp_path: Path) -> None:
    touch(tmp_path, "sub/keep.py", "sub/drop.py", "top.py")
    (tmp_path / ".gitignore").write_text("sub/*.py\n")
    (tmp_path / "sub/.gitignore").write_text("!keep.py\n")
    assert found(tmp_path) == ["sub/keep.py", "top.py"]


def test_gitignore_negation_in_the_same_file(tmp_path: Path) -> None:
    touch(tmp_path, "a.py", "b.py", "c.py")
    (tmp_path / ".gitignore").write_text("*.py\n!b.py\n")
    assert found(tmp_path) == ["b.py"]


def test_gitignored_named_file_is_checked_unless_force_exclude(tmp_path: Path) -> None:
    touch(tmp_path, "out/gen.py")
    (tmp_path / ".gitignore").write_text("out/\n")
    assert found(tmp_path, "out/gen.py") == ["out/gen.py"]
    assert found(tmp_path, "out/gen.py", force_exclude=True) == []
    assert found(tmp_path, "out", force_exclude=True) == []


def test_respect_gitignore_false(tmp_path: Path) -> None:
    touch(tmp_path, "out/gen.py")
    (tmp_path / ".gitignore").write_text("out/\n")
    assert found(tmp_path, settings=Settings(respect_gitignore=False)) == ["out/gen.py"]


def test_undecodable_gitignore_does_not_break_the_walk(tmp_path: Path) -> None:
    touch(tmp_path, "a.py", "b.py")
    (tmp_path / ".gitignore").write_bytes(b"\xff\xfe\nb.py\n")
    assert found(tmp_path) == ["a.py"]


# --------------------------------------------------------------------------------------------------
# Symlinks


@needs_symlinks
def test_directory_symlink_loop_terminates_and_files_are_found_once(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/a.py", "top.py")
    (tmp_path / "pkg/loop").symlink_to("..")
    (tmp_path / "pkg/self").symlink_to(".")
    assert found(tmp_path) == ["pkg/a.py", "top.py"]


@needs_symlinks
def test_symlinked_directory_outside_the_walk_is_followed_once(tmp_path: Path) -> None:
    touch(tmp_path, "shared/lib.py", "proj/app.py")
    (tmp_path / "proj/vendored").symlink_to(tmp_path / "shared")
    (tmp_path / "proj/vendored_again").symlink_to(tmp_path / "shared")
    assert found(tmp_path / "proj") == ["app.py", "vendored/lib.py"]


@needs_symlinks
def test_symlinked_file_is_reported_once(tmp_path: Path) -> None:
    touch(tmp_path, "real.py")
    (tmp_path / "alias.py").symlink_to("real.py")
    # Under its direct path, whichever sorts first, so fingerprints do not move when a link is added.
    assert found(tmp_path) == ["real.py"]
    assert found(tmp_path, "alias.py", "real.py") == ["real.py"]


@needs_symlinks
def test_dangling_symlink_is_discovered(tmp_path: Path) -> None:
    touch(tmp_path, "a.py")
    (tmp_path / "gone.py").symlink_to("missing.py")
    assert found(tmp_path) == ["a.py", "gone.py"]
    assert found(tmp_path, "gone.py") == ["gone.py"]
