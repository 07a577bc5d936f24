//! Renderers for [`Diagnostics`]: a human one (source line with a marker, via
//! `annotate-snippets`) and a JSON one for `--json`, both from the same model.

use super::{Diagnostic, Diagnostics, Severity, SourceMap, Span};
use annotate_snippets::{Level, Renderer, Snippet};

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
}

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    }
}

/// The lines a span touches (whole lines), with the span made relative to them.
fn excerpt(
    sources: &SourceMap,
    span: Span,
) -> Option<(String, usize, usize, std::ops::Range<usize>)> {
    let file = sources.get(span.file)?;
    let start = (span.start as usize).min(file.text.len());
    let end = (span.end as usize).clamp(start, file.text.len());
    let first = file.line_index(start);
    let last = file.line_index(end.saturating_sub(1).max(start));
    let from = file.line_start(first);
    let to = file.text[file.line_start(last)..]
        .find('\n')
        .map(|i| file.line_start(last) + i)
        .unwrap_or(file.text.len());
    let (text, mut rel) = displayable(&file.text[from..to], (start - from)..(end.min(to) - from));
    if rel.is_empty() {
        rel.end = (rel.start + 1).min(text.len().max(rel.start));
    }
    Some((text, first + 1, from, rel))
}

/// The excerpt as annotate-snippets can lay it out, with `rel` moved along: every
/// whitespace character but a newline becomes one space and every other control character
/// (NUL, form feed, ...) a U+FFFD, one character for one, so columns stay. annotate-snippets
/// 0.11 counts leading whitespace per character (a tab as 4) but spans by display width (a
/// tab, a form feed or a carriage return as 0) and underflows on a long line where the two
/// disagree: fuzzed files with lines starting with form feeds (target `live`) and with lone
/// carriage returns (target `hcl`) panicked there.
fn displayable(text: &str, rel: std::ops::Range<usize>) -> (String, std::ops::Range<usize>) {
    let mut out = String::with_capacity(text.len());
    let (mut new_start, mut new_end) = (None, None);
    for (i, c) in text.char_indices() {
        if i == rel.start {
            new_start = Some(out.len());
        }
        if i == rel.end {
            new_end = Some(out.len());
        }
        out.push(match c {
            '\n' | ' ' => c,
            c if c.is_whitespace() => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        });
    }
    let start = new_start.unwrap_or(out.len());
    let end = new_end.unwrap_or(out.len()).max(start);
    (out, start..end)
}

/// Renders diagnostics the way a terminal user reads them: `Error: summary`, the location,
/// the source line with a marker, the detail and the hint.
pub fn render_human(diags: &Diagnostics, sources: &SourceMap, opts: RenderOptions) -> String {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags.iter() {
        out.push_str(&render_one(d, sources, &renderer));
        out.push('\n');
    }
    out
}

fn render_one(d: &Diagnostic, sources: &SourceMap, renderer: &Renderer) -> String {
    let lvl = level(d.severity);
    let title = match &d.address {
        Some(a) if !d.summary.contains(a.as_str()) => format!("{}: {}", a, d.summary),
        _ => d.summary.clone(),
    };
    let mut owned: Vec<(String, usize, String, std::ops::Range<usize>, String, bool)> = Vec::new();
    if let Some(span) = d.subject {
        if let Some((text, line, _, rel)) = excerpt(sources, span) {
            owned.push((
                text,
                line,
                sources.path(span.file).display().to_string(),
                rel,
                String::new(),
                true,
            ));
        }
    }
    for (span, label) in &d.related {
        if let Some((text, line, _, rel)) = excerpt(sources, *span) {
            owned.push((
                text,
                line,
                sources.path(span.file).display().to_string(),
                rel,
                label.clone(),
                false,
            ));
        }
    }
    let mut msg = lvl.title(&title);
    for (text, line, origin, rel, label, primary) in &owned {
        let ann_level = if *primary { lvl } else { Level::Info };
        msg = msg.snippet(
            Snippet::source(text)
                .line_start(*line)
                .origin(origin)
                .fold(false)
                .annotation(ann_level.span(rel.clone()).label(label)),
        );
    }
    let mut detail_lines = Vec::new();
    if !d.detail.is_empty() {
        detail_lines.push(d.detail.clone());
    }
    for line in &detail_lines {
        msg = msg.footer(Level::Note.title(line));
    }
    if let Some(h) = &d.help {
        msg = msg.footer(Level::Help.title(h));
    }
    let rendered = renderer.render(msg).to_string();
    rendered
}

