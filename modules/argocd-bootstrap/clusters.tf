locals {
  hub_annotations = {
    "hub.platform/cluster-name" = var.hub.cluster_name
    "hub.platform/region"       = var.hub.region
    "hub.platform/vpc-id"       = var.hub.vpc_id
    "hub.platform/environment"  = var.hub.environment
    "hub.platform/ack-roles"    = jsonencode(var.ack_role_arns)
  }
  cluster_labels = { "argocd.argoproj.io/secret-type" = "cluster" }
}

# The hub itself, as Argo CD's in-cluster destination (the GitOps Bridge pattern: the
# cluster generator reads these annotations).
resource "kubernetes_secret_v1" "hub_cluster" {
  metadata {
    name        = "hub-cluster"
    namespace   = kubernetes_namespace_v1.argocd.metadata[0].name
    labels      = merge(local.cluster_labels, { "environment" = var.hub.environment, "role" = "hub" })
    annotations = local.hub_annotations
  }
  data = {
    name   = "in-cluster"
    server = "https://kubernetes.default.svc"
    config = jsonencode({ tlsClientConfig = { insecure = false } })
  }
}

resource "kubernetes_secret_v1" "spoke_cluster" {
  for_each = var.spokes
  metadata {
    name        = "spoke-${each.key}"
    namespace   = kubernetes_namespace_v1.argocd.metadata[0].name
    labels      = merge(local.cluster_labels, { "environment" = var.hub.environment, "role" = "spoke" })
    annotations = merge(local.hub_annotations, { "hub.platform/spoke" = each.key })
  }
  data = {
    name   = each.key
    server = each.value.server
    config = jsonencode({
      awsAuthConfig   = { clusterName = each.key, roleARN = each.value.role_arn }
      tlsClientConfig = { insecure = false, caData = each.value.ca_data }
    })
  }
}
