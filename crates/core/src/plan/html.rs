//! `hubctl show --html PLANFILE`: a plan a reviewer can look at, as one self-contained HTML
//! file (inline CSS, SVG and a few lines of script; nothing fetched). The plan is drawn on
//! its dependency graph, resources coloured by action, dependencies left of their
//! dependents, each changed node numbered by its apply wave; below it the apply order, every
//! change with why it replaces and what attributes move, and what changed outside hubctl,
//! apart. Values pass through the same redaction as the drift report: a sensitive value is
//! never written, only that it changed. Terraform has only DOT for this.

use super::drift_report::{drifted_attributes, DriftedAttribute};
use super::html_layout::{layout, Cell};
use super::model::{Action, Plan, Reason, ResourceChange};
use crate::lang::Value;
use std::fmt::Write;

/// The graph the plan was made on, at resource level.
pub struct PlanGraph {
    /// Config-level resource addresses (`module.vpc.aws_subnet.this`).
    pub nodes: Vec<String>,
    /// `deps[n]`: the nodes `n` depends on.
    pub deps: Vec<Vec<usize>>,
    /// For each of the plan's `changes`, its node (None: no longer in the configuration).
    pub change_node: Vec<Option<usize>>,
}

const W: usize = 250;
const H: usize = 42;
const GAP_X: usize = 70;
const GAP_Y: usize = 14;
const PAD: usize = 20;

/// What one node shows: its strongest action and its instances' changes.
struct NodeView<'a> {
    address: String,
    changes: Vec<&'a ResourceChange>,
}

impl NodeView<'_> {
    fn action(&self) -> Option<Action> {
        self.changes
            .iter()
            .map(|c| c.action)
            .filter(|a| *a != Action::NoOp)
            .max_by_key(|a| rank(*a))
    }
}

fn rank(a: Action) -> u8 {
    match a {
        Action::NoOp => 0,
        Action::Read => 1,
        Action::Create => 2,
        Action::Update => 3,
        Action::Delete => 4,
        Action::DeleteThenCreate | Action::CreateThenDelete => 5,
    }
}

/// The CSS class (and `data-action`) of an action.
fn class(a: Option<Action>) -> &'static str {
    match a {
        None | Some(Action::NoOp) => "unchanged",
        Some(Action::Read) => "read",
        Some(Action::Create) => "create",
        Some(Action::Update) => "update",
        Some(Action::Delete) => "delete",
        Some(Action::DeleteThenCreate | Action::CreateThenDelete) => "replace",
    }
}

/// The page for `plan`, drawn on `graph`; `title` names the configuration.
pub fn render_html(plan: &Plan, graph: &PlanGraph, title: &str) -> String {
    render_page(
        title,
        &[PagePart {
            unit: None,
            plan,
            graph,
        }],
    )
}

/// One plan of a page: a unit's (named) or a root module's.
pub struct PagePart<'a> {
    pub unit: Option<&'a str>,
    pub plan: &'a Plan,
    pub graph: &'a PlanGraph,
}

/// One page for several plans (a tree's plan file: one part per unit, in apply order), with
/// the counts of all of them at the top.
pub fn render_page(title: &str, parts: &[PagePart]) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let (mut add, mut change, mut destroy) = (0, 0, 0);
    for p in parts {
        let s = p.plan.summary();
        (add, change, destroy) = (add + s.add, change + s.change, destroy + s.destroy);
    }
    let version = parts
        .first()
        .map(|p| p.plan.hubctl_version.as_str())
        .unwrap_or_default();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"generator\" content=\"hubctl {}\"><title>hubctl plan: {}</title>\
         <style>{CSS}</style></head><body>\n<header><h1>Plan for <code>{}</code></h1>\
         <p id=\"summary\">Plan: {add} to add, {change} to change, {destroy} to destroy.</p>{}</header>\n",
        esc(version),
        esc(title),
        esc(title),
        LEGEND
    );
    for p in parts {
        part(&mut out, p);
    }
    out.push_str("<script>");
    out.push_str(SCRIPT);
    out.push_str("</script></body></html>\n");
    out
}

