//! Property test over spec shapes: small OpenAPI documents, generated from a
//! seed, vary for each construct the emitters treat specially (paginated
//! lists and their `results`/`totalCount`/`links`, discriminated and
//! untagged unions, enums, nullable list items and map values,
//! readOnly/writeOnly views, path and query parameters with patterns,
//! binary and text responses, waiters reading response bodies, defaults,
//! envelopes) whether each piece is required, nullable, inline or a
//! `$ref`. Every well-formed document generates, and every one broken on
//! purpose (one in eight) is refused with an error naming the broken node;
//! everything generated is a small crate of one workspace, checked
//! by ONE `cargo check --all-features` with warnings denied (sharing the
//! full-spec tests' target, so the dependencies compile once).
//!
//! `SHAPES_SPECS` sets how many documents (default 64), `SHAPES_SEED` the
//! seed (default fixed, so CI runs are reproducible); the documents and
//! crates are kept in `target/spec-shapes/` for a failure to be read.

use std::path::Path;
use std::time::Instant;

use serde_json::{json, Map, Value};

use atlas_tests::full_crate::cargo;
use atlas_tests::roundtrip::Rng;
use atlas_tests::workspace_root;

const VERSION: &str = "application/vnd.atlas.2023-01-01+json";

/// One document under construction: its paths and named schemas.
struct Doc {
    rng: Rng,
    paths: Map<String, Value>,
    schemas: Map<String, Value>,
    /// Which constructs it holds (for the test's message).
    constructs: Vec<&'static str>,
}

impl Doc {
    fn chance(&mut self, percent: usize) -> bool {
        self.rng.chance(percent)
    }

    /// `schema` by `$ref` (as component `name`) or inline, at random.
    fn named_or_inline(&mut self, name: &str, schema: Value) -> Value {
        if self.chance(50) {
            self.schemas.insert(name.to_owned(), schema);
            json!({ "$ref": format!("#/components/schemas/{name}") })
        } else {
            schema
        }
    }

    /// `schema` marked nullable (half the time), in one of the spellings
    /// specs use for a `$ref` (a sibling `nullable`, or an `allOf`).
    fn maybe_nullable(&mut self, schema: Value) -> (Value, bool) {
        if !self.chance(40) {
            return (schema, false);
        }
        let nullable = if schema.get("$ref").is_some() && self.chance(50) {
            json!({ "allOf": [schema], "nullable": true })
        } else {
            let mut schema = schema;
            schema["nullable"] = json!(true);
            schema
        };
        (nullable, true)
    }

    /// An object of `props` with a random subset of `required_from`
    /// required (those of `always` always).
    fn object(&mut self, props: Vec<(&str, Value)>, always: &[&str]) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (name, schema) in props {
            if always.contains(&name) || self.chance(50) {
                required.push(json!(name));
            }
            properties.insert(name.to_owned(), schema);
        }
        let mut object = json!({ "type": "object", "properties": properties });
        if !required.is_empty() {
            object["required"] = Value::Array(required);
        }
        object
    }

    fn add_operation(&mut self, path: &str, method: &str, operation: Value) {
        let entry = self
            .paths
            .entry(path.to_owned())
            .or_insert_with(|| json!({}));
        entry[method] = operation;
    }

    fn tag(&mut self) -> &'static str {
        const TAGS: [&str; 2] = ["Alpha", "Beta Things"];
        TAGS[self.rng.below(TAGS.len())]
    }

    fn content(&mut self, schema: Value) -> Value {
        let media = if self.chance(80) {
            VERSION
        } else {
            "application/json"
        };
        json!({ media: { "schema": schema } })
    }

    /// A `200` with `schema` and a documented `400`.
    fn responses(&mut self, schema: Value) -> Value {
        json!({
            "200": { "description": "ok", "content": self.content(schema) },
            "400": { "description": "bad", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/ApiError" } } } },
        })
    }

    fn item(&mut self, n: usize) -> Value {
        let id = json!({ "type": "string" });
        let name = json!({ "type": "string", "maxLength": 64 });
        let object = self.object(vec![("id", id), ("name", name)], &[]);
        self.named_or_inline(&format!("Item{n}"), object)
    }
}

// ----- constructs --------------------------------------------------------

