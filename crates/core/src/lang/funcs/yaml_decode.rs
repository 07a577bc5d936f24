//! `yamldecode` as Terraform reads YAML: go-cty-yaml resolves plain scalars by YAML 1.1 rules
//! (`yes`/`on`/`y` are booleans, `0o17` and `0x1F` integers, dates become RFC 3339 strings)
//! while quoted scalars stay strings, and `<<` merges a mapping. serde_yaml_ng resolves by YAML
//! 1.2 and hides whether a scalar was quoted, so this walks yaml-rust2's parser events, which
//! keep each scalar's style and tag.

use crate::lang::{Number, Value, VecMap};
use std::collections::{HashMap, HashSet};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// The single document in `src`, or Terraform's reason for rejecting it.
pub fn decode(src: &str) -> Result<Value, String> {
    let mut d = Decoder {
        parser: Parser::new_from_str(src),
        anchors: HashMap::new(),
        pending: HashSet::new(),
        unbroken_at_end: block_scalar_at_unbroken_end(src),
    };
    d.expect(
        |e| matches!(e, Event::StreamStart),
        "missing stream start token",
    )?;
    d.expect(
        |e| matches!(e, Event::DocumentStart),
        "missing start of document",
    )?;
    let (ev, mark) = d.next()?;
    let v = d.node(ev, mark)?;
    match d.next()? {
        (Event::DocumentEnd, _) => {}
        (Event::DocumentStart, m) => return Err(at(m, "only a single document is allowed")),
        (_, m) => return Err(at(m, "unexpected extra content after value")),
    }
    match d.next()? {
        (Event::StreamEnd, _) => Ok(v),
        (_, m) => Err(at(m, "unexpected extra content after value")),
    }
}

/// Where a block scalar (`|`, `>`) starts that runs to the end of `src` when `src` ends
/// without a line break: yaml-rust2 gives it a final break there, libyaml (Terraform's) none.
fn block_scalar_at_unbroken_end(src: &str) -> Option<usize> {
    // A last line of only spaces comes after the scalar's final break.
    if src
        .rsplit(['\n', '\r'])
        .next()
        .is_none_or(|l| l.trim().is_empty())
    {
        return None;
    }
    let end = src.chars().count();
    let mut parser = Parser::new_from_str(src);
    let mut last_block = None;
    while let Ok((ev, mark)) = parser.next_token() {
        if mark.index() >= end {
            return last_block;
        }
        last_block = match ev {
            Event::Scalar(_, TScalarStyle::Literal | TScalarStyle::Folded, ..) => {
                Some(mark.index())
            }
            Event::StreamEnd => return None,
            _ => None,
        };
    }
    None
}

/// go-cty-yaml's error prefix.
fn at(m: Marker, msg: impl std::fmt::Display) -> String {
    format!("on line {}, column {}: {msg}", m.line(), m.col() + 1)
}

struct Decoder<'a> {
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Value>,
    /// Anchors whose node is still being read: an alias to one would be infinite.
    pending: HashSet<usize>,
    /// [`block_scalar_at_unbroken_end`].
    unbroken_at_end: Option<usize>,
}

