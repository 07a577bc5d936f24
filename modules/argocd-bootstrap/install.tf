locals {
  part_of = { "app.kubernetes.io/part-of" = "argocd" }
  # The four components, each a Deployment with its own ServiceAccount.
  components = {
    "argocd-application-controller"    = { command = "argocd-application-controller", port = 8082 }
    "argocd-repo-server"               = { command = "argocd-repo-server", port = 8081 }
    "argocd-server"                    = { command = "argocd-server", port = 8080 }
    "argocd-applicationset-controller" = { command = "argocd-applicationset-controller", port = 7000 }
  }
  # Cluster-wide rights: the controller manages everything, the server reads everything and
  # acts on Applications, the ApplicationSet controller writes Applications.
  cluster_rules = {
    "argocd-application-controller" = [
      { apiGroups = ["*"], resources = ["*"], verbs = ["*"] },
      { nonResourceURLs = ["*"], verbs = ["*"] },
    ]
    "argocd-server" = [
      { apiGroups = ["*"], resources = ["*"], verbs = ["get", "list", "watch"] },
      { apiGroups = ["argoproj.io"], resources = ["applications", "applicationsets", "appprojects"], verbs = ["create", "update", "patch", "delete"] },
    ]
    "argocd-applicationset-controller" = [
      { apiGroups = ["argoproj.io"], resources = ["applications", "applicationsets", "applicationsets/status", "appprojects"], verbs = ["*"] },
      { apiGroups = [""], resources = ["secrets", "configmaps", "events"], verbs = ["get", "list", "watch", "create", "patch"] },
    ]
  }
}

resource "kubernetes_namespace_v1" "argocd" {
  metadata {
    name   = var.namespace
    labels = local.part_of
  }
}

resource "kubernetes_service_account_v1" "component" {
  for_each = local.components
  metadata {
    name      = each.key
    namespace = kubernetes_namespace_v1.argocd.metadata[0].name
    labels    = merge(local.part_of, { "app.kubernetes.io/name" = each.key })
  }
}

resource "kubernetes_manifest" "cluster_role" {
  for_each = local.cluster_rules
  manifest = {
    apiVersion = "rbac.authorization.k8s.io/v1"
    kind       = "ClusterRole"
    metadata   = { name = each.key, labels = local.part_of }
    rules      = each.value
  }
}

resource "kubernetes_manifest" "cluster_role_binding" {
  for_each = local.cluster_rules
  manifest = {
    apiVersion = "rbac.authorization.k8s.io/v1"
    kind       = "ClusterRoleBinding"
    metadata   = { name = each.key, labels = local.part_of }
    roleRef    = { apiGroup = "rbac.authorization.k8s.io", kind = "ClusterRole", name = kubernetes_manifest.cluster_role[each.key].manifest.metadata.name }
    subjects   = [{ kind = "ServiceAccount", name = kubernetes_service_account_v1.component[each.key].metadata[0].name, namespace = var.namespace }]
  }
}

# argocd-cm, with the health check of argoproj.io/Application that keeps sync waves between
# child Applications ordered.
resource "kubernetes_config_map_v1" "argocd_cm" {
  metadata {
    name      = "argocd-cm"
    namespace = kubernetes_namespace_v1.argocd.metadata[0].name
    labels    = merge(local.part_of, { "app.kubernetes.io/name" = "argocd-cm" })
  }
  data = {
    "resource.customizations.health.argoproj.io_Application" = file("${path.module}/health.lua")
  }
}

resource "kubernetes_manifest" "deployment" {
  for_each = local.components
  manifest = {
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata = {
      name      = each.key
      namespace = kubernetes_namespace_v1.argocd.metadata[0].name
      labels    = merge(local.part_of, { "app.kubernetes.io/name" = each.key })
    }
    spec = {
      replicas = 1
      selector = { matchLabels = { "app.kubernetes.io/name" = each.key } }
      template = {
        metadata = { labels = { "app.kubernetes.io/name" = each.key } }
        spec = {
          serviceAccountName = kubernetes_service_account_v1.component[each.key].metadata[0].name
          containers = [{
            name    = each.key
            image   = "${var.argocd_image}:${var.argocd_version}"
            command = [each.value.command]
            ports   = [{ containerPort = each.value.port, protocol = "TCP" }]
          }]
        }
      }
    }
  }
}

resource "kubernetes_manifest" "service" {
  for_each = { for k, v in local.components : k => v if contains(["argocd-server", "argocd-repo-server"], k) }
  manifest = {
    apiVersion = "v1"
    kind       = "Service"
    metadata   = { name = each.key, namespace = kubernetes_namespace_v1.argocd.metadata[0].name, labels = local.part_of }
    spec = {
      selector = { "app.kubernetes.io/name" = each.key }
      ports    = [{ name = "http", port = each.value.port, targetPort = each.value.port, protocol = "TCP" }]
    }
  }
}
