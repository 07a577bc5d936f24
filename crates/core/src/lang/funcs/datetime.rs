//! Timestamps: `timestamp`, `formatdate` (Terraform's own spec language, not strftime)
//! and `timeadd` (Go duration syntax). Timestamps are RFC 3339 strings.

use super::args::{self, err};
use super::{Arity, FuncContext, FuncError, Ret, Spec};
use crate::lang::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("formatdate", Arity::Exact(2), Ret::String, formatdate),
    Spec::new("timecmp", Arity::Exact(2), Ret::Number, timecmp),
    Spec::new("timeadd", Arity::Exact(2), Ret::String, timeadd),
    Spec::new("timestamp", Arity::Exact(0), Ret::String, timestamp),
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn parse_ts(args: &[Value], i: usize) -> Result<OffsetDateTime, FuncError> {
    let s = args::string(args, i)?;
    if s.contains(['t', 'z']) {
        // Go's RFC 3339 layout takes only upper-case `T` and `Z`; the time crate takes both.
        return Err(err(i, format!("not a valid RFC3339 timestamp: \"{s}\"")));
    }
    OffsetDateTime::parse(&s, &Rfc3339)
        .map_err(|e| err(i, format!("not a valid RFC3339 timestamp: \"{s}\": {e}")))
}

/// RFC 3339 with whole seconds, `Z` for UTC (Go's `time.RFC3339` layout).
fn rfc3339(t: OffsetDateTime) -> Result<String, FuncError> {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339)
        .map_err(|e| FuncError::Other(format!("cannot format timestamp: {e}")))
}

fn timestamp(_: Vec<Value>, _: &FuncContext) -> R {
    rfc3339(OffsetDateTime::now_utc()).map(Value::String)
}

/// -1, 0 or 1 as the first instant is before, at or after the second (offsets count, so
/// the same instant in two zones compares equal).
fn timecmp(args: Vec<Value>, _: &FuncContext) -> R {
    let (a, b) = (parse_ts(&args, 0)?, parse_ts(&args, 1)?);
    Ok(Value::int(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

fn timeadd(args: Vec<Value>, _: &FuncContext) -> R {
    let t = parse_ts(&args, 0)?;
    let d = parse_duration(&args::string(&args, 1)?).map_err(|m| err(1, m))?;
    let t = t
        .checked_add(d)
        .ok_or_else(|| err(1, "the resulting time is out of range"))?;
    rfc3339(t).map(Value::String)
}

/// Parses a Go duration (`1h30m`, `-2.5s`, `300ms`).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration \"{s}\"");
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut nanos = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("missing unit in duration \"{s}\""))?;
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            u => return Err(format!("unknown unit \"{u}\" in duration \"{s}\"")),
        };
        nanos += value * scale;
        rest = &rest[unit_len..];
    }
    let nanos = if neg { -nanos } else { nanos };
    if !nanos.is_finite() || nanos.abs() > 9.2e18 {
        return Err(bad());
    }
    Ok(Duration::nanoseconds(nanos.round() as i64))
}

fn formatdate(args: Vec<Value>, _: &FuncContext) -> R {
    let spec = args::string(&args, 0)?;
    let t = parse_ts(&args, 1)?;
    format_with(&spec, t)
        .map(Value::String)
        .map_err(|m| err(0, m))
}

fn offset(t: OffsetDateTime, colon: bool) -> String {
    let secs = t.offset().whole_seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

fn format_with(spec: &str, t: OffsetDateTime) -> Result<String, String> {
    let mut out = String::new();
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i = quoted_literal(&chars, i, &mut out)?;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        i += n;
        out.push_str(&format_field(c, n, t)?);
    }
    Ok(out)
}

/// Copies the quoted literal opening at `chars[i]` to `out` (`''` is a literal quote, inside
/// or outside one) and returns the index after it.
fn quoted_literal(chars: &[char], i: usize, out: &mut String) -> Result<usize, String> {
    let mut j = i + 1;
    if chars.get(j) == Some(&'\'') {
        out.push('\'');
        return Ok(i + 2);
    }
    loop {
        match (chars.get(j), chars.get(j + 1)) {
            (Some('\''), Some('\'')) => {
                out.push('\'');
                j += 2;
            }
            (Some('\''), _) | (None, _) => break,
            (Some(&ch), _) => {
                out.push(ch);
                j += 1;
            }
        }
    }
    if j == chars.len() {
        return Err("unterminated literal '".into());
    }
    Ok(j + 1)
}