fn part(out: &mut String, p: &PagePart) {
    let (views, deps, node_of) = node_views(p.plan, p.graph);
    let cells = layout(&deps);
    let waves = apply_waves(&views, &deps, &cells);
    match p.unit {
        Some(name) => {
            let s = p.plan.summary();
            let _ = write!(
                out,
                "<article class=\"unit\" data-unit=\"{}\"><h2 class=\"unit-name\">{}</h2>\
                 <p>Plan: {} to add, {} to change, {} to destroy.</p>",
                esc(name),
                esc(name),
                s.add,
                s.change,
                s.destroy
            );
        }
        None => out.push_str("<article class=\"unit\">"),
    }
    svg(out, &views, &deps, &cells, &waves);
    order(out, &views, &waves);
    let node_address: Vec<&str> = node_of.iter().map(|n| views[*n].address.as_str()).collect();
    changes(out, p.plan, &node_address);
    drift(out, p.plan);
    outputs(out, p.plan);
    out.push_str("</article>\n");
}

/// The graph's nodes with the changes on them, plus a node (without dependencies) for each
/// change whose resource the configuration no longer has; and each change's node.
fn node_views<'a>(
    plan: &'a Plan,
    graph: &PlanGraph,
) -> (Vec<NodeView<'a>>, Vec<Vec<usize>>, Vec<usize>) {
    let mut views: Vec<NodeView> = graph
        .nodes
        .iter()
        .map(|a| NodeView {
            address: a.clone(),
            changes: Vec::new(),
        })
        .collect();
    let mut deps = graph.deps.clone();
    let mut orphans: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut node_of = Vec::with_capacity(plan.changes.len());
    for (i, c) in plan.changes.iter().enumerate() {
        let n = match graph.change_node.get(i).copied().flatten() {
            Some(n) => n,
            None => *orphans.entry(c.resource.as_str()).or_insert_with(|| {
                views.push(NodeView {
                    address: c.resource.clone(),
                    changes: Vec::new(),
                });
                deps.push(Vec::new());
                views.len() - 1
            }),
        };
        views[n].changes.push(c);
        node_of.push(n);
    }
    (views, deps, node_of)
}

/// Each changed node's apply wave (1 = first): one more than the latest wave among the
/// changed nodes it depends on, through unchanged ones. Pure destroys and reads have none.
fn apply_waves(views: &[NodeView], deps: &[Vec<usize>], cells: &[Cell]) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..views.len()).collect();
    order.sort_by_key(|n| (cells[*n].column, cells[*n].row));
    let waits = |a: Option<Action>| {
        matches!(
            a,
            Some(
                Action::Create
                    | Action::Update
                    | Action::DeleteThenCreate
                    | Action::CreateThenDelete
            )
        )
    };
    // `reach[n]`: the latest wave at or below n (0: none).
    let mut reach = vec![0usize; views.len()];
    let mut wave = vec![None; views.len()];
    for n in order {
        let below = deps[n].iter().map(|d| reach[*d]).max().unwrap_or(0);
        if waits(views[n].action()) {
            wave[n] = Some(below + 1);
            reach[n] = below + 1;
        } else {
            reach[n] = below;
        }
    }
    wave
}

