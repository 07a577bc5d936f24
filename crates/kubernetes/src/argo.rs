//! Argo CD `Application`s reported as the server has them. hubctl applies an Application;
//! Argo CD's application controller, not the API server, then syncs it and writes
//! `status.sync` and `status.health`, minutes later or (with no controller running) never.
//! So an apply does not wait for them by default: once the Application is applied, the run's
//! log says what its status is at that moment, and `wait { fields = {
//! "status.health.status" = "Healthy" } }` on the `kubernetes_manifest` waits for a value
//! (until the create timeout, with an error naming the field and its last value).

use serde_json::Value as J;

fn text<'a>(obj: &'a J, path: &str) -> Option<&'a str> {
    crate::object::field(obj, path).and_then(J::as_str)
}

/// The status line of an applied Argo CD Application, `None` for any other object.
pub fn application_status(obj: &J) -> Option<String> {
    let group = text(obj, "apiVersion")?.split('/').next()?;
    if group != "argoproj.io" || text(obj, "kind")? != "Application" {
        return None;
    }
    let name = match (text(obj, "metadata.namespace"), text(obj, "metadata.name")) {
        (Some(ns), Some(n)) => format!("{ns}/{n}"),
        (None, Some(n)) => n.to_string(),
        _ => return None,
    };
    let sync = text(obj, "status.sync.status");
    let health = text(obj, "status.health.status");
    if sync.is_none() && health.is_none() {
        return Some(format!(
            "Application {name}: no sync or health status yet (Argo CD's application controller sets them; wait {{ fields = {{ \"status.health.status\" = \"Healthy\" }} }} waits for them)"
        ));
    }
    let mut line = format!(
        "Application {name}: sync {}, health {}",
        sync.unwrap_or("unset"),
        health.unwrap_or("unset")
    );
    if let Some(m) = text(obj, "status.health.message").filter(|m| !m.is_empty()) {
        line.push_str(&format!(" ({m})"));
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn applications_report_their_status_and_other_objects_nothing() {
        let app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "hub-bootstrap", "namespace": "argocd"}});
        assert!(application_status(&app)
            .unwrap()
            .starts_with("Application argocd/hub-bootstrap: no sync or health status yet"));
        let mut synced = app.clone();
        synced["status"] = json!({"sync": {"status": "Synced"},
            "health": {"status": "Degraded", "message": "1 pod crashing"}});
        assert_eq!(
            application_status(&synced).as_deref(),
            Some("Application argocd/hub-bootstrap: sync Synced, health Degraded (1 pod crashing)")
        );
        let mut half = app.clone();
        half["status"] = json!({"sync": {"status": "OutOfSync"}});
        assert_eq!(
            application_status(&half).as_deref(),
            Some("Application argocd/hub-bootstrap: sync OutOfSync, health unset")
        );
        let set = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "metadata": {"name": "fleet", "namespace": "argocd"}});
        assert_eq!(application_status(&set), None);
        let other = json!({"apiVersion": "example.com/v1", "kind": "Application",
            "metadata": {"name": "x"}});
        assert_eq!(application_status(&other), None);
    }
}
