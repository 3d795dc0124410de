//! Unit tests.
use super::*;
use crate::profile::{self, Settings};
use atlas_admin_runtime::Transport;
use clap::{ArgMatches, Command};
use serde_json::json;

static GROUP: ArgSpec = ArgSpec {
    id: "groupId",
    value_name: "GROUP_ID",
    location: Location::Path,
    required: true,
    doc: "The project. Atlas calls it a group.",
    pattern: Some("^([a-f0-9]{24})$"),
    default: None,
    example: Some("32b6e34b3d91647abb20e7b8"),
    kind: ArgKind::Text,
    list: false,
    aliases: &["projectId"],
    short_help: None,
};
static ENVELOPE: ArgSpec = ArgSpec {
    id: "envelope",
    value_name: "ENVELOPE",
    location: Location::Query,
    required: false,
    doc: "",
    pattern: None,
    default: Some("false"),
    example: None,
    kind: ArgKind::Bool,
    list: false,
    aliases: &[],
    short_help: None,
};
// Named like the `--file` every operation with a body has.
static FILE: ArgSpec = ArgSpec {
    id: "file",
    value_name: "FILE",
    location: Location::Query,
    required: true,
    doc: "A file name.",
    pattern: None,
    default: None,
    example: None,
    kind: ArgKind::Text,
    list: false,
    aliases: &[],
    short_help: None,
};
static IDS: ArgSpec = ArgSpec {
    id: "ids",
    value_name: "IDS",
    location: Location::Query,
    required: false,
    doc: "Ids.",
    pattern: None,
    default: None,
    example: None,
    kind: ArgKind::Integer,
    list: true,
    aliases: &[],
    short_help: None,
};

