//! `hubctl state import-terraform FILE`: converts a Terraform state (format version 4) into
//! this configuration's state, reporting every resource type it leaves out.

use super::{error, save, writing};
use crate::args::StatePushArgs;
use crate::commands::common::{backend_block, registry, s3_settings, ERROR, OK};
use crate::views::Ui;
use hubctl_aws::state::{object, S3Settings};
use hubctl_core::state::terraform::from_terraform;

/// A local file, or `s3://bucket/key` (a Terraform S3 backend's object), read with this
/// configuration's `s3` backend settings when it has them, else the SDK's defaults.
async fn read(ui: &Ui, a: &StatePushArgs, origin: &str) -> Result<Vec<u8>, String> {
    if object::parse_url(origin).is_none() {
        let file = a.common.base.join(&a.file);
        return std::fs::read(file).map_err(|e| format!("{origin}: {e}"));
    }
    let (config, _) = hubctl_core::config::load_in(&a.common.base, &a.common.dir);
    let settings = match backend_block(&config, &a.common.base, &a.common.dir) {
        Ok(Some(b)) if b.kind == "s3" => match s3_settings(&b) {
            Ok(s) => s,
            Err(d) => {
                ui.diags(&d, &config.sources);
                return Err("the backend block is invalid".into());
            }
        },
        _ => S3Settings::default(),
    };
    object::read(&settings, origin)
        .await
        .map_err(|e| e.to_string())
}

pub async fn run(ui: &Ui, a: StatePushArgs) -> u8 {
    let origin = a.file.display().to_string();
    let bytes = match read(ui, &a, &origin).await {
        Ok(b) => b,
        Err(e) => return error(ui, "Failed to read the Terraform state", e),
    };
    let reg = registry();
    let supported = |t: &str| reg.resource(t).is_some();
    let imported = match from_terraform(&bytes, &origin, &supported) {
        Ok(i) => i,
        Err(e) => return error(ui, "Failed to convert the Terraform state", e.to_string()),
    };
    writing(ui, &a.common, "import-terraform", |be| async move {
        let current = match be.load().await {
            Ok(c) => c,
            Err(e) => return error(ui, "Failed to load state", e.to_string()),
        };
        let mut next = imported.state;
        if let Some(cur) = &current {
            if !cur.resources.is_empty() && !a.force {
                return error(ui, "Refusing to overwrite a non-empty state", format!("{} already manages {} resource instance(s). Importing would replace them; run `hubctl state list` to see them, and use --force to overwrite.", be.describe(), cur.resources.len()));
            }
            // A backend keeps one lineage for its whole life; the import is its next serial.
            next.lineage.clone_from(&cur.lineage);
            next.serial = cur.serial;
        }
        let count = next.resources.len();
        let Some(saved) = save(ui, &be, next).await else {
            return ERROR;
        };
        ui.line(format_args!(
            "Imported {count} resource instance(s) from {origin} (Terraform {}) into {} (serial {}).",
            imported.terraform_version,
            be.describe(),
            saved.serial
        ));
        for (t, n) in &imported.skipped {
            ui.line(format_args!("  skipped {t}: {n} instance(s) (hubctl does not support this resource type yet)"));
        }
        if imported.skipped_data > 0 {
            ui.line(format_args!("  skipped {} data source instance(s) (read again on the next plan)", imported.skipped_data));
        }
        if imported.skipped_deposed > 0 {
            ui.line(format_args!("  skipped {} deposed object(s) (delete them with Terraform first)", imported.skipped_deposed));
        }
        OK
    })
    .await
}
