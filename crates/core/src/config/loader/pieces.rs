//! Large files are parsed a piece at a time: `hcl-edit`'s lossless tree costs ~10 KB per
//! resource, so a 10,000-resource file parsed whole peaks near 100 MB before it is lowered to
//! the IR and dropped. A piece is a run of top-level blocks; each is parsed, decoded and
//! dropped before the next, so the peak is one piece's tree.
//!
//! A piece starts at a line that begins with a letter (a top-level block's type, at column
//! 0). Such a line may also be inside a heredoc or a comment: then the piece before it does
//! not parse (its heredoc or comment is unterminated) and is extended to the next start, so
//! the bodies are the whole file's. A piece is parsed from the file's text with everything
//! before it blanked (newlines kept), so spans, lines and columns are the file's own.

use hcl_edit::parser::Error;
use hcl_edit::structure::Body;

/// Files up to this size are parsed whole; larger ones in pieces of at least this size.
pub(super) const PIECE_BYTES: usize = 256 * 1024;

/// At most this many pieces per file, so that blanking the text before each piece costs at
/// most this many times the file's size.
const MAX_PIECES: usize = 32;

/// Where pieces may start: 0, then line starts beginning with a letter, at least `min`
/// bytes (and a `MAX_PIECES`th of the file) apart.
fn starts(text: &str, min: usize) -> Vec<usize> {
    let min = min.max(text.len() / MAX_PIECES).max(1);
    let bytes = text.as_bytes();
    let mut out = vec![0];
    for (i, _) in text.match_indices('\n') {
        let s = i + 1;
        let last = out.last().copied().unwrap_or(0);
        if s - last >= min && bytes.get(s).is_some_and(u8::is_ascii_alphabetic) {
            out.push(s);
        }
    }
    out
}

/// `text[start..end]` parsed as a body whose spans are offsets in `text`.
fn parse(text: &str, start: usize, end: usize) -> Result<Body, Error> {
    let mut padded = String::with_capacity(end);
    padded.extend(
        text.as_bytes()[..start]
            .iter()
            .map(|&b| if b == b'\n' { '\n' } else { ' ' }),
    );
    padded.push_str(&text[start..end]);
    hcl_edit::parser::parse_body(&padded)
}

/// Calls `each` with the bodies of `text`'s pieces, in order (one body for a file of at most
/// `min` bytes). A syntax error is the parser's error for the rest of the file from the last
/// piece that parsed: the same error as for the whole file, whose earlier pieces are
/// complete bodies.
pub(super) fn for_each(text: &str, min: usize, mut each: impl FnMut(Body)) -> Result<(), Error> {
    if text.len() <= min {
        each(hcl_edit::parser::parse_body(text)?);
        return Ok(());
    }
    let starts = starts(text, min);
    let mut i = 0;
    while i < starts.len() {
        let mut j = i + 1;
        loop {
            let end = starts.get(j).copied().unwrap_or(text.len());
            match parse(text, starts[i], end) {
                Ok(body) => {
                    each(body);
                    break;
                }
                Err(e) if j >= starts.len() => return Err(e),
                Err(_) => j += 1,
            }
        }
        i = j;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl_edit::Span as _;

    /// Blocks with column-0 letters inside heredocs and comments, so some starts are wrong.
    const TEXT: &str = r#"resource "a" "x" {
  v = <<EOT
resource "not" "a block" {
EOT
}
/* a comment
locals { nor = this }
*/
locals {
  l = 1
}

resource "b" "y" {
  w = [for x in [1] : x]
}
variable "v" {}
"#;

    /// Each top-level block's kind, labels and span.
    fn blocks(bodies: &[Body]) -> Vec<(String, Vec<String>, Option<std::ops::Range<usize>>)> {
        bodies
            .iter()
            .flat_map(|b| b.blocks())
            .map(|b| {
                let labels = b.labels.iter().map(|l| l.as_str().to_string()).collect();
                (b.ident.as_str().to_string(), labels, b.span())
            })
            .collect()
    }

    #[test]
    fn pieces_are_the_whole_files_blocks_with_its_spans() {
        let whole = blocks(&[hcl_edit::parser::parse_body(TEXT).expect("parses")]);
        assert_eq!(whole.len(), 4);
        for min in [1, 10, 40, 100, TEXT.len()] {
            let mut bodies = Vec::new();
            for_each(TEXT, min, |b| bodies.push(b)).expect("parses");
            assert_eq!(blocks(&bodies), whole, "pieces of at least {min} bytes");
            if min == 1 {
                assert!(bodies.len() >= 3, "{} pieces", bodies.len());
            }
        }
    }

    #[test]
    fn a_syntax_error_is_the_whole_files() {
        let text = format!("{TEXT}resource \"c\" \"z\" {{\n  x = = 1\n}}\nlocals {{}}\n");
        let whole = hcl_edit::parser::parse_body(&text).expect_err("a syntax error");
        let piecewise = for_each(&text, 1, |_| {}).expect_err("a syntax error");
        assert_eq!(piecewise.to_string(), whole.to_string());
        assert_eq!(piecewise.location().offset(), whole.location().offset());
    }
}
