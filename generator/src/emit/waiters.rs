//! Waiters: `send_and_wait` and `wait_after` on the builder of every
//! operation with a watcher ([`crate::ir::Watcher`], from
//! `x-xgen-atlascli`). Both return a `runtime::Wait` whose poll loop
//! (`runtime::wait::until`) calls the polled operation's `send_json` until
//! the watcher's expectation holds.
//!
//! The polled builder is filled in through its public setters, so the
//! waiter can live in the watched operation's file whatever the polled
//! operation's tag (it is then compiled only with both features). Inputs are
//! read from the watched builder's fields as JSON and handed to the setters
//! as text (strings and validated strings, checked again by the polled
//! builder) or decoded into the setter's type (numbers, enums, dates).

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{doc_lines, ident, models, ty_tokens};
use crate::ir::*;

/// The body type a finished wait for values returns: the polled
/// operation's success type when it is polled at its generated version and
/// that type is a plain decoded one, else JSON.
fn polled_body(polled: &Operation, watcher: &Watcher) -> Option<Type> {
    match &polled.success_type {
        Some(t)
            if watcher.version.is_none()
                && !polled.success_optional
                && !matches!(t, Type::Untyped | Type::Binary | Type::Text) =>
        {
            Some(t.clone())
        }
        _ => None,
    }
}

/// What awaiting the waiter of `op` returns (the `T` of `Wait<T, E>`).
fn output_type(polled: &Operation, watcher: &Watcher) -> TokenStream {
    match &watcher.expect {
        WatchExpect::Status(_) => quote! { crate::runtime::Response<()> },
        WatchExpect::Values { .. } => match polled_body(polled, watcher) {
            Some(t) => {
                let t = ty_tokens(&t, &models());
                quote! { crate::runtime::Response<#t> }
            }
            None => quote! { crate::runtime::Response<::serde_json::Value> },
        },
    }
}

/// `$.a.b` from the steps of a path.
pub fn path_text(path: &[String]) -> String {
    path.iter().fold("$".to_owned(), |mut text, key| {
        if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            text.push('.');
            text.push_str(key);
        } else {
            text.push_str(&format!("['{key}']"));
        }
        text
    })
}

