//! The lock of [`S3Backend`] as a lease: taken in the DynamoDB table (with a takeover of a
//! stale lease), renewed in the background, and checked before every state write; and
//! journal records written once (`If-None-Match: *`), so a run that lost its lease cannot
//! replace a record of the run that took over.

use super::objects::Precondition;
use super::S3Backend;
use crate::state::dynamodb_lock::DynamoLock;
use async_trait::async_trait;
use hubctl_core::state::lease::{env_lock_ttl, Lease, Renew};
use hubctl_core::state::{LockInfo, StateError};
use std::sync::Arc;

/// Renews the lease by a conditional update of the table item.
struct TableRenew(DynamoLock);

#[async_trait]
impl Renew for TableRenew {
    async fn renew(&self, held: &LockInfo) -> Result<(), StateError> {
        self.0.renew(held).await
    }
}

impl S3Backend {
    /// The lease length: the block's `lock_ttl`, else `$HUBCTL_LOCK_TTL`, else 60 s.
    fn lock_ttl(&self) -> Result<std::time::Duration, StateError> {
        match self.settings.lock_ttl {
            Some(t) => Ok(t),
            None => env_lock_ttl().map_err(StateError::Other),
        }
    }

    /// Takes the table lock (a lease, renewed until `unlock`) and the lock object, when
    /// configured; the returned info names a stale holder taken over.
    pub(super) async fn lock_impl(&self, mut info: LockInfo) -> Result<LockInfo, StateError> {
        let ttl = self.lock_ttl()?;
        let Some(table) = &self.table else {
            match &self.lockfile {
                Some(file) => file.lock(&info).await?,
                None => tracing::warn!(
                    "the state at {} has no lock (set dynamodb_table or use_lockfile = true)",
                    self.settings.location()
                ),
            }
            return Ok(info);
        };
        let took = table.lock(&info, ttl).await?;
        if let Some(file) = &self.lockfile {
            let stale = took.as_ref().map(|t| t.id.as_str());
            if let Err(e) = file.lock_or_replace(&info, stale).await {
                let _ = table.unlock(&info.id).await;
                return Err(e);
            }
        }
        info.lease_seconds = Some(ttl.as_secs().max(1));
        let lease = Lease::start(info.clone(), ttl, Box::new(TableRenew(table.clone())));
        *self.lease.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(lease));
        info.took_over = took.map(Box::new);
        Ok(info)
    }

    /// The fence before a state write: refused once this run's lease is lost.
    pub(super) async fn fence(&self) -> Result<(), StateError> {
        let lease = self.lease.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match lease {
            Some(l) => l.check().await,
            None => Ok(()),
        }
    }

    /// Writes a new object that must not exist yet; finding our own bytes there (a retried
    /// PutObject whose first answer was lost) is success.
    pub(super) async fn put_once(&self, key: &str, body: Vec<u8>) -> Result<(), StateError> {
        match self.put(key, body.clone(), &[], Precondition::Absent).await {
            Err(StateError::Conflict(why)) => match self.get(key, None).await? {
                Some(stored) if stored == body => Ok(()),
                _ => Err(StateError::Conflict(format!(
                    "the journal record {} was already written by another run ({why})",
                    self.url(key)
                ))),
            },
            other => other,
        }
    }
}
