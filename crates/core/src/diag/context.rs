//! The header of the block a source offset lies in (`resource "aws_vpc" "hub"`), which
//! `terraform validate -json` reports as a diagnostic snippet's `context`.

use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;

/// The innermost block around byte `offset` of `text`, written as Terraform writes it; None
/// at the top level or when the text does not parse.
pub fn enclosing_block(text: &str, offset: usize) -> Option<String> {
    let body = hcl_edit::parser::parse_body(text).ok()?;
    innermost(&body, offset)
}

fn innermost(body: &Body, offset: usize) -> Option<String> {
    body.iter().find_map(|s| match s {
        Structure::Block(b) if b.span().is_some_and(|r| r.contains(&offset)) => {
            innermost(&b.body, offset).or_else(|| {
                let mut header = b.ident.as_str().to_string();
                for l in &b.labels {
                    header.push(' ');
                    match l {
                        hcl_edit::structure::BlockLabel::String(s) => {
                            header.push_str(&format!("{:?}", s.as_str()))
                        }
                        hcl_edit::structure::BlockLabel::Ident(i) => header.push_str(i.as_str()),
                    }
                }
                Some(header)
            })
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::enclosing_block;

    #[test]
    fn names_the_innermost_block() {
        let text = "resource \"a_b\" \"c\" {\n  x = 1\n  lifecycle {\n    y = 2\n  }\n}\nz = 3\n";
        let at = |needle: &str| text.find(needle).expect("needle");
        assert_eq!(
            enclosing_block(text, at("x = 1")).as_deref(),
            Some("resource \"a_b\" \"c\"")
        );
        assert_eq!(
            enclosing_block(text, at("y = 2")).as_deref(),
            Some("lifecycle")
        );
        assert_eq!(enclosing_block(text, at("z = 3")), None);
    }
}
