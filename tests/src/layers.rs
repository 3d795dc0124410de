//! The import graph of a hand-written crate, file by file, and the cycles in
//! it: the check that keeps the layers of `generator/`, `xtask/`,
//! `generated/runtime/` and `generated/cli/` pointing one way
//! (`tests/tests/layers.rs`).
//!
//! A file depends on another when it names an item the other defines: in a
//! `use crate::`/`super::`/`self::` import (a re-export is an import too), or
//! in a path written in code (`crate::wire::Credentials`, `super::in_field`,
//! `$crate::serde_helpers::begin` in a macro; the code a `quote!` writes is
//! another crate's and is skipped). A name is followed through
//! imports and re-exports to the file that defines it, so a façade module
//! (`pub use` of its children) ties nothing by itself: `crate::Error` points at
//! `error.rs`, not at `lib.rs`. `mod` declarations are not dependencies, and
//! test code (`#[cfg(test)]` items and modules) is left out. Paths that start
//! at another crate (`std::`, `serde::`) are not followed.
//!
//! [`cycles`] returns every group of files that depend on each other
//! (strongly connected components of more than one file), with the edges
//! inside the group and the names that make each edge.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Item, UseTree};

mod scc;

use scc::strongly_connected;

/// A module path from the crate root (`["auth", "digest"]`).
type ModPath = Vec<String>;

/// The files of one crate and which of them depend on which.
#[derive(Debug, Default)]
pub struct Graph {
    /// The crate's source folder; file names are shown relative to it.
    root: PathBuf,
    /// Every file reached from the crate root through `mod` declarations
    /// (test modules left out), relative to [`Graph::root`].
    files: BTreeSet<PathBuf>,
    /// `from -> to -> names`: `from` names the items `names` that `to` defines.
    edges: BTreeMap<PathBuf, BTreeMap<PathBuf, BTreeSet<String>>>,
}

/// One module: where it is written and what it declares.
#[derive(Debug, Default)]
struct Module {
    /// The file the module's items are in (an inline module's is its parent's).
    file: PathBuf,
    /// Child modules by name.
    children: BTreeSet<String>,
    /// Names the module defines itself (types, functions, constants, macros).
    items: BTreeSet<String>,
    /// Names the module imports or re-exports (`use`), to the path they name.
    imports: BTreeMap<String, ModPath>,
    /// Modules whose names this module imports whole (`use x::*`).
    globs: Vec<ModPath>,
    /// Names the module imports from other crates (`use std::fmt;`): a
    /// child that names them through it (`super::fmt`) depends on that
    /// crate, not on this file.
    external: BTreeSet<String>,
}

/// A reference from a file to a path, as written, resolved against `module`.
struct Reference {
    file: PathBuf,
    module: ModPath,
    path: Vec<String>,
}

/// Reads a crate from its root file (`src/lib.rs` or `src/main.rs`) and
/// builds its file graph.
pub fn crate_graph(root_file: &Path) -> Result<Graph, String> {
    let root = root_file
        .parent()
        .ok_or_else(|| format!("{} has no folder", root_file.display()))?
        .to_path_buf();
    let mut reader = Reader {
        root: root.clone(),
        modules: BTreeMap::new(),
        references: Vec::new(),
        macros: BTreeMap::new(),
    };
    reader.read_file(root_file, Vec::new(), true)?;
    let mut graph = Graph {
        root,
        files: reader.modules.values().map(|m| m.file.clone()).collect(),
        edges: BTreeMap::new(),
    };
    for reference in &reader.references {
        let Some(absolute) = reader.absolute(&reference.module, &reference.path) else {
            continue;
        };
        let Some((file, name)) = reader.resolve(&absolute, 0) else {
            continue;
        };
        if file != reference.file {
            graph
                .edges
                .entry(reference.file.clone())
                .or_default()
                .entry(file)
                .or_default()
                .insert(name);
        }
    }
    Ok(graph)
}

