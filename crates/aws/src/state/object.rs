//! Reading one object by its `s3://bucket/key` URL: how `hubctl state import-terraform`
//! takes a state straight from a Terraform S3 backend, with the same region, endpoints and
//! credentials as this configuration's backend block (or the SDK's defaults).

use super::call_failed;
use super::clients::Clients;
use super::settings::S3Settings;
use hubctl_core::state::StateError;

/// `(bucket, key)` of an `s3://bucket/key` URL; None for anything else (a local path).
pub fn parse_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, key) = rest.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then_some((bucket, key))
}

/// The bytes of the object at `url`, with clients built from `settings`.
pub async fn read(settings: &S3Settings, url: &str) -> Result<Vec<u8>, StateError> {
    let Some((bucket, key)) = parse_url(url) else {
        return Err(StateError::Other(format!(
            "{url} is not an S3 URL of the form s3://bucket/key"
        )));
    };
    let clients = Clients::new(settings).await;
    let out = clients
        .s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| call_failed("s3:GetObject", url, e))?;
    let body = out.body.collect().await.map_err(|e| StateError::Io {
        path: url.to_string(),
        message: format!("s3:GetObject: reading the body failed: {e}"),
    })?;
    Ok(body.into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn only_full_s3_urls_parse() {
        assert_eq!(
            parse_url("s3://tf-state/hub/terraform.tfstate"),
            Some(("tf-state", "hub/terraform.tfstate"))
        );
        assert_eq!(parse_url("s3://bucket-only"), None);
        assert_eq!(parse_url("s3:///key"), None);
        assert_eq!(parse_url("terraform.tfstate"), None);
    }
}
