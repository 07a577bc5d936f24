//! Module sources beyond local paths: address parsing (registry, git, HTTPS archives, S3,
//! `//subdir`, Terragrunt's `tfr://`), version constraints as Terraform applies them, the
//! module manifest, and safe archive extraction. Everything here is pure or local-disk only;
//! the network lives behind [`install::Fetcher`], implemented outside the engine crate.

pub mod addr;
pub mod extract;
pub mod install;
pub mod manifest;
pub mod version;

pub use addr::{Getter, RegistryAddr, RemoteAddr, Source};
pub use manifest::{Manifest, Record};
pub use version::{Constraints, Version};