fn paginated(d: &mut Doc, n: usize) {
    d.constructs.push("paginated list");
    let item = d.item(n);
    let (item, _) = if d.chance(20) {
        d.maybe_nullable(item)
    } else {
        (item, false)
    };
    let (results, _) = d.maybe_nullable(json!({ "type": "array", "items": item }));
    let mut props = vec![("results", results)];
    if d.chance(80) {
        let read_only = d.chance(30);
        let (total, _) = d
            .maybe_nullable(json!({ "type": "integer", "format": "int32", "readOnly": read_only }));
        props.push(("totalCount", total));
    }
    if d.chance(80) {
        let rel = json!({ "type": "string" });
        let href = json!({ "type": "string", "format": "uri" });
        let link = d.object(vec![("rel", rel), ("href", href)], &[]);
        let link = d.named_or_inline("Link", link);
        let (link, _) = if d.chance(20) {
            d.maybe_nullable(link)
        } else {
            (link, false)
        };
        let read_only = d.chance(30);
        let (links, _) =
            d.maybe_nullable(json!({ "type": "array", "items": link, "readOnly": read_only }));
        props.push(("links", links));
    }
    let page = d.object(props, &[]);
    let page = d.named_or_inline(&format!("PaginatedItem{n}"), page);
    let tag = d.tag();
    let responses = d.responses(page);
    let mut params = vec![
        json!({ "name": "pageNum", "in": "query", "schema": { "type": "integer", "format": "int32", "default": 1, "minimum": 1 } }),
        json!({ "name": "itemsPerPage", "in": "query", "schema": { "type": "integer", "format": "int32", "default": 100 } }),
    ];
    if d.chance(50) {
        params.push(json!({ "name": "includeCount", "in": "query", "schema": { "type": "boolean", "default": true } }));
    }
    d.add_operation(
        &format!("/api/atlas/v2/items{n}"),
        "get",
        json!({ "operationId": format!("listItems{n}"), "tags": [tag], "parameters": params, "responses": responses }),
    );
}

fn union(d: &mut Doc, n: usize) {
    let tagged = d.chance(70);
    d.constructs.push(if tagged {
        "tagged union"
    } else {
        "untagged union"
    });
    let mut variants = Vec::new();
    let mut mapping = Map::new();
    for (i, value) in ["AWS", "AZURE", "GCP"]
        .iter()
        .take(2 + d.rng.below(2))
        .enumerate()
    {
        let name = format!("Provider{n}V{i}");
        let tag_schema = if d.chance(50) {
            json!({ "type": "string", "enum": [value] })
        } else {
            json!({ "type": "string" })
        };
        let field = json!({ "type": "string", "pattern": "^[a-z0-9-]+$" });
        let extra = json!({ "type": "integer" });
        let always: &[&str] = if d.chance(70) { &["provider"] } else { &[] };
        let object = d.object(
            vec![
                ("provider", tag_schema),
                (["bucketName", "region", "zone"][i], field),
                ("size", extra),
            ],
            always,
        );
        d.schemas.insert(name.clone(), object);
        let reference = format!("#/components/schemas/{name}");
        mapping.insert((*value).to_owned(), json!(reference));
        variants.push(json!({ "$ref": reference }));
    }
    let mut schema = json!({ "oneOf": variants });
    if tagged {
        schema["discriminator"] = json!({ "propertyName": "provider", "mapping": mapping });
        if d.chance(50) {
            schema["type"] = json!("object");
            schema["properties"] = json!({ "provider": { "type": "string" } });
        }
    }
    d.schemas.insert(format!("Provider{n}"), schema);
    let union = json!({ "$ref": format!("#/components/schemas/Provider{n}") });
    // Used directly, or as a field of a wrapper (required, nullable, or not).
    let body = if d.chance(50) {
        union
    } else {
        let (field, _) = d.maybe_nullable(union);
        let wrapper = d.object(
            vec![("provider", field), ("note", json!({ "type": "string" }))],
            &[],
        );
        d.named_or_inline(&format!("ProviderHolder{n}"), wrapper)
    };
    let tag = d.tag();
    let responses = d.responses(body.clone());
    let content = d.content(body);
    let required = d.chance(70);
    d.add_operation(
        &format!("/api/atlas/v2/providers{n}"),
        "post",
        json!({ "operationId": format!("createProvider{n}"), "tags": [tag],
            "requestBody": { "required": required, "content": content },
            "responses": responses }),
    );
}

