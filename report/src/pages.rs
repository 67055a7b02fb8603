//! The words of every page: minijinja templates (`report/templates/`) filled
//! from the `Serialize` figures, with the number formats of [`format`] as
//! filters, so a page's prose sits next to its Markdown instead of in
//! `push_str` calls, and a sentence that states a lesson is a template branch on
//! a verdict the figures computed.
//!
//! Undefined names are errors (`UndefinedBehavior::Strict`), so a typo in a
//! template fails the tests that render it rather than printing nothing.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail, ensure};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::files::{read_text, write_atomically};
use crate::format;

/// Every template, by name; `lessons.md` holds the macros the pages share.
const TEMPLATES: [(&str, &str); 7] = [
    ("lessons.md", include_str!("../templates/lessons.md")),
    ("results.md", include_str!("../templates/results.md")),
    ("findings.md", include_str!("../templates/findings.md")),
    ("sweeps.md", include_str!("../templates/sweeps.md")),
    ("scaling.md", include_str!("../templates/scaling.md")),
    // Two macros of `lessons.md` that the tables' cells use on their own.
    ("shows.md", "{% import 'lessons.md' as l %}{{ l.shows(name, lesson) | trim }}"),
    ("effect.md", "{% import 'lessons.md' as l %}{{ l.effect(effect) }}"),
];

/// Prose lines of the README blocks are wrapped at this many characters.
const LINE_WIDTH: usize = 80;

/// Built once and shared: the findings table renders a template per cell, and
/// building anew would parse every template again each time.
fn environment() -> Result<&'static Environment<'static>> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    let build = || -> Result<Environment<'static>> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?;
        env.set_syntax(syntax);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).with_context(|| format!("template {name}"))?;
        }
        env.add_filter("duration", format::duration);
        env.add_filter("ms", format::ms);
        env.add_filter("factor", format::factor);
        env.add_filter("kib", format::memory_kib);
        env.add_filter("count", |value: f64| format::value(value));
        env.add_filter("rate", format::rate);
        env.add_filter("percent", |share: f64| format!("{:.0}%", share * 100.0));
        env.add_filter("per_kib", format::kib);
        env.add_filter("words", format::counted);
        env.add_filter("and_list", |items: Vec<String>| format::and_list(&items));
        env.add_filter("wrap", |text: String| wrap(&text));
        env.add_filter("options", |text: String| format::options(&text));
        env.add_filter("public", |text: String| format::public(&text));
        Ok(env)
    };
    let env = ENV.get_or_init(|| build().map_err(|error| format!("{error:#}")));
    env.as_ref().map_err(|error| anyhow::anyhow!("{error}"))
}

pub fn render<S: Serialize>(name: &str, context: S) -> Result<String> {
    let env = environment()?;
    let template = env.get_template(name)?;
    let text = template
        .render(Value::from(Serde(&context)))
        .map_err(|error| anyhow::anyhow!("{error}"))
        .with_context(|| format!("cannot render {name}"))?;
    // The templates' optional blocks may leave runs of blank lines: one is enough.
    let mut tidy = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if !(line == "\n" && (tidy.ends_with("\n\n") || tidy.is_empty())) {
            tidy.push_str(line);
        }
    }
    Ok(tidy)
}

/// Paragraphs wrapped at [`LINE_WIDTH`] on spaces; a table line (starting with `|`) stays whole.
pub fn wrap(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        if line.starts_with('|') || line.trim().is_empty() {
            out.push_str(line);
        } else {
            let mut width = 0;
            for word in line.split(' ').filter(|word| !word.is_empty()) {
                let length = word.chars().count();
                if width > 0 {
                    let wraps = width + 1 + length > LINE_WIDTH;
                    out.push(if wraps { '\n' } else { ' ' });
                    width = if wraps { 0 } else { width + 1 };
                }
                out.push_str(word);
                width += length;
            }
        }
        out.push('\n');
    }
    out
}

/// The lines between two markers of a Markdown file (the front README's
/// findings, a guide's scaling block).
#[derive(Debug, Clone, Copy)]
pub struct Markers {
    pub name: &'static str,
}

impl Markers {
    /// Replaces the lines between the markers with `block`; the markers and every
    /// byte around them stay. Without both markers, once each and in order, the
    /// file is left as it was and the error names the marker.
    pub fn rewrite(self, path: &Path, block: &str) -> Result<()> {
        let text = read_text(path)?;
        let (start, end) =
            (format!("<!-- {}:start -->", self.name), format!("<!-- {}:end -->", self.name));
        let find = |marker: &str| -> Result<usize> {
            let mut found = text.match_indices(marker).map(|(at, _)| at);
            match (found.next(), found.next()) {
                (Some(at), None) => Ok(at),
                (None, _) => bail!("{}: no `{marker}` line", path.display()),
                (Some(_), Some(_)) => bail!("{}: `{marker}` appears twice", path.display()),
            }
        };
        let (at_start, at_end) = (find(&start)?, find(&end)?);
        ensure!(at_start < at_end, "{}: `{end}` comes before `{start}`", path.display());
        let head_end = at_start + start.len();
        let head = text[..head_end].to_string() + "\n";
        let block = block.trim_end();
        let block = if block.is_empty() { block.to_string() } else { format!("{block}\n") };
        write_atomically(path, &(head + &block + &text[at_end..]))
    }
}

/// `dir` as a link from the Markdown file `page`: a relative path with `/`, or
/// the absolute path when they share no ancestor.
pub fn relative_link(page: &Path, dir: &Path) -> Result<String> {
    let canonical = |path: &Path| {
        path.canonicalize().with_context(|| format!("cannot resolve {}", path.display()))
    };
    let from = canonical(page)?;
    let from: Vec<_> = from.parent().unwrap_or(Path::new("/")).components().collect();
    let to = canonical(dir)?;
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return Ok(to.iter().collect::<PathBuf>().display().to_string());
    }
    let parts: Vec<String> = std::iter::repeat_n("..".to_string(), from.len() - common)
        .chain(to[common..].iter().map(|part| part.as_os_str().to_string_lossy().into_owned()))
        .collect();
    Ok(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long lines wrap at 80 columns; table rows do not.
    #[test]
    fn wrap_keeps_tables_whole() {
        let long = "word ".repeat(30);
        let table = format!("| {} |", "x".repeat(100));
        let wrapped = wrap(&format!("{long}\n\n{table}"));
        assert!(wrapped.lines().all(|line| line.len() <= 80 || line.starts_with('|')));
        assert!(wrapped.ends_with(&format!("{table}\n")));
    }
}
