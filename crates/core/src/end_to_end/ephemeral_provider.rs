//! Test-only providers for ephemeral resources (Terraform has no built-in ephemeral type, so
//! neither has hubctl): `issuer` opens `issuer_token` instances (a token made from their
//! `name` and `secret`) and has a data source `issuer_lookup`; `consumer` is configured
//! with a token and creates (and deletes) `consumer_thing`s with it. Every call is written to a shared
//! log, so a test sees what was opened, closed and configured, and with which values.

use crate::lang::{Type, Value};
use crate::provider::{
    AttrSchema, DataSource, EphemeralResource, OpContext, Opened, Provider, ProviderClient,
    ProviderError, Resource, Schema,
};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};

/// What the providers did, in order.
pub type Log = Arc<Mutex<Vec<String>>>;

fn note(log: &Log, line: String) {
    log.lock().expect("log").push(line);
}

fn text<'a>(v: &'a Value, name: &str) -> &'a str {
    v.peel()
        .get_attr(name)
        .and_then(|x| x.peel().as_str())
        .unwrap_or("")
}

/// The `issuer` provider.
pub struct Issuer(pub Log);

struct Token(Log);

fn token_schema() -> &'static Schema {
    static S: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("name", AttrSchema::required(Type::String))
            .attr("secret", AttrSchema::optional(Type::String))
            .attr("value", AttrSchema::computed(Type::String))
    })
}

#[async_trait]
impl EphemeralResource for Token {
    fn type_name(&self) -> &'static str {
        "issuer_token"
    }
    fn schema(&self) -> &Schema {
        token_schema()
    }
    async fn open(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Opened, ProviderError> {
        let (name, secret) = (text(config, "name"), text(config, "secret"));
        note(&self.0, format!("open {}", ctx.address));
        let mut value = config.peel().clone();
        if let Some(m) = value.as_map_mut() {
            m.insert("value".into(), Value::from(format!("tok-{name}-{secret}")));
        }
        Ok(Opened {
            value,
            private: Value::from(format!("lease-{name}")),
        })
    }
    async fn close(&self, ctx: &OpContext<'_>, opened: &Opened) -> Result<(), ProviderError> {
        let lease = opened.private.as_str().unwrap_or("");
        note(&self.0, format!("close {} {lease}", ctx.address));
        Ok(())
    }
}

struct Lookup;

fn lookup_schema() -> &'static Schema {
    static S: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("backend", AttrSchema::optional(Type::String))
            .attr("config", AttrSchema::optional(Type::Any))
            .attr("result", AttrSchema::computed(Type::String))
    })
}

#[async_trait]
impl DataSource for Lookup {
    fn type_name(&self) -> &'static str {
        "issuer_lookup"
    }
    fn schema(&self) -> &Schema {
        lookup_schema()
    }
    async fn read(&self, _: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let mut v = config.peel().clone();
        if let Some(m) = v.as_map_mut() {
            m.insert("result".into(), Value::from("ok"));
        }
        Ok(v)
    }
}

#[async_trait]
impl Provider for Issuer {
    fn name(&self) -> &'static str {
        "issuer"
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Lookup)]
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(Token(self.0.clone()))]
    }
    async fn configure(&self, _: &Value) -> Result<ProviderClient, ProviderError> {
        Ok(Arc::new(()))
    }
}

/// The `consumer` provider: its client is the token it was configured with.
pub struct Consumer(pub Log);

struct Thing(Log);

fn thing_schema() -> &'static Schema {
    static S: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("name", AttrSchema::required(Type::String))
            .attr("token_length", AttrSchema::computed(Type::Number))
    })
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        "consumer_thing"
    }
    fn schema(&self) -> &Schema {
        thing_schema()
    }
    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let token = ctx
            .client
            .downcast_ref::<String>()
            .ok_or_else(|| ProviderError::msg("consumer not configured"))?;
        note(&self.0, format!("create {} with {token}", ctx.address));
        let mut v = planned.peel().clone();
        if let Some(m) = v.as_map_mut() {
            m.insert("token_length".into(), Value::int(token.len() as i64));
        }
        Ok(v)
    }
    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let token = ctx
            .client
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        for s in states {
            note(&self.0, format!("read {} with {token}", text(s, "name")));
        }
        states.iter().map(|s| Ok(Some(s.clone()))).collect()
    }
    async fn delete(&self, ctx: &OpContext<'_>, _: &Value) -> Result<(), ProviderError> {
        let token = ctx
            .client
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        note(&self.0, format!("delete {} with {token}", ctx.address));
        Ok(())
    }
}

#[async_trait]
impl Provider for Consumer {
    fn name(&self) -> &'static str {
        "consumer"
    }
    fn config_schema(&self) -> Schema {
        Schema::new().attr("token", AttrSchema::optional(Type::String))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing(self.0.clone()))]
    }
    async fn configure(&self, config: &Value) -> Result<ProviderClient, ProviderError> {
        let token = text(config, "token").to_string();
        note(&self.0, format!("configure consumer with {token}"));
        Ok(Arc::new(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ephemeral_conformance::{ephemeral_suite, EphemeralCase};

    /// The test type keeps the contract it stands in for.
    #[tokio::test]
    async fn issuer_token_passes_the_ephemeral_suite() {
        let log = Log::default();
        let case = EphemeralCase {
            resource: Arc::new(Token(log.clone())),
            client: Arc::new(()),
            address: "ephemeral.issuer_token.t",
            config: Value::object([
                ("name", Value::from("hub")),
                ("secret", Value::from("s")),
                ("value", Value::Null),
            ]),
        };
        ephemeral_suite(&case).await;
        let all = log.lock().expect("log").clone();
        assert_eq!(all.iter().filter(|l| l.starts_with("close ")).count(), 2);
    }
}
