//! Batched refresh: every instance of a type is read with as few Describe calls as the API
//! allows. Keys go in chunks of at most [`Managed::MAX_KEYS`] (EC2 caps a filter at 200
//! values), and each call follows its pages ([`paged`]), so a large state neither breaks a
//! filter nor loses objects past the first page.

use super::{from_api, Lookup, Managed};
use crate::config::AwsClients;
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;
use std::collections::BTreeMap;
use std::future::Future;

/// `read_many` of a managed type: `Ok(None)` where the object is gone (or the state has no
/// key yet). A failed call fails every instance.
pub async fn read_many<T: Managed + ?Sized>(
    t: &T,
    c: &AwsClients,
    states: &[Value],
) -> Vec<Result<Option<Value>, ProviderError>> {
    let keys: Vec<Option<String>> = states.iter().map(T::state_key).collect();
    let mut wanted: Vec<String> = keys.iter().flatten().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let found = match describe_keys(t, c, &wanted).await {
        Ok(found) => found,
        Err(e) => return states.iter().map(|_| Err(e.clone())).collect(),
    };
    keys.iter()
        .zip(states)
        .map(|(k, st)| {
            let x = k.as_ref().and_then(|k| found.get(k));
            Ok(x.map(|x| from_api(t, c, x, st)))
        })
        .collect()
}

/// The objects of `keys` that exist, by key: one Describe per chunk of keys.
pub async fn describe_keys<T: Managed + ?Sized>(
    t: &T,
    c: &AwsClients,
    keys: &[String],
) -> Result<BTreeMap<String, T::Api>, ProviderError> {
    let mut found = BTreeMap::new();
    for chunk in keys.chunks(T::MAX_KEYS.max(1)) {
        for x in t.describe(c, Lookup::Keys(chunk)).await? {
            if let Some(k) = T::key(&x).filter(|k| chunk.contains(k)) {
                found.insert(k, x);
            }
        }
    }
    Ok(found)
}

/// Follows a paged call to its end: `call(token)` returns one page and the next token
/// (`None` or `""` on the last page). Every AWS list call has this shape (EC2's `NextToken`,
/// IAM's `Marker`).
pub async fn paged<T, F, Fut>(mut call: F) -> Result<Vec<T>, ProviderError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ProviderError>>,
{
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let (page, next) = call(token.take()).await?;
        out.extend(page);
        match next.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Field, Identity, Op, Tags};
    use super::*;
    use crate::ec2::test_clients;
    use async_trait::async_trait;
    use std::sync::Mutex;

    /// A type whose "API" holds the even keys and records each Describe's key count.
    #[derive(Default)]
    struct Evens(Mutex<Vec<usize>>);

    const ID: Field<String> = Field::api("id", super::super::computed_str, |_, x| {
        Value::from(x.as_str())
    });

    #[async_trait]
    impl Managed for Evens {
        type Api = String;
        const TYPE_NAME: &'static str = "test_evens";
        const NOUN: &'static str = "even";
        const DESCRIBE: &'static str = "test:Describe";
        const IDENTITY: Identity = Identity::ServerId;

        fn fields() -> &'static [&'static Field<String>] {
            &[&ID]
        }
        fn key(x: &String) -> Option<String> {
            Some(x.clone())
        }
        async fn describe(
            &self,
            _: &AwsClients,
            by: Lookup<'_>,
        ) -> Result<Vec<String>, ProviderError> {
            let Lookup::Keys(keys) = by else {
                return Ok(vec![]);
            };
            self.0.lock().unwrap().push(keys.len());
            Ok(keys
                .iter()
                .filter(|k| k.parse::<u32>().unwrap() % 2 == 0)
                .cloned()
                .collect())
        }
        async fn create(&self, _: &Op<'_>, _: &Value, _: &Tags) -> Result<String, ProviderError> {
            unreachable!("not created in this test")
        }
        async fn delete(&self, _: &Op<'_>, _: &str) -> Result<(), ProviderError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn keys_are_chunked_at_the_filter_cap_and_mapped_back_in_order() {
        let t = Evens::default();
        let c = test_clients(Default::default());
        let states: Vec<Value> = (0..450)
            .map(|i| Value::map([("id", Value::from(i.to_string()))]))
            .chain([Value::map([("id", Value::Null)])])
            .collect();
        let out = read_many(&t, &c, &states).await;
        assert_eq!(*t.0.lock().unwrap(), vec![200, 200, 50]);
        assert_eq!(out.len(), 451);
        assert_eq!(
            out[4]
                .as_ref()
                .unwrap()
                .as_ref()
                .and_then(|v| v.get_attr("id")),
            Some(&Value::from("4"))
        );
        assert!(matches!(out[5], Ok(None)));
        assert!(
            matches!(out[450], Ok(None)),
            "a state without an id is not read"
        );
    }

    #[tokio::test]
    async fn paged_follows_tokens_to_the_last_page() {
        let calls = Mutex::new(Vec::new());
        let got = paged(|token: Option<String>| {
            calls.lock().unwrap().push(token.clone());
            async move {
                Ok(match token.as_deref() {
                    None => (vec![1, 2], Some("a".to_string())),
                    Some("a") => (vec![3], Some("b".to_string())),
                    _ => (vec![4], Some(String::new())),
                })
            }
        })
        .await
        .unwrap();
        assert_eq!(got, vec![1, 2, 3, 4]);
        assert_eq!(calls.lock().unwrap().len(), 3);
    }
}
