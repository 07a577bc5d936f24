//! The HCL loader and the expression evaluator: the input is one `main.tf`. It is loaded as
//! `hubctl validate` loads a module (from a directory, so the real file handling runs), every
//! diagnostic is rendered, and each expression the loader kept is evaluated and its
//! references collected. Any panic or stack overflow is a finding.
#![no_main]

use hubctl_core::config::{Body, Config, Expr};
use hubctl_core::diag::{render_human, render_json, RenderOptions};
use hubctl_core::lang::{self, EvalContext, MapResolver, Value};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One scratch directory per fuzzing process, rewritten for each input.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("hubctl-fuzz-hcl-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("scratch directory");
        d
    })
}

fn scope() -> MapResolver {
    let obj = |pairs: &[(&str, Value)]| {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    };
    let mut vars = BTreeMap::new();
    vars.insert(
        "var".to_string(),
        obj(&[
            ("name", Value::from("hub")),
            ("cidr", Value::from("10.0.0.0/16")),
            ("azs", Value::List(vec![Value::from("a"), Value::from("b")])),
        ]),
    );
    vars.insert("path".to_string(), obj(&[("module", Value::from("."))]));
    vars.insert("count".to_string(), obj(&[("index", Value::from(1i64))]));
    vars.insert(
        "each".to_string(),
        obj(&[("key", Value::from("k")), ("value", Value::from("v"))]),
    );
    MapResolver { vars }
}

fn eval_all(exprs: &[&Expr], config: &Config) {
    let resolver = scope();
    for e in exprs {
        let _ = lang::references(&e.expr);
        let ctx = EvalContext {
            file: e.file,
            resolver: &resolver,
            base_dir: scratch(),
        };
        let (_, diags) = lang::eval(&e.expr, &ctx);
        let _ = render_human(&diags, &config.sources, RenderOptions::default());
    }
}

fn body_exprs<'a>(body: &'a Body, out: &mut Vec<&'a Expr>) {
    out.extend(body.attributes.values().map(|a| &a.expr));
    for b in &body.blocks {
        body_exprs(&b.body, out);
    }
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    std::fs::write(dir.join("main.tf"), data).expect("write main.tf");
    let (config, diags) = hubctl_core::config::load(dir);
    let _ = render_human(&diags, &config.sources, RenderOptions::default());
    let _ = render_json(&diags, &config.sources);
    let m = &config.root;
    let mut exprs: Vec<&Expr> = Vec::new();
    exprs.extend(m.locals.values().map(|l| &l.expr));
    exprs.extend(m.outputs.values().map(|o| &o.expr));
    exprs.extend(m.variables.values().filter_map(|v| v.default.as_ref()));
    for r in m.resources.values() {
        exprs.extend(r.count.iter().chain(r.for_each.iter()));
        body_exprs(&r.body, &mut exprs);
    }
    eval_all(&exprs, &config);
});
