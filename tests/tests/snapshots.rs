//! Snapshots of the generator's output: one small spec per construct.
//! Review changes with `cargo insta review`. (The output for the whole
//! `spec/` document is `generated/src/gen/` itself, guarded by
//! `cargo xtask codegen --check` and the `drift` test.)

use std::path::Path;

use atlas_codegen::{load, Options};

fn generate(yaml: &str) -> String {
    let spec = load::parse(Path::new("inline.yaml"), yaml).expect("spec parses");
    let generated =
        atlas_codegen::generate(&spec, &Options::new("inline.yaml")).expect("generates");
    let mut out = String::new();
    for (name, text) in &generated.files {
        // The module tree and the operation table (emit/docs.rs, tested
        // there) are not per-construct output.
        if name == "mod.rs" || name.ends_with(".md") {
            continue;
        }
        out.push_str(&format!("==> {name}\n{text}\n"));
    }
    for w in &generated.warnings {
        out.push_str(&format!("==> warning\n{w}\n"));
    }
    out
}

fn doc_with(schemas: &str, response_schema: &str, body_schema: Option<&str>) -> String {
    let body = body_schema
        .map(|s| {
            format!(
                "      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/{s}'\n"
            )
        })
        .unwrap_or_default();
    format!(
        "openapi: 3.0.1
info: {{ title: t, version: '1' }}
paths:
  /things:
    post:
      operationId: makeThing
{body}      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/{response_schema}'
components:
  schemas:
{schemas}"
    )
}

#[test]
fn object() {
    let schemas = "    Thing:
      type: object
      description: A thing with every scalar kind.
      required: [name]
      properties:
        name: { type: string }
        count: { type: integer, format: int64 }
        ratio: { type: number, format: double }
        enabled: { type: boolean }
        at: { type: string, format: date-time }
        day: { type: string, format: date }
        tags: { type: array, items: { type: string } }
        labels: { type: object, additionalProperties: { type: string } }
        extra: { type: object }
        type: { type: string }
        2dsphereIndexVersion: { type: integer }
        _id: { type: string }
        nested:
          type: object
          properties:
            inner: { type: string }
";
    insta::assert_snapshot!(generate(&doc_with(schemas, "Thing", None)));
}

#[test]
fn open_enum() {
    let schemas = "    Job:
      type: object
      properties:
        state:
          type: string
          enum: [Cancelled, IN_PROGRESS, 1000 requests, Unknown, eastus]
";
    insta::assert_snapshot!(generate(&doc_with(schemas, "Job", None)));
}

#[test]
fn pattern_newtype() {
    let schemas = "    Req:
      type: object
      required: [groupId]
      properties:
        groupId: { type: string, pattern: '^([a-f0-9]{24})$' }
        names: { type: array, items: { type: string, pattern: '^[a-z]+$' } }
";
    insta::assert_snapshot!(generate(&doc_with(schemas, "Req", Some("Req"))));
}

#[test]
fn nullable() {
    let schemas = "    Patch:
      type: object
      required: [must]
      properties:
        must: { type: string, nullable: true }
        maybe: { type: string, nullable: true }
        plain: { type: string }
        detail:
          $ref: '#/components/schemas/Detail'
        ids: { type: array, items: { type: string, nullable: true } }
        counts: { type: object, additionalProperties: { type: integer, nullable: true } }
    Detail:
      type: object
      nullable: true
      properties:
        why: { type: string }
";
    insta::assert_snapshot!(generate(&doc_with(schemas, "Patch", Some("Patch"))));
}

#[test]
fn read_only_write_only_split() {
    let schemas = "    Account:
      type: object
      required: [id, password, name]
      properties:
        id: { type: string, readOnly: true }
        password: { type: string, writeOnly: true }
        name: { type: string }
        limit: { type: integer, format: int32 }
";
    insta::assert_snapshot!(generate(&doc_with(schemas, "Account", Some("Account"))));
}

#[test]
fn operation() {
    let yaml = "openapi: 3.0.1
info: { title: t, version: '1' }
paths:
  /groups/{groupId}/items/{name}:
    parameters:
      - name: groupId
        in: path
        required: true
        schema: { type: string, pattern: '^([a-f0-9]{24})$' }
    get:
      operationId: getGroupItemLongName
      x-xgen-operation-id-override: getItem
      summary: Get one item
      description: Returns the item; see https://example.com/docs.
      parameters:
        - { name: name, in: path, required: true, schema: { type: string } }
        - { name: envelope, in: query, schema: { type: boolean, default: false } }
        - { name: pageNum, in: query, schema: { type: integer, format: int32 } }
        - { name: tags, in: query, schema: { type: array, items: { type: string } } }
        - { name: X-Trace, in: header, required: true, schema: { type: string } }
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: '#/components/schemas/Item' }
            application/vnd.atlas.2024-05-30+json:
              schema: { $ref: '#/components/schemas/Item' }
        '404':
          description: missing
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Problem' }
    delete:
      operationId: deleteItem
      parameters:
        - { name: name, in: path, required: true, schema: { type: string } }
      responses:
        '204': { description: gone }
components:
  schemas:
    Item:
      type: object
      properties:
        name: { type: string }
    Problem:
      type: object
      required: [error]
      properties:
        error: { type: integer }
";
    insta::assert_snapshot!(generate(yaml));
}

#[test]
fn tagged_union_variants_and_schemaless_responses() {
    // Variants stand for their tag (no field for it, the tag written by the
    // type, a short constructor on the union); a 202 with content but no
    // schema returns whatever came, possibly nothing.
    let yaml = "openapi: 3.0.1
info: { title: t, version: '1' }
paths:
  /buckets:
    post:
      operationId: createBucket
      requestBody:
        required: true
        content: { application/json: { schema: { $ref: '#/components/schemas/Bucket' } } }
      responses:
        '200':
          description: ok
          content: { application/json: { schema: { $ref: '#/components/schemas/Bucket' } } }
  /buckets/{id}:
    delete:
      operationId: deleteBucket
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses:
        '202':
          description: accepted
          content: { application/vnd.atlas.2023-02-01+json: {} }
components:
  schemas:
    Bucket:
      type: object
      required: [cloudProvider]
      properties:
        cloudProvider: { type: string, enum: [AWS, GCP] }
        name: { type: string }
      discriminator:
        propertyName: cloudProvider
        mapping: { AWS: '#/components/schemas/Aws', GCP: '#/components/schemas/Gcp' }
    Aws:
      allOf:
        - $ref: '#/components/schemas/Bucket'
        - { type: object, required: [roleId], properties: { roleId: { type: string } } }
    Gcp:
      allOf:
        - $ref: '#/components/schemas/Bucket'
        - { type: object, properties: { serviceAccount: { type: string } } }
";
    insta::assert_snapshot!(generate(yaml));
}
