//! The hand-written crates are layers: no two files import each other,
//! directly or through others (`atlas_tests::layers` reads the imports).
//! A failure names the files of each cycle and the names that tie them; the
//! order each crate keeps is written in its `lib.rs` docs (the runtime's
//! "Architecture" section).

use std::path::Path;

use atlas_tests::layers::crate_graph;
use atlas_tests::workspace_root;

/// The hand-written crates' root files, from the workspace root.
const CRATES: &[&str] = &[
    "generator/src/lib.rs",
    "xtask/src/lib.rs",
    "generated/runtime/src/lib.rs",
    "generated/cli/src/lib.rs",
];

#[test]
fn no_import_cycle_between_files_of_a_hand_written_crate() {
    let root = workspace_root();
    let mut report = String::new();
    for krate in CRATES {
        let graph = crate_graph(&root.join(krate)).unwrap_or_else(|err| panic!("{err}"));
        assert!(graph.files().count() > 1, "{krate}: no modules read");
        for cycle in graph.cycles() {
            report.push_str(&cycle.to_string());
        }
    }
    assert!(report.is_empty(), "files that import each other:\n{report}");
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_planted_cycle_is_found_with_its_files_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    write(src, "lib.rs", "mod a;\nmod b;\nmod c;\npub use a::A;\n");
    write(src, "a.rs", "use crate::b::B;\npub struct A(pub B);\n");
    write(
        src,
        "b.rs",
        "pub struct B;\nimpl B { pub fn c() -> crate::c::C { crate::c::C } }\n",
    );
    write(
        src,
        "c.rs",
        "pub struct C;\nfn a() -> super::A { todo() }\n",
    );
    let graph = crate_graph(&src.join("lib.rs")).unwrap();
    let cycles = graph.cycles();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    let shown = cycles[0].to_string();
    assert!(shown.contains("between a.rs, b.rs, c.rs"), "{shown}");
    assert!(shown.contains("a.rs -> b.rs (B)"), "{shown}");
    assert!(shown.contains("b.rs -> c.rs (C)"), "{shown}");
    // `super::A` in c.rs is followed through lib.rs's re-export to a.rs.
    assert!(shown.contains("c.rs -> a.rs (A)"), "{shown}");
}

#[test]
fn a_facade_and_test_code_tie_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    // `auth/mod.rs` re-exports its children; `digest.rs` names the
    // contract through the crate root and through `super::`, which lead to
    // `contract.rs`, not to the façade; a name the façade imports from
    // another crate (`super::Arc`) ties `digest.rs` to that crate only.
    // Test code may import anything.
    write(
        src,
        "lib.rs",
        "mod auth;\nmod contract;\npub use auth::Digest;\npub use contract::Scheme;\n",
    );
    write(
        src,
        "contract.rs",
        "pub trait Scheme {}\n#[cfg(test)]\nmod tests { use crate::auth::Digest; }\n",
    );
    write(
        src,
        "auth/mod.rs",
        "mod digest;\npub use self::digest::Digest;\nuse crate::contract::Scheme;\nuse std::sync::Arc;\n",
    );
    write(
        src,
        "auth/digest.rs",
        "use super::{Arc, Scheme};\npub struct Digest(Arc<u8>);\nimpl crate::Scheme for Digest {}\n",
    );
    let graph = crate_graph(&src.join("lib.rs")).unwrap();
    assert!(graph.cycles().is_empty(), "{:?}", graph.cycles());
    let deps = graph.dependencies(Path::new("auth/digest.rs"));
    assert_eq!(deps.len(), 1, "{deps:?}");
    assert_eq!(deps[0].0, Path::new("contract.rs"));
    assert!(deps[0].1.contains("Scheme"));
}

#[test]
fn test_code_is_not_a_layer() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    write(src, "lib.rs", "mod a;\nmod b;\n");
    let a = "pub struct A;\n#[cfg(test)]\nmod tests {\n    use crate::b::B;\n}\n";
    write(src, "a.rs", a);
    write(src, "b.rs", "use crate::a::A;\npub struct B(A);\n");
    let graph = crate_graph(&src.join("lib.rs")).unwrap();
    assert!(graph.cycles().is_empty(), "{:?}", graph.cycles());
    // Take the test attribute away and the cycle is there.
    write(src, "a.rs", &a.replace("#[cfg(test)]\n", ""));
    let graph = crate_graph(&src.join("lib.rs")).unwrap();
    assert_eq!(graph.cycles().len(), 1);
}