fn svg(
    out: &mut String,
    views: &[NodeView],
    deps: &[Vec<usize>],
    cells: &[Cell],
    waves: &[Option<usize>],
) {
    let cols = cells.iter().map(|c| c.column + 1).max().unwrap_or(1);
    let rows = cells.iter().map(|c| c.row + 1).max().unwrap_or(1);
    let (width, height) = (
        2 * PAD + cols * (W + GAP_X) - GAP_X,
        2 * PAD + rows * (H + GAP_Y) - GAP_Y,
    );
    let pos = |c: Cell| (PAD + c.column * (W + GAP_X), PAD + c.row * (H + GAP_Y));
    let _ = write!(
        out,
        "<section class=\"graph\"><h2>Dependency graph</h2><p class=\"hint\">Dependencies are left of what \
         uses them; a number is the apply wave. Click a resource for its changes.</p>\
         <div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#8a8a8a\"/></marker></defs>"
    );
    for (n, ds) in deps.iter().enumerate() {
        for d in ds {
            let ((x1, y1), (x2, y2)) = (pos(cells[*d]), pos(cells[n]));
            let (x1, y1, x2, y2) = (x1 + W, y1 + H / 2, x2, y2 + H / 2);
            let mid = (x1 + x2) / 2;
            let _ = writeln!(
                out,
                "<path class=\"edge\" data-from=\"{}\" data-to=\"{}\" d=\"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}\" marker-end=\"url(#arrow)\"/>",
                esc(&views[*d].address),
                esc(&views[n].address)
            );
        }
    }
    for (n, v) in views.iter().enumerate() {
        node(out, v, pos(cells[n]), waves[n]);
    }
    out.push_str("</svg></div></section>\n");
}

fn node(out: &mut String, v: &NodeView, (x, y): (usize, usize), wave: Option<usize>) {
    let action = v.action();
    let drifted = v.changes.iter().any(|c| outside(c));
    let count = match v.changes.len() {
        0 | 1 => String::new(),
        k => format!(" ×{k}"),
    };
    let label = shorten(&v.address, 30);
    let _ = write!(
        out,
        "<g class=\"node {}{}\" data-address=\"{}\" data-action=\"{}\"{}><title>{}{}</title>\
         <rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"6\"/>\
         <text x=\"{}\" y=\"{}\">{}{}</text>",
        class(action),
        if drifted { " drifted" } else { "" },
        esc(&v.address),
        class(action),
        wave.map(|w| format!(" data-wave=\"{w}\""))
            .unwrap_or_default(),
        esc(&v.address),
        action
            .map(|a| format!(": {}", class(Some(a))))
            .unwrap_or_default(),
        x + 30,
        y + H / 2 + 5,
        esc(&label),
        count
    );
    if let Some(w) = wave {
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"11\" class=\"wave\"/><text class=\"wave\" x=\"{}\" y=\"{}\">{w}</text>",
            x + 15,
            y + H / 2,
            x + 15,
            y + H / 2 + 4
        );
    }
    out.push_str("</g>\n");
}

/// The apply order: each wave's resources (they run in parallel), then the destroys.
fn order(out: &mut String, views: &[NodeView], waves: &[Option<usize>]) {
    out.push_str("<section class=\"order\"><h2>Apply order</h2><ol>");
    let last = waves.iter().flatten().max().copied().unwrap_or(0);
    for w in 1..=last {
        let names: Vec<String> = (0..views.len())
            .filter(|n| waves[*n] == Some(w))
            .map(|n| format!("<code>{}</code>", esc(&views[n].address)))
            .collect();
        let _ = write!(out, "<li>Wave {w}: {}</li>", names.join(", "));
    }
    out.push_str("</ol>");
    let destroys: Vec<String> = views
        .iter()
        .filter(|v| v.action() == Some(Action::Delete))
        .map(|v| format!("<code>{}</code>", esc(&v.address)))
        .collect();
    if !destroys.is_empty() {
        let _ = write!(
            out,
            "<p>Destroyed, each after what depends on it: {}</p>",
            destroys.join(", ")
        );
    }
    if last == 0 && destroys.is_empty() {
        out.push_str("<p>No changes.</p>");
    }
    out.push_str("</section>\n");
}

/// Whether the change comes from something done outside hubctl rather than the configuration.
fn outside(c: &ResourceChange) -> bool {
    matches!(c.reason, Some(Reason::DeletedOutside | Reason::Drift))
}

