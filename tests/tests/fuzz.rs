//! Fuzzing the whole pipeline (load -> lower -> emit -> format) with mutated
//! spec bytes and structured random specs: no input may panic or hang, and
//! any success must produce code `syn` parses.
//!
//! Bounded in time: `FUZZ_SECONDS` (default 20) split between the two
//! kinds of input; `FUZZ_SEED` picks the seed (default: fixed, so CI runs
//! are reproducible). Run longer by hand:
//! `FUZZ_SECONDS=600 FUZZ_SEED=$RANDOM cargo test -p atlas-tests --test fuzz --release -- --nocapture`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use atlas_codegen::{generate, load, Options};
use atlas_tests::roundtrip::Rng;
use atlas_tests::workspace_root;

/// Longest any single input may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(10);

fn budget() -> Duration {
    let secs = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20u64);
    Duration::from_secs(secs)
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_9876)
        | 1
}

/// Runs one input through the pipeline; returns whether it generated code.
fn run_one(name: &str, text: &str) -> bool {
    if std::env::var_os("FUZZ_KEEP_CURRENT").is_some() {
        // A stack overflow aborts the process: keep the input it died on.
        let dir = workspace_root().join("target/fuzz-failures");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("current.yaml"), text);
    }
    let started = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        load::parse(Path::new(name), text).and_then(|spec| generate(&spec, &Options::new(name)))
    }));
    let elapsed = started.elapsed();
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(_) => {
            let saved = save_failure(text);
            panic!("the pipeline panicked on an input (saved to {saved})");
        }
    };
    if elapsed > HANG {
        let saved = save_failure(text);
        panic!("one input took {elapsed:?} (saved to {saved})");
    }
    match outcome {
        Ok(generated) => {
            for (file, code) in generated.files.iter().filter(|(n, _)| n.ends_with(".rs")) {
                if let Err(err) = syn::parse_file(code) {
                    let saved = save_failure(text);
                    panic!("generated {file} does not parse ({err}); input saved to {saved}");
                }
            }
            true
        }
        Err(failure) => {
            assert!(
                !failure.diagnostics.is_empty(),
                "a failure without a diagnostic"
            );
            false
        }
    }
}

fn save_failure(text: &str) -> String {
    let dir = workspace_root().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("input-{}.yaml", std::process::id()));
    let _ = std::fs::write(&path, text);
    path.display().to_string()
}

// ----- byte mutations -------------------------------------------------------

