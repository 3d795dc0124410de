//! How an answer is printed: the output formats ([`OutputFormat`], one
//! variant per `--output` value, with everything that depends on the
//! format) and the forms of a dry run ([`DryRun`]). A new output format is a
//! variant here and its arm in each `match` of this file.

use crate::error::CliError;
use crate::outcome::Outcome;

/// A value of `--output`. A new format is one variant here and its arm in
/// each `match` below; the help, the choice of version, the refusal of
/// binary output on a terminal and the rendering all derive from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// The JSON body, indented.
    Json,
    /// The JSON body rendered as YAML.
    Yaml,
    /// The `+csv` response, printed as received.
    Csv,
    /// The `+gzip` response, written as received (binary).
    Gzip,
}

impl OutputFormat {
    /// Every format, in the order `--output` lists them.
    pub const ALL: [OutputFormat; 4] = [
        OutputFormat::Json,
        OutputFormat::Yaml,
        OutputFormat::Csv,
        OutputFormat::Gzip,
    ];

    /// The value of `--output` (`json`, `yaml`, `csv`, `gzip`).
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Json => "json",
            OutputFormat::Yaml => "yaml",
            OutputFormat::Csv => "csv",
            OutputFormat::Gzip => "gzip",
        }
    }

    /// The format of `--output NAME`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The response format (a media type's suffix, as in
    /// [`crate::VersionSpec::formats`]) an API version must offer for this
    /// output: JSON for `json` and `yaml`.
    pub fn served_as(self) -> &'static str {
        match self {
            OutputFormat::Json | OutputFormat::Yaml => "json",
            OutputFormat::Csv => "csv",
            OutputFormat::Gzip => "gzip",
        }
    }

    /// The response format asked of the server when it is not JSON (the
    /// response is then returned as received; [`crate::Call::format`]).
    pub fn requested(self) -> Option<&'static str> {
        match self.served_as() {
            "json" => None,
            other => Some(other),
        }
    }

    /// Whether the output is binary, unfit for a terminal.
    pub fn is_binary(self) -> bool {
        match self {
            OutputFormat::Json | OutputFormat::Yaml | OutputFormat::Csv => false,
            OutputFormat::Gzip => true,
        }
    }

    /// The bytes to write for `outcome`: JSON indented, YAML, or the body
    /// as received; nothing for a response without a body.
    pub fn render(self, outcome: &Outcome) -> Result<Vec<u8>, CliError> {
        match (outcome, self) {
            (Outcome::Json(value), OutputFormat::Yaml) => serde_yaml::to_string(value)
                .map(String::into_bytes)
                .map_err(|err| {
                    CliError::failure(format!("cannot print the response as YAML: {err}"))
                }),
            (Outcome::Json(value), _) => {
                let mut out = serde_json::to_vec_pretty(value).map_err(|err| {
                    CliError::failure(format!("cannot print the response: {err}"))
                })?;
                out.push(b'\n');
                Ok(out)
            }
            (Outcome::NoContent | Outcome::Saved { .. }, _) => Ok(Vec::new()),
            (Outcome::Bytes(bytes), _) => Ok(bytes.to_vec()),
            (Outcome::Text(text), _) => Ok(text.as_bytes().to_vec()),
        }
    }
}

impl std::fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The bytes to write for `outcome` in `format` (see
/// [`OutputFormat::render`]).
pub fn render(outcome: &Outcome, format: OutputFormat) -> Result<Vec<u8>, CliError> {
    format.render(outcome)
}

/// How a dry run prints the request it did not send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    /// `--dry-run`: the request line, headers and body.
    Text,
    /// `--curl`: a `curl` command that sends it.
    Curl,
}
