//! Unit tests of `spec.rs`: parsing the `spec` commands' arguments.

use super::*;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn arguments_parse_per_command() {
    assert_eq!(
        parse_args(&args(&[
            "extract", "--from", "u.yaml", "--op", "a", "--op", "b", "--out", "x.yaml"
        ])),
        Ok(SpecCommand::Extract {
            from: "u.yaml".into(),
            ops: vec!["a".into(), "b".into()],
            out: Some("x.yaml".into()),
        })
    );
    assert_eq!(
        parse_args(&args(&[
            "diff",
            "old.yaml",
            "new.yaml",
            "--json",
            "--fail-on-breaking"
        ])),
        Ok(SpecCommand::Diff {
            old: "old.yaml".into(),
            new: "new.yaml".into(),
            ops: vec![],
            version: VersionPin::Latest,
            json: true,
            fail_on_breaking: true,
        })
    );
    assert_eq!(
        parse_args(&args(&[
            "diff",
            "a.yaml",
            "b.yaml",
            "--api-version",
            "2024-08-05"
        ])),
        Ok(SpecCommand::Diff {
            old: "a.yaml".into(),
            new: "b.yaml".into(),
            ops: vec![],
            version: VersionPin::Date("2024-08-05".into()),
            json: false,
            fail_on_breaking: false,
        })
    );
    assert!(
        parse_args(&args(&["diff", "a", "b", "--api-version", "soon"]))
            .is_err_and(|e| e.contains("expected `latest`"))
    );
    assert!(parse_args(&args(&[
        "update",
        "--from",
        "u",
        "--api-version",
        "preview"
    ]))
    .is_err_and(|e| e.contains("--api-version")));
    assert_eq!(
        parse_args(&args(&["update", "--from", "u.yaml", "--dry-run"])),
        Ok(SpecCommand::Update {
            from: "u.yaml".into(),
            fail_on_breaking: false,
            change: ChangeArgs {
                dry_run: true,
                json: false,
                overlays: OverlayCli::default(),
            },
        })
    );
    assert_eq!(
        parse_args(&args(&[
            "update",
            "--from",
            "u.yaml",
            "--overlay",
            "a.yaml",
            "--overlay",
            "dir"
        ])),
        Ok(SpecCommand::Update {
            from: "u.yaml".into(),
            fail_on_breaking: false,
            change: ChangeArgs {
                dry_run: false,
                json: false,
                overlays: OverlayCli {
                    overlay: vec!["a.yaml".into(), "dir".into()],
                    no_default_overlays: false,
                },
            },
        })
    );
    assert!(parse_args(&args(&[])).is_err());
    assert!(parse_args(&args(&["extract", "--from", "u.yaml"])).is_err_and(|e| e.contains("--op")));
    assert!(parse_args(&args(&["diff", "a.yaml"])).is_err_and(|e| e.contains("<NEW>")));
    assert!(parse_args(&args(&["update", "--from", "u", "--op", "x"])).is_err());
    assert!(parse_args(&args(&["extract", "--from"])).is_err_and(|e| e.contains("value")));
    assert!(parse_args(&args(&["frobnicate"])).is_err());
}
