//! The generated files, compared with a directory and written all or nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Generated files by path relative to the output directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    files: BTreeMap<PathBuf, String>,
}

/// How a file on disk differs from the generated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Generated but not on disk.
    Added(PathBuf),
    /// On disk with other content.
    Modified {
        /// The file.
        path: PathBuf,
        /// Its content on disk.
        old: String,
    },
    /// On disk but no longer generated.
    Removed(PathBuf),
}

impl Change {
    /// The file the change is about.
    pub fn path(&self) -> &Path {
        match self {
            Change::Added(p) | Change::Removed(p) | Change::Modified { path: p, .. } => p,
        }
    }
}

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or rewritten.
    pub written: usize,
    /// Stale files deleted.
    pub removed: usize,
    /// Files left alone because their content was already right.
    pub unchanged: usize,
}

impl FileSet {
    /// Every file with its content, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.files.iter().map(|(p, c)| (p.as_path(), c.as_str()))
    }

    /// Adds a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, content: String) {
        self.files.insert(path.into(), content);
    }

    /// The content of one file.
    pub fn get(&self, path: impl AsRef<Path>) -> Option<&str> {
        self.files.get(path.as_ref()).map(String::as_str)
    }

    /// How `dir` differs from these files; empty when it is up to date.
    pub fn changes(&self, dir: &Path) -> io::Result<Vec<Change>> {
        let on_disk = list_files(dir)?;
        let mut changes = Vec::new();
        for (path, content) in &self.files {
            match fs::read(dir.join(path)) {
                Ok(bytes) if bytes == content.as_bytes() => {}
                Ok(bytes) => changes.push(Change::Modified {
                    path: path.clone(),
                    old: String::from_utf8_lossy(&bytes).into_owned(),
                }),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    changes.push(Change::Added(path.clone()))
                }
                Err(e) => return Err(e),
            }
        }
        for path in on_disk.difference(&self.files.keys().cloned().collect()) {
            changes.push(Change::Removed(path.clone()));
        }
        changes.sort_by(|a, b| a.path().cmp(b.path()));
        Ok(changes)
    }

    /// Makes `dir` hold exactly these files, touching only files whose content changes.
    ///
    /// New contents are first written to temporary files beside their targets; only when
    /// all of them are written are they renamed into place and stale files deleted. If
    /// staging fails, the temporary files are removed and `dir` is as it was.
    pub fn write_to(&self, dir: &Path) -> io::Result<WriteReport> {
        let changes = self.changes(dir)?;
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let stage = |staged: &mut Vec<(PathBuf, PathBuf)>| -> io::Result<()> {
            for change in &changes {
                if let Change::Added(path) | Change::Modified { path, .. } = change {
                    let target = dir.join(path);
                    if let Some(parent) = target.parent() {
                        fs::create_dir_all(parent)?;
                    }
                    let tmp = temp_path(&target);
                    fs::write(&tmp, &self.files[path])?;
                    staged.push((tmp, target));
                }
            }
            Ok(())
        };
        if let Err(e) = stage(&mut staged) {
            for (tmp, _) in &staged {
                let _ = fs::remove_file(tmp);
            }
            return Err(e);
        }
        let written = staged.len();
        for (tmp, target) in staged {
            fs::rename(tmp, target)?;
        }
        let mut removed = 0;
        for change in &changes {
            if let Change::Removed(path) = change {
                fs::remove_file(dir.join(path))?;
                removed += 1;
                remove_empty_parents(dir, path);
            }
        }
        Ok(WriteReport {
            written,
            removed,
            unchanged: self.files.len() - written,
        })
    }
}

fn temp_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".regen-tmp");
    target.with_file_name(name)
}

fn remove_empty_parents(dir: &Path, path: &Path) {
    let mut current = path.parent();
    while let Some(p) = current.filter(|p| !p.as_os_str().is_empty()) {
        if fs::remove_dir(dir.join(p)).is_err() {
            break;
        }
        current = p.parent();
    }
}

/// Every file below `dir`, relative to it; empty when `dir` does not exist.
fn list_files(dir: &Path) -> io::Result<BTreeSet<PathBuf>> {
    let mut out = BTreeSet::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        let entries = match fs::read_dir(dir.join(&rel)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound && rel.as_os_str().is_empty() => {
                return Ok(out);
            }
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else {
                out.insert(path);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> FileSet {
        let mut s = FileSet::default();
        for (p, c) in files {
            s.insert(*p, c.to_string());
        }
        s
    }

    #[test]
    fn writes_changes_removes_stale_files_and_leaves_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        set(&[("a.rs", "a"), ("sub/b.rs", "b"), ("old/c.rs", "c")])
            .write_to(dir.path())
            .unwrap();
        let before = fs::metadata(dir.path().join("a.rs"))
            .unwrap()
            .modified()
            .unwrap();

        let report = set(&[("a.rs", "a"), ("sub/b.rs", "B")])
            .write_to(dir.path())
            .unwrap();
        assert_eq!(
            report,
            WriteReport {
                written: 1,
                removed: 1,
                unchanged: 1
            }
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("sub/b.rs")).unwrap(),
            "B"
        );
        assert!(!dir.path().join("old").exists());
        let after = fs::metadata(dir.path().join("a.rs"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after, "an unchanged file must not be rewritten");

        let again = set(&[("a.rs", "a"), ("sub/b.rs", "B")])
            .write_to(dir.path())
            .unwrap();
        assert_eq!(again.written + again.removed, 0);
    }

    #[test]
    fn changes_lists_added_modified_and_removed_files() {
        let dir = tempfile::tempdir().unwrap();
        set(&[("keep", "1"), ("edit", "1"), ("gone", "1")])
            .write_to(dir.path())
            .unwrap();
        let changes = set(&[("keep", "1"), ("edit", "2"), ("new", "1")])
            .changes(dir.path())
            .unwrap();
        let kinds: Vec<String> = changes
            .iter()
            .map(|c| match c {
                Change::Added(p) => format!("+{}", p.display()),
                Change::Modified { path, .. } => format!("~{}", path.display()),
                Change::Removed(p) => format!("-{}", p.display()),
            })
            .collect();
        assert_eq!(kinds, ["~edit", "-gone", "+new"]);
    }
}
