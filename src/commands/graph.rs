//! `hubctl graph`: the dependency graph as DOT.

use super::common::{load, ERROR, OK};
use crate::args::DirArg;
use crate::views::Ui;

pub fn run(ui: &Ui, base: &std::path::Path, a: DirArg) -> u8 {
    let Some(p) = load(ui, base, &a.dir) else {
        return ERROR;
    };
    ui.out(hubctl_core::graph::to_dot(&p.graph));
    OK
}
