//! `hubctl graph`: the dependency graph in Graphviz DOT.

use super::Graph;
use std::fmt::Write;

/// A DOT quoted identifier.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn to_dot(g: &Graph) -> String {
    let mut out = String::from(
        "digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  rankdir = \"RL\"\n",
    );
    for i in 0..g.nodes.len() {
        let _ = writeln!(
            out,
            "  {} [label = {}]",
            q(&g.describe(i)),
            q(&g.describe(i))
        );
    }
    for (i, n) in g.nodes.iter().enumerate() {
        for &d in &n.deps {
            let _ = writeln!(out, "  {} -> {}", q(&g.describe(i)), q(&g.describe(d)));
        }
    }
    out.push_str("}\n");
    out
}
