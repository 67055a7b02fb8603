//! Plain-text tables for the terminal: cells padded to their column's widest,
//! numbers to the right and text to the left, two spaces apart, no trailing
//! blanks. A column whose cells are all empty, heading included, takes no room.

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// The lines with every column padded to its widest cell, two spaces apart,
/// without trailing blanks.
pub fn aligned(lines: &[Vec<String>], aligns: &[Align]) -> String {
    let width = |column: usize| {
        lines
            .iter()
            .map(|cells| cells[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..aligns.len()).map(width).collect();
    let mut out = String::new();
    for cells in lines {
        let mut line = String::new();
        for ((cell, align), width) in cells.iter().zip(aligns).zip(&widths) {
            if *width == 0 {
                continue;
            }
            if !line.is_empty() {
                line.push_str("  ");
            }
            let padding = " ".repeat(width - cell.chars().count());
            match align {
                Align::Left => {
                    line.push_str(cell);
                    line.push_str(&padding);
                }
                Align::Right => {
                    line.push_str(&padding);
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns are padded to their widest cell, numbers to the right, text to the left.
    #[test]
    fn columns_line_up() {
        let lines = vec![
            vec!["squares".to_string(), "median".to_string(), String::new()],
            vec!["  seq".to_string(), "1.00 s".to_string(), String::new()],
            vec![
                "  threads scoped".to_string(),
                "382 ms".to_string(),
                "✗ wrong answer".to_string(),
            ],
        ];
        assert_eq!(
            aligned(&lines, &[Align::Left, Align::Right, Align::Left]),
            "squares           median\n  \
             seq             1.00 s\n  \
             threads scoped  382 ms  ✗ wrong answer\n"
        );
    }
}
