//! Writing generated files: all of them or none, and the `--check` mode
//! that writes nothing and names every stale file.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// The files of one generated directory, by file name.
pub type FileSet = BTreeMap<String, String>;

/// How one file on disk differs from what generation produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// The file is missing.
    Missing(PathBuf),
    /// The file's contents differ.
    Changed(PathBuf),
    /// The file is on disk but generation no longer produces it.
    Extra(PathBuf),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Missing(p) => write!(f, "{} is missing", p.display()),
            Stale::Changed(p) => write!(f, "{} is out of date", p.display()),
            Stale::Extra(p) => write!(f, "{} is no longer generated", p.display()),
        }
    }
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// Compares one file with what it should contain.
pub fn stale_file(path: &Path, contents: &str) -> io::Result<Option<Stale>> {
    match std::fs::read_to_string(path) {
        Ok(on_disk) if normalize(&on_disk) == normalize(contents) => Ok(None),
        Ok(_) => Ok(Some(Stale::Changed(path.to_owned()))),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            Ok(Some(Stale::Missing(path.to_owned())))
        }
        Err(err) => Err(err),
    }
}

/// Every file below `dir`, as `/`-separated paths relative to it.
fn list_files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    for entry in entries {
        let entry = entry?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type()?.is_dir() {
            list_files(&entry.path(), &format!("{name}/"), out)?;
        } else {
            out.push((name, entry.path()));
        }
    }
    Ok(())
}

/// Compares `files` with the contents of `dir`.
pub fn stale_files(dir: &Path, files: &FileSet) -> io::Result<Vec<Stale>> {
    let mut stale = Vec::new();
    for (name, contents) in files {
        if let Some(s) = stale_file(&dir.join(name), contents)? {
            stale.push(s);
        }
    }
    let mut on_disk = Vec::new();
    list_files(dir, "", &mut on_disk)?;
    on_disk.sort();
    stale.extend(
        on_disk
            .into_iter()
            .filter(|(name, _)| !files.contains_key(name))
            .map(|(_, path)| Stale::Extra(path)),
    );
    Ok(stale)
}

/// Replaces `dir` with exactly `files` and each of `extra` (path, contents)
/// with its contents, or leaves everything as it was.
///
/// Everything is written beside its destination first; only when all is
/// written are the old versions swapped out, each swap undone if a later
/// one fails.
pub fn write_all(dir: &Path, files: &FileSet, extra: &[(PathBuf, String)]) -> io::Result<()> {
    write_all_failing_at(dir, files, extra, None)
}

/// A point at which [`write_all_failing_at`] fails on purpose, to test that
/// a failure there leaves everything as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailAt {
    /// After every new file is written beside its destination.
    Staged,
    /// After the new module directory is swapped in, before the other files.
    DirSwapped,
    /// After the first of the other files is swapped in.
    FirstExtraSwapped,
}

/// [`write_all`], failing on purpose at `fail_at` (for tests).
pub fn write_all_failing_at(
    dir: &Path,
    files: &FileSet,
    extra: &[(PathBuf, String)],
    fail_at: Option<FailAt>,
) -> io::Result<()> {
    let injected = |point: FailAt| {
        if fail_at == Some(point) {
            Err(io::Error::other(format!("injected failure at {point:?}")))
        } else {
            Ok(())
        }
    };
    let staged: Vec<(PathBuf, PathBuf)> = extra
        .iter()
        .map(|(path, _)| (path.clone(), sibling(path, "new")))
        .collect();
    let result = (|| {
        for ((_, contents), (_, tmp)) in extra.iter().zip(&staged) {
            std::fs::write(tmp, contents)?;
        }
        injected(FailAt::Staged)?;
        replace_dir(dir, files, || {
            injected(FailAt::DirSwapped)?;
            // Each file swapped in so far, with its backup (None: it is new).
            let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
            let undo = |done: &[(PathBuf, Option<PathBuf>)]| {
                for (path, backup) in done.iter().rev() {
                    let _ = match backup {
                        Some(b) => std::fs::rename(b, path),
                        None => std::fs::remove_file(path),
                    };
                }
            };
            for (path, tmp) in &staged {
                let backup = path.exists().then(|| sibling(path, "old"));
                let step = (|| {
                    if let Some(b) = &backup {
                        std::fs::copy(path, b)?;
                    }
                    std::fs::rename(tmp, path)
                })();
                if let Err(err) = step {
                    undo(&done);
                    return Err(err);
                }
                done.push((path.clone(), backup));
                if let Err(err) = injected(FailAt::FirstExtraSwapped) {
                    undo(&done);
                    return Err(err);
                }
            }
            for (_, backup) in done {
                if let Some(b) = backup {
                    let _ = std::fs::remove_file(b);
                }
            }
            Ok(())
        })
    })();
    for (_, tmp) in &staged {
        let _ = std::fs::remove_file(tmp);
    }
    result
}

fn sibling(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Swaps in a new `dir` holding `files`, then runs `then`; if `then` fails
/// the old directory is put back.
fn replace_dir(
    dir: &Path,
    files: &FileSet,
    then: impl FnOnce() -> io::Result<()>,
) -> io::Result<()> {
    let parent = dir.parent().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "output directory has no parent",
        )
    })?;
    let base = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "generated".to_owned());
    let tmp = parent.join(format!(".{base}.new-{}", std::process::id()));
    let old = parent.join(format!(".{base}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        std::fs::create_dir(&tmp)?;
        for (name, contents) in files {
            let path = tmp.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, contents)?;
        }
        let had_old = dir.exists();
        if had_old {
            std::fs::rename(dir, &old)?;
        }
        if let Err(err) = std::fs::rename(&tmp, dir) {
            if had_old {
                std::fs::rename(&old, dir)?;
            }
            return Err(err);
        }
        if let Err(err) = then() {
            // Put the old directory back; the new one goes away below.
            std::fs::rename(dir, &tmp)?;
            if had_old {
                std::fs::rename(&old, dir)?;
            }
            return Err(err);
        }
        if had_old {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