/// One field: `n` repetitions of the letter `c` (`YYYY`, `MMM`, `hh`, ...) rendered for `t`.
fn format_field(c: char, n: usize, t: OffsetDateTime) -> Result<String, String> {
    let hour12 = match t.hour() % 12 {
        0 => 12,
        h => h,
    };
    let month = t.month() as usize - 1;
    let weekday = t.weekday().number_days_from_monday() as usize;
    Ok(match (c, n) {
        ('Y', 4) => format!("{:04}", t.year()),
        ('Y', 2) => format!("{:02}", t.year().rem_euclid(100)),
        ('M', 4) => MONTHS[month].to_string(),
        ('M', 3) => MONTHS[month][..3].to_string(),
        ('M', 2) => format!("{:02}", month + 1),
        ('M', 1) => (month + 1).to_string(),
        ('D', 2) => format!("{:02}", t.day()),
        ('D', 1) => t.day().to_string(),
        ('E', 4) => WEEKDAYS[weekday].to_string(),
        ('E', 3) => WEEKDAYS[weekday][..3].to_string(),
        ('h', 2) => format!("{:02}", t.hour()),
        ('h', 1) => t.hour().to_string(),
        ('H', 2) => format!("{hour12:02}"),
        ('H', 1) => hour12.to_string(),
        ('A', 2) => (if t.hour() < 12 { "AM" } else { "PM" }).to_string(),
        ('a', 2) => (if t.hour() < 12 { "am" } else { "pm" }).to_string(),
        ('m', 2) => format!("{:02}", t.minute()),
        ('m', 1) => t.minute().to_string(),
        ('s', 2) => format!("{:02}", t.second()),
        ('s', 1) => t.second().to_string(),
        ('Z', 5) => offset(t, true),
        ('Z', 4) => offset(t, false),
        ('Z', 3) if t.offset().is_utc() => "UTC".into(),
        ('Z', 3) => offset(t, false),
        ('Z', 1) if t.offset().is_utc() => "Z".into(),
        ('Z', 1) => offset(t, true),
        _ => {
            let seq: String = std::iter::repeat_n(c, n).collect();
            return Err(format!(
                "invalid date format sequence \"{seq}\"; quote literal letters like 'this'"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, ok, s};
    use crate::lang::Value;

    #[test]
    fn formatdate_examples() {
        let f = |spec: &str, ts: &str| ok("formatdate", vec![s(spec), s(ts)]);
        assert_eq!(
            f("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"),
            s("02 Jan 2018 23:12 UTC")
        );
        assert_eq!(
            f("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z"),
            s("Tuesday, 02-Jan-18 23:12:01 UTC")
        );
        assert_eq!(
            f("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00"),
            s("Tue, 02 Jan 2018 23:12:01 -0800")
        );
        assert_eq!(f("MMM DD, YYYY", "2018-01-02T23:12:01Z"), s("Jan 02, 2018"));
        assert_eq!(f("HH:mmaa", "2018-01-02T23:12:01Z"), s("11:12pm"));
        assert_eq!(
            f("YYYY-MM-DD'T'hh:mm:ssZZZZZ Z", "2018-01-02T03:04:05+05:30"),
            s("2018-01-02T03:04:05+05:30 +05:30")
        );
        assert_eq!(
            f("M/D h 'o''clock' ''", "2018-03-04T05:00:00Z"),
            s("3/4 5 o'clock '")
        );
        assert!(arg_err("formatdate", vec![s("YYY"), s("2018-01-02T23:12:01Z")]).contains("YYY"));
        assert!(arg_err("formatdate", vec![s("YYYY"), s("2018-01-02")]).contains("RFC3339"));
    }

    #[test]
    fn timeadd_and_timestamp() {
        let add = |ts: &str, d: &str| ok("timeadd", vec![s(ts), s(d)]);
        assert_eq!(
            add("2017-11-22T00:00:00Z", "10m"),
            s("2017-11-22T00:10:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00Z", "-1h30m"),
            s("2017-11-21T22:30:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00+01:00", "1.5h"),
            s("2017-11-22T01:30:00+01:00")
        );
        assert_eq!(add("2017-11-22T00:00:00Z", "0"), s("2017-11-22T00:00:00Z"));
        assert!(arg_err("timeadd", vec![s("2017-11-22T00:00:00Z"), s("10")]).contains("unit"));
        assert!(arg_err("timeadd", vec![s("2017-11-22T00:00:00Z"), s("3d")]).contains("\"d\""));
        let Value::String(now) = ok("timestamp", vec![]) else {
            panic!("timestamp is not a string")
        };
        assert!(now.ends_with('Z') && now.len() == 20, "{now}");
    }
}