impl Decoder<'_> {
    fn next(&mut self) -> Result<(Event, Marker), String> {
        self.parser
            .next_token()
            .map_err(|e| at(*e.marker(), e.info()))
    }

    fn expect(&mut self, ok: fn(&Event) -> bool, msg: &str) -> Result<(), String> {
        match self.next()? {
            (e, _) if ok(&e) => Ok(()),
            (_, m) => Err(at(m, msg)),
        }
    }

    fn node(&mut self, ev: Event, mark: Marker) -> Result<Value, String> {
        let (anchor, v) = match ev {
            Event::Scalar(mut src, style, anchor, tag) => {
                // yaml-rust2 reads `[|]` as the string "|"; libyaml rejects the indicator.
                if style == TScalarStyle::Plain && src.starts_with(['|', '>']) {
                    return Err(at(mark, "found character that cannot start any token"));
                }
                if self.unbroken_at_end == Some(mark.index()) && src.ends_with('\n') {
                    src.pop();
                }
                let v = resolve(tag_name(tag.as_ref()).as_deref(), &src, style);
                (anchor, v.map_err(|e| at(mark, e))?)
            }
            Event::Alias(id) => {
                if self.pending.contains(&id) {
                    return Err(at(
                        mark,
                        "cannot refer to an anchor from inside its own definition",
                    ));
                }
                let v = self.anchors.get(&id).cloned();
                return v.ok_or_else(|| at(mark, "reference to undefined anchor"));
            }
            Event::SequenceStart(anchor, tag) => {
                collection_tag(tag.as_ref(), "seq", "sequence", mark)?;
                self.pending.insert(anchor);
                (anchor, self.sequence()?)
            }
            Event::MappingStart(anchor, tag) => {
                collection_tag(tag.as_ref(), "map", "mapping", mark)?;
                self.pending.insert(anchor);
                (anchor, self.mapping()?)
            }
            Event::DocumentStart => return Err(at(mark, "only a single document is allowed")),
            _ => return Err(at(mark, "expecting value but found end of stream")),
        };
        if anchor != 0 {
            self.pending.remove(&anchor);
            self.anchors.insert(anchor, v.clone());
        }
        Ok(v)
    }

    fn sequence(&mut self) -> Result<Value, String> {
        let mut items = Vec::new();
        loop {
            match self.next()? {
                (Event::SequenceEnd, _) => return Ok(Value::Tuple(items)),
                (ev, mark) => items.push(self.node(ev, mark)?),
            }
        }
    }

    fn mapping(&mut self) -> Result<Value, String> {
        let mut out = VecMap::new();
        loop {
            let key = match self.next()? {
                (Event::MappingEnd, _) => return Ok(Value::Object(out)),
                (Event::Scalar(src, style, _, tag), mark) => {
                    let k = resolve(tag_name(tag.as_ref()).as_deref(), &src, style);
                    key_string(k.map_err(|e| at(mark, e))?, mark)?
                }
                (_, mark) => return Err(at(mark, "only strings are allowed as mapping keys")),
            };
            let (ev, mark) = self.next()?;
            let v = self.node(ev, mark)?;
            if key != "<<" {
                out.insert(key, v);
                continue;
            }
            // A merge key: the aliased mapping's entries, assigned in order like any others.
            match v {
                Value::Object(m) => m.into_iter().for_each(|(k, v)| {
                    out.insert(k, v);
                }),
                other => {
                    let msg = format!("cannot merge {} into mapping", other.type_name());
                    return Err(at(mark, msg));
                }
            }
        }
    }
}

/// Mapping keys are converted to strings as Terraform converts a primitive.
fn key_string(k: Value, mark: Marker) -> Result<String, String> {
    match k {
        Value::Null => Err(at(mark, "mapping key cannot be null")),
        Value::String(s) => Ok(s),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(at(mark, "only strings are allowed as mapping keys")),
    }
}

/// A tag as go-yaml names it: `!!x` in its long `tag:yaml.org,2002:x` form, others as written.
fn tag_name(tag: Option<&Tag>) -> Option<String> {
    let t = tag?;
    Some(if t.handle == "!!" {
        format!("{TAG_PREFIX}{}", t.suffix)
    } else {
        format!("{}{}", t.handle, t.suffix)
    })
}

fn collection_tag(tag: Option<&Tag>, want: &str, what: &str, mark: Marker) -> Result<(), String> {
    match tag_name(tag) {
        Some(t) if t != format!("{TAG_PREFIX}{want}") => {
            Err(at(mark, format!("can't interpret {what} as {t}")))
        }
        _ => Ok(()),
    }
}

/// The value of one scalar, by go-cty-yaml's YAML 1.1 resolution.
fn resolve(tag: Option<&str>, src: &str, style: TScalarStyle) -> Result<Value, String> {
    let short = match tag {
        None => None,
        Some(t) => match t.strip_prefix(TAG_PREFIX) {
            Some(s @ ("str" | "bool" | "int" | "float" | "null" | "timestamp" | "binary")) => {
                Some(s)
            }
            _ => return Err(format!("unsupported tag {t:?}")),
        },
    };
    if matches!(
        style,
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
    ) {
        return match short {
            Some("binary") => binary(src),
            _ => Ok(Value::String(src.to_owned())),
        };
    }
    if !matches!(short, Some("str" | "binary")) {
        if let Some(v) = implicit(src, short)? {
            // An untagged block scalar (`|`, `>`) is resolved, then converted to a string.
            let block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
            return Ok(match v {
                Value::Bool(_) | Value::Number(_) if block && tag.is_none() => {
                    Value::String(super::args::prim_str(&v).unwrap_or_default())
                }
                v => v,
            });
        }
    }
    let tag = tag.unwrap_or_default();
    match short {
        None | Some("str") => Ok(Value::String(src.to_owned())),
        Some("binary") => binary(src),
        Some("bool") => Err(format!("cannot parse {src:?} as {tag}")),
        Some("int" | "float") => tagged_number(src).ok_or(format!("cannot parse {src:?} as {tag}")),
        Some("timestamp") => timestamp(src)
            .map(Value::String)
            .ok_or(format!("cannot parse {src:?} as {tag}")),
        _ => Ok(Value::Null),
    }
}

