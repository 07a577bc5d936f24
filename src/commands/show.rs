//! `hubctl show [PLANFILE] [--json]`: a saved plan (human, or Terraform's plan JSON that policy
//! tools read; --html a page for reviewers), or the current state. As everywhere, sensitive
//! values are redacted.

use super::common::{backend, load, load_state, ERROR, OK};
use super::planfile;
use crate::args::ShowArgs;
use crate::views::Ui;
use hubctl_core::graph::{Graph, NodeKind};
use hubctl_core::plan::html::{render_html, PlanGraph};
use hubctl_core::plan::render::{plan_json, render_plan};
use hubctl_core::plan::Plan;
use hubctl_core::state::State;
use std::collections::HashMap;
use std::path::Path;

pub async fn run(ui: &Ui, base: &Path, a: ShowArgs) -> u8 {
    match &a.planfile {
        Some(path) => show_plan(ui, base, path, a.json, a.html).await,
        None => show_state(ui, base, &a.dir, a.json).await,
    }
}

async fn show_plan(ui: &Ui, base: &Path, path: &Path, json: bool, html: bool) -> u8 {
    if super::plan_bundle::is_tree_plan(&base.join(path)) {
        return super::plan_bundle::show(ui, base, path, json, html).await;
    }
    let Some(saved) = planfile::load_saved(ui, base, path).await else {
        return ERROR;
    };
    let plan = saved.plan;
    if html {
        let graph = plan_graph(&saved.prepared.graph, &plan);
        ui.out(render_html(&plan, &graph, &saved.dir.display().to_string()));
    } else if json {
        ui.json(&plan_json(&plan));
    } else {
        ui.out(render_plan(&plan, ui.plan_style()));
    }
    OK
}

/// The configuration's resources and their dependencies, and each change's resource.
pub(super) fn plan_graph(g: &Graph, plan: &Plan) -> PlanGraph {
    let resources: Vec<usize> = (0..g.nodes.len())
        .filter(|n| matches!(g.nodes[*n].kind, NodeKind::Resource(_)))
        .collect();
    let nodes: Vec<String> = resources.iter().map(|n| g.describe(*n)).collect();
    let by_name: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    let by_node: HashMap<usize, usize> =
        resources.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let deps = resources
        .iter()
        .map(|n| {
            let names = g.resource_dependencies(*n);
            names
                .iter()
                .filter_map(|a| by_name.get(a.as_str()).copied())
                .collect()
        })
        .collect();
    let change_node = plan
        .changes
        .iter()
        .map(|c| {
            g.resource_node(&c.address)
                .and_then(|n| by_node.get(&n).copied())
        })
        .collect();
    PlanGraph {
        nodes,
        deps,
        change_node,
    }
}

async fn show_state(ui: &Ui, base: &Path, dir: &Path, json: bool) -> u8 {
    let Some(p) = load(ui, base, dir) else {
        return ERROR;
    };
    let be = match backend(ui, &p.config, base, dir).await {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            return ERROR;
        }
    };
    let Some((state, had)) = load_state(ui, &be).await else {
        return ERROR;
    };
    if json {
        ui.json(&state_json(&state));
    } else if !had || state.resources.is_empty() {
        ui.line("The state file is empty. No resources are represented.");
    } else {
        for (addr, inst) in &state.resources {
            ui.line(super::state::render_instance(addr, inst));
        }
    }
    OK
}

/// The state in the shape of `terraform show -json` (`values.outputs`,
/// `values.root_module.resources`), with every resource of every module listed in the root
/// module by its full address, and sensitive values null with a `sensitive_values` mask.
fn state_json(state: &State) -> serde_json::Value {
    use serde_json::{json, Map, Value as J};
    let resources: Vec<J> = state
        .resources
        .iter()
        .map(|(addr, inst)| {
            let mut values = inst.attributes.clone();
            let mut mask = Map::new();
            if let Some(obj) = values.as_object_mut() {
                for k in &inst.sensitive_attributes {
                    if let Some(v) = obj.get_mut(k) {
                        *v = J::Null;
                        mask.insert(k.clone(), J::Bool(true));
                    }
                }
            }
            let name = hubctl_core::addr::resource_of(addr);
            let name = name.rsplit('.').next().unwrap_or("");
            json!({
                "address": addr,
                "mode": match inst.mode {
                    hubctl_core::state::Mode::Data => "data",
                    hubctl_core::state::Mode::Managed => "managed",
                },
                "type": inst.type_name,
                "name": name,
                "provider_name": inst.provider,
                "values": values,
                "sensitive_values": mask,
            })
        })
        .collect();
    let outputs: Map<String, J> = state
        .outputs
        .iter()
        .map(|(k, o)| {
            let value = if o.sensitive {
                J::Null
            } else {
                o.value.clone()
            };
            (k.clone(), json!({"sensitive": o.sensitive, "value": value}))
        })
        .collect();
    json!({
        "format_version": "1.0",
        "hubctl_version": state.hubctl_version,
        "values": {"outputs": outputs, "root_module": {"resources": resources}},
    })
}
