"""Which Rust an environment runs, and the manifests its dependency layer needs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rfsn.buildpacks.rust.buildpack import RustBuildpack
from rfsn.buildpacks.rust.cargolayer import layer, manifests
from rfsn.buildpacks.rust.rustversions import choose, released


def _crate(root: Path, name: str, *extra: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Cargo.toml").write_text(
        "\n".join(["[package]", f'name = "{name}"', 'version = "0.1.0"', 'edition = "2021"', *extra, ""])
    )
    return root


def test_rust_releases_every_six_weeks_from_1_0() -> None:
    assert released((1, 85)) == date(2025, 2, 20) and released((1, 63)) == date(2022, 8, 11)


def test_edition_2024_and_rust_version_need_a_rust_bookworm_lacks(tmp_path: Path) -> None:
    """rust-random/getrandom at HEAD (edition 2024, rust-version 1.85, Cargo.lock v4) ended on
    bookworm's cargo 1.63: "failed to parse manifest"."""
    crate = _crate(tmp_path, "g", 'rust-version = "1.85"')
    (crate / "Cargo.toml").write_text((crate / "Cargo.toml").read_text().replace("2021", "2024"))
    (crate / "Cargo.lock").write_text("# generated\nversion = 4\n")
    choice = choose(crate, date(2026, 6, 17))
    assert choice.version == "1.85"
    assert "rust-version 1.85; edition 2024; Cargo.lock version 4" in choice.why


def test_a_locked_crate_of_2022_gets_the_rust_of_then_an_unlocked_one_todays(tmp_path: Path) -> None:
    crate = _crate(tmp_path, "c")
    (crate / "Cargo.lock").write_text("version = 3\n")
    assert choose(crate, date(2022, 11, 1)).version == "1.63"
    (crate / "Cargo.lock").unlink()
    assert choose(crate, date(2022, 11, 1)).version == "1.97"


def test_a_pinned_toolchain_debian_lacks_gives_the_nearest_later_one(tmp_path: Path) -> None:
    crate = _crate(tmp_path, "c")
    (crate / "rust-toolchain.toml").write_text('[toolchain]\nchannel = "1.70.0"\n')
    choice = choose(crate, None)
    assert choice.version == "1.85" and "rust-toolchain 1.70.0" in choice.why and "nearest later" in choice.why
    (crate / "rust-toolchain.toml").unlink()
    (crate / "rust-toolchain").write_text("nightly-2023-01-01\n")
    assert "nightly-2023-01-01 cannot be had" in choose(crate, None).why


def test_the_layer_holds_every_workspace_member_and_path_dependency(tmp_path: Path) -> None:
    """rust-fuzz/arbitrary, BurntSushi/bstr and fst at HEAD: "failed to load manifest for workspace
    member" (the layer had the root's Cargo.toml alone); crossbeam lists "." among its members."""
    root = _crate(
        tmp_path,
        "root",
        "",
        "[workspace]",
        'members = [".", "crates/*", "fuzz"]',
        'exclude = ["crates/skip"]',
        "",
        "[dependencies]",
        'util = { path = "util" }',
        "",
        "[[bench]]",
        'name = "speed"',
        "",
        "[lib]",
        'path = "lib.rs"',
    )
    _crate(root / "crates" / "a", "a", 'build = "build.rs"')
    _crate(root / "crates" / "skip", "skip")
    _crate(root / "fuzz", "fuzz", "", "[[bin]]", 'name = "target"', 'path = "fuzz_targets/t.rs"')
    _crate(root / "util", "util")
    assert manifests(root) == ["Cargo.toml", "util/Cargo.toml", "crates/a/Cargo.toml", "fuzz/Cargo.toml"]
    files = dict(layer(root))
    assert {
        "lib.rs",
        "benches/speed.rs",
        "util/src/lib.rs",
        "crates/a/src/lib.rs",
        "crates/a/build.rs",
        "fuzz/src/lib.rs",
        "fuzz/fuzz_targets/t.rs",
    } <= set(files)
    assert files["fuzz/fuzz_targets/t.rs"] == "" and "crates/skip/Cargo.toml" not in files


def test_vendored_crates_need_no_fetch(tmp_path: Path) -> None:
    crate = _crate(tmp_path, "c", "", "[dependencies]", 'serde = "1"')
    assert RustBuildpack().env_recipe(crate).steps
    (crate / "vendor").mkdir()
    (crate / ".cargo").mkdir()
    (crate / ".cargo" / "config.toml").write_text('[source.vendored]\ndirectory = "vendor"\n')
    recipe = RustBuildpack().env_recipe(crate)
    assert recipe.steps == () and "crates: the project's vendor/" in recipe.notes[0]
