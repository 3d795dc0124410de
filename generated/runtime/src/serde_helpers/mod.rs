//! Serde helpers used by generated models: the macros that give each
//! model its `Serialize`, `Deserialize` and [`Decode`] impls, and the
//! rules by which responses decode (see [`scope`]).
//!
//! One file per model kind of the IR, each with its macro and the
//! functions its expansion calls (all reached as `serde_helpers::...`):
//!
//! - `objects.rs`: object types, `object!` (reading and writing fields;
//!   each field's rules by its kind are in [`fields`]);
//! - `enums.rs`: string enums, `string_enum!`;
//! - `unions.rs`: tagged (`tagged_union!`) and untagged (`untagged_union!`)
//!   unions and their fallbacks;
//! - `wrappers.rs`: named wrappers of recursive lists and maps, `wrapper!`;
//! - validated strings, `validated!`: with their checks, in the crate's
//!   `validate.rs` (re-exported here);
//! - `decode.rs`: the [`Decode`] trait (lenient decoding) and
//!   `decode_by_deserialize!`; [`scope`]: the decoding options and what is
//!   tolerated; [`fields`]: required, optional, expected and three-state
//!   fields.

mod decode;
mod enums;
pub mod fields;
mod objects;
pub mod scope;
mod unions;
mod wrappers;

pub use decode::{decode_slice, decode_value, Decode, Seed};
pub use enums::decode_string_enum;
pub use fields::{expected, optional, required, three_state};
pub use objects::{begin, decode_object, end, skip, unknown, write_tag, Key, Object};
pub use scope::{with_options, with_options_noting_unknown, DecodeOptions};
pub use unions::{serialize_tagged, tag_of, tagged_fallback, try_variant, untagged_fallback};

pub use crate::{
    decode_by_deserialize, object, same_pattern, string_enum, tagged_union, tagged_variant,
    untagged_union, validated, wrapper,
};
