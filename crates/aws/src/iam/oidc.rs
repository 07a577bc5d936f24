//! `aws_iam_openid_connect_provider`.
//!
//! API calls: `CreateOpenIDConnectProvider` (tags included; `thumbprint_list` optional, as in
//! provider 5.x: AWS then finds the thumbprint itself), `GetOpenIDConnectProvider` (refresh:
//! per provider, all at once), `AddClientIDToOpenIDConnectProvider` /
//! `RemoveClientIDFromOpenIDConnectProvider`, `UpdateOpenIDConnectProviderThumbprint`,
//! `TagOpenIDConnectProvider` / `UntagOpenIDConnectProvider`, `DeleteOpenIDConnectProvider`.
//! Force-new: `url`.
//! Identity: the ARN, which IAM builds from the URL: an interrupted create is found among
//! `ListOpenIDConnectProviders` by it.
//! Quirk: IAM answers the URL without `https://`; the configured spelling stays in state.

use super::{each, tag_map, OIDC_TAGS};
use crate::config::AwsClients;
use crate::ec2::{answer, gone};
use crate::managed::{computed_str, field_table, Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{plan_by_schema, AttrSchema, PlannedState, ProviderError, Schema};

pub struct OidcProvider;

#[derive(Clone, Debug)]
pub struct Api {
    pub arn: String,
    pub url: String,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
    pub tags: Tags,
}

fn strs(xs: &[String]) -> Vec<Value> {
    xs.iter().map(|s| Value::from(s.as_str())).collect()
}

/// The URL without its scheme, as IAM keeps it.
pub fn bare(url: &str) -> &str {
    url.strip_prefix("https://").unwrap_or(url)
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| Value::from(x.arn.as_str()));
    ARN = api("arn", computed_str, |_, x| Value::from(x.arn.as_str()));
    URL = based("url", || AttrSchema::required(Type::String).force_new(), |_, x, base, name| {
        match base.get_attr(name).and_then(Value::as_str) {
            Some(b) if bare(b) == bare(&x.url) => Value::from(b),
            _ => Value::from(format!("https://{}", bare(&x.url))),
        }
    });
    CLIENTS = api("client_id_list", || AttrSchema::required(Type::Set(Box::new(Type::String))),
        |_, x| Value::set(strs(&x.client_ids)));
    THUMBPRINTS = api("thumbprint_list",
        || AttrSchema::optional_computed(Type::List(Box::new(Type::String))),
        |_, x| Value::List(strs(&x.thumbprints)));
}

fn list(v: &Value) -> Vec<String> {
    let xs = v.as_seq().unwrap_or(&[]);
    xs.iter()
        .filter_map(|x| x.peel().as_str().map(str::to_string))
        .collect()
}

async fn get(c: &AwsClients, arn: String) -> Result<Option<Api>, ProviderError> {
    let r = c
        .iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await;
    let out = answer("iam:GetOpenIDConnectProvider", r)?;
    Ok(Some(Api {
        url: out.url().unwrap_or_default().to_string(),
        client_ids: out.client_id_list().to_vec(),
        thumbprints: out.thumbprint_list().to_vec(),
        tags: tag_map(out.tags()),
        arn,
    }))
}

