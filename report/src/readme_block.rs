//! Replacing the generated block of a Markdown file: the lines between
//! `<!-- findings:start -->` and `<!-- findings:end -->` (the front README's
//! findings), or between another pair of [`Markers`] (a guide's scaling block).
//!
//! Only those lines change; the markers and every byte around them stay as they
//! were, so the hand-written rest of the README is never touched. A file without
//! both markers, in order and once each, is an error rather than a guess where the
//! block should go. The file is written through a temporary file and a rename, so
//! a reader (or a failed write) never sees half a README.

use std::fs;
use std::ops::Range;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::atomic::write_atomically;

/// The line that opens the generated block.
pub const START: &str = "<!-- findings:start -->";
/// The line that closes it.
pub const END: &str = "<!-- findings:end -->";

/// The two marker lines around a generated block, and what the block is called
/// in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Markers {
    pub start: &'static str,
    pub end: &'static str,
    pub name: &'static str,
}

/// The front README's findings block.
pub const FINDINGS: Markers = Markers {
    start: START,
    end: END,
    name: "findings",
};

/// Replaces the block between `markers` of the file at `path` with `block` (whole
/// lines, ending in a line break).
pub fn rewrite_between(path: &Path, markers: Markers, block: &str) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let replaced = replace_between(&text, markers, block).with_context(|| {
        format!(
            "cannot rewrite the {} block of {} (it lies between a line `{}` and a line `{}`)",
            markers.name,
            path.display(),
            markers.start,
            markers.end
        )
    })?;
    if replaced != text {
        write_atomically(path, &replaced)?;
    }
    Ok(())
}

/// `text` with the lines between the marker lines replaced by `block`.
pub fn replace_between(text: &str, markers: Markers, block: &str) -> Result<String> {
    let Markers {
        start: open,
        end: close,
        ..
    } = markers;
    let (start, end) = (marker_lines(text, open), marker_lines(text, close));
    let (start, end) = match (start.as_slice(), end.as_slice()) {
        ([], _) => bail!("no line `{open}`"),
        (_, []) => bail!("no line `{close}`"),
        ([start], [end]) if start.end <= end.start => (start.clone(), end.clone()),
        ([_], [_]) => bail!("`{close}` comes before `{open}`"),
        ([_, ..], [_]) => bail!("`{open}` appears {} times", start.len()),
        (_, _) => bail!("`{close}` appears {} times", end.len()),
    };
    let mut out = String::with_capacity(text.len() + block.len());
    out.push_str(&text[..start.end]);
    if !text[..start.end].ends_with('\n') {
        // The start marker was the file's last line, without a line break.
        out.push('\n');
    }
    out.push_str(block);
    if !block.is_empty() && !block.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&text[end.start..]);
    Ok(out)
}

/// The byte ranges (line break included) of the lines that are `marker`,
/// ignoring surrounding blanks.
fn marker_lines(text: &str, marker: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == marker {
            found.push(offset..offset + line.len());
        }
        offset += line.len();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with the findings block replaced by `block`.
    fn replace_block(text: &str, block: &str) -> Result<String> {
        replace_between(text, FINDINGS, block)
    }

    /// Only the lines between the markers change.
    #[test]
    fn replaces_only_the_block() -> Result<()> {
        let text = format!("# Title\n\n{START}\nold\nlines\n{END}\n\nrest\r\n");
        assert_eq!(
            replace_block(&text, "new\n")?,
            format!("# Title\n\n{START}\nnew\n{END}\n\nrest\r\n")
        );
        // An empty block, and markers with trailing blanks.
        let text = format!("{START}  \n{END}");
        assert_eq!(replace_block(&text, "x\n")?, format!("{START}  \nx\n{END}"));
        Ok(())
    }

    /// Missing, reversed or repeated markers are errors that say which.
    #[test]
    fn bad_markers_are_named() {
        let error = |text: &str| {
            replace_block(text, "x\n")
                .expect_err("bad markers")
                .to_string()
        };
        assert_eq!(error("no markers\n"), format!("no line `{START}`"));
        assert_eq!(error(&format!("{START}\n")), format!("no line `{END}`"));
        assert_eq!(
            error(&format!("{END}\n{START}\n")),
            format!("`{END}` comes before `{START}`")
        );
        assert_eq!(
            error(&format!("{START}\n{START}\n{END}\n")),
            format!("`{START}` appears 2 times")
        );
        // A marker inside a line of prose is not a marker line.
        assert_eq!(
            error(&format!("see {START} here\n{END}\n")),
            format!("no line `{START}`")
        );
    }
}
