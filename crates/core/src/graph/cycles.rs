//! Cycle detection: every strongly connected component with more than one node (or a
//! self-edge) is reported once, naming every node on one concrete cycle, in order, each with
//! its location.

use super::Graph;
use crate::diag::{Diagnostic, Diagnostics};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::DiGraph;
use std::collections::HashSet;

pub fn find(g: &Graph) -> Diagnostics {
    let mut pg = DiGraph::<usize, ()>::with_capacity(g.nodes.len(), 0);
    let ids: Vec<_> = (0..g.nodes.len()).map(|i| pg.add_node(i)).collect();
    for (i, n) in g.nodes.iter().enumerate() {
        for &d in &n.deps {
            pg.add_edge(ids[i], ids[d], ());
        }
    }
    let mut diags = Diagnostics::new();
    // Kosaraju, not Tarjan: petgraph's Tarjan recurses once per node of a path, and a
    // 100,000-resource chain overflowed the main thread's stack.
    for scc in kosaraju_scc(&pg) {
        if scc.len() < 2 {
            continue;
        }
        let members: HashSet<usize> = scc.iter().map(|ix| pg[*ix]).collect();
        let cycle = concrete_cycle(g, &members);
        let names: Vec<String> = cycle.iter().map(|&n| g.describe(n)).collect();
        let mut d = Diagnostic::error("Cycle in configuration").detail(format!(
            "These objects depend on each other, so none of them can be evaluated first: {} → {}.",
            names.join(" → "),
            names[0]
        ));
        // The first node is the subject; the others follow it in cycle order.
        for (k, &n) in cycle.iter().enumerate().skip(1) {
            if let Some(span) = g.nodes[n].span {
                let next = &names[(k + 1) % names.len()];
                d = d.related(span, format!("{} refers to {}", names[k], next));
            }
        }
        if let Some(s) = g.nodes[cycle[0]].span {
            d = d.subject(s);
        }
        diags.push(d.help("break the cycle by removing one of these references"));
    }
    diags
}

/// One cycle through the component, found by walking deps that stay inside it.
fn concrete_cycle(g: &Graph, members: &HashSet<usize>) -> Vec<usize> {
    let start = *members.iter().min().unwrap_or(&0);
    let mut path = vec![start];
    let mut seen = HashSet::from([start]);
    let mut cur = start;
    loop {
        let next = g.nodes[cur]
            .deps
            .iter()
            .copied()
            .filter(|d| members.contains(d))
            .min_by_key(|d| {
                // Prefer closing the cycle, then unseen nodes.
                if *d == start {
                    0
                } else if seen.contains(d) {
                    2
                } else {
                    1
                }
            });
        match next {
            Some(n) if n == start => return path,
            Some(n) if seen.contains(&n) => {
                // Found a cycle not through start: cut the path to it.
                let pos = path.iter().position(|&p| p == n).unwrap_or(0);
                return path[pos..].to_vec();
            }
            Some(n) => {
                path.push(n);
                seen.insert(n);
                cur = n;
            }
            None => return path,
        }
    }
}