impl Graph {
    /// The files of the crate, relative to its source folder.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(PathBuf::as_path)
    }

    /// The files `from` depends on, with the names that tie them.
    pub fn dependencies(&self, from: &Path) -> Vec<(&Path, &BTreeSet<String>)> {
        self.edges
            .get(from)
            .map(|to| {
                to.iter()
                    .map(|(file, names)| (file.as_path(), names))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every group of files that depend on each other, each with the edges
    /// inside it; empty when the files form layers.
    pub fn cycles(&self) -> Vec<Cycle> {
        let components = strongly_connected(&self.files, &self.edges);
        components
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|component| {
                let members: BTreeSet<&PathBuf> = component.iter().collect();
                let mut edges = Vec::new();
                for from in &component {
                    for (to, names) in self.edges.get(from).into_iter().flatten() {
                        if members.contains(to) {
                            edges.push(Edge {
                                from: from.clone(),
                                to: to.clone(),
                                names: names.iter().cloned().collect(),
                            });
                        }
                    }
                }
                Cycle {
                    root: self.root.clone(),
                    files: component,
                    edges,
                }
            })
            .collect()
    }
}

/// A group of files that import each other.
#[derive(Debug)]
pub struct Cycle {
    root: PathBuf,
    /// The files, relative to the crate's source folder, sorted.
    pub files: Vec<PathBuf>,
    /// The imports between them.
    pub edges: Vec<Edge>,
}

/// `from` names `names`, which `to` defines.
#[derive(Debug)]
pub struct Edge {
    /// The importing file.
    pub from: PathBuf,
    /// The file that defines the names.
    pub to: PathBuf,
    /// The names, sorted.
    pub names: Vec<String>,
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
        writeln!(
            f,
            "import cycle in {} between {}:",
            self.root.display(),
            files.join(", ")
        )?;
        for edge in &self.edges {
            writeln!(
                f,
                "  {} -> {} ({})",
                edge.from.display(),
                edge.to.display(),
                edge.names.join(", ")
            )?;
        }
        Ok(())
    }
}

struct Reader {
    root: PathBuf,
    modules: BTreeMap<ModPath, Module>,
    references: Vec<Reference>,
    /// `#[macro_export]` macros (they live at the crate root) by name, to the
    /// file that defines them.
    macros: BTreeMap<String, PathBuf>,
}

