use std::collections::HashMap;

use serde_json::{json, Value};

use super::schema::Patterns;
use super::{convert_document, losses, pattern_samples, Generator, Mode};

fn doc() -> Value {
    json!({
        "components": { "schemas": {
            "Job": {
                "type": "object",
                "required": ["id", "secret"],
                "properties": {
                    "id": { "type": "string", "pattern": "^([a-f0-9]{24})$" },
                    "secret": { "type": "string", "writeOnly": true },
                    "createdAt": { "type": "string", "format": "date-time" },
                    "note": { "type": "string", "nullable": true },
                    "count": { "type": "integer", "minimum": 3 },
                    "tags": { "type": "array", "items": { "type": "string", "nullable": true } },
                    "labels": {
                        "type": "object",
                        "additionalProperties": { "type": "integer", "nullable": true }
                    },
                    "parent": { "$ref": "#/components/schemas/Job" },
                    "bucket": { "$ref": "#/components/schemas/Bucket" }
                }
            },
            "Bucket": {
                "type": "object",
                "discriminator": {
                    "propertyName": "cloud",
                    "mapping": { "AWS": "#/components/schemas/Aws", "GCP": "#/components/schemas/Gcp" }
                },
                "oneOf": [
                    { "$ref": "#/components/schemas/Aws" },
                    { "$ref": "#/components/schemas/Gcp" }
                ],
                "properties": { "cloud": { "type": "string", "enum": ["AWS", "GCP"] } }
            },
            "Aws": {
                "allOf": [
                    { "$ref": "#/components/schemas/Bucket" },
                    { "type": "object", "properties": { "role": { "type": "string" } } }
                ]
            },
            "Gcp": {
                "allOf": [
                    { "$ref": "#/components/schemas/Bucket" },
                    { "type": "object", "properties": { "account": { "type": "string" } } }
                ]
            }
        } }
    })
}

#[test]
fn conversion_reads_openapi_as_a_response() {
    let (converted, _) = convert_document(&doc());
    let job = &converted["components"]["schemas"]["Job"];
    assert_eq!(job["required"], json!(["id"]), "writeOnly is not required");
    assert!(job["properties"].get("secret").is_none());
    assert_eq!(job["properties"]["note"]["type"], json!(["string", "null"]));
    assert_eq!(
        job["properties"]["tags"]["items"]["type"],
        json!(["string", "null"])
    );
    // A child leaves out its base (which lists it) and keeps its value.
    let aws = &converted["components"]["schemas"]["Aws"];
    assert_eq!(aws["allOf"].as_array().map(Vec::len), Some(2), "{aws}");
    assert_eq!(
        aws["allOf"][1]["properties"]["cloud"]["enum"],
        json!(["AWS"])
    );
}

#[test]
fn every_kind_of_instance_is_valid() {
    let doc = doc();
    let mut generator = Generator::new(&doc);
    let at = "/components/schemas/Job";
    let minimal = generator.instance(at, Mode::Minimal).expect("minimal");
    assert_eq!(minimal, json!({ "id": "aaaaaaaaaaaaaaaaaaaaaaaa" }));
    let maximal = generator.instance(at, Mode::Maximal).expect("maximal");
    assert_eq!(maximal["createdAt"], json!("2024-05-06T07:08:09Z"));
    assert!(maximal.get("secret").is_none(), "{maximal}");
    assert_eq!(maximal["bucket"]["cloud"], json!("AWS"), "{maximal}");
    assert!(maximal["parent"].is_object(), "{maximal}");
    let nulls = generator.instance(at, Mode::Nulls).expect("nulls");
    assert_eq!(nulls["note"], Value::Null);
    assert_eq!(nulls["tags"], json!([null]));
    assert_eq!(nulls["labels"]["additionalProp1"], Value::Null);
    for instance in [&minimal, &maximal, &nulls] {
        assert_eq!(generator.checker.check(at, instance), Ok(()), "{instance}");
    }
    let invalid = json!({ "id": "not hex", "count": 1 });
    assert!(generator.checker.check(at, &invalid).is_err());
    // Without its value, a bucket is no branch of the union.
    let untagged = json!({ "role": "r" });
    assert!(generator
        .checker
        .check("/components/schemas/Bucket", &untagged)
        .is_err());
}

#[test]
fn pattern_samples_match() {
    for pattern in [
        "^([a-f0-9]{24})$",
        "^[a-zA-Z0-9][a-zA-Z0-9-]*$",
        "^mdb_sa_id_[a-fA-F\\d]{24}$",
        "([\\d]+\\.[\\d]+\\.[\\d]+)",
    ] {
        let samples = pattern_samples(pattern);
        let re = regex_syntax::ParserBuilder::new().build().parse(pattern);
        assert!(re.is_ok());
        let mut patterns = Patterns {
            compiled: HashMap::new(),
        };
        assert!(
            samples.iter().any(|s| patterns.matches(pattern, s)),
            "{pattern}: {samples:?}"
        );
    }
}

#[test]
fn losses_treat_null_as_absent_and_compare_values() {
    let instance = json!({
        "a": null, "n": 3, "t": "2024-05-06T07:08:09.000+00:00",
        "list": [1, {"k": "v"}], "gone": "x"
    });
    let decoded = json!({ "n": 3.0, "t": "2024-05-06T07:08:09Z", "list": [1, {"k": "v"}] });
    assert_eq!(losses(&instance, &decoded), vec!["/gone: lost (\"x\")"]);
    assert_eq!(
        losses(&json!({"n": 1}), &json!({"n": 2})),
        vec!["/n: 1 became 2"]
    );
}
