//! Module versions and `version` constraints with Terraform's meaning: a version parses as
//! HashiCorp's go-version parses it (`v` prefix, any number of segments, `-pre`, `+meta`),
//! a constraint is a comma list of `=`, `!=`, `>`, `>=`, `<`, `<=`, `~>` clauses that must
//! all hold, and a pre-release is only selected when a clause names it exactly. Among the
//! versions that match, the newest wins ([`Constraints::newest`]).

use std::cmp::Ordering;
use std::fmt;

/// A version as a registry lists it. Segments are padded to three (`1.2` is `1.2.0`), as
/// go-version does; `given` remembers how many were written, which `~>` needs.
#[derive(Debug, Clone)]
pub struct Version {
    segments: Vec<u64>,
    given: usize,
    pre: String,
    meta: String,
}

impl Version {
    /// Parses `1`, `1.2`, `v1.2.3`, `1.2.3-beta.1`, `1.2.3+build`; anything else is an error.
    pub fn parse(s: &str) -> Result<Version, String> {
        let bad = || format!("Malformed version: {s}");
        let body = s.strip_prefix('v').unwrap_or(s);
        let (body, meta) = match body.split_once('+') {
            Some((b, m)) if is_ident_list(m) => (b, m.to_string()),
            Some(_) => return Err(bad()),
            None => (body, String::new()),
        };
        let num_end = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let (nums, rest) = body.split_at(num_end);
        let pre = match rest.strip_prefix('-') {
            Some(p) if is_ident_list(p) => p.to_string(),
            // go-version also accepts a pre-release without the dash when it starts with a letter.
            None if !rest.is_empty() && rest.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                if !is_ident_list(rest) {
                    return Err(bad());
                }
                rest.to_string()
            }
            None if rest.is_empty() => String::new(),
            _ => return Err(bad()),
        };
        if nums.is_empty() {
            return Err(bad());
        }
        let mut segments = Vec::new();
        for part in nums.split('.') {
            if part.is_empty() {
                return Err(bad());
            }
            segments.push(part.parse::<u64>().map_err(|_| bad())?);
        }
        let given = segments.len();
        segments.resize(given.max(3), 0);
        Ok(Version {
            segments,
            given,
            pre,
            meta,
        })
    }

    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    fn same_segments(&self, o: &Version) -> bool {
        let n = self.segments.len().max(o.segments.len());
        (0..n).all(|i| seg(&self.segments, i) == seg(&o.segments, i))
    }

    /// Equal as go-version's `Equal`: segments and pre-release, build metadata ignored.
    fn same(&self, o: &Version) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

fn seg(s: &[u64], i: usize) -> u64 {
    s.get(i).copied().unwrap_or(0)
}

fn is_ident_list(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '~')
        })
}

impl fmt::Display for Version {
    /// The canonical form Terraform writes into its manifest: three segments or more.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nums: Vec<String> = self.segments.iter().map(u64::to_string).collect();
        f.write_str(&nums.join("."))?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.meta.is_empty() {
            write!(f, "+{}", self.meta)?;
        }
        Ok(())
    }
}