fn seeds() -> Vec<String> {
    let root = workspace_root();
    let mut seeds =
        vec![std::fs::read_to_string(root.join("spec/atlas-admin-api.yaml")).expect("spec")];
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/bad_specs"))
        .expect("bad_specs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    cases.sort();
    seeds.extend(cases.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
    seeds
}

const SPECIAL: &[&str] = &[
    ":", "-", " ", "\n", "{", "}", "[", "]", "'", "\"", "#", "$ref", "~", "&a", "*a", "!!", "\t",
    "null", "0", "-1", "1e999", "é", "\u{0}", "  ", "\n  - ", ": {", "x-", "\\",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                let end = (at + rng.below(16)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let s = rng.pick(SPECIAL).as_bytes();
                bytes.splice(at..at, s.iter().copied());
            }
            2 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = bytes[i].wrapping_add(1 + rng.below(254) as u8);
            }
            3 => bytes.truncate(at),
            4 if !bytes.is_empty() => {
                // Duplicate a line somewhere else.
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let lines: Vec<&str> = s.lines().collect();
                if !lines.is_empty() {
                    let line = lines[rng.below(lines.len())].to_owned() + "\n";
                    let mut cut = at.min(s.len());
                    while !s.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    let pos = s[..cut].rfind('\n').map_or(0, |p| p + 1);
                    let mut out = s.clone();
                    out.insert_str(pos.min(out.len()), &line);
                    bytes = out.into_bytes();
                }
            }
            _ => {
                // Swap two lines' indentation (a common YAML mistake).
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let mut lines: Vec<String> = s.lines().map(str::to_owned).collect();
                if lines.len() > 2 {
                    let i = rng.below(lines.len());
                    lines[i] = format!("  {}", lines[i]);
                }
                bytes = lines.join("\n").into_bytes();
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

// ----- structured random specs ----------------------------------------------

const NAMES: &[&str] = &[
    "id",
    "type",
    "match",
    "self",
    "Self",
    "_id",
    "2dsphereIndexVersion",
    "",
    "group_id",
    "groupId",
    "GroupID",
    "name",
    "state",
    "é",
    "a-b",
    "a.b",
    "String",
    "Option",
    "crate",
    "r#x",
    "1000 requests",
];
const PATTERNS: &[&str] = &[
    "^([a-f0-9]{24})$",
    "^[a-zA-Z0-9][a-zA-Z0-9-]*$",
    "(",
    "^(?=x)y$",
    "\\\\d",
    "a{2,1}",
    "[z-a]",
    "^$",
    "x*",
    "^\\d{3}-\\w+$",
    "/path/\\{X\\}",
    "[[:alpha:]]",
    "^(a|b|)c?$",
    "\\p{L}+",
];
const MEDIA: &[&str] = &[
    "application/json",
    "application/vnd.atlas.2023-01-01+json",
    "application/vnd.atlas.2024-05-30+json",
    "application/vnd.atlas.preview+json",
    "application/vnd.atlas.2023-01-01+gzip",
    "application/vnd.atlas.2023-02-01+csv",
    "text/plain",
    "application/octet-stream",
    "*/*",
];

/// The name of a component: almost always one that exists.
fn component(rng: &mut Rng, components: usize) -> String {
    let n = if rng.chance(97) {
        rng.below(components)
    } else {
        components + rng.below(2)
    };
    format!("S{n}")
}

fn schema_ref(rng: &mut Rng, components: usize) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", component(rng, components)) })
}

fn random_schema(rng: &mut Rng, depth: usize, components: usize) -> Value {
    if depth == 0 || rng.chance(20) {
        return if rng.chance(50) {
            schema_ref(rng, components)
        } else {
            scalar(rng)
        };
    }
    let mut s = match rng.below(8) {
        0 | 1 => {
            let mut props = Map::new();
            for _ in 0..rng.below(5) {
                props.insert(
                    rng.pick(NAMES).to_string(),
                    random_schema(rng, depth - 1, components),
                );
            }
            let mut required: Vec<Value> = props
                .keys()
                .filter(|_| rng.chance(40))
                .map(|k| json!(k))
                .collect();
            if rng.chance(10) {
                required.push(json!("ghost"));
            }
            let mut o = json!({ "properties": props, "required": required });
            if rng.chance(80) {
                o["type"] = json!("object");
            }
            if rng.chance(20) {
                o["additionalProperties"] = if rng.chance(50) {
                    json!(true)
                } else {
                    random_schema(rng, depth - 1, components)
                };
            }
            o
        }
        2 => {
            let mut a = json!({ "type": "array" });
            if rng.chance(90) {
                a["items"] = random_schema(rng, depth - 1, components);
            }
            a
        }
        3 => {
            let values: Vec<Value> = (0..rng.below(6))
                .map(|_| {
                    if rng.chance(90) {
                        json!(rng.pick(NAMES))
                    } else {
                        json!(rng.below(9))
                    }
                })
                .collect();
            json!({ "type": "string", "enum": values })
        }
        4 | 5 => {
            let key = *rng.pick(&["oneOf", "anyOf", "allOf"]);
            let members: Vec<Value> = (0..rng.below(4))
                .map(|_| random_schema(rng, depth - 1, components))
                .collect();
            let mut u = json!({ key: members });
            if rng.chance(40) {
                let mut mapping = Map::new();
                for i in 0..rng.below(4) {
                    mapping.insert(
                        format!("K{i}"),
                        json!(format!(
                            "#/components/schemas/{}",
                            component(rng, components)
                        )),
                    );
                }
                u["discriminator"] = json!({ "propertyName": rng.pick(NAMES), "mapping": mapping });
            }
            u
        }
        6 => {
            json!({ "type": "object", "additionalProperties": random_schema(rng, depth - 1, components) })
        }
        _ => {
            let mut d = json!({ "type": "object", "properties": { "kind": { "type": "string" } } });
            let mut mapping = Map::new();
            for i in 0..rng.below(4) {
                mapping.insert(format!("K{i}"), json!(component(rng, components)));
            }
            d["discriminator"] = json!({ "propertyName": "kind", "mapping": mapping });
            d
        }
    };
    for flag in ["nullable", "readOnly", "writeOnly"] {
        if rng.chance(15) {
            s[flag] = json!(true);
        }
    }
    if rng.chance(20) {
        s["description"] =
            json!("see https://example.com/[x] `code`\n    indented ```rust\npanic!()```");
    }
    s
}

fn scalar(rng: &mut Rng) -> Value {
    match rng.below(7) {
        0 => json!({ "type": "string", "pattern": rng.pick(PATTERNS) }),
        1 => {
            json!({ "type": "string", "format": rng.pick(&["date-time", "date", "email", "weird", "binary"]) })
        }
        2 => json!({ "type": "integer", "format": rng.pick(&["int32", "int64", "int7"]) }),
        3 => json!({ "type": "number" }),
        4 => json!({ "type": "boolean" }),
        5 => json!({ "type": "integer", "pattern": "^\\d+$" }),
        _ => json!({}),
    }
}

fn random_spec(rng: &mut Rng) -> String {
    let components = 1 + rng.below(8);
    let mut schemas = Map::new();
    for i in 0..components {
        schemas.insert(format!("S{i}"), random_schema(rng, 3, components));
    }
    let mut paths = Map::new();
    for p in 0..1 + rng.below(4) {
        let vars: Vec<&str> = (0..rng.below(3))
            .map(|_| *rng.pick(&["groupId", "name", "id", "x y"]))
            .collect();
        let mut path = format!("/p{p}");
        for v in &vars {
            path.push_str(&format!("/{{{v}}}"));
        }
        if rng.chance(10) {
            path.push_str(":custom");
        }
        let mut item = Map::new();
        for method in ["get", "post", "patch", "delete"] {
            if !rng.chance(40) {
                continue;
            }
            let mut params: Vec<Value> = Vec::new();
            for v in &vars {
                if rng.chance(95) {
                    params.push(
                        json!({ "name": v, "in": "path", "required": true, "schema": scalar(rng) }),
                    );
                }
            }
            for _ in 0..rng.below(3) {
                params.push(json!({
                    "name": rng.pick(NAMES),
                    "in": if rng.chance(5) { "path" } else { *rng.pick(&["query", "query", "header", "cookie"]) },
                    "schema": random_schema(rng, 1, components),
                }));
            }
            let mut responses = Map::new();
            for _ in 0..1 + rng.below(3) {
                let status = rng.pick(&[
                    "200", "201", "202", "204", "102", "400", "404", "503", "2XX", "default",
                ]);
                let mut content = Map::new();
                for _ in 0..rng.below(3) {
                    content.insert(
                        rng.pick(MEDIA).to_string(),
                        json!({ "schema": random_schema(rng, 2, components) }),
                    );
                }
                responses.insert(
                    status.to_string(),
                    json!({ "description": "r", "content": content }),
                );
            }
            let mut op_id = format!(
                "{}{}",
                rng.pick(&["get", "list", "create", "get_"]),
                rng.pick(&["Thing", "thing", "Things", ""])
            );
            if rng.chance(85) {
                op_id.push_str(&format!("{p}{method}"));
            }
            let mut op =
                json!({ "operationId": op_id, "parameters": params, "responses": responses });
            if rng.chance(50) {
                let mut content = Map::new();
                content.insert(
                    rng.pick(MEDIA).to_string(),
                    json!({ "schema": random_schema(rng, 2, components) }),
                );
                op["requestBody"] = json!({ "required": rng.chance(50), "content": content });
            }
            if rng.chance(30) {
                op[atlas_codegen::extensions::OPERATION_ID_OVERRIDE] =
                    json!(rng.pick(&["short", "getThing", "createThing"]));
            }
            if rng.chance(20) {
                op["tags"] =
                    json!([rng.pick(&["Cloud Backups", "Full", "default", "", "Ünïcode"])]);
            }
            if rng.chance(10) {
                op["security"] = json!([]);
            }
            item.insert(method.to_owned(), op);
        }
        paths.insert(path, Value::Object(item));
    }
    let doc = json!({
        "openapi": "3.0.1",
        "info": { "title": "fuzz", "version": "1" },
        "paths": paths,
        "components": { "schemas": schemas },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[test]
fn no_input_panics_hangs_or_generates_unparsable_code() {
    let half = budget() / 2;
    let mut rng = Rng(seed());
    let (mut tried, mut generated) = (0usize, 0usize);

    let seeds = seeds();
    let started = Instant::now();
    while started.elapsed() < half {
        let base = rng.pick(&seeds).clone();
        let text = mutate(&mut rng, &base);
        generated += usize::from(run_one("mutated.yaml", &text));
        tried += 1;
    }
    let mutated = (tried, generated);

    let started = Instant::now();
    while started.elapsed() < half {
        let text = random_spec(&mut rng);
        generated += usize::from(run_one("random.json", &text));
        tried += 1;
    }
    println!(
        "fuzz: {tried} inputs ({} mutated, {} structured), {generated} generated code, seed {}",
        mutated.0,
        tried - mutated.0,
        seed()
    );
    assert!(tried > 100, "only {tried} inputs in the time budget");
    assert!(
        generated > 10,
        "only {generated} inputs generated code: the fuzzer is not reaching the generator"
    );
}
