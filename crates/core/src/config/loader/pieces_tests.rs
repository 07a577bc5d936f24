//! Large files parsed in pieces keep every block and every position.

use super::pieces;
use super::tests::{load_files, located};

/// A file above `pieces::PIECE_BYTES` is parsed piecewise: every block arrives, and errors
/// in a late piece and in a heredoc that holds a column-0 `resource` line keep their
/// file:line:column.
#[test]
fn large_files_load_piecewise_with_their_positions() {
    use std::fmt::Write as _;
    let mut text = String::new();
    let mut n = 0;
    while text.len() <= 2 * pieces::PIECE_BYTES {
        let _ = write!(
            text,
            "resource \"terraform_data\" \"n{n}\" {{\n  input = <<EOT\nresource \"x\" \"y\" {{\nEOT\n}}\n\n"
        );
        n += 1;
    }
    let line = text.lines().count() + 1;
    text.push_str("resource \"terraform_data\" \"last\" {}\n  bogus {}\n");
    let (_dir, config, diags) = load_files(&[("main.tf", &text)]);
    assert_eq!(config.root.resources.len(), n + 1);
    assert_eq!(
        located(&config, &diags),
        [(
            "Unsupported block type".to_string(),
            line + 1,
            3,
            "main.tf".to_string()
        )]
    );
    let (_dir, config, diags) =
        load_files(&[("main.tf", &format!("{text}locals {{\n  = 1\n}}\n"))]);
    let found = located(&config, &diags);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("Syntax error", line + 3)
    );
}
