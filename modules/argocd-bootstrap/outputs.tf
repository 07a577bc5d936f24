output "namespace" {
  value = kubernetes_namespace_v1.argocd.metadata[0].name
}

output "root_application" {
  value = kubernetes_manifest.root.manifest.metadata.name
}

output "addon_waves" {
  description = "Sync wave of each addon Application."
  value       = { for k, a in kubernetes_manifest.addon : k => a.manifest.metadata.annotations["argocd.argoproj.io/sync-wave"] }
}
