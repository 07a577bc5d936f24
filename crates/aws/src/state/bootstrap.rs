//! `hubctl init`: checks what the `s3` backend needs (the KMS key, the bucket with
//! versioning, the lock table with a `LockID` hash key) and, with `--bootstrap`, creates
//! what is missing the way Terragrunt's remote_state does: versioning on, public access
//! blocked, default SSE-KMS, an on-demand table.

use super::call_failed;
use super::clients::Clients;
use super::settings::S3Settings;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
};
use aws_smithy_runtime_api::client::result::SdkError;
use hubctl_core::state::StateError;

/// One line of the report: what was checked or created, and whether it is fine.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub ok: bool,
    pub message: String,
}

fn ok(message: String) -> Finding {
    Finding { ok: true, message }
}

fn problem(message: String) -> Finding {
    Finding { ok: false, message }
}

fn build_err(e: impl std::fmt::Display) -> StateError {
    StateError::Other(format!("internal error building a request: {e}"))
}

/// Checks (and with `create`, creates) the key, bucket and table. Errors are API failures
/// other than "does not exist"; missing things are findings.
pub async fn check(
    settings: &S3Settings,
    clients: &Clients,
    create: bool,
) -> Result<Vec<Finding>, StateError> {
    let mut out = Vec::new();
    if let Some(key) = &settings.kms_key_id {
        out.push(kms_key(clients, key, create).await?);
    }
    out.extend(bucket(settings, clients, create).await?);
    if let Some(table) = &settings.dynamodb_table {
        out.push(lock_table(clients, table, create).await?);
    }
    Ok(out)
}

async fn kms_key(clients: &Clients, key: &str, create: bool) -> Result<Finding, StateError> {
    let target = format!("KMS key {key}");
    match clients.kms.describe_key().key_id(key).send().await {
        Ok(_) => return Ok(ok(format!("{target} exists"))),
        Err(e) if crate::error::code(&e) != Some("NotFoundException") => {
            return Err(call_failed("kms:DescribeKey", &target, e))
        }
        Err(_) => {}
    }
    let Some(alias) = key.strip_prefix("alias/").filter(|_| create) else {
        return Ok(problem(format!(
            "{target} does not exist{}",
            if key.starts_with("alias/") {
                " (`hubctl init --bootstrap` creates it)"
            } else {
                "; create it, or name an alias/... that `hubctl init --bootstrap` can create"
            }
        )));
    };
    let created = clients
        .kms
        .create_key()
        .description(format!("hubctl state encryption ({alias})"))
        .send()
        .await
        .map_err(|e| call_failed("kms:CreateKey", &target, e))?;
    let id = created
        .key_metadata()
        .map(|m| m.key_id().to_string())
        .unwrap_or_default();
    clients
        .kms
        .create_alias()
        .alias_name(key)
        .target_key_id(&id)
        .send()
        .await
        .map_err(|e| call_failed("kms:CreateAlias", &target, e))?;
    Ok(ok(format!("{target} created (key {id})")))
}

