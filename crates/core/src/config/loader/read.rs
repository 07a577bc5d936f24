//! Reading one configuration file into the [`SourceMap`], with the checks that come before
//! the parser: a size limit, UTF-8, and a diagnostic (not a parser message) for a control
//! character such as NUL. Shared by `.tf` files and Terragrunt unit files.

use crate::diag::{Diagnostic, FileId, SourceMap, Span};
use std::io::Read;
use std::path::Path;

/// The largest configuration file read: 16 MiB. The hub's biggest file is a few kB and a
/// generated 10,000-resource module is ~2 MB; hcl-edit's lossless tree takes ~20 times the
/// text, so a bigger file would cost gigabytes before it could say anything useful. (Spans
/// are also `u32` byte offsets.) The file is refused before it is read whole.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Reads `on_disk` as the file shown as `shown`: its id, or the diagnostic that says why it
/// cannot be parsed (too large, not UTF-8, unreadable), placed at the first bad byte when
/// there is one. `subject` is where the file was asked for (an include), if anywhere.
pub(crate) fn read_source(
    sources: &mut SourceMap,
    on_disk: &Path,
    shown: &Path,
    subject: Option<Span>,
) -> Result<FileId, Diagnostic> {
    let cannot = |why: String| {
        Diagnostic::error("Cannot read configuration file")
            .detail(format!("Reading {} failed: {why}.", shown.display()))
            .subject_opt(subject)
    };
    let file = std::fs::File::open(on_disk).map_err(|e| cannot(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostic::error("Configuration file too large")
            .detail(format!(
                "{} is larger than {} MiB, the most hubctl reads from one configuration \
                 file. Split it into several files, or generate fewer resources per file.",
                shown.display(),
                MAX_FILE_BYTES >> 20
            ))
            .subject_opt(subject));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add(shown, text)),
        Err(e) => {
            // The valid prefix is kept as is, so the offset of the first bad byte is the
            // offset of its replacement character in the lossy text shown in the excerpt.
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let file = sources.add(shown, text);
            Err(Diagnostic::error("Invalid character encoding")
                .detail(
                    "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is \
                     selected in your editor.",
                )
                .subject(Span::new(file, at..end)))
        }
    }
}

/// Terraform's diagnostic for a control character where the parser stopped (NUL, ESC, ...):
/// the parser's own message would say what it expected instead, which misleads.
pub(crate) fn invalid_character(text: &str, at: usize, file: FileId) -> Option<Diagnostic> {
    let c = text[at..].chars().next()?;
    if !c.is_control() || matches!(c, '\t' | '\n' | '\r') {
        return None;
    }
    Some(
        Diagnostic::error("Invalid character")
            .detail(format!(
                "This character (U+{:04X}) is not used within the language.",
                c as u32
            ))
            .subject(Span::new(file, at..at + c.len_utf8())),
    )
}