impl Reader {
    fn read_file(&mut self, path: &Path, module: ModPath, owns_folder: bool) -> Result<(), String> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let file = syn::parse_file(&text)
            .map_err(|err| format!("cannot parse {}: {err}", path.display()))?;
        let relative = path.strip_prefix(&self.root).unwrap_or(path).to_path_buf();
        // Where `mod child;` of this file is: beside a `lib.rs`/`main.rs`/
        // `mod.rs`, else in the folder named after the file.
        let folder = match (owns_folder, path.parent()) {
            (true, Some(parent)) => parent.to_path_buf(),
            (_, parent) => {
                let stem = path.file_stem().map(PathBuf::from).unwrap_or_default();
                parent.map(|p| p.join(&stem)).unwrap_or(stem)
            }
        };
        self.read_items(&file.items, &relative, &folder, module)
    }

    fn read_items(
        &mut self,
        items: &[Item],
        file: &Path,
        folder: &Path,
        module: ModPath,
    ) -> Result<(), String> {
        self.modules.entry(module.clone()).or_default().file = file.to_path_buf();
        for item in items {
            if is_test_only(item_attrs(item)) {
                continue;
            }
            match item {
                Item::Mod(m) => {
                    let name = m.ident.to_string();
                    self.module(&module).children.insert(name.clone());
                    let mut child = module.clone();
                    child.push(name.clone());
                    self.reference_tokens(
                        file,
                        &module,
                        m.attrs.iter().map(ToTokens::to_token_stream).collect(),
                    );
                    match &m.content {
                        Some((_, inner)) => {
                            self.read_items(inner, file, &folder.join(&name), child)?;
                        }
                        None => {
                            let flat = folder.join(format!("{name}.rs"));
                            let nested = folder.join(&name).join("mod.rs");
                            if flat.is_file() {
                                self.read_file(&flat, child, false)?;
                            } else if nested.is_file() {
                                self.read_file(&nested, child, true)?;
                            } else {
                                return Err(format!(
                                    "{}: module `{name}` has no file ({} or {})",
                                    file.display(),
                                    flat.display(),
                                    nested.display()
                                ));
                            }
                        }
                    }
                }
                Item::Use(u) => {
                    let mut prefix = Vec::new();
                    self.read_use(&u.tree, &mut prefix, file, &module);
                }
                Item::Macro(m) => {
                    if let Some(name) = &m.ident {
                        self.module(&module).items.insert(name.to_string());
                        if m.attrs.iter().any(|a| a.path().is_ident("macro_export")) {
                            self.macros.insert(name.to_string(), file.to_path_buf());
                        }
                    }
                    self.reference_tokens(file, &module, item.to_token_stream());
                }
                other => {
                    if let Some(name) = item_name(other) {
                        self.module(&module).items.insert(name);
                    }
                    self.reference_tokens(file, &module, other.to_token_stream());
                }
            }
        }
        Ok(())
    }

    fn module(&mut self, path: &ModPath) -> &mut Module {
        self.modules.entry(path.clone()).or_default()
    }

    fn read_use(
        &mut self,
        tree: &UseTree,
        prefix: &mut Vec<String>,
        file: &Path,
        module: &ModPath,
    ) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.read_use(&p.tree, prefix, file, module);
                prefix.pop();
            }
            UseTree::Name(n) => {
                let name = n.ident.to_string();
                self.import(prefix, &name, &name, file, module);
            }
            UseTree::Rename(r) => {
                self.import(
                    prefix,
                    &r.ident.to_string(),
                    &r.rename.to_string(),
                    file,
                    module,
                );
            }
            UseTree::Glob(_) => {
                if let Some(target) = self.absolute(module, prefix) {
                    self.module(module).globs.push(target);
                    self.references.push(Reference {
                        file: file.to_path_buf(),
                        module: module.clone(),
                        path: prefix.clone(),
                    });
                }
            }
            UseTree::Group(g) => {
                for tree in &g.items {
                    self.read_use(tree, prefix, file, module);
                }
            }
        }
    }

    fn import(
        &mut self,
        prefix: &[String],
        name: &str,
        alias: &str,
        file: &Path,
        module: &ModPath,
    ) {
        let mut path = prefix.to_vec();
        if name != "self" {
            path.push(name.to_string());
        }
        let alias = if name == "self" {
            prefix.last().cloned().unwrap_or_default()
        } else {
            alias.to_string()
        };
        let Some(target) = self.absolute(module, &path) else {
            self.module(module).external.insert(alias);
            return;
        };
        if alias != "_" {
            self.module(module).imports.insert(alias, target);
        }
        self.references.push(Reference {
            file: file.to_path_buf(),
            module: module.clone(),
            path,
        });
    }

    /// Records every path in `tokens` that starts inside this crate.
    fn reference_tokens(&mut self, file: &Path, module: &ModPath, tokens: TokenStream) {
        let mut paths = Vec::new();
        collect_paths(tokens, &mut paths);
        for path in paths {
            self.references.push(Reference {
                file: file.to_path_buf(),
                module: module.clone(),
                path,
            });
        }
    }

    /// The absolute module path `path` names when written in `module`, or
    /// `None` when it starts at another crate.
    fn absolute(&self, module: &ModPath, path: &[String]) -> Option<ModPath> {
        let (first, rest) = path.split_first()?;
        let mut base = match first.as_str() {
            "crate" | "$crate" => Vec::new(),
            "self" => module.clone(),
            "super" => {
                let mut base = module.clone();
                base.pop()?;
                base
            }
            _ => {
                let here = self.modules.get(module)?;
                if here.children.contains(first) {
                    let mut base = module.clone();
                    base.push(first.clone());
                    base
                } else if let Some(target) = here.imports.get(first) {
                    target.clone()
                } else {
                    return None;
                }
            }
        };
        let mut rest = rest;
        while let Some((segment, tail)) = rest.split_first() {
            if segment != "super" {
                break;
            }
            base.pop()?;
            rest = tail;
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// The file that defines what the absolute `path` names, and the name.
    fn resolve(&self, path: &[String], depth: usize) -> Option<(PathBuf, String)> {
        if depth > 16 {
            return None;
        }
        let mut module: ModPath = Vec::new();
        let mut index = 0;
        while index < path.len() {
            let here = self.modules.get(&module)?;
            if here.children.contains(&path[index]) {
                module.push(path[index].clone());
                index += 1;
            } else {
                break;
            }
        }
        let here = self.modules.get(&module)?;
        // A path to a module itself (`use crate::wire;`) ties nothing: what
        // is named through it later is followed on its own.
        let name = path.get(index)?;
        if here.items.contains(name) {
            return Some((here.file.clone(), name.clone()));
        }
        if here.external.contains(name) {
            return None;
        }
        if let Some(target) = here.imports.get(name) {
            let mut target = target.clone();
            target.extend(path[index + 1..].iter().cloned());
            return self.resolve(&target, depth + 1);
        }
        if module.is_empty() {
            if let Some(file) = self.macros.get(name) {
                return Some((file.clone(), name.clone()));
            }
        }
        for glob in &here.globs {
            if let Some(there) = self.modules.get(glob) {
                if there.items.contains(name) || there.imports.contains_key(name) {
                    let mut target = glob.clone();
                    target.extend(path[index..].iter().cloned());
                    return self.resolve(&target, depth + 1);
                }
            }
        }
        Some((here.file.clone(), name.clone()))
    }
}

fn item_attrs(item: &Item) -> &[syn::Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn item_name(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Const(i) => &i.ident,
        Item::Enum(i) => &i.ident,
        Item::Fn(i) => &i.sig.ident,
        Item::Static(i) => &i.ident,
        Item::Struct(i) => &i.ident,
        Item::Trait(i) => &i.ident,
        Item::TraitAlias(i) => &i.ident,
        Item::Type(i) => &i.ident,
        Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// `#[cfg(test)]` (or `#[cfg(all(test, ...))]`): code only tests compile.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        if !attr.path().is_ident("cfg") {
            return false;
        }
        let Ok(list) = attr.meta.require_list() else {
            return false;
        };
        let tokens: Vec<String> = list
            .tokens
            .clone()
            .into_iter()
            .map(|t| t.to_string())
            .collect();
        match tokens.first().map(String::as_str) {
            Some("test") => true,
            Some("all") => tokens
                .get(1)
                .map(|group| {
                    group
                        .trim_start_matches('(')
                        .trim_start()
                        .starts_with("test")
                })
                .unwrap_or(false),
            _ => false,
        }
    })
}

