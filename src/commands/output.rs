//! `hubctl output [NAME]`: root outputs from the state. Sensitive values are redacted unless
//! `--show-sensitive` asks for them explicitly.

use super::common::{backend, load, load_state, ERROR, OK};
use crate::args::OutputArgs;
use crate::views::Ui;
use hubctl_core::diag::{Diagnostic, SourceMap};
use hubctl_core::lang::Value;
use hubctl_core::plan::render::fmt_value;

pub async fn run(ui: &Ui, base: &std::path::Path, a: OutputArgs) -> u8 {
    let Some(p) = load(ui, base, &a.dir) else {
        return ERROR;
    };
    let be = match backend(ui, &p.config, base, &a.dir).await {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            return ERROR;
        }
    };
    let Some((state, _)) = load_state(ui, &be).await else {
        return ERROR;
    };
    let show = |sensitive: bool, v: &serde_json::Value| -> serde_json::Value {
        if sensitive && !a.show_sensitive {
            serde_json::Value::String("(sensitive value)".into())
        } else {
            v.clone()
        }
    };
    if let Some(name) = &a.name {
        let Some(o) = state.outputs.get(name) else {
            let d = Diagnostic::error(format!("Output \"{name}\" not found")).detail(
                "The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `hubctl apply`, since the state won't be updated with new output variables until that command is run.",
            );
            ui.diags(&d.into(), &SourceMap::new());
            return ERROR;
        };
        let v = show(o.sensitive, &o.value);
        if a.json {
            ui.json(&v);
        } else if a.raw {
            match &v {
                serde_json::Value::String(s) => ui.out(s),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => ui.out(&v),
                _ => {
                    ui.diags(
                        &Diagnostic::error("Unsupported value for raw output")
                            .detail("--raw only works with strings, numbers and bools; use --json.")
                            .into(),
                        &SourceMap::new(),
                    );
                    return ERROR;
                }
            }
        } else {
            let shown = if o.sensitive && !a.show_sensitive {
                Value::from_json(&v)
            } else {
                o.value()
            };
            ui.line(fmt_value(&shown, 0, false));
        }
        return OK;
    }
    if a.json {
        // Terraform's shape: {"NAME": {"sensitive": .., "type": <cty type>, "value": ..}}.
        let m: serde_json::Map<String, serde_json::Value> = state
            .outputs
            .iter()
            .map(|(k, o)| {
                let entry = serde_json::json!({
                    "sensitive": o.sensitive,
                    "type": o.ty().to_cty_json(),
                    "value": show(o.sensitive, &o.value),
                });
                (k.clone(), entry)
            })
            .collect();
        ui.json(&serde_json::Value::Object(m));
        return OK;
    }
    if state.outputs.is_empty() {
        ui.err_line("Warning: No outputs found\n\nThe state has no outputs. Run `hubctl apply` after adding `output` blocks to the root module.");
        return OK;
    }
    for (k, o) in &state.outputs {
        let v = if o.sensitive && !a.show_sensitive {
            "<sensitive>".to_string()
        } else {
            fmt_value(&o.value(), 0, false)
        };
        ui.line(format_args!("{k} = {v}"));
    }
    OK
}
