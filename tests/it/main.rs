//! End-to-end tests of the `hubctl` binary: one test binary (link time matters), each test
//! in its own temporary copy of a fixture under `tests/fixtures/`, so tests run in parallel
//! and never depend on order.

mod argocd;
mod aws;
mod chaos;
mod chdir;
mod conformance;
mod conformance_defaults;
mod conformance_eks;
mod conformance_iam;
mod crash;
mod diagnostics;
mod e2e;
mod eks;
mod faults;
mod hostile;
mod https_server;
mod hub;
mod iam;
mod import;
mod kube;
mod kube_conformance;
mod lease;
mod live;
mod live_hub;
mod live_mocks;
mod misc;
mod module_calls;
mod modules;
mod moto;
mod outputs;
mod plan_checks;
mod plan_compat;
mod planfile;
mod policy_document;
mod refresh_only;
mod s3_cli;
mod s3_cli_access;
mod s3_cli_args;
mod s3_cli_keys;
mod s3state;
mod state_cmds;
mod support;
mod targeting;
mod triggers;
mod vars_cli;