/// Every path in `tokens` that may name an item of this crate: the segments
/// of `a::b::c` sequences that are not preceded by `::` (the first segment
/// decides later whether it is this crate's).
fn collect_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut index = 0;
    while index < tokens.len() {
        match &tokens[index] {
            TokenTree::Group(group) => {
                collect_paths(group.stream(), out);
                index += 1;
            }
            TokenTree::Ident(ident) if is_quoting(&tokens, index) => {
                // `quote!`, `parse_quote!` and `format_ident!` write code of
                // another crate (what the generator emits): skip the
                // macro's arguments.
                let _ = ident;
                index += 3;
            }
            TokenTree::Ident(ident) => {
                let preceded = index >= 2 && is_path_sep(&tokens, index - 2)
                    || index >= 1 && is_punct(&tokens[index - 1], '.');
                let dollar = index >= 1 && is_punct(&tokens[index - 1], '$');
                let mut segments = vec![if dollar {
                    format!("${ident}")
                } else {
                    ident.to_string()
                }];
                let mut next = index + 1;
                while is_path_sep(&tokens, next) {
                    match tokens.get(next + 2) {
                        Some(TokenTree::Ident(segment)) => {
                            segments.push(segment.to_string());
                            next += 3;
                        }
                        _ => break,
                    }
                }
                if !preceded && segments.len() > 1 {
                    out.push(segments);
                }
                index = next.max(index + 1);
            }
            _ => index += 1,
        }
    }
}

/// `quote! (...)` and its kin at `at`.
fn is_quoting(tokens: &[TokenTree], at: usize) -> bool {
    matches!(
        (tokens.get(at), tokens.get(at + 1), tokens.get(at + 2)),
        (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(_)))
            if bang.as_char() == '!'
                && ["quote", "quote_spanned", "parse_quote", "format_ident"]
                    .iter()
                    .any(|m| name == m)
    )
}

fn is_punct(token: &TokenTree, ch: char) -> bool {
    matches!(token, TokenTree::Punct(p) if p.as_char() == ch)
}

fn is_path_sep(tokens: &[TokenTree], at: usize) -> bool {
    matches!(
        (tokens.get(at), tokens.get(at + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && b.as_char() == ':'
    )
}
