//! In-process tests that plan and apply through the engine (not the binary): they sit
//! above every layer, so none of them leans on a module it must not.

mod check_blocks;
mod enabled;
mod ephemeral;
mod ephemeral_provider;
mod feeds;
mod import_for_each;
mod prevent_destroy;
mod provider_for_each;
mod resumed_runs;
mod stale_deletes;
mod stored_numbers;
mod support;
mod targets;