fn changes(out: &mut String, plan: &Plan, node_address: &[&str]) {
    out.push_str("<section class=\"changes\"><h2>Changes</h2><table><thead><tr><th>Resource</th><th>Action</th>\
                  <th>Why</th><th>Attributes</th></tr></thead><tbody>\n");
    for (c, node) in plan.changes.iter().zip(node_address) {
        if c.action == Action::NoOp {
            continue;
        }
        let mut why = c
            .reason
            .and_then(Reason::words)
            .map(str::to_string)
            .unwrap_or_default();
        if !c.replace_paths.is_empty() {
            let paths: Vec<String> = c
                .replace_paths
                .iter()
                .map(|p| format!("<code>{}</code>", esc(p)))
                .collect();
            why = format!(
                "{}{}forces replacement: {}",
                esc(&why),
                if why.is_empty() { "" } else { "; " },
                paths.join(", ")
            );
        } else {
            why = esc(&why);
        }
        let _ = writeln!(
            out,
            "<tr class=\"{}\" data-address=\"{}\" data-resource=\"{}\"><td><code>{}</code></td><td>{}</td><td>{why}</td><td>{}</td></tr>",
            class(Some(c.action)),
            esc(&c.address),
            esc(node),
            esc(&c.address),
            class(Some(c.action)),
            attributes(c)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// The attributes that move, each `path: before → after`, redacted.
fn attributes(c: &ResourceChange) -> String {
    let empty = Value::object(Vec::<(String, Value)>::new());
    let (before, after) = (
        c.before.as_ref().unwrap_or(&empty),
        c.after.as_ref().unwrap_or(&empty),
    );
    if c.action == Action::Delete {
        return "<span class=\"muted\">the object is destroyed</span>".into();
    }
    let moved = drifted_attributes(before, after);
    if moved.is_empty() {
        return String::new();
    }
    let mut s = String::from("<ul class=\"attrs\">");
    for d in &moved {
        let _ = write!(
            s,
            "<li><code>{}</code>: {}</li>",
            esc(&d.path),
            change_words(d)
        );
    }
    s.push_str("</ul>");
    s
}

fn change_words(d: &DriftedAttribute) -> String {
    if d.sensitive {
        return "<em>(sensitive value)</em>".into();
    }
    let show = |v: &Option<serde_json::Value>| match v {
        None => "<span class=\"muted\">(none)</span>".to_string(),
        Some(v) => format!("<code>{}</code>", esc(&shorten_end(&v.to_string(), 120))),
    };
    match &d.before {
        None => show(&d.after),
        Some(_) => format!("{} → {}", show(&d.before), show(&d.after)),
    }
}

/// Objects changed or deleted outside hubctl, apart from what the configuration changes.
fn drift(out: &mut String, plan: &Plan) {
    let mut rows: Vec<String> = Vec::new();
    for c in &plan.drift {
        let what = if c.after.is_none() {
            "deleted outside hubctl".to_string()
        } else {
            attributes(c)
        };
        rows.push(format!("<li><code>{}</code>: {what}</li>", esc(&c.address)));
    }
    for c in plan.changes.iter().filter(|c| outside(c)) {
        let what = c
            .reason
            .and_then(Reason::words)
            .unwrap_or("changed outside hubctl");
        rows.push(format!(
            "<li><code>{}</code>: {}; the plan {}s it</li>",
            esc(&c.address),
            esc(what),
            class(Some(c.action))
        ));
    }
    out.push_str("<section class=\"drift\"><h2>Changed outside hubctl</h2>");
    if rows.is_empty() {
        out.push_str("<p>Nothing: the remote objects matched the state.</p>");
    } else {
        let _ = write!(out, "<ul>{}</ul>", rows.join(""));
    }
    out.push_str("</section>\n");
}

fn outputs(out: &mut String, plan: &Plan) {
    let changed: Vec<String> = plan
        .output_changes
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .map(|o| {
            let value = if o.sensitive {
                "<em>(sensitive value)</em>".to_string()
            } else {
                match &o.after {
                    Some(v) => format!(
                        "<code>{}</code>",
                        esc(&shorten_end(&v.to_json_redacted().to_string(), 120))
                    ),
                    None => "<span class=\"muted\">removed</span>".to_string(),
                }
            };
            format!(
                "<li><code>{}</code> ({}): {value}</li>",
                esc(&o.name),
                class(Some(o.action))
            )
        })
        .collect();
    if !changed.is_empty() {
        let _ = writeln!(
            out,
            "<section class=\"outputs\"><h2>Outputs</h2><ul>{}</ul></section>",
            changed.join("")
        );
    }
}

/// `s` cut to `max` characters from the left, keeping the end (the resource's own name).
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let tail: String = s.chars().skip(n - (max - 1)).collect();
    format!("…{tail}")
}

fn shorten_end(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max - 1).collect();
    format!("{head}…")
}

/// Text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const LEGEND: &str = "<ul class=\"legend\"><li class=\"create\">create</li><li class=\"update\">update in place</li>\
<li class=\"replace\">replace</li><li class=\"delete\">destroy</li><li class=\"read\">read</li>\
<li class=\"unchanged\">unchanged</li><li class=\"drifted\">changed outside hubctl</li></ul>";

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d1d1f;background:#fff}\
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}code{font:12px ui-monospace,monospace}\
#summary{font-weight:600}.hint,.muted{color:#6e6e73}.scroll{overflow:auto;border:1px solid #ddd;border-radius:6px}\
.legend{list-style:none;padding:0;display:flex;gap:12px;flex-wrap:wrap}.legend li{padding:2px 8px;border-radius:4px;border:2px solid}\
.node rect{stroke-width:2.5}.node text{font:12px ui-monospace,monospace;fill:#1d1d1f}.node{cursor:pointer}\
.edge{fill:none;stroke:#b0b0b0;stroke-width:1.3}.edge.on{stroke:#1d1d1f;stroke-width:2.5}\
circle.wave{fill:#1d1d1f}text.wave{fill:#fff!important;font:bold 11px system-ui!important;text-anchor:middle}\
.create rect,li.create{fill:#d8f5dc;stroke:#1e8e3e;border-color:#1e8e3e;background:#d8f5dc}\
.update rect,li.update{fill:#fff3c4;stroke:#d49b00;border-color:#d49b00;background:#fff3c4}\
.replace rect,li.replace{fill:#ffd9c7;stroke:#d0481b;border-color:#d0481b;background:#ffd9c7}\
.delete rect,li.delete{fill:#ffd6d6;stroke:#c5221f;border-color:#c5221f;background:#ffd6d6}\
.read rect,li.read{fill:#dbe9ff;stroke:#1a5fd0;border-color:#1a5fd0;background:#dbe9ff}\
.unchanged rect,li.unchanged{fill:#f4f4f5;stroke:#b8b8bd;border-color:#b8b8bd;background:#f4f4f5}\
.drifted rect{stroke-dasharray:6 3}li.drifted{border-style:dashed;border-color:#555}\
.node.sel rect{stroke:#000;stroke-width:4}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #eee}\
tr.create td:nth-child(2){color:#1e8e3e}tr.update td:nth-child(2){color:#a87700}tr.replace td:nth-child(2){color:#d0481b}\
tr.delete td:nth-child(2){color:#c5221f}tr.sel{background:#fffbd6}.attrs{margin:0;padding-left:16px}";

const SCRIPT: &str = "document.querySelectorAll('.node').forEach(function(n){n.addEventListener('click',function(){\
var a=n.getAttribute('data-address'),u=n.closest('.unit');document.querySelectorAll('.sel').forEach(function(e){\
e.classList.remove('sel')});n.classList.add('sel');u.querySelectorAll('.edge').forEach(function(e){e.classList.toggle('on',\
e.getAttribute('data-from')===a||e.getAttribute('data-to')===a)});var first=null;\
u.querySelectorAll('tr[data-resource]').forEach(function(r){if(r.getAttribute('data-resource')===a){r.classList.add('sel');\
first=first||r}});if(first){first.scrollIntoView({block:'center'})}})});document.body.setAttribute('data-ready','1');";

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;