fn enums_maps_and_views(d: &mut Doc, n: usize) {
    d.constructs
        .push("enums, nullable items and map values, readOnly/writeOnly, defaults");
    let values = [
        "ACTIVE",
        "active",
        "IN-PROGRESS",
        "-1",
        "1",
        "v2.0",
        "",
        "Self",
        "none",
    ];
    let picked: Vec<&str> = values
        .iter()
        .copied()
        .filter(|_| d.chance(40))
        .chain(["READY"])
        .collect();
    let state = json!({ "type": "string", "enum": picked, "default": "READY" });
    let state = d.named_or_inline(&format!("State{n}"), state);
    let (state, _) = d.maybe_nullable(state);
    let (item, _) = d.maybe_nullable(json!({ "type": "string" }));
    let tags = json!({ "type": "array", "items": item, "uniqueItems": d.chance(30) });
    let (value, _) = d.maybe_nullable(json!({ "type": "string" }));
    let labels = json!({ "type": "object", "additionalProperties": value });
    let nested = d.item(100 + n);
    let (nested, _) = d.maybe_nullable(nested);
    let nested_map = json!({ "type": "object", "additionalProperties": nested });
    let (list_map_items, _) = d.maybe_nullable(json!({ "type": "integer", "format": "int64" }));
    let list_map = json!({ "type": "object", "additionalProperties": { "type": "array", "items": list_map_items } });
    let id = json!({ "type": "string", "readOnly": true, "pattern": "^([a-f0-9]{24})$" });
    let created = json!({ "type": "string", "format": "date-time", "readOnly": true });
    let secret = json!({ "type": "string", "writeOnly": true });
    let count = json!({ "type": "integer", "default": 3, "minimum": 0 });
    let ratio = json!({ "type": "number", "default": 0.5 });
    let flag = json!({ "type": "boolean", "default": false });
    let day = json!({ "type": "string", "format": "date" });
    let any = json!({});
    let object = d.object(
        vec![
            ("id", id),
            ("created", created),
            ("secret", secret),
            ("state", state),
            ("tags", tags),
            ("labels", labels),
            ("nested", nested_map),
            ("series", list_map),
            ("count", count),
            ("ratio", ratio),
            ("flag", flag),
            ("day", day),
            ("anything", any),
        ],
        &[],
    );
    d.schemas.insert(format!("Thing{n}"), object);
    let thing = json!({ "$ref": format!("#/components/schemas/Thing{n}") });
    let tag = d.tag();
    let responses = d.responses(thing.clone());
    let content = d.content(thing);
    let mut params = vec![json!({ "$ref": "#/components/parameters/groupId" })];
    if d.chance(50) {
        params.push(json!({ "$ref": "#/components/parameters/envelope" }));
    }
    d.add_operation(
        &format!("/api/atlas/v2/groups/{{groupId}}/things{n}"),
        "post",
        json!({ "operationId": format!("createThing{n}"), "tags": [tag], "parameters": params,
            "requestBody": { "required": true, "content": content },
            "responses": responses }),
    );
}