/// Prints what it was given.
fn echo(call: Call<'_>) -> Running<'_> {
    Box::pin(async move {
        Ok(Outcome::Json(json!({
            "groupId": call.text("groupId")?,
            "envelope": call.boolean("envelope")?,
            "file": call.text("file")?,
            "ids": call.integers("ids")?,
            "body": call.typed_body::<serde_json::Value>()?,
            "version": call.version,
            "format": call.format,
        })))
    })
}

/// An operation with no documented statuses and JSON error bodies.
struct Raw;

impl atlas_admin_runtime::Endpoint for Raw {
    type Decoder = atlas_admin_runtime::AnyJson;
    type ErrorBody = serde_json::Value;
    const SUCCESS: &'static [(u16, bool)] = &[];
    const ERRORS: &'static [u16] = &[];
}

/// Sends `GET /report` with the Accept of the format asked for and
/// returns the body as received (what a generated `send_as` does).
fn report(call: Call<'_>) -> Running<'_> {
    Box::pin(async move {
        let version = call.version.as_deref().unwrap_or("2023-01-01");
        let format = call.format.unwrap_or("json");
        let accept: &'static str = match format {
            "csv" => "application/vnd.atlas.2023-01-01+csv",
            "gzip" => "application/vnd.atlas.2023-01-01+gzip",
            _ => "application/vnd.atlas.2023-01-01+json",
        };
        let mut request =
            atlas_admin_runtime::ApiRequest::new(reqwest::Method::GET, "/report", &[], accept);
        request.api_version = Some(version.to_owned());
        if call.format.is_some() {
            bytes_outcome(
                call.client
                    .send::<atlas_admin_runtime::AsBytes<Raw>>(Ok(request))
                    .await,
            )
        } else {
            json_outcome(
                call.client
                    .send::<atlas_admin_runtime::AnyVersion<Raw>>(Ok(request))
                    .await,
            )
        }
    })
}

static OPS: &[OpSpec] = &[
    OpSpec {
        name: "getThing",
        operation_id: "getGroupThing",
        summary: Some("Return one thing"),
        short_help: None,
        description: Some("Returns the thing."),
        method: "POST",
        path: "/groups/{groupId}/things",
        args: &[&GROUP, &ENVELOPE, &FILE, &IDS],
        body: Some(BodySpec {
            media_type: "application/json",
            required: false,
            doc: None,
        }),
        versions: &[
            VersionSpec {
                name: "2023-01-01",
                formats: &["json"],
                sunset: Some("2027-07-01"),
                public_preview: false,
            },
            VersionSpec {
                name: "2024-05-30",
                formats: &["json"],
                sunset: None,
                public_preview: false,
            },
            VersionSpec {
                name: "preview",
                formats: &["json"],
                sunset: None,
                public_preview: true,
            },
        ],
        version: Some("2024-05-30"),
        pages: None,
        body_template: None,
        run: echo,
        watch: None,
    },
    OpSpec {
        name: "getReport",
        operation_id: "getReport",
        summary: None,
        short_help: None,
        description: None,
        method: "GET",
        path: "/report",
        args: &[],
        body: None,
        versions: &[
            VersionSpec {
                name: "2023-01-01",
                formats: &["csv", "json"],
                sunset: None,
                public_preview: false,
            },
            VersionSpec {
                name: "preview",
                formats: &["gzip"],
                sunset: None,
                public_preview: false,
            },
        ],
        version: Some("2023-01-01"),
        pages: None,
        body_template: None,
        run: report,
        watch: None,
    },
];
static TAGS: &[TagSpec] = &[TagSpec {
    name: "things",
    tag: "Things",
    feature: "things",
    ops: OPS,
}];

fn parse(args: &[&str]) -> ArgMatches {
    let mut argv = vec!["atlas-api"];
    argv.extend_from_slice(args);
    command("About.", TAGS)
        .try_get_matches_from(argv)
        .expect("parses")
}

#[test]
fn help_texts_are_built_from_the_table() {
    assert_eq!(GROUP.help(), "The project. [pattern: ^([a-f0-9]{24})$]");
    assert_eq!(
        GROUP.long_help(),
        "The project. Atlas calls it a group.\n\npath parameter `groupId`, required.\nWhen not given: $MONGODB_ATLAS_PROJECT_ID, else the profile's project_id.\nPattern: ^([a-f0-9]{24})$\nExample: 32b6e34b3d91647abb20e7b8"
    );
    assert_eq!(ENVELOPE.help(), "The `envelope` query parameter.");
    assert_eq!(
        ENVELOPE.long_help(),
        "The `envelope` query parameter.\n\nquery parameter `envelope`, optional.\nServer default: false"
    );
    assert_eq!(FILE.flag(), "fileParam");
    let op = &OPS[0];
    assert_eq!(
        op.long_about(),
        "Return one thing\n\nReturns the thing.\n\nPOST /groups/{groupId}/things (operationId getGroupThing)."
    );
    let after = op.after_help("things");
    assert!(
        after.starts_with(
            "Example:\n  atlas-api things getThing --groupId 32b6e34b3d91647abb20e7b8 --fileParam <file> --file body.json\n\nRequest body (application/json, optional): JSON from --file PATH"
        ),
        "{after}"
    );
    assert!(
        after.contains("API versions (--version): 2023-01-01 (body sent as given; sunset 2027-07-01), 2024-05-30 (default; body checked), preview (body sent as given; public preview)\n\nCredentials: "),
        "{after}"
    );
    use OutputFormat::{Csv, Gzip, Json, Yaml};
    assert_eq!(op.output_formats(), [Json, Yaml]);
    assert_eq!(OPS[1].output_formats(), [Json, Yaml, Csv, Gzip]);
    assert!(OPS[1].after_help("things").contains(
        "Output (--output): json, yaml, csv, gzip; binary output needs --outputFile PATH"
    ));
    // clap's own checks (unique ids and flags among them).
    command("About.", TAGS).debug_assert();
}

#[tokio::test]
async fn the_table_dispatches_with_the_flags_body_version_and_fallbacks() {
    let client = Transport::builder().build().expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let body = dir.path().join("body.json");
    std::fs::write(&body, r#"{"a": 1}"#).expect("body");
    let body = body.display().to_string();
    let matches = parse(&[
        "things",
        "getGroupThing",
        "--projectId",
        "g",
        "--envelope",
        "--fileParam",
        "f.txt",
        "--ids",
        "1",
        "--ids",
        "2",
        "--file",
        &body,
        "--version",
        "2023-01-01",
    ]);
    let prepared = prepare(&matches, TAGS, &Settings::empty(), false).expect("prepared");
    assert_eq!(prepared.format, OutputFormat::Json);
    let out = execute(&client, &prepared).await.expect("runs");
    assert_eq!(
        out,
        Outcome::Json(json!({
            "groupId": "g", "envelope": true, "file": "f.txt", "ids": [1, 2],
            "version": "2023-01-01", "body": { "a": 1 }, "format": null
        }))
    );
    // The generated version is no other version; `=false` is false;
    // --groupId comes from the settings when not given.
    let matches = parse(&[
        "things",
        "getThing",
        "--fileParam",
        "f.txt",
        "--envelope=false",
        "--file",
        &body,
        "--version",
        "2024-05-30",
    ]);
    let settings = Settings {
        project_id: Some("from-profile".into()),
        ..Settings::empty()
    };
    let prepared = prepare(&matches, TAGS, &settings, false).expect("prepared");
    let Outcome::Json(out) = execute(&client, &prepared).await.expect("runs") else {
        panic!("not JSON");
    };
    assert_eq!(out["version"], json!(null));
    assert_eq!(out["envelope"], json!(false));
    assert_eq!(out["ids"], json!(null));
    assert_eq!(out["groupId"], json!("from-profile"));
    // Without one: the flag, the variable and the profile are named.
    let err = prepare(&matches, TAGS, &Settings::empty(), false).expect_err("no group");
    assert_eq!(err.exit_code, EXIT_USAGE);
    assert!(
        err.message
            .starts_with("--groupId (or --projectId) is required: pass it, set MONGODB_ATLAS_PROJECT_ID, or set project_id in an Atlas CLI profile"),
        "{err}"
    );
    // A bad integer is clap's usage error; no operation, no tag: ours.
    assert!(command("About.", TAGS)
        .try_get_matches_from(["atlas-api", "things", "getThing", "--ids", "x"])
        .is_err());
    let matches = Command::new("atlas-api")
        .subcommand(Command::new("things").subcommand(Command::new("nothing")))
        .get_matches_from(["atlas-api", "things", "nothing"]);
    let err = prepare(&matches, TAGS, &Settings::empty(), false).expect_err("unknown");
    assert_eq!(err.exit_code, EXIT_USAGE);
    assert_eq!(err.message, "unknown command things nothing");
}

#[test]
fn versions_warn_as_atlas_api_does() {
    let op = &OPS[0];
    let [old, current, preview] = [&op.versions[0], &op.versions[1], &op.versions[2]];
    assert!(version_warnings(op, current, "2026-01-01").is_empty());
    assert_eq!(
        version_warnings(op, old, "2026-01-01"),
        ["warning: version '2023-01-01' is deprecated for this command and will be sunset on 2027-07-01. Consider upgrading to a newer version if available."]
    );
    assert_eq!(
        version_warnings(op, old, "2027-07-01"),
        ["error: version '2023-01-01' is deprecated for this command and has already been sunset since 2027-07-01. Consider upgrading to a newer version if available."]
    );
    assert_eq!(
        version_warnings(op, preview, "2026-01-01"),
        ["warning: you've selected a public preview version of the endpoint, this version is subject to breaking changes."]
    );
    let private = &OPS[1].versions[1];
    assert_eq!(
        version_warnings(&OPS[1], private, "2026-01-01"),
        ["warning: you've selected a private preview version of the endpoint, this version might not be available for your account and is subject to breaking changes."]
    );
    // Every version sunset: the command is deprecated.
    static SUNSET: &[VersionSpec] = &[VersionSpec {
        name: "2023-01-01",
        formats: &["json"],
        sunset: Some("2025-01-01"),
        public_preview: false,
    }];
    let gone = OpSpec {
        versions: SUNSET,
        ..OPS[0]
    };
    assert_eq!(
        version_warnings(&gone, &SUNSET[0], "2026-01-01"),
        ["Command \"getThing\" is deprecated, all of the available endpoint versions have been deprecated. The API endpoint version 2023-01-01 will no longer be available after the sunset date of 2025-01-01."]
    );
    // prepare: the reminder once when --version is omitted, none when
    // given; the profile's api_version applies where offered.
    let settings = Settings {
        project_id: Some("g".into()),
        ..Settings::empty()
    };
    let omitted = parse(&["things", "getThing", "--fileParam", "f"]);
    let prepared = prepare(&omitted, TAGS, &settings, false).expect("prepared");
    assert_eq!(
        prepared.warnings,
        ["warning: using default API version '2024-05-30'; consider pinning a version to ensure consistency when updating the CLI"]
    );
    let given = parse(&[
        "things",
        "getThing",
        "--fileParam",
        "f",
        "--version",
        "preview",
    ]);
    let prepared = prepare(&given, TAGS, &settings, false).expect("prepared");
    assert_eq!(prepared.warnings.len(), 1);
    assert!(prepared.warnings[0].contains("public preview"));
    let pinned = Settings {
        api_version: Some(("2023-01-01".into(), profile::Source::Profile("api_version"))),
        ..settings.clone()
    };
    let prepared = prepare(&omitted, TAGS, &pinned, false).expect("prepared");
    assert_eq!(prepared.version.map(|v| v.name), Some("2023-01-01"));
    assert!(
        prepared.warnings[0].contains("will be sunset on 2027-07-01"),
        "{:?}",
        prepared.warnings
    );
    let unknown = Settings {
        api_version: Some(("2020-01-01".into(), profile::Source::Profile("api_version"))),
        ..settings
    };
    let prepared = prepare(&omitted, TAGS, &unknown, false).expect("prepared");
    assert_eq!(prepared.version.map(|v| v.name), Some("2024-05-30"));
    assert_eq!(
        prepared.warnings,
        ["warning: version '2020-01-01' (the profile's api_version) is not supported for this endpoint, using default API version '2024-05-30'; consider pinning a version to ensure consistency when updating the CLI"]
    );
}

#[tokio::test]
async fn output_formats_yaml_csv_gzip_and_files() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    for (format, body) in [
        ("json", &b"{\"a\": [1, \"x\"]}"[..]),
        ("csv", b"a,b\n1,2\n"),
    ] {
        Mock::given(method("GET"))
            .and(path("/report"))
            .and(header(
                "accept",
                format!("application/vnd.atlas.2023-01-01+{format}").as_str(),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(body))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/report"))
        .and(header("accept", "application/vnd.atlas.preview+gzip"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(&b"\x1f\x8b\x08\x00"[..]))
        .mount(&server)
        .await;
    let client = Transport::builder()
        .base_url(server.uri())
        .build()
        .expect("client");
    let run = |args: &[&str], terminal: bool| {
        let mut argv = vec!["things", "getReport"];
        argv.extend_from_slice(args);
        let matches = parse(&argv);
        prepare(&matches, TAGS, &Settings::empty(), terminal)
            .map(|p| (p.format, p.version.map(|v| v.name), p.output_file))
    };
    // YAML renders the JSON.
    let matches = parse(&["things", "getReport", "-o", "yaml"]);
    let prepared = prepare(&matches, TAGS, &Settings::empty(), true).expect("yaml");
    let out = execute(&client, &prepared).await.expect("yaml runs");
    assert_eq!(
        String::from_utf8(render(&out, prepared.format).expect("render")).expect("utf-8"),
        "a:\n- 1\n- x\n"
    );
    // CSV asks for +csv and prints it as received.
    let matches = parse(&["things", "getReport", "--output", "csv"]);
    let prepared = prepare(&matches, TAGS, &Settings::empty(), true).expect("csv");
    let out = execute(&client, &prepared).await.expect("csv runs");
    assert_eq!(
        render(&out, OutputFormat::Csv).expect("render"),
        b"a,b\n1,2\n"
    );
    // gzip: only the preview offers it; binary is refused on a
    // terminal without --outputFile, written to the file with it.
    let refused = run(&["-o", "gzip", "--version", "2023-01-01"], false);
    let err = refused.expect_err("not offered by 2023-01-01");
    assert_eq!(
        err.message,
        "--output gzip: version 2023-01-01 of getReport does not offer it (it offers csv, json); versions that do: preview"
    );
    let refused = run(&["-o", "gzip", "--version", "preview"], true);
    let err = refused.expect_err("binary to a terminal");
    assert!(
        err.message
            .starts_with("the gzip response is binary: write it to a file with --outputFile PATH"),
        "{err}"
    );
    let piped = run(&["-o", "gzip", "--version", "preview"], false);
    assert!(piped.is_ok());
    // Without --version: the newest version that offers the format.
    let matches = parse(&["things", "getReport", "-o", "gzip"]);
    let prepared = prepare(&matches, TAGS, &Settings::empty(), false).expect("newest gzip");
    assert_eq!(prepared.version.map(|v| v.name), Some("preview"));
    assert_eq!(
        prepared.warnings[0],
        "warning: using API version 'preview', the newest that offers --output gzip; consider pinning a version to ensure consistency when updating the CLI"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.gz");
    let file_arg = file.display().to_string();
    let matches = parse(&[
        "things",
        "getReport",
        "-o",
        "gzip",
        "--version",
        "preview",
        "--outputFile",
        &file_arg,
    ]);
    let prepared = prepare(&matches, TAGS, &Settings::empty(), true).expect("gzip to a file");
    // A preview version without x-xgen-preview public is private.
    assert!(prepared
        .warnings
        .iter()
        .any(|w| w.contains("private preview")));
    let out = execute(&client, &prepared).await.expect("gzip runs");
    write_output(
        &render(&out, prepared.format).expect("render"),
        prepared.output_file.as_deref(),
    )
    .expect("written");
    assert_eq!(std::fs::read(&file).expect("file"), b"\x1f\x8b\x08\x00");
    // The only format of a version is its default.
    let default = run(&["--version", "preview"], false);
    assert_eq!(default.expect("default").0, OutputFormat::Gzip);
}
