//! The lookup behind Terragrunt's `get_aws_account_id()` and `get_aws_caller_identity_*()`:
//! STS `GetCallerIdentity` with the default credential chain and the environment's region
//! and endpoint, as Terragrunt asks it.

use hubctl_core::lang::Value;
use hubctl_core::live::{AwsIdentity, CallerIdentity};

pub struct StsIdentity;

impl AwsIdentity for StsIdentity {
    /// Called from a unit file's evaluation, which is not async: the call runs on the
    /// process's (multi-threaded) runtime while this thread waits.
    fn identity(&self) -> Result<CallerIdentity, String> {
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| "no async runtime to call STS from".to_string())?;
        tokio::task::block_in_place(|| handle.block_on(ask()))
    }
}

async fn ask() -> Result<CallerIdentity, String> {
    let empty = Value::object(Vec::<(String, Value)>::new());
    let sdk = crate::config::auth(&empty)?.sdk_config().await;
    let sts = aws_sdk_sts::Client::new(&sdk);
    let id = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| crate::error::sdk("sts:GetCallerIdentity", e).message)?;
    Ok(CallerIdentity {
        account: id.account().unwrap_or_default().to_string(),
        arn: id.arn().unwrap_or_default().to_string(),
        user_id: id.user_id().unwrap_or_default().to_string(),
    })
}