fn parameters(d: &mut Doc, n: usize) {
    d.constructs.push("path and query parameters with patterns");
    let name = json!({ "name": "clusterName", "in": "path", "required": true,
        "schema": { "type": "string", "pattern": "^[a-zA-Z0-9][a-zA-Z0-9-]*$", "maxLength": 64 } });
    let query = json!({ "name": "since", "in": "query", "required": d.chance(30),
        "schema": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$" } });
    let ids = json!({ "name": "ids", "in": "query", "required": d.chance(30), "explode": d.chance(50),
        "schema": { "type": "array", "items": { "type": "string", "pattern": "^([a-f0-9]{24})$" } } });
    let kinds = json!({ "name": "kind", "in": "query",
        "schema": { "type": "string", "enum": ["A", "B"], "default": "A" } });
    let limit = json!({ "name": "limit", "in": "query", "required": d.chance(30),
        "schema": { "type": "integer", "format": "int32", "default": 10 } });
    let header = json!({ "name": "X-Request-Id", "in": "header", "required": d.chance(30),
        "schema": { "type": "string" } });
    let mut params = vec![json!({ "$ref": "#/components/parameters/groupId" }), name];
    for p in [query, ids, kinds, limit, header] {
        if d.chance(70) {
            params.push(p);
        }
    }
    let tag = d.tag();
    let item = d.item(200 + n);
    let responses = d.responses(item);
    d.add_operation(
        &format!("/api/atlas/v2/groups/{{groupId}}/clusters{n}/{{clusterName}}"),
        "get",
        json!({ "operationId": format!("getCluster{n}"), "tags": [tag], "parameters": params, "responses": responses }),
    );
}

fn binary_and_text(d: &mut Doc, n: usize) {
    d.constructs.push("binary and text responses");
    let mut content = Map::new();
    if d.chance(60) {
        content.insert(
            "application/vnd.atlas.2023-01-01+gzip".into(),
            json!({ "schema": { "type": "string", "format": "binary" } }),
        );
    }
    if d.chance(60) || content.is_empty() {
        content.insert(
            "application/vnd.atlas.2023-02-01+csv".into(),
            json!({ "schema": { "type": "string" } }),
        );
    }
    if d.chance(40) {
        let item = d.item(300 + n);
        content.insert(
            "application/vnd.atlas.2023-03-01+json".into(),
            json!({ "schema": item }),
        );
    }
    if d.chance(20) {
        content.insert(
            "text/plain".into(),
            json!({ "schema": { "type": "string" } }),
        );
    }
    let tag = d.tag();
    d.add_operation(
        &format!("/api/atlas/v2/groups/{{groupId}}/logs{n}"),
        "get",
        json!({ "operationId": format!("downloadLog{n}"), "tags": [tag],
            "parameters": [{ "$ref": "#/components/parameters/groupId" }],
            "responses": { "200": { "description": "ok", "content": content } } }),
    );
}

fn waiter(d: &mut Doc, n: usize) {
    d.constructs.push("waiter reading the response body");
    let (id, _) = d.maybe_nullable(json!({ "type": "string" }));
    let state = json!({ "type": "string", "enum": ["PENDING", "DONE", "FAILED"] });
    let state = d.named_or_inline(&format!("JobState{n}"), state);
    let (state, _) = d.maybe_nullable(state);
    let nested = d.object(vec![("jobId", json!({ "type": "string" }))], &[]);
    let (nested, _) = d.maybe_nullable(nested);
    let job = d.object(vec![("id", id), ("state", state), ("meta", nested)], &[]);
    d.schemas.insert(format!("Job{n}"), job);
    let job = json!({ "$ref": format!("#/components/schemas/Job{n}") });
    let from_body = if d.chance(50) {
        "body:$.id"
    } else {
        "body:$.meta.jobId"
    };
    let expect = if d.chance(70) {
        json!({ "match": { "path": "$.state", "values": ["DONE", "FAILED"] } })
    } else {
        json!({ "http-code": 404 })
    };
    let tag = d.tag();
    let responses = d.responses(job.clone());
    d.add_operation(
        &format!("/api/atlas/v2/groups/{{groupId}}/jobs{n}"),
        "post",
        json!({ "operationId": format!("startJob{n}"), "tags": [tag],
            "parameters": [{ "$ref": "#/components/parameters/groupId" }],
            "x-xgen-atlascli": { "watcher": {
                "get": { "operation-id": format!("getJob{n}"),
                    "params": { "groupId": "input:groupId", "jobId": from_body } },
                "expect": expect } },
            "responses": responses }),
    );
    let tag = d.tag();
    let responses = d.responses(job);
    d.add_operation(
        &format!("/api/atlas/v2/groups/{{groupId}}/jobs{n}/{{jobId}}"),
        "get",
        json!({ "operationId": format!("getJob{n}"), "tags": [tag],
            "parameters": [{ "$ref": "#/components/parameters/groupId" },
                { "name": "jobId", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": responses }),
    );
}

/// The document of seed `seed`: two to five constructs, each with its own
/// random shapes; one in eight is broken on purpose (its first operation
/// documents a response through a `$ref` to nothing), and then also
/// returns the pointer its error must name.
fn document(seed: u64, index: usize) -> (Value, Vec<&'static str>, Option<String>) {
    let mut d = Doc {
        rng: Rng(seed),
        paths: Map::new(),
        schemas: Map::new(),
        constructs: Vec::new(),
    };
    let constructs: [fn(&mut Doc, usize); 6] = [
        paginated,
        union,
        enums_maps_and_views,
        parameters,
        binary_and_text,
        waiter,
    ];
    // Each document starts at a different construct, so that a batch
    // covers every one whatever the seed.
    let count = 2 + d.rng.below(4);
    for k in 0..count {
        let at = (index + k * (1 + d.rng.below(5))) % constructs.len();
        constructs[at](&mut d, k);
    }
    let mut broken = None;
    if d.rng.chance(12) {
        if let Some((path, item)) = d.paths.iter_mut().next() {
            if let Some((method, op)) = item.as_object_mut().and_then(|m| m.iter_mut().next()) {
                op["responses"]["418"] = json!({ "$ref": "#/components/responses/Missing" });
                broken = Some(format!(
                    "/paths/{}/{method}/responses/418",
                    path.replace('~', "~0").replace('/', "~1")
                ));
            }
        }
    }
    d.schemas.insert(
        "ApiError".into(),
        json!({ "type": "object", "properties": {
            "detail": { "type": "string" }, "errorCode": { "type": "string" },
            "error": { "type": "integer" } }, "required": ["error"] }),
    );
    let doc = json!({
        "openapi": "3.0.1",
        "info": { "title": format!("Shapes {index}"), "version": "2.0" },
        "servers": [{ "url": "https://cloud.mongodb.com" }],
        "paths": d.paths,
        "components": {
            "schemas": d.schemas,
            "parameters": {
                "groupId": { "name": "groupId", "in": "path", "required": true,
                    "schema": { "type": "string", "pattern": "^([a-f0-9]{24})$" } },
                "envelope": { "name": "envelope", "in": "query",
                    "schema": { "type": "boolean", "default": false } },
            },
        },
    });
    (doc, d.constructs, broken)
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[test]
fn every_generated_spec_shape_compiles_or_is_refused_with_a_located_error() {
    let started = Instant::now();
    let specs = env_number("SHAPES_SPECS", 64) as usize;
    let mut seeds = Rng(env_number("SHAPES_SEED", 0x000a_71a5_5ea5) | 1);
    let dir = workspace_root().join("target/spec-shapes");
    let _ = std::fs::remove_dir_all(dir.join("specs"));
    std::fs::create_dir_all(dir.join("specs")).expect("mkdir");
    let mut members = Vec::new();
    let mut refused = 0;
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for index in 0..specs {
        let (doc, constructs, broken) = document(seeds.next_u64() | 1, index);
        let name = format!("shapes-{index:03}");
        let spec = dir.join("specs").join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&doc).expect("json");
        std::fs::write(&spec, &text).expect("write spec");
        let loaded = atlas_codegen::load::parse(&spec, &text);
        let outcome =
            loaded.and_then(|s| atlas_codegen::generate(&s, &atlas_codegen::Options::new(&name)));
        match (outcome, broken) {
            (Ok(_), None) => {}
            (Err(failure), None) => panic!(
                "{}: a well-formed spec was refused:\n{failure}",
                spec.display()
            ),
            (Ok(_), Some(at)) => panic!(
                "{}: a spec with a dangling $ref at {at} was accepted",
                spec.display()
            ),
            // Refused: the error says where.
            (Err(failure), Some(at)) => {
                refused += 1;
                assert!(
                    failure
                        .diagnostics
                        .iter()
                        .any(|d| d.file == spec && d.pointer.to_string().contains(&at)),
                    "{}: no error names {at}:\n{failure}",
                    spec.display()
                );
                continue;
            }
        }
        for c in &constructs {
            *seen.entry(c).or_default() += 1;
        }
        let crate_dir = dir.join(&name);
        atlas_tests::full_crate::generate_crate(&spec, &crate_dir);
        member_manifest(&crate_dir.join("Cargo.toml"), &name);
        members.push(name);
    }
    for construct in [
        "paginated list",
        "tagged union",
        "untagged union",
        "enums, nullable items and map values, readOnly/writeOnly, defaults",
        "path and query parameters with patterns",
        "binary and text responses",
        "waiter reading the response body",
    ] {
        assert!(
            seen.get(construct).is_some_and(|n| *n > 0),
            "no generated spec has a {construct}: {seen:?}"
        );
    }
    let workspace = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
        members
            .iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    write_if_changed(&dir.join("Cargo.toml"), &workspace);
    let lock = std::fs::read(workspace_root().join("Cargo.lock")).expect("Cargo.lock");
    if !dir.join("Cargo.lock").exists() {
        std::fs::write(dir.join("Cargo.lock"), lock).expect("write Cargo.lock");
    }
    let generated = started.elapsed();
    cargo(&dir, &["check", "--quiet", "--workspace", "--all-features"]);
    eprintln!(
        "{} specs: {} generated and compiled, {refused} refused; generating {:.1} s, cargo check {:.1} s",
        specs,
        members.len(),
        generated.as_secs_f64(),
        (started.elapsed() - generated).as_secs_f64()
    );
}

/// A generated crate's manifest as a member of the test's workspace: its
/// own package name, no `[workspace]` of its own.
fn member_manifest(path: &Path, name: &str) {
    let text = std::fs::read_to_string(path).expect("manifest");
    let mut manifest: toml::Table = text.parse().expect("manifest parses");
    manifest.remove("workspace");
    if let Some(toml::Value::Table(package)) = manifest.get_mut("package") {
        package.insert("name".into(), toml::Value::String(name.to_owned()));
    }
    write_if_changed(path, &toml::to_string(&manifest).expect("toml"));
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).expect("write");
    }
}