impl PartialEq for Version {
    fn eq(&self, o: &Self) -> bool {
        self.same(o)
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Version {
    /// Segments first; then a release is newer than its pre-releases, and pre-releases
    /// compare part by part (numbers numerically and before words), as go-version does.
    fn cmp(&self, o: &Self) -> Ordering {
        let n = self.segments.len().max(o.segments.len());
        for i in 0..n {
            match seg(&self.segments, i).cmp(&seg(&o.segments, i)) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_pre(&self.pre, &o.pre),
        }
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let ord = match (pa.get(i), pb.get(i)) {
            (Some(x), Some(y)) => match (x.parse::<u64>(), y.parse::<u64>()) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                (Err(_), Err(_)) => x.cmp(y),
            },
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

#[derive(Debug, Clone)]
struct Clause {
    op: Op,
    v: Version,
}

/// A parsed `version` argument: every clause must hold.
#[derive(Debug, Clone)]
pub struct Constraints {
    clauses: Vec<Clause>,
    text: String,
    /// The one version a pre-release may be: set only when the whole constraint is `V` or
    /// `=V` (no space, no `v`), which is what Terraform 1.11 accepts (recorded in
    /// testdata/module-versions-terraform-1.11.json: `= 1.3.0-beta` and lists never match one).
    exact: Option<Version>,
}

impl Constraints {
    /// Parses a comma list; the error is go-version's ("Malformed constraint: ...").
    pub fn parse(s: &str) -> Result<Constraints, String> {
        let mut clauses = Vec::new();
        for part in s.split(',') {
            let t = part.trim();
            let (op, rest) = [
                ("~>", Op::Pessimistic),
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("!=", Op::Ne),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| t.strip_prefix(p).map(|r| (*op, r.trim_start())))
            .unwrap_or((Op::Eq, t));
            let v = Version::parse(rest).map_err(|_| format!("Malformed constraint: {part}"))?;
            clauses.push(Clause { op, v });
        }
        let t = s.trim();
        let bare = t.strip_prefix('=').unwrap_or(t);
        let exact = (!bare.starts_with(['v', ' ', '\t']) && !bare.contains(','))
            .then(|| Version::parse(bare).ok())
            .flatten();
        Ok(Constraints {
            clauses,
            text: s.to_string(),
            exact,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `v` may be installed: every clause holds (go-version's `Check`) and a
    /// pre-release is the one exactly named (Terraform's extra rule for modules).
    pub fn allows(&self, v: &Version) -> bool {
        if !v.pre.is_empty() && !self.exact.as_ref().is_some_and(|e| e.same(v)) {
            return false;
        }
        self.clauses.iter().all(|c| c.holds(v))
    }

    /// The newest of `available` that [`allows`](Self::allows) accepts.
    pub fn newest<'a>(&self, available: &'a [Version]) -> Option<&'a Version> {
        available.iter().filter(|v| self.allows(v)).max()
    }
}

impl Clause {
    fn holds(&self, v: &Version) -> bool {
        let c = &self.v;
        match self.op {
            Op::Eq => v.same(c),
            Op::Ne => !v.same(c),
            Op::Gt => pre_ok(v, c) && v > c,
            Op::Ge => pre_ok(v, c) && v >= c,
            Op::Lt => pre_ok(v, c) && v < c,
            Op::Le => pre_ok(v, c) && v <= c,
            Op::Pessimistic => pessimistic(v, c),
        }
    }
}

/// go-version: a constraint with a pre-release only meets pre-releases of the same
/// segments; one without never meets a pre-release.
fn pre_ok(v: &Version, c: &Version) -> bool {
    match (v.pre.is_empty(), c.pre.is_empty()) {
        (false, false) => v.same_segments(c),
        (false, true) => false,
        _ => true,
    }
}

/// `~> 1.2` is `>= 1.2, < 2.0`; `~> 1.2.0` is `>= 1.2.0, < 1.3.0`: the segments before the
/// last one written must be equal. (`~> 1` therefore means `>= 1.0.0`, as in go-version.)
fn pessimistic(v: &Version, c: &Version) -> bool {
    if !pre_ok(v, c) || (!c.pre.is_empty() && v.pre.is_empty()) || v < c {
        return false;
    }
    let n = c.segments.len();
    if n > v.segments.len() {
        return false;
    }
    if (0..c.given.saturating_sub(1)).any(|i| v.segments[i] != c.segments[i]) {
        return false;
    }
    c.segments[n - 1] <= v.segments[n - 1]
}

#[cfg(test)]
#[path = "version_recorded_tests.rs"]
mod recorded_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn vs(list: &[&str]) -> Vec<Version> {
        list.iter().map(|s| Version::parse(s).unwrap()).collect()
    }

    fn pick(c: &str, list: &[&str]) -> Option<String> {
        let avail = vs(list);
        Constraints::parse(c)
            .unwrap()
            .newest(&avail)
            .map(|v| v.to_string())
    }

    const OFFER: &[&str] = &["1.1.0", "1.2.3", "1.3.0-beta", "2.0.0"];

    #[test]
    fn newest_match_wins_and_prereleases_need_naming() {
        assert_eq!(pick("~> 1.2", OFFER).as_deref(), Some("1.2.3"));
        assert_eq!(pick("~> 1.2.0", OFFER).as_deref(), Some("1.2.3"));
        assert_eq!(pick(">= 1.0", OFFER).as_deref(), Some("2.0.0"));
        assert_eq!(pick("< 2.0.0", OFFER).as_deref(), Some("1.2.3"));
        assert_eq!(
            pick(">= 1.1, != 1.2.3, < 2", OFFER).as_deref(),
            Some("1.1.0")
        );
        assert_eq!(pick("1.3.0-beta", OFFER).as_deref(), Some("1.3.0-beta"));
        assert_eq!(pick("=1.3.0-beta", OFFER).as_deref(), Some("1.3.0-beta"));
        assert_eq!(pick("= 1.3.0-beta", OFFER), None);
        assert_eq!(pick(">= 1.3.0-beta, < 2", OFFER), None);
        assert_eq!(pick("~> 3.0", OFFER), None);
        assert_eq!(pick("1.2", OFFER), None);
        assert_eq!(pick("v1.2.3", OFFER).as_deref(), Some("1.2.3"));
    }

    #[test]
    fn pessimistic_with_one_segment_is_only_a_lower_bound() {
        assert_eq!(pick("~> 1", OFFER).as_deref(), Some("2.0.0"));
    }

    #[test]
    fn ordering_and_display() {
        let mut v = vs(&[
            "1.10.0",
            "1.2.0",
            "1.2.0-rc.1",
            "1.2.0-rc.10",
            "1.2.0-beta",
            "1.2",
        ]);
        v.sort();
        let s: Vec<String> = v.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            s,
            [
                "1.2.0-beta",
                "1.2.0-rc.1",
                "1.2.0-rc.10",
                "1.2.0",
                "1.2.0",
                "1.10.0"
            ]
        );
        assert_eq!(
            Version::parse("1.2.3+abc").unwrap().to_string(),
            "1.2.3+abc"
        );
    }

    #[test]
    fn malformed_input_is_refused() {
        for bad in ["", "x", "1..2", "1.2.", "1.2.3-", "1.2.3+", "~>"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert_eq!(
            Constraints::parse(">= 1.0, banana").unwrap_err(),
            "Malformed constraint:  banana"
        );
        assert!(Constraints::parse("=> 1.0").is_err());
    }
}
