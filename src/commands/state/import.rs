//! `hubctl state import-terraform FILE`.

use crate::args::StatePushArgs;
use crate::views::Ui;

pub async fn run(ui: &Ui, a: StatePushArgs) -> u8 {
    super::error(ui, "Not implemented", format!("{}", a.file.display()))
}
