//! One table type for every table the report prints: built once from the
//! figures, rendered as Markdown for the pages and as padded plain text for the
//! terminal, like hyperfine's `export/markup.rs` builds one table for each of its
//! formats.
//!
//! A value that does not exist is [`NONE`]; a column with no value in any row is
//! dropped before rendering, so no page shows a column of dashes.

/// Shown in a cell whose value does not exist.
pub const NONE: &str = "–";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    headings: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<S: Into<String>>(headings: impl IntoIterator<Item = (S, Align)>) -> Table {
        Table {
            headings: headings.into_iter().map(|(name, align)| (name.into(), align)).collect(),
            rows: Vec::new(),
        }
    }

    /// A table from headings separated by `, `, each aligned left, or right with a
    /// trailing `>`, or centred with a trailing `^`: `"variant, median>, check^"`.
    pub fn with(headings: &str) -> Table {
        Table::new(headings.split(", ").map(|heading| match heading.as_bytes().last() {
            Some(b'>') => (&heading[..heading.len() - 1], Align::Right),
            Some(b'^') => (&heading[..heading.len() - 1], Align::Center),
            _ => (heading, Align::Left),
        }))
    }

    /// Adds a row; absent cells become [`NONE`].
    pub fn row(&mut self, cells: impl IntoIterator<Item = Option<String>>) {
        let mut cells: Vec<String> =
            cells.into_iter().map(|cell| cell.unwrap_or_else(|| NONE.to_string())).collect();
        cells.resize(self.headings.len(), NONE.to_string());
        self.rows.push(cells);
    }

    pub fn headings(&self) -> Vec<String> {
        self.headings.iter().map(|(name, _)| name.clone()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table without the columns (after the first) where no row has a value.
    pub fn without_empty_columns(mut self) -> Table {
        let kept: Vec<usize> = (0..self.headings.len())
            .filter(|&column| column == 0 || self.rows.iter().any(|row| row[column] != NONE))
            .collect();
        self.headings = kept.iter().map(|&column| self.headings[column].clone()).collect();
        for row in &mut self.rows {
            *row = kept.iter().map(|&column| row[column].clone()).collect();
        }
        self
    }

    /// GitHub-flavoured Markdown; `|` and line breaks in cells are escaped.
    pub fn markdown(&self) -> String {
        let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
        let rules: Vec<&str> =
            self.headings.iter().map(|(_, align)| ["---", "--:", ":-:"][*align as usize]).collect();
        let mut out = line(self.headings.iter().map(|(name, _)| escape(name)).collect());
        out.push_str(&format!("|{}|\n", rules.join("|")));
        out.extend(self.rows.iter().map(|row| line(row.iter().map(|cell| escape(cell)).collect())));
        out
    }

    /// Plain text: every column padded to its widest cell, two spaces apart,
    /// rows indented under the heading line, no trailing blanks.
    pub fn terminal(&self) -> String {
        let mut lines = vec![self.headings()];
        lines.extend(self.rows.iter().map(|row| {
            let mut row = row.clone();
            row[0] = format!("  {}", row[0]);
            row
        }));
        let width = |column: usize| lines.iter().map(|cells| cells[column].chars().count()).max();
        let widths: Vec<usize> = (0..self.headings.len()).map(|c| width(c).unwrap_or(0)).collect();
        let mut out = String::new();
        for cells in &lines {
            let aligned = cells.iter().zip(&self.headings).zip(&widths);
            let padded = aligned.map(|((cell, (_, align)), &width)| match align {
                Align::Right => format!("{cell:>width$}"),
                _ => format!("{cell:<width$}"),
            });
            out.push_str(padded.collect::<Vec<_>>().join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

/// A Markdown table cell: `|` escaped, line breaks as spaces.
pub fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One table, two renderings; empty columns go, cells are escaped.
    #[test]
    fn markdown_and_terminal_from_one_table() {
        let mut table = Table::new([
            ("variant", Align::Left),
            ("median", Align::Right),
            ("ideal", Align::Right),
            ("check", Align::Center),
        ]);
        table.row([Some("a|b".into()), Some("1.00 s".into()), None, Some("✓".into())]);
        table.row([Some("seq".into()), Some("12 ms".into()), None, None]);
        let table = table.without_empty_columns();
        assert_eq!(
            table.markdown(),
            "| variant | median | check |\n|---|--:|:-:|\n| a\\|b | 1.00 s | ✓ |\n| seq | 12 ms | – |\n"
        );
        assert_eq!(
            table.terminal(),
            "variant  median  check\n  a|b    1.00 s  ✓\n  seq     12 ms  –\n"
        );
    }
}
