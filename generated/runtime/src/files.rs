//! Files written whole: a temporary file beside the destination, renamed
//! over it once complete, so the destination only ever holds a whole file
//! (a download, `--outputFile`, a rewritten config file). One home for
//! where that temporary file goes and the mode it gets.

use std::io;
use std::path::Path;

use tempfile::NamedTempFile;

/// The directory `path` is in (`.` for a bare file name): where its
/// temporary file goes, so that the rename is atomic.
pub fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A temporary file beside `path` named `{prefix}...part`, with the mode a
/// new file gets from `std::fs::write` (0666 less the umask) rather than
/// tempfile's private 0600: once renamed it is an ordinary file. Removed
/// when dropped unless [`put_in_place`] renamed it.
pub fn temp_beside(path: &Path, prefix: &str) -> io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(".part");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(directory_of(path))
}

/// Syncs a complete temporary file and renames it to `path`.
pub fn put_in_place(temp: NamedTempFile, path: &Path) -> io::Result<()> {
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}
