//! The plan-file reader (`apply FILE`, `show FILE`): the bytes are split as a plain or
//! sealed plan, and a plain plan is rendered as `show` renders it (human and JSON), which
//! decodes every value with its unknowns and marks.
#![no_main]

use hubctl_core::plan::file::{parse, PlanFile};
use hubctl_core::plan::render::{plan_json, render_plan, Style};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = parse(data) else {
        return;
    };
    let _ = file.root_dir();
    if let PlanFile::Plain(plan) = file {
        let _ = plan.summary();
        let _ = plan.has_changes();
        let _ = render_plan(&plan, Style::default());
        let _ = plan_json(&plan);
        let _ = serde_json::to_vec(&*plan).expect("a decoded plan encodes");
    }
});
