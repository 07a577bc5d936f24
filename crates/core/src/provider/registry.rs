//! Maps provider names and resource type names to implementations.

use super::{DataSource, EphemeralResource, Provider, ProviderClient, Resource, Schema};
use crate::config::ResourceMode;
use crate::lang::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Clients already built, by provider name and evaluated configuration.
type Configured = Arc<Mutex<Vec<(String, Value, ProviderClient)>>>;

#[derive(Default, Clone)]
pub struct Registry {
    providers: HashMap<String, Arc<dyn Provider>>,
    resources: HashMap<String, (String, Arc<dyn Resource>)>,
    data_sources: HashMap<String, (String, Arc<dyn DataSource>)>,
    ephemerals: HashMap<String, (String, Arc<dyn EphemeralResource>)>,
    /// Shared by the clones of a registry: `apply` (a plan walk, then an apply walk) and
    /// `--all` runs configure each provider configuration once per process, not once per
    /// walk (the AWS provider's configure loads credentials and calls STS).
    configured: Configured,
}

impl Registry {
    /// The client an earlier walk built for this provider and configuration.
    pub fn configured_client(&self, name: &str, config: &Value) -> Option<ProviderClient> {
        let list = self.configured.lock().ok()?;
        let hit = list.iter().find(|(n, c, _)| n == name && c == config);
        hit.map(|(_, _, client)| client.clone())
    }

    /// Keeps a client for later walks; not one built from ephemeral values, which live only
    /// for the run that opened them.
    pub fn remember_client(&self, name: &str, config: &Value, client: &ProviderClient) {
        if config.contains_ephemeral() {
            return;
        }
        if let Ok(mut list) = self.configured.lock() {
            list.push((name.to_string(), config.clone(), client.clone()));
        }
    }

    /// A registry with the built-in `terraform` provider (`terraform_data`).
    pub fn with_builtins() -> Self {
        let mut r = Registry::default();
        r.add(Arc::new(super::terraform_data::TerraformProvider::default()));
        r
    }

    pub fn add(&mut self, p: Arc<dyn Provider>) {
        let name = p.name().to_string();
        for r in p.resources() {
            self.resources
                .insert(r.type_name().to_string(), (name.clone(), r));
        }
        for d in p.data_sources() {
            self.data_sources
                .insert(d.type_name().to_string(), (name.clone(), d));
        }
        for e in p.ephemeral_resources() {
            self.ephemerals
                .insert(e.type_name().to_string(), (name.clone(), e));
        }
        self.providers.insert(name, p);
    }

    pub fn provider(&self, name: &str) -> Option<&Arc<dyn Provider>> {
        self.providers.get(name)
    }

    /// The resource type and the name of the provider that serves it.
    pub fn resource(&self, type_name: &str) -> Option<(&str, &Arc<dyn Resource>)> {
        self.resources.get(type_name).map(|(p, r)| (p.as_str(), r))
    }

    pub fn data_source(&self, type_name: &str) -> Option<(&str, &Arc<dyn DataSource>)> {
        self.data_sources
            .get(type_name)
            .map(|(p, r)| (p.as_str(), r))
    }

    pub fn ephemeral(&self, type_name: &str) -> Option<(&str, &Arc<dyn EphemeralResource>)> {
        self.ephemerals.get(type_name).map(|(p, r)| (p.as_str(), r))
    }

    /// The schema of a type of any mode; `None` when no provider has it.
    pub fn schema_of(&self, mode: ResourceMode, type_name: &str) -> Option<Schema> {
        match mode {
            ResourceMode::Managed => self.resource(type_name).map(|(_, t)| t.schema().clone()),
            ResourceMode::Data => self.data_source(type_name).map(|(_, t)| t.schema().clone()),
            ResourceMode::Ephemeral => self.ephemeral(type_name).map(|(_, t)| t.schema().clone()),
        }
    }

    /// The names of every type of one mode, for did-you-mean hints.
    pub fn type_names(&self, mode: ResourceMode) -> Vec<&str> {
        match mode {
            ResourceMode::Managed => self.resource_type_names(),
            ResourceMode::Data => self.data_source_type_names(),
            ResourceMode::Ephemeral => self.ephemerals.keys().map(String::as_str).collect(),
        }
    }

    /// A provider's explanation for a resource type no provider has ([`Provider::unsupported`]).
    pub fn unsupported(&self, type_name: &str) -> Option<String> {
        let mut names: Vec<&String> = self.providers.keys().collect();
        names.sort();
        names
            .into_iter()
            .find_map(|n| self.providers[n].unsupported(type_name))
    }

    pub fn resource_type_names(&self) -> Vec<&str> {
        self.resources.keys().map(String::as_str).collect()
    }

    pub fn data_source_type_names(&self) -> Vec<&str> {
        self.data_sources.keys().map(String::as_str).collect()
    }
}
