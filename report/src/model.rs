//! Which concurrency model a variant belongs to, for the charts' colours and the
//! findings table's columns.
//!
//! The record's `model` field says it; without a record, the variant name's first
//! word does (`threads scoped` is a `threads` variant). CPython variants are named
//! `python-threads`, `python-asyncio`, ...: one family however many there are, so
//! a reader sees at a glance which bars are Rust and which are Python.

use crate::input::Record;

/// A concurrency model, as the report groups variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Seq,
    Threads,
    Async,
    Procs,
    /// Every `python-*` model.
    Python,
    /// A model the report does not know.
    Other,
}

impl Family {
    /// Every family, in the order of the findings table's columns and the legend.
    pub const ALL: [Family; 6] = [
        Family::Seq,
        Family::Threads,
        Family::Async,
        Family::Procs,
        Family::Python,
        Family::Other,
    ];

    /// The family of a variant: its record's `model`, else its name's first word.
    pub fn of(variant: &str, record: Option<&Record>) -> Family {
        let model = record
            .and_then(|record| record.model.as_deref())
            .unwrap_or_else(|| variant.split_whitespace().next().unwrap_or(variant));
        match model {
            "seq" => Family::Seq,
            "threads" => Family::Threads,
            "async" => Family::Async,
            "procs" => Family::Procs,
            python if python == "python" || python.starts_with("python-") => Family::Python,
            _ => Family::Other,
        }
    }

    /// The family's name in a legend or a column heading.
    pub fn name(self) -> &'static str {
        match self {
            Family::Seq => "seq",
            Family::Threads => "threads",
            Family::Async => "async",
            Family::Procs => "procs",
            Family::Python => "python-*",
            Family::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record's model decides; without one, the variant's first word does.
    #[test]
    fn family_from_record_or_name() {
        let record = |model: &str| Record {
            model: Some(model.to_string()),
            ..Record::default()
        };
        assert_eq!(Family::of("seq", None), Family::Seq);
        assert_eq!(Family::of("threads scoped --gil", None), Family::Threads);
        assert_eq!(Family::of("async --max-in-flight 5", None), Family::Async);
        assert_eq!(Family::of("python-threads", None), Family::Python);
        assert_eq!(Family::of("python-asyncio racy", None), Family::Python);
        assert_eq!(Family::of("pythonic", None), Family::Other);
        assert_eq!(
            Family::of("racy", Some(&record("threads"))),
            Family::Threads
        );
        assert_eq!(
            Family::of("threads", Some(&record("python-threads"))),
            Family::Python
        );
    }
}