async fn bucket(
    settings: &S3Settings,
    clients: &Clients,
    create: bool,
) -> Result<Vec<Finding>, StateError> {
    let name = &settings.bucket;
    let target = format!("bucket {name}");
    let s3 = &clients.s3;
    let mut out = Vec::new();
    match s3.head_bucket().bucket(name).send().await {
        Ok(_) => out.push(ok(format!("{target} exists"))),
        Err(e) if !e.as_service_error().is_some_and(|s| s.is_not_found()) => {
            return Err(call_failed("s3:HeadBucket", &target, e))
        }
        Err(_) if !create => {
            out.push(problem(format!(
                "{target} does not exist (`hubctl init --bootstrap` creates it)"
            )));
            return Ok(out);
        }
        Err(_) => {
            let region = s3.config().region().map(|r| r.to_string());
            let mut req = s3.create_bucket().bucket(name);
            if let Some(r) = region.filter(|r| r != "us-east-1") {
                req = req.create_bucket_configuration(
                    CreateBucketConfiguration::builder()
                        .location_constraint(BucketLocationConstraint::from(r.as_str()))
                        .build(),
                );
            }
            req.send()
                .await
                .map_err(|e| call_failed("s3:CreateBucket", &target, e))?;
            s3.put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(true)
                        .ignore_public_acls(true)
                        .block_public_policy(true)
                        .restrict_public_buckets(true)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| call_failed("s3:PutPublicAccessBlock", &target, e))?;
            if let Some(key) = &settings.kms_key_id {
                let rule = ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(
                        ServerSideEncryptionByDefault::builder()
                            .sse_algorithm(ServerSideEncryption::AwsKms)
                            .kms_master_key_id(key)
                            .build()
                            .map_err(build_err)?,
                    )
                    .build();
                s3.put_bucket_encryption()
                    .bucket(name)
                    .server_side_encryption_configuration(
                        ServerSideEncryptionConfiguration::builder()
                            .rules(rule)
                            .build()
                            .map_err(build_err)?,
                    )
                    .send()
                    .await
                    .map_err(|e| call_failed("s3:PutBucketEncryption", &target, e))?;
            }
            out.push(ok(format!(
                "{target} created (public access blocked, default SSE-KMS)"
            )));
        }
    }
    let enabled = match s3.get_bucket_versioning().bucket(name).send().await {
        Ok(v) => v.status() == Some(&BucketVersioningStatus::Enabled),
        // moto names the answer's root element GetBucketVersioningResponse, which the SDK
        // refuses to parse: read the status from the body it kept.
        Err(SdkError::ServiceError(se)) if se.raw().status().is_success() => se
            .raw()
            .body()
            .bytes()
            .map(String::from_utf8_lossy)
            .is_some_and(|b| b.contains("<Status>Enabled</Status>")),
        Err(e) => return Err(call_failed("s3:GetBucketVersioning", &target, e)),
    };
    if enabled {
        out.push(ok(format!("{target} has versioning on")));
    } else if create {
        s3.put_bucket_versioning()
            .bucket(name)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| call_failed("s3:PutBucketVersioning", &target, e))?;
        out.push(ok(format!("{target}: versioning turned on")));
    } else {
        out.push(problem(format!(
            "{target} has versioning off, so `hubctl state history` and rollback have \
             nothing to work with (`hubctl init --bootstrap` turns it on)"
        )));
    }
    Ok(out)
}

async fn lock_table(clients: &Clients, table: &str, create: bool) -> Result<Finding, StateError> {
    let target = format!("DynamoDB table {table}");
    let ddb = &clients.dynamodb;
    match ddb.describe_table().table_name(table).send().await {
        Ok(out) => {
            let hash = out
                .table()
                .map(|t| t.key_schema())
                .unwrap_or_default()
                .iter()
                .find(|k| k.key_type() == &KeyType::Hash)
                .map(|k| k.attribute_name().to_string());
            return Ok(match hash.as_deref() {
                Some("LockID") => ok(format!("{target} exists with hash key LockID")),
                other => problem(format!(
                    "{target} has hash key {}, but the lock needs a string hash key named \
                     LockID",
                    other.unwrap_or("(none)")
                )),
            });
        }
        Err(e)
            if !e
                .as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            return Err(call_failed("dynamodb:DescribeTable", &target, e))
        }
        Err(_) => {}
    }
    if !create {
        return Ok(problem(format!(
            "{target} does not exist (`hubctl init --bootstrap` creates it)"
        )));
    }
    ddb.create_table()
        .table_name(table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("LockID")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build_err)?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("LockID")
                .key_type(KeyType::Hash)
                .build()
                .map_err(build_err)?,
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .map_err(|e| call_failed("dynamodb:CreateTable", &target, e))?;
    Ok(ok(format!("{target} created (LockID hash key, on-demand)")))
}