/// One sentence saying what the waiter polls and until when.
pub fn describe(op: &Operation, polled: &Operation, watcher: &Watcher) -> String {
    let mut given = Vec::new();
    let mut from_body = Vec::new();
    for arg in &watcher.params {
        let Some(p) = polled.params.get(arg.param) else {
            continue;
        };
        match &arg.source {
            WatchSource::Input(i) => {
                let input = op.params.get(*i).map_or("?", |q| q.wire_name.as_str());
                if input == p.wire_name {
                    given.push(format!("`{input}`"));
                } else {
                    given.push(format!("`{}` (this call's `{input}`)", p.wire_name));
                }
            }
            WatchSource::Body(path) => {
                from_body.push(format!("`{}` from `{}`", p.wire_name, path_text(path)))
            }
        }
    }
    let mut with = Vec::new();
    if !given.is_empty() {
        with.push(format!("{} as given here", given.join(", ")));
    }
    if !from_body.is_empty() {
        with.push(format!("{} of the response", from_body.join(", ")));
    }
    let version = match (&watcher.version, &polled.api_version) {
        (Some(v), _) => format!(", API version {v}, read as JSON"),
        (None, Some(v)) => format!(", API version {v}"),
        (None, None) => String::new(),
    };
    let until = match &watcher.expect {
        WatchExpect::Status(code) => format!("it answers HTTP {code}"),
        WatchExpect::Values { path, values } => format!(
            "`{}` is one of {}",
            path_text(path),
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let with = if with.is_empty() {
        String::new()
    } else {
        format!(" with {}", with.join(" and "))
    };
    format!(
        "polls [`Client::{}`](crate::Client::{}) (`{}`{version}){with}, until {until}",
        polled.method_name, polled.method_name, polled.operation_id
    )
}

/// The waiter methods of every operation of `ops` that has a watcher.
pub(super) fn emit_waiters(api: &Api, ops: &[&Operation]) -> TokenStream {
    let items = ops.iter().filter_map(|op| {
        let (polled, watcher) = api.polled(op)?;
        Some(emit_waiter(op, polled, watcher))
    });
    quote! { #(#items)* }
}

fn emit_waiter(op: &Operation, polled: &Operation, watcher: &Watcher) -> TokenStream {
    let builder = ident(&op.builder_name);
    let output = output_type(polled, watcher);
    let error = super::tokens::error_body();
    let wait = quote! { crate::runtime::Wait<'a, #output, #error> };
    let what = describe(op, polled, watcher);
    let returns = match &watcher.expect {
        WatchExpect::Status(code) => {
            format!("Awaiting it gives the status and headers of the poll that answered {code}.")
        }
        WatchExpect::Values { .. } => match polled_body(polled, watcher) {
            Some(_) => {
                "Awaiting it gives the last polled response, decoded as its `send` decodes it."
                    .to_owned()
            }
            None => "Awaiting it gives the last polled response as JSON.".to_owned(),
        },
    };
    let failures = "A request or poll that fails ends the wait with its error (the client retries transient failures first); the timeout ends it with [`Error::WaitTimeout`](crate::runtime::Error::WaitTimeout). See [`crate::runtime::wait`].";
    let send_doc = doc_lines(&[
        format!("Sends the request, then waits until it has taken effect: {what}."),
        String::new(),
        format!("Returns a [`Wait`](crate::runtime::Wait): set its timing and progress callback, then await it. {returns} The response to the request itself is not kept; to have it, `send` a clone of the builder and call [`Self::wait_after`] with it."),
        String::new(),
        failures.to_owned(),
    ]);
    let after_doc = doc_lines(&[
        format!("Waits for this request, already sent and answered with `sent` (the response body as JSON; `null` for none), to take effect: {what}."),
        String::new(),
        format!("The builder's inputs are read as `send` would send them. {returns} An input that broke its pattern is [`Error::InvalidRequest`](crate::runtime::Error::InvalidRequest), as is a value the poll needs that `sent` lacks."),
    ]);
    let send = if op.decodes_json() {
        quote! {
            let sent = self.clone().send_json().await?;
            self.wait_after(&sent.body).run(polling).await
        }
    } else {
        quote! {
            self.clone().send().await?;
            self.wait_after(&::serde_json::Value::Null).run(polling).await
        }
    };
    let polled_method = ident(&polled.method_name);
    let mut fills = Vec::new();
    for arg in &watcher.params {
        let (Some(target), source) = (polled.params.get(arg.param), &arg.source) else {
            continue;
        };
        let setter = ident(&target.rust_name);
        let fill = match &target.ty {
            Type::String | Type::Newtype(_) => {
                quote! { poll = poll.#setter(crate::runtime::wait::text(value)); }
            }
            Type::Vec(inner) if matches!(**inner, Type::String | Type::Newtype(_)) => {
                quote! { poll = poll.#setter(crate::runtime::wait::texts(value)); }
            }
            other => {
                let t = ty_tokens(other, &models());
                quote! {
                    if let Some(value) = crate::runtime::wait::typed::<#t>(value) {
                        poll = poll.#setter(value);
                    }
                }
            }
        };
        fills.push(match source {
            WatchSource::Input(i) => {
                let Some(input) = op.params.get(*i) else {
                    continue;
                };
                let field = ident(&input.rust_name);
                if input.ty.is_checked_param() {
                    quote! {
                        match crate::runtime::wait::checked_input(&self.#field) {
                            Ok(Some(value)) => {
                                let value = &value;
                                #fill
                            }
                            Ok(None) => {}
                            Err(err) => return crate::runtime::Wait::ready(Err(err.into())),
                        }
                    }
                } else {
                    quote! {
                        if let Some(value) = crate::runtime::wait::input(&self.#field) {
                            let value = &value;
                            #fill
                        }
                    }
                }
            }
            WatchSource::Body(path) => {
                quote! {
                    if let Some(value) = crate::runtime::wait::value_at(sent, &[#(#path),*]) {
                        #fill
                    }
                }
            }
        });
    }
    let version = watcher.version.as_ref().map(|v| {
        quote! { let poll = poll.api_version(#v); }
    });
    let run = match &watcher.expect {
        WatchExpect::Status(code) => {
            let code = proc_macro2::Literal::u16_unsuffixed(*code);
            quote! {
                crate::runtime::wait::until_status(polling, #code, move || poll.clone().send_json()).await
            }
        }
        WatchExpect::Values { path, values } => {
            let decode = match polled_body(polled, watcher) {
                Some(_) => quote! { crate::runtime::wait::decode(client, done) },
                None => quote! { Ok(done) },
            };
            quote! {
                let done = crate::runtime::wait::until_values(
                    polling,
                    &[#(#path),*],
                    &[#(#values),*],
                    move || poll.clone().send_json(),
                )
                .await?;
                #decode
            }
        }
    };
    let sent_arg = if watcher
        .params
        .iter()
        .any(|a| matches!(a.source, WatchSource::Body(_)))
    {
        quote! { sent }
    } else {
        quote! { _sent }
    };
    let mutable = if fills.is_empty() {
        quote! { poll }
    } else {
        quote! { mut poll }
    };
    let cfg = (polled.feature != op.feature).then(|| {
        let feature = &polled.feature;
        quote! { #[cfg(feature = #feature)] }
    });
    quote! {
        #cfg
        impl<'a> #builder<'a> {
            #send_doc
            pub fn send_and_wait(self) -> #wait {
                crate::runtime::Wait::new(move |polling| {
                    Box::pin(async move { #send })
                })
            }

            #after_doc
            pub fn wait_after(self, #sent_arg: &::serde_json::Value) -> #wait {
                let client = self.client;
                let #mutable = client.#polled_method();
                #(#fills)*
                #version
                crate::runtime::Wait::new(move |polling| {
                    Box::pin(async move { #run })
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// `createThing` (tag Makers) polls `getThing` (tag Readers): a
    /// validated input, an integer input under another name, a string and
    /// a date-time from the response.
    const FIXTURE: &str = r#"openapi: 3.0.1
info: { title: Cross, version: '1' }
paths:
  /groups/{groupId}/things:
    post:
      operationId: createThing
      tags: [Makers]
      parameters:
        - { name: groupId, in: path, required: true, schema: { type: string, pattern: '^[a-f0-9]{24}$' } }
        - { name: count, in: query, schema: { type: integer } }
      x-xgen-atlascli:
        watcher:
          get:
            operation-id: getThing
            params: { groupId: 'input:groupId', thingId: 'body:$.id', since: 'body:$.created', n: 'input:count' }
          expect: { match: { path: '$.state', values: [READY] } }
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: '#/components/schemas/Thing' }
        '400':
          description: bad
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Problem' }
  /groups/{groupId}/things/{thingId}:
    get:
      operationId: getThing
      tags: [Readers]
      parameters:
        - { name: groupId, in: path, required: true, schema: { type: string, pattern: '^[a-f0-9]{24}$' } }
        - { name: thingId, in: path, required: true, schema: { type: string } }
        - { name: since, in: query, schema: { type: string, format: date-time } }
        - { name: n, in: query, schema: { type: integer } }
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: '#/components/schemas/Thing' }
        '400':
          description: bad
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Problem' }
components:
  schemas:
    Thing:
      type: object
      properties:
        id: { type: string }
        state: { type: string }
        created: { type: string, format: date-time }
    Problem:
      type: object
      properties:
        detail: { type: string }
"#;

    fn squash(text: &str) -> String {
        text.split_whitespace().collect()
    }

    #[test]
    fn a_waiter_polling_another_tag_needs_its_feature_and_converts_each_input() {
        let spec = crate::load::parse(Path::new("cross.yaml"), FIXTURE).expect("parses");
        let generated =
            crate::generate(&spec, &crate::Options::new("cross.yaml")).expect("generates");
        let ops = squash(&generated.files["operations/makers.rs"]);
        let cli = squash(&generated.files["cli.rs"]);
        for expected in [
            r#"#[cfg(feature="readers")]impl<'a>CreateThing<'a>{"#,
            "matchcrate::runtime::wait::checked_input(&self.group_id){Ok(Some(value))=>{letvalue=&value;poll=poll.group_id(crate::runtime::wait::text(value));}",
            r#"ifletSome(value)=crate::runtime::wait::value_at(sent,&["id"]){poll=poll.thing_id(crate::runtime::wait::text(value));}"#,
            "crate::runtime::wait::typed::<::chrono::DateTime<::chrono::Utc>,>(value)",
            "ifletSome(value)=crate::runtime::wait::input(&self.count){letvalue=&value;ifletSome(value)=crate::runtime::wait::typed::<i64>(value){poll=poll.n(value);}}",
            "crate::runtime::wait::decode(client,done)",
        ] {
            assert!(ops.contains(&squash(expected)), "operations lack {expected}");
        }
        for expected in [
            r#"#[cfg(feature="readers")]watch:Some(rt::WatchSpec{tag:"readers",operation:"getThing","#,
            r#"#[cfg(not(feature="readers"))]watch:None,"#,
            r#"#[cfg(feature="readers")]modwatch{"#,
            r#"("n",rt::WatchFrom::Input("count"))"#,
        ] {
            assert!(cli.contains(&squash(expected)), "cli.rs lacks {expected}");
        }
    }
}