/// What a plain scalar's text alone makes it, as go-cty-yaml guesses from its first character;
/// `None` leaves it to the tag (a string when untagged).
fn implicit(src: &str, tag: Option<&str>) -> Result<Option<Value>, String> {
    let Some(first) = src.bytes().next() else {
        return Ok(Some(Value::Null));
    };
    let v =
        match src {
            "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
                Value::Bool(true)
            }
            "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off"
            | "OFF" => Value::Bool(false),
            "~" | "null" | "Null" | "NULL" => Value::Null,
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf"
            | "-.INF" => return Err("infinity cannot be represented as a number".into()),
            ".nan" | ".NaN" | ".NAN" => return Err("floating point NaN is not supported".into()),
            _ if first == b'.' || first.is_ascii_digit() || first == b'+' || first == b'-' => {
                if matches!(tag, None | Some("timestamp")) {
                    if let Some(t) = timestamp(src) {
                        return Ok(Some(Value::String(t)));
                    }
                }
                if let Some(n) = decimal(src) {
                    return Ok(Some(Value::Number(n)));
                }
                if let Some(n) = prefixed_int(src) {
                    return n.map(|n| Some(Value::Number(n)));
                }
                return Ok(None);
            }
            _ => return Ok(None),
        };
    Ok(Some(v))
}

/// A decimal number as YAML writes one: `1`, `-0`, `012`, `5.`, `.5`, `1e3`, no underscores.
/// go-cty-yaml reads an integer into an int64 and anything else into a float64.
fn decimal(src: &str) -> Option<Number> {
    let digits = src.strip_prefix(['+', '-']).unwrap_or(src);
    let (mantissa, exp) = match digits.find(['e', 'E']) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && all_digits(frac)
        && (!int.is_empty() || !frac.is_empty())
        && (!mantissa.starts_with('.') || !frac.is_empty());
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if !(mantissa_ok && exp_ok) {
        return None;
    }
    if exp.is_none() && !mantissa.contains('.') {
        // `-0` is no int64 there: a float, and keeps its sign.
        if let Some(i) = src
            .parse::<i64>()
            .ok()
            .filter(|i| *i != 0 || !src.starts_with('-'))
        {
            return Some(Number::int(i));
        }
    }
    let n: f64 = src.parse().ok()?;
    // Beyond f64 (go-cty-yaml parses a float64): not silently infinity.
    n.is_finite().then(|| Number::from_f64(n)).flatten()
}

/// An unsigned `0x` or `0o` integer; `Some(Err)` when its digits overflow 64 bits.
fn prefixed_int(src: &str) -> Option<Result<Number, String>> {
    let (radix, digits) = if let Some(d) = src.strip_prefix("0x") {
        (16, d)
    } else {
        (8, src.strip_prefix("0o")?)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(
        u64::from_str_radix(digits, radix)
            .map(Number::from)
            .map_err(|_| format!("cannot parse {src:?} as {TAG_PREFIX}int")),
    )
}

/// A number under an explicit `!!int` or `!!float` tag: underscores dropped, and any of Go's
/// integer forms (`0x`, `0o`, `0b`, a leading `0` for octal, with a sign).
fn tagged_number(src: &str) -> Option<Value> {
    let plain = src.replace('_', "");
    if let Some(n) = decimal(&plain) {
        return Some(Value::Number(n));
    }
    let (neg, rest) = match plain.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let lower = rest.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else {
        (8, lower.strip_prefix('0')?)
    };
    let n = Number::from(u64::from_str_radix(digits, radix).ok()?);
    Some(Value::Number(if neg { n.neg() } else { n }))
}

fn binary(src: &str) -> Result<Value, String> {
    use base64::Engine;
    match base64::engine::general_purpose::STANDARD.decode(src) {
        Ok(_) => Ok(Value::String(src.to_owned())),
        Err(_) => Err(format!(
            "cannot parse {src:?} as {TAG_PREFIX}binary: not valid base64"
        )),
    }
}

/// A YAML timestamp in one of the forms go-cty-yaml accepts, as RFC 3339 (whole seconds):
/// `2001-12-14`, `2001-12-14 21:59:43.10` (UTC), or `2001-12-14T21:59:43.10-05:00`.
fn timestamp(src: &str) -> Option<String> {
    let re = timestamp_re();
    let c = re.captures(src)?;
    let num = |i: usize| {
        c.get(i)
            .map_or(0, |m| m.as_str().parse::<u32>().unwrap_or(99))
    };
    let (year, month, day) = (num(1), num(2), num(3));
    let (hour, min, sec) = (num(5), num(6), num(7));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    let in_range = (1..=days).contains(&day) && hour < 24 && min < 60 && sec < 60;
    let zoned = c.get(4).is_some_and(|s| s.as_str() != " ");
    if !in_range || zoned != c.get(9).is_some() {
        return None;
    }
    let zone = match c.get(9).map(|m| m.as_str()) {
        None | Some("Z" | "+00:00" | "-00:00") => "Z",
        Some(z) => z,
    };
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{min:02}:{sec:02}{zone}"
    ))
}

fn timestamp_re() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$",
        )
        .expect("timestamp pattern")
    })
}

#[cfg(test)]
#[path = "yaml_decode_tests.rs"]
mod tests;
