//! The simulated sites: the pages the seed documents downloaded, each served
//! under `/site/NAME` with the size the seed reported.
//!
//! A fixed table and not a configuration file: the sizes are part of the
//! benchmarks' reference answers, so they must not vary between runs.

/// One simulated site of the seed documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    /// The name in `/site/NAME`.
    pub name: &'static str,
    /// The body length the server sends for it.
    pub bytes: usize,
    /// The URL the seed document fetched, which this site stands in for.
    pub origin: &'static str,
}

impl Site {
    /// The path that serves this site: `/site/NAME`.
    pub fn path(&self) -> String {
        format!("/site/{}", self.name)
    }
}

/// The simulated sites. `jython` and `dice` have the sizes seed 000 printed
/// (`Read 10966 from https://www.jython.org`, `Read 276 from .../dice`); seed 002
/// printed no sizes, so its four home pages have invented, plausible sizes,
/// all different, in the 5-60 KB range.
pub const SITES: &[Site] = &[
    Site {
        name: "jython",
        bytes: 10_966,
        origin: "https://www.jython.org",
    },
    Site {
        name: "dice",
        bytes: 276,
        origin: "http://olympus.realpython.org/dice",
    },
    Site {
        name: "naver",
        bytes: 31_458,
        origin: "http://www.naver.com",
    },
    Site {
        name: "google",
        bytes: 50_712,
        origin: "https://www.google.com",
    },
    Site {
        name: "apple",
        bytes: 57_356,
        origin: "https://www.apple.com",
    },
    Site {
        name: "bing",
        bytes: 12_841,
        origin: "http://www.bing.com/",
    },
];

/// The preset called `name`, if there is one.
pub fn site(name: &str) -> Option<&'static Site> {
    SITES.iter().find(|site| site.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Preset names are unique and resolve; sizes match the seed documents.
    #[test]
    fn presets_resolve() {
        for preset in SITES {
            assert_eq!(site(preset.name), Some(preset));
            assert_eq!(preset.path(), format!("/site/{}", preset.name));
        }
        assert_eq!(site("jython").map(|s| s.bytes), Some(10_966));
        assert_eq!(site("dice").map(|s| s.bytes), Some(276));
        assert_eq!(site("nope"), None);
    }
}