/// JSON form of diagnostics in `terraform validate -json`'s schema (`format_version` 1.0,
/// `range`, `snippet` with the whole source line, highlight offsets and the enclosing block),
/// so tools that annotate Terraform's output read hubctl's unchanged. `address`, `help` and
/// `related` are additions.
pub fn render_json(diags: &Diagnostics, sources: &SourceMap) -> serde_json::Value {
    let range = |s: Span| {
        let start = sources.location(s);
        let end = sources.file(s.file).location(s.end as usize);
        let path = start.path.display().to_string();
        serde_json::json!({
            "filename": path.strip_prefix("./").unwrap_or(&path),
            "start": {"line": start.line, "column": start.column, "byte": s.start},
            "end": {"line": end.line, "column": end.column, "byte": s.end},
        })
    };
    let items: Vec<_> = diags
        .iter()
        .map(|d| {
            let mut v = serde_json::json!({
                "severity": d.severity,
                "summary": d.summary,
                "detail": d.detail,
            });
            if let Some(s) = d.subject {
                v["range"] = range(s);
                v["snippet"] = snippet(sources, s);
            }
            if let Some(a) = &d.address {
                v["address"] = a.clone().into();
            }
            if let Some(h) = &d.help {
                v["help"] = h.clone().into();
            }
            if !d.related.is_empty() {
                v["related"] = d
                    .related
                    .iter()
                    .map(|(s, l)| serde_json::json!({"label": l, "range": range(*s)}))
                    .collect();
            }
            v
        })
        .collect();
    serde_json::json!({
        "format_version": "1.0",
        "valid": !diags.has_errors(),
        "error_count": diags.iter().filter(|d| d.is_error()).count(),
        "warning_count": diags.iter().filter(|d| !d.is_error()).count(),
        "diagnostics": items,
    })
}

/// Terraform's snippet: the source lines the range covers, where the range starts and ends
/// in them (bytes), and the header of the innermost block around it.
fn snippet(sources: &SourceMap, s: Span) -> serde_json::Value {
    let file = sources.file(s.file);
    let (start, end) = (s.start as usize, (s.end as usize).max(s.start as usize));
    let first = file.line_index(start);
    let last = file.line_index(end.saturating_sub(1).max(start));
    let code_start = file.line_start(first);
    let code_end = file
        .text
        .get(file.line_start(last)..)
        .and_then(|rest| rest.find('\n'))
        .map_or(file.text.len(), |i| file.line_start(last) + i);
    let code = file.text.get(code_start..code_end).unwrap_or("");
    let mut v = serde_json::json!({
        "context": super::context::enclosing_block(&file.text, start),
        "code": code.trim_end_matches('\r'),
        "start_line": first + 1,
        "highlight_start_offset": start - code_start,
        "highlight_end_offset": end.min(code_end) - code_start,
        "values": [],
    });
    if v["context"].is_null() {
        v.as_object_mut().map(|m| m.remove("context"));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_render_shows_location_line_and_hint() {
        let mut sm = SourceMap::new();
        let f = sm.add(
            "mod/main.tf",
            "locals {\n  a = var.clustr_version\n}\n".to_string(),
        );
        let d = Diagnostic::error("Reference to undeclared input variable")
            .detail("An input variable with the name \"clustr_version\" has not been declared.")
            .subject(Span::new(f, 15..33))
            .help("did you mean `var.cluster_version`?");
        let out = render_human(&Diagnostics::from(d), &sm, RenderOptions::default());
        assert!(
            out.contains("error: Reference to undeclared input variable"),
            "{out}"
        );
        assert!(out.contains("mod/main.tf:2:7"), "{out}");
        assert!(out.contains("a = var.clustr_version"), "{out}");
        assert!(out.contains("did you mean `var.cluster_version`?"), "{out}");
    }

    /// The fuzz finding (target `live`): a long line starting with form feeds before the span made
    /// annotate-snippets subtract past zero. Tabs disagreed the same way.
    #[test]
    fn control_characters_and_tabs_before_a_span_render() {
        for pad in ["\x0c", "\t", "\r", "\u{3000}"] {
            let line = format!("{}\u{FFFD}{}", pad.repeat(80), "y".repeat(200));
            let mut sm = SourceMap::new();
            let f = sm.add("t.hcl", format!("a = 1\n{line}\n"));
            let at = 6 + line.find('\u{FFFD}').expect("marker");
            let d =
                Diagnostic::error("Invalid character encoding").subject(Span::new(f, at..at + 3));
            let out = render_human(&Diagnostics::from(d), &sm, RenderOptions::default());
            assert!(out.contains("t.hcl:2:81"), "{out}");
        }
        let (text, rel) = displayable("\ta\x00b", 2..3);
        assert_eq!((text.as_str(), rel), (" a\u{FFFD}b", 2..5));
    }
}
