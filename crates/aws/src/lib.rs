//! hubctl's AWS provider, on the official AWS SDK for Rust. One `SdkConfig` per `provider
//! "aws"` block (region, credentials, endpoints, retries) builds the clients every resource
//! type shares; each type is one file behind the engine's `Resource` trait, grouped by
//! service, and registered by one line in [`AwsProvider::resources`].

pub mod ambiguity;
pub mod api_log;
pub mod auth;
pub mod batch;
pub mod config;
pub mod ec2;
pub mod eks;
pub mod error;
pub mod iam;
pub mod identity;
pub mod kms;
pub mod managed;
pub mod module_source;
pub mod policy;
pub mod state;
pub mod tags;

pub use config::{AwsClients, AwsProvider};
