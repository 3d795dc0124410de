//! Plain `cargo test` catches generated code that is out of date with
//! `spec/`, without writing anything.

use xtask::{codegen, CodegenArgs};

#[test]
fn generated_code_is_up_to_date_with_the_spec() {
    let root = atlas_tests::workspace_root();
    let mut args = CodegenArgs::defaults(&root);
    args.check = true;
    if let Err(report) = codegen(&args, &root) {
        panic!("{report}");
    }
}

#[test]
fn check_mode_names_stale_files_and_writes_nothing() {
    let root = atlas_tests::workspace_root();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("gen");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::create_dir(out.join("models")).expect("mkdir");
    std::fs::write(out.join("models/mod.rs"), "// stale\n").expect("write");
    std::fs::write(out.join("leftover.rs"), "// no longer generated\n").expect("write");
    let mut args = CodegenArgs::defaults(&root);
    args.out = out.clone();
    args.check = true;
    let report = codegen(&args, &root).expect_err("stale");
    assert!(report.contains("models/mod.rs is out of date"), "{report}");
    assert!(report.contains("mod.rs is missing"), "{report}");
    assert!(
        report.contains("leftover.rs is no longer generated"),
        "{report}"
    );
    assert!(report.contains("run `cargo xtask codegen`"), "{report}");
    assert_eq!(
        std::fs::read_to_string(out.join("models/mod.rs")).expect("read"),
        "// stale\n"
    );

    // Writing replaces the directory as a whole, stale files included.
    args.check = false;
    codegen(&args, &root).expect("writes");
    assert!(!out.join("leftover.rs").exists());
    args.check = true;
    codegen(&args, &root).expect("now up to date");
}
