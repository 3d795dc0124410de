//! Every name a generated request builder has besides its parameter
//! setters is in `names::BUILDER_NAMES`, the list the lowering reserves:
//! a new builder method must be added there, or a parameter of the same
//! name would collide with it.

use std::collections::BTreeSet;
use std::path::Path;

use atlas_codegen::names::BUILDER_NAMES;
use atlas_codegen::{generate, load, lower, overlay, Options};

#[test]
fn builders_use_only_reserved_names_besides_their_setters() {
    // With our overlays, as `cargo xtask codegen` generates: their watchers
    // give two builders `send_and_wait` and `wait_after`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec_path = root.join("spec/atlas-admin-api.yaml");
    let overlays = overlay::expand(&[root.join("spec/overlays")]).expect("overlays");
    let spec = load::load_with_overlays(&spec_path, &overlays).expect("spec/ loads");
    let api = lower::lower(&spec).expect("lowers").api;
    let generated = generate(&spec, &Options::new("spec/atlas-admin-api.yaml")).expect("generates");
    let reserved: BTreeSet<&str> = BUILDER_NAMES.iter().copied().collect();
    let mut checked = 0;
    let mut waiters = 0;
    for op in &api.operations {
        let setters: BTreeSet<&str> = op.params.iter().map(|p| p.rust_name.as_str()).collect();
        let mut names = BTreeSet::new();
        for (file, text) in &generated.files {
            if !file.starts_with("operations/") {
                continue;
            }
            let parsed = syn::parse_file(text).expect("generated code parses");
            for item in parsed.items {
                match item {
                    syn::Item::Struct(s) if s.ident == op.builder_name => {
                        for field in s.fields {
                            if let Some(ident) = field.ident {
                                names.insert(ident.to_string());
                            }
                        }
                    }
                    syn::Item::Impl(i) => {
                        let syn::Type::Path(path) = &*i.self_ty else {
                            continue;
                        };
                        if !path
                            .path
                            .segments
                            .iter()
                            .any(|s| s.ident == op.builder_name)
                        {
                            continue;
                        }
                        for item in i.items {
                            if let syn::ImplItem::Fn(f) = item {
                                names.insert(f.sig.ident.to_string());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let extra: Vec<&String> = names
            .iter()
            .filter(|n| !setters.contains(n.as_str()) && !reserved.contains(n.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "{}: builder names missing from names::BUILDER_NAMES: {extra:?}",
            op.builder_name
        );
        assert!(names.contains("send"), "{} has no send", op.builder_name);
        if op.watcher.is_some() {
            waiters += 1;
            assert!(names.contains("send_and_wait") && names.contains("wait_after"));
        }
        checked += 1;
    }
    assert_eq!(checked, api.operations.len());
    assert_eq!(waiters, 2);
}
