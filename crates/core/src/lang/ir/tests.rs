use super::*;
use hcl_edit::visit::{visit_expr, Visit};
use hcl_edit::Span as _;

/// Every expression construct of HCL's native syntax, nested in one another.
const EVERYTHING: &str = r#"{
  a     = null
  b     = [true, false, 1.5, 42, "s\n", -n, !t, (1 + 2) * 3 % 4 / 5 - 6]
  (k)   = k == 1 && k != 2 || k < 3 && k <= 4 && k > 5 && k >= 6
  "q"   = c ? "x ${y} z" : <<EOT
heredoc ${h} %{ if p ~}yes%{ else }no%{ endif ~}
EOT
  d = <<-EOT
    %{ for i, v in xs }
      ${i}=${v}
    %{ endfor }
  EOT
  f   = try(f1(x...), can(y), provider::aws::arn_parse(z))
  t   = a.b[0].c.0[*].d.*.e[f.g]
  l   = [for i, x in xs : x * i if x > 0]
  o   = { for k, v in m : upper(k) => v... if v != null }
  p   = (a.b).c
}"#;

/// All expression spans of the `hcl-edit` tree, as its visitor reaches them.
#[derive(Default)]
struct Spans(Vec<Option<(usize, usize)>>);

impl Visit for Spans {
    fn visit_expr(&mut self, e: &hcl_edit::expr::Expression) {
        self.0.push(e.span().map(|r| (r.start, r.end)));
        visit_expr(self, e);
    }

    /// hcl-edit's default visitor skips a template `for` directive's collection.
    fn visit_for_template_expr(&mut self, f: &hcl_edit::template::ForTemplateExpr) {
        self.visit_expr(&f.collection_expr);
        self.visit_template(&f.template);
    }
}

fn ir_spans(e: &Expr, out: &mut Vec<Option<(usize, usize)>>) {
    out.push(e.pos.range().map(|r| (r.start, r.end)));
    e.each_child(&mut |c| ir_spans(c, out));
}

#[test]
fn every_node_keeps_its_span() {
    let tree = hcl_edit::parser::parse_expr(EVERYTHING).expect("parses");
    let mut want = Spans::default();
    want.visit_expr(&tree);
    let mut got = Vec::new();
    ir_spans(&lower(&tree), &mut got);
    assert!(
        want.0.iter().all(Option::is_some),
        "hcl-edit spans every node"
    );
    want.0.sort();
    got.sort();
    let missing: Vec<_> = want.0.iter().filter(|s| !got.contains(s)).collect();
    let extra: Vec<_> = got.iter().filter(|s| !want.0.contains(s)).collect();
    let text = |v: &[&Option<(usize, usize)>]| -> Vec<String> {
        v.iter()
            .map(|s| s.map_or("-".into(), |(a, b)| EVERYTHING[a..b].to_string()))
            .collect()
    };
    assert_eq!((text(&missing), text(&extra)), (vec![], vec![]));
    assert_eq!(got, want.0);
    assert!(
        got.len() > 80,
        "the sample covers many nodes: {}",
        got.len()
    );
}

#[test]
fn operators_calls_and_keys_keep_their_spans() {
    let src = "a.bb[0][*].c";
    let Kind::Traversal(t) = parse(src).expect("parses").kind else {
        panic!("not a traversal")
    };
    let ops: Vec<&str> = t.ops.iter().map(|o| &src[o.pos.range().unwrap()]).collect();
    assert_eq!(ops, [".bb", "[0]", "[*]", ".c"]);
    let src = "[1, fmt(\"%s\", x)]";
    let Kind::Tuple(xs) = parse(src).expect("parses").kind else {
        panic!("not a tuple")
    };
    let Kind::Call(c) = &xs[1].kind else {
        panic!("not a call")
    };
    assert_eq!(&src[c.name_pos.range().unwrap()], "fmt");
    assert_eq!(&src[c.pos.range().unwrap()], "fmt(\"%s\", x)");
    let src = "{ iam = 1, \"b c\" = 2 }";
    let Kind::Object(items) = parse(src).expect("parses").kind else {
        panic!("not an object")
    };
    let keys: Vec<&str> = items
        .iter()
        .map(|(k, _)| &src[k.pos().range().unwrap()])
        .collect();
    assert_eq!(keys, ["iam", "\"b c\""]);
}

#[test]
fn nested_heredoc_literals_are_dedented_at_lowering() {
    let e = parse("<<-EOT\n  %{ if x }\n    a\n  %{ endif }\n  EOT").expect("parses");
    let Kind::Template(t) = e.kind else {
        panic!("not a template")
    };
    let Some(Part::If(d)) = t.parts.get(1) else {
        panic!("no directive: {t:?}")
    };
    assert_eq!(d.then.parts[..], [Part::Literal("\n  a\n".into())]);
}

#[test]
fn names_are_interned() {
    let (a, b) = (
        Name::new("terraform_data"),
        Name::new(&String::from("terraform_data")),
    );
    assert!(std::ptr::eq(a.as_str(), b.as_str()));
    assert_ne!(Name::new("output"), a);
}

/// The point of the IR: a node is a few words, not a lossless syntax tree.
#[test]
fn nodes_are_compact() {
    assert!(
        std::mem::size_of::<Expr>() <= 32,
        "{}",
        std::mem::size_of::<Expr>()
    );
    assert!(
        std::mem::size_of::<Op>() <= 40,
        "{}",
        std::mem::size_of::<Op>()
    );
    assert_eq!(Pos::of(None), Pos::NONE);
    assert_eq!(Pos::of(Some(3..7)).range(), Some(3..7));
}
