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

/// Compares `files` with the contents of `dir`.
pub fn stale_files(dir: &Path, files: &FileSet) -> io::Result<Vec<Stale>> {
    let mut stale = Vec::new();
    for (name, contents) in files {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(on_disk) if normalize(&on_disk) == normalize(contents) => {}
            Ok(_) => stale.push(Stale::Changed(path)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => stale.push(Stale::Missing(path)),
            Err(err) => return Err(err),
        }
    }
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut extra = Vec::new();
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !files.contains_key(&name) {
                    extra.push(Stale::Extra(entry.path()));
                }
            }
            extra.sort_by_key(ToString::to_string);
            stale.extend(extra);
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    Ok(stale)
}

/// Replaces `dir` with exactly `files`, or leaves it as it was.
///
/// The files are written to a fresh sibling directory first; only when all
/// are written is the old directory swapped out for the new one (two
/// renames, the first undone if the second fails).
pub fn write_all(dir: &Path, files: &FileSet) -> io::Result<()> {
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
            std::fs::write(tmp.join(name), contents)?;
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
