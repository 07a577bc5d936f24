//! How a type names its objects, and so how an interrupted create's object is found again:
//! a server-assigned id (found by the `hubctl:address` tag the create sent), a user-given
//! name (IAM roles, EKS clusters, KMS aliases: the name itself finds it), or a composite id
//! built from the configuration (a route is `rtb_destination`: the type looks it up).

use super::{Lookup, Managed, Op};
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// The API assigns the id (`vpc-0abc`); state keeps it in `id`.
    ServerId,
    /// The user names the object: the key is the value of this argument.
    Name(&'static str),
    /// The key is built from several attributes by [`Managed::state_key`]; an interrupted
    /// create's object is looked up by the key its configuration builds.
    Composite,
}

impl Identity {
    /// The lookup key a state holds: `id`, or the name argument.
    pub fn state_key(self, state: &Value) -> Option<String> {
        let attr = match self {
            Identity::Name(a) => a,
            Identity::ServerId | Identity::Composite => "id",
        };
        state
            .get_attr(attr)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }
}

/// The object an interrupted create of `c.ctx.address` made, by the type's identity: by the
/// key its configuration names or builds, or by address tag (checked on the answer too,
/// since some emulators ignore tag filters).
pub async fn find_existing<T: Managed + ?Sized>(
    t: &T,
    c: &Op<'_>,
    planned: &Value,
) -> Result<Option<T::Api>, ProviderError> {
    match T::IDENTITY {
        Identity::Name(_) | Identity::Composite => match T::state_key(planned) {
            Some(key) => super::read_one(t, c, &key).await,
            None => Ok(None),
        },
        Identity::ServerId if T::TAGS.has_tags() => {
            let address = c.ctx.address;
            let found = t.describe(c, Lookup::AddressTag(address)).await?;
            Ok(found
                .into_iter()
                .find(|x| super::tags::carries(&T::tags(x), address)))
        }
        Identity::ServerId => Ok(None),
    }
}

/// Whether [`find_existing`] can find anything of the type: an object with an AWS-assigned
/// id and no tags is found by nothing but its answer.
pub fn findable<T: Managed + ?Sized>() -> bool {
    T::IDENTITY != Identity::ServerId || T::TAGS.has_tags()
}

/// Deletes the objects besides `kept` that carry `c.ctx.address`'s tag: copies a retried
/// create made when an earlier attempt's answer was lost. Only types whose ids AWS assigns
/// can have copies; a name or a natural key is unique.
pub async fn delete_copies<T: Managed + ?Sized>(
    t: &T,
    c: &Op<'_>,
    kept: &T::Api,
) -> Result<(), ProviderError> {
    if T::IDENTITY != Identity::ServerId || !T::TAGS.has_tags() {
        return Ok(());
    }
    let address = c.ctx.address;
    let kept = T::key(kept);
    let copies: Vec<String> = t
        .describe(c, Lookup::AddressTag(address))
        .await?
        .iter()
        .filter(|x| super::tags::carries(&T::tags(x), address))
        .filter_map(T::key)
        .filter(|k| Some(k) != kept.as_ref())
        .collect();
    for key in copies {
        match t.delete(c, &key).await {
            Err(e) if !e.is_not_found() => return Err(e),
            _ => (c.ctx.recovered)(hubctl_core::provider::Recovery::CopyDeleted { id: key }),
        }
    }
    Ok(())
}
