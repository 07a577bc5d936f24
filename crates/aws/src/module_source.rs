//! `s3::` module packages: `s3::BUCKET/KEY`, `s3::https://s3.amazonaws.com/BUCKET/KEY`,
//! `s3::https://s3-REGION.amazonaws.com/…`, `s3::https://BUCKET.s3.amazonaws.com/KEY`, or
//! any other HTTPS host as an S3-compatible endpoint. Credentials and region come from the
//! SDK's standard sources (and `AWS_ENDPOINT_URL_S3` for emulators); the object must be an
//! archive, unpacked with the engine's safe extraction.

use crate::auth::Auth;
use hubctl_core::sources::extract::{self, ArchiveKind, Limits};
use std::path::Path;

/// Refused before download: larger than any module archive should be.
const MAX_OBJECT: i64 = 256 << 20;

#[derive(Debug, PartialEq)]
struct S3Object {
    bucket: String,
    key: String,
    region: Option<String>,
    endpoint: Option<String>,
    version: Option<String>,
    archive: Option<String>,
}

fn parse(url: &str) -> Result<S3Object, String> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut version, mut archive) = (None, None);
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        match kv.split_once('=') {
            Some(("version", v)) => version = Some(v.to_string()),
            Some(("archive", v)) => archive = Some(v.to_string()),
            _ => {
                return Err(format!(
                    "unsupported query argument \"{kv}\" in s3::{url} (allowed: version, archive)"
                ))
            }
        }
    }
    let (host, rest) = match path.strip_prefix("https://") {
        Some(r) => {
            let (h, p) = r.split_once('/').unwrap_or((r, ""));
            (Some(h.to_string()), p.to_string())
        }
        None if path.contains("://") => return Err(format!("s3::{url} must use https://")),
        None => (None, path.to_string()),
    };
    let mut region = None;
    let mut endpoint = None;
    let mut bucket_in_host = None;
    if let Some(h) = &host {
        if let Some(prefix) = h.strip_suffix(".amazonaws.com") {
            let (b, svc) = match prefix.split_once(".s3") {
                Some((b, s)) => (Some(b.to_string()), format!("s3{s}")),
                None => (None, prefix.to_string()),
            };
            bucket_in_host = b;
            region = svc
                .strip_prefix("s3-")
                .or_else(|| svc.strip_prefix("s3."))
                .map(str::to_string);
        } else {
            endpoint = Some(format!("https://{h}"));
        }
    }
    let (bucket, key) = match bucket_in_host {
        Some(b) => (b, rest),
        None => {
            let (b, k) = rest.split_once('/').unwrap_or((&rest, ""));
            (b.to_string(), k.to_string())
        }
    };
    if bucket.is_empty() || key.is_empty() {
        return Err(format!(
            "s3::{url} does not name a bucket and an object key"
        ));
    }
    Ok(S3Object {
        bucket,
        key,
        region,
        endpoint,
        version,
        archive,
    })
}

/// Downloads the object and unpacks it into `dest`.
pub async fn fetch(url: &str, dest: &Path) -> Result<(), String> {
    let o = parse(url)?;
    let kind = ArchiveKind::detect(&o.key, o.archive.as_deref()).ok_or_else(|| {
        format!(
            "the S3 object {} is not an archive (.zip, .tar.gz, .tgz, .tar or ?archive=)",
            o.key
        )
    })?;
    let auth = Auth {
        region: o.region.clone(),
        ..Auth::default()
    };
    let sdk = auth.sdk_config().await;
    let mut conf = aws_sdk_s3::config::Builder::from(&sdk).interceptor(crate::api_log::ApiLog);
    let env_endpoint = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()));
    if let Some(e) = &o.endpoint {
        conf = conf.endpoint_url(e);
    }
    if o.endpoint.is_some() || env_endpoint {
        conf = conf.force_path_style(true);
    }
    let client = aws_sdk_s3::Client::from_conf(conf.build());
    let resp = client
        .get_object()
        .bucket(&o.bucket)
        .key(&o.key)
        .set_version_id(o.version.clone())
        .send()
        .await
        .map_err(|e| {
            format!(
                "s3:GetObject {}/{}: {}",
                o.bucket,
                o.key,
                aws_sdk_s3::error::DisplayErrorContext(&e)
            )
        })?;
    if resp.content_length().is_some_and(|n| n > MAX_OBJECT) {
        return Err(format!(
            "the S3 object {}/{} is larger than {MAX_OBJECT} bytes",
            o.bucket, o.key
        ));
    }
    let data = resp
        .body
        .collect()
        .await
        .map_err(|e| format!("reading s3://{}/{}: {e}", o.bucket, o.key))?
        .into_bytes();
    extract::extract(kind, &data, dest, Limits::default()).map_err(|e| {
        format!(
            "the archive s3://{}/{} cannot be unpacked: {e}",
            o.bucket, o.key
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_forms() {
        let o = parse("bucket/mods/vpc.zip").unwrap();
        assert_eq!(
            (o.bucket.as_str(), o.key.as_str(), o.endpoint),
            ("bucket", "mods/vpc.zip", None)
        );
        let o = parse("https://s3-eu-west-1.amazonaws.com/b/k.tgz?version=3").unwrap();
        assert_eq!(
            (o.region.as_deref(), o.version.as_deref()),
            (Some("eu-west-1"), Some("3"))
        );
        let o = parse("https://b.s3.us-east-2.amazonaws.com/k.zip").unwrap();
        assert_eq!(
            (o.bucket.as_str(), o.region.as_deref()),
            ("b", Some("us-east-2"))
        );
        let o = parse("https://s3.amazonaws.com/b/k.zip").unwrap();
        assert_eq!((o.bucket.as_str(), o.region), ("b", None));
        let o = parse("https://minio.internal:9000/b/k.zip").unwrap();
        assert_eq!(o.endpoint.as_deref(), Some("https://minio.internal:9000"));
        assert!(parse("http://s3.amazonaws.com/b/k.zip").is_err());
        assert!(parse("bucket-only").is_err());
        assert!(parse("b/k.zip?aws_access_key_id=x")
            .unwrap_err()
            .contains("unsupported"));
    }
}