#[async_trait]
impl Managed for OidcProvider {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_iam_openid_connect_provider";
    const NOUN: &'static str = "IAM OpenID Connect provider";
    const DESCRIBE: &'static str = "iam:GetOpenIDConnectProvider";
    const TAGS: TagStyle = OIDC_TAGS;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        Some(x.arn.clone())
    }

    fn tags(x: &Api) -> Tags {
        x.tags.clone()
    }

    /// A URL that differs from the prior one only by `https://` is no change (Terraform's
    /// states hold IAM's bare form, configurations the scheme).
    fn plan(&self, schema: &Schema, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut proposed = proposed;
        let old = prior.and_then(|p| URL.str(p));
        if let (Some(old), Some(new)) = (old, URL.str(&proposed)) {
            if old != new && bare(&old) == bare(&new) {
                if let Some(m) = proposed.as_map_mut() {
                    URL.set(m, Value::from(old));
                }
            }
        }
        let mut p = plan_by_schema(schema, prior, proposed);
        crate::tags::plan_tags_all(prior, &mut p.planned);
        p
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        each(by.keys(), |k| get(c, k)).await
    }

    /// The provider whose ARN ends with the configured URL.
    async fn find_existing(
        &self,
        c: &Op<'_>,
        planned: &Value,
    ) -> Result<Option<Api>, ProviderError> {
        let Some(url) = URL.str(planned) else {
            return Ok(None);
        };
        let out = answer(
            "iam:ListOpenIDConnectProviders",
            c.iam.list_open_id_connect_providers().send().await,
        )?;
        let suffix = format!(":oidc-provider/{}", bare(&url));
        let arns = out
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|p| p.arn());
        match arns.into_iter().find(|a| a.ends_with(&suffix)) {
            Some(arn) => get(c, arn.to_string()).await,
            None => Ok(None),
        }
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let req = c
            .iam
            .create_open_id_connect_provider()
            .set_url(URL.str(planned));
        let req = req.set_client_id_list(Some(list(CLIENTS.get(planned).unwrap_or(&Value::Null))));
        let thumbs = THUMBPRINTS
            .get(planned)
            .filter(|v| v.is_wholly_known())
            .map(list);
        let req = req.set_thumbprint_list(thumbs.filter(|t| !t.is_empty()));
        let req = req.set_tags(Some(super::iam_tags(tags)));
        let out = answer("iam:CreateOpenIDConnectProvider", req.send().await)?;
        let arn = out
            .open_id_connect_provider_arn()
            .unwrap_or_default()
            .to_string();
        let empty = Api {
            arn,
            url: String::new(),
            client_ids: vec![],
            thumbprints: vec![],
            tags: Tags::new(),
        };
        Ok(empty)
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        arn: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let ids = |v: &Value| list(CLIENTS.get(v).unwrap_or(&Value::Null));
        let (old, new) = (ids(prior), ids(planned));
        for id in new.iter().filter(|i| !old.contains(i)) {
            let req = c.iam.add_client_id_to_open_id_connect_provider();
            let r = req
                .open_id_connect_provider_arn(arn)
                .client_id(id)
                .send()
                .await;
            answer("iam:AddClientIDToOpenIDConnectProvider", r)?;
        }
        for id in old.iter().filter(|i| !new.contains(i)) {
            let req = c.iam.remove_client_id_from_open_id_connect_provider();
            let r = req
                .open_id_connect_provider_arn(arn)
                .client_id(id)
                .send()
                .await;
            answer("iam:RemoveClientIDFromOpenIDConnectProvider", r)?;
        }
        let thumbs = THUMBPRINTS.get(planned).filter(|v| v.is_wholly_known());
        if let Some(t) = thumbs.filter(|t| Some(*t) != THUMBPRINTS.get(prior)) {
            let req = c.iam.update_open_id_connect_provider_thumbprint();
            let r = req
                .open_id_connect_provider_arn(arn)
                .set_thumbprint_list(Some(list(t)));
            answer("iam:UpdateOpenIDConnectProviderThumbprint", r.send().await)?;
        }
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, arn: &str) -> Result<(), ProviderError> {
        let req = c
            .iam
            .delete_open_id_connect_provider()
            .open_id_connect_provider_arn(arn);
        gone("iam:DeleteOpenIDConnectProvider", req.send().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::{assert_read_matches_schema, from_api};

    fn api() -> Api {
        Api {
            arn: "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X".into(),
            url: "oidc.eks.us-east-1.amazonaws.com/id/X".into(),
            client_ids: vec!["sts.amazonaws.com".into()],
            thumbprints: vec![],
            tags: Tags::new(),
        }
    }

    #[test]
    fn a_terraform_state_with_the_bare_url_plans_no_replacement() {
        let bare_url = "oidc.eks.us-east-1.amazonaws.com/id/X";
        let prior = Value::map([("url", Value::from(bare_url)), ("tags", Value::Null)]);
        let config = Value::map([
            ("url", Value::from(format!("https://{bare_url}"))),
            ("tags", Value::Null),
        ]);
        let p = OidcProvider.plan(
            &crate::managed::schema_for::<OidcProvider>(),
            Some(&prior),
            config,
        );
        assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
        assert_eq!(p.planned.get_attr("url"), Some(&Value::from(bare_url)));
    }

    #[test]
    fn read_returns_exactly_the_schema_and_keeps_the_configured_url() {
        assert_read_matches_schema(OidcProvider, &api());
        let c = crate::config::test_clients(Default::default());
        let url = "https://oidc.eks.us-east-1.amazonaws.com/id/X";
        let v = from_api(
            &OidcProvider,
            &c,
            &api(),
            &Value::map([("url", Value::from(url))]),
        );
        assert_eq!(v.get_attr("url"), Some(&Value::from(url)));
        let v = from_api(&OidcProvider, &c, &api(), &Value::Null);
        assert_eq!(v.get_attr("url"), Some(&Value::from(url)));
    }
}
