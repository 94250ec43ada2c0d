//! The no-op regen shortcut: a fingerprint of everything a regen reads and writes (the
//! specs, the generator executable, the generated files), kept in the target directory.
//! When the fingerprint equals the one saved after the last regen, nothing can have
//! changed and the regen is skipped. `check` never uses it.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use crate::root;

/// Where the fingerprint of the last regen is kept.
fn stamp_file() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("xtask-regen.stamp")
}

/// The fingerprint of a regen of `specs` into `out` by this executable, as it stands.
pub fn fingerprint(specs: &Path, out: &Path) -> io::Result<String> {
    let mut hasher = DefaultHasher::new();
    // A rebuilt generator is a new executable: its size and time tell it apart.
    let exe = fs::metadata(std::env::current_exe()?)?;
    (exe.len(), exe.modified()?).hash(&mut hasher);
    for dir in [specs, out] {
        dir.hash(&mut hasher);
        hash_tree(dir, dir, &mut hasher)?;
    }
    Ok(format!("{:016x}", hasher.finish()))
}

/// Hashes every file under `dir` (relative path and bytes), in path order.
fn hash_tree(base: &Path, dir: &Path, hasher: &mut DefaultHasher) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(read) => read
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<_>>()?,
        // A missing output directory is a state too: the first regen.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    entries.sort();
    for path in entries {
        if path.is_dir() {
            hash_tree(base, &path, hasher)?;
        } else {
            path.strip_prefix(base).unwrap_or(&path).hash(hasher);
            fs::read(&path)?.hash(hasher);
        }
    }
    Ok(())
}

/// Whether `fingerprint` is the one saved after the last regen.
pub fn is_current(fingerprint: &str) -> bool {
    fs::read_to_string(stamp_file()).is_ok_and(|saved| saved == fingerprint)
}

/// Saves the fingerprint of a regen that just finished; a failure only costs the
/// shortcut next time.
pub fn save(fingerprint: &str) {
    let file = stamp_file();
    if let Some(dir) = file.parent() {
        let _ = fs::create_dir_all(dir);
    }
    let _ = fs::write(file, fingerprint);
}
