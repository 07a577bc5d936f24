//! The bearer token `aws eks get-token` prints and the Kubernetes API server of an EKS
//! cluster accepts (aws-iam-authenticator's format): `k8s-aws-v1.` followed by the
//! unpadded base64url encoding of a presigned `sts:GetCallerIdentity` GET URL whose
//! signature covers the `x-k8s-aws-id: <cluster name>` header, valid for 60 seconds. The
//! signature is the SDK's SigV4 signer's (`aws-sigv4`), never computed here.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use base64::Engine;
use std::time::{Duration, SystemTime};

pub const PREFIX: &str = "k8s-aws-v1.";
/// The header naming the cluster the token is for.
pub const CLUSTER_HEADER: &str = "x-k8s-aws-id";
const EXPIRES: Duration = Duration::from_secs(60);

/// The STS URL the token presigns: the region's endpoint, as the authenticator expects.
fn sts_url(region: &str) -> String {
    format!("https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15")
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The presigned URL for `cluster`, signed at `time`.
pub fn presigned_url(
    creds: Credentials,
    region: &str,
    cluster: &str,
    time: SystemTime,
) -> Result<String, String> {
    let identity = creds.into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(EXPIRES);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let url = sts_url(region);
    let host = format!("sts.{region}.amazonaws.com");
    let headers = [("host", host.as_str()), (CLUSTER_HEADER, cluster)];
    let req = SignableRequest::new(
        "GET",
        url.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(req, &params).map_err(|e| e.to_string())?.into_parts();
    let mut out = url;
    for (k, v) in instructions.params() {
        out.push('&');
        out.push_str(&encode(k));
        out.push('=');
        out.push_str(&encode(v));
    }
    Ok(out)
}

/// The token for `cluster`.
pub fn token(
    creds: Credentials,
    region: &str,
    cluster: &str,
    time: SystemTime,
) -> Result<String, String> {
    let url = presigned_url(creds, region, cluster, time)?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url.as_bytes());
    Ok(format!("{PREFIX}{b64}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        )
    }

    fn at() -> SystemTime {
        // 2024-01-02T03:04:05Z
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645)
    }

    /// The documented format: prefix, unpadded base64url of the presigned GetCallerIdentity
    /// URL, with the cluster header signed and a 60 s expiry.
    #[test]
    fn the_token_is_the_prefixed_base64url_of_a_presigned_get_caller_identity() {
        let t = token(creds(), "us-east-1", "hub", at()).unwrap();
        let body = t.strip_prefix("k8s-aws-v1.").expect("prefix");
        assert!(
            !body.contains('=') && !body.contains('+') && !body.contains('/'),
            "{body}"
        );
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .unwrap();
        let url = String::from_utf8(url).unwrap();
        assert!(
            url.starts_with(
                "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"
            ),
            "{url}"
        );
        for part in [
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-east-1%2Fsts%2Faws4_request",
            "X-Amz-Date=20240102T030405Z",
            "X-Amz-Expires=60",
            "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
        ] {
            assert!(url.contains(part), "{part} missing from {url}");
        }
        let sig = url.split("X-Amz-Signature=").nth(1).expect("signature");
        assert_eq!(sig.len(), 64);
        assert!(sig.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn the_signature_covers_the_cluster_name() {
        let a = token(creds(), "us-east-1", "hub", at()).unwrap();
        let b = token(creds(), "us-east-1", "other", at()).unwrap();
        assert_ne!(a, b, "another cluster, another signature");
        assert_eq!(
            a,
            token(creds(), "us-east-1", "hub", at()).unwrap(),
            "deterministic"
        );
    }

    #[test]
    fn a_session_token_is_part_of_the_url() {
        let c = Credentials::new("AKID", "secret", Some("SESSION/TOKEN".into()), None, "test");
        let url = presigned_url(c, "eu-west-1", "hub", at()).unwrap();
        assert!(
            url.contains("X-Amz-Security-Token=SESSION%2FTOKEN"),
            "{url}"
        );
        assert!(url.starts_with("https://sts.eu-west-1.amazonaws.com/"));
    }
}
