locals {
  # Sync waves: -3 controllers, -1 CRDs and namespaces, 0 platform services, 3 spoke
  # clusters, 5 applications.
  ack = { for svc in ["ec2", "iam", "eks"] : "ack-${svc}" => {
    wave    = -3
    repo    = "public.ecr.aws/aws-controllers-k8s"
    chart   = "${svc}-chart"
    version = "1.2.0"
    values = {
      aws            = { region = var.hub.region }
      serviceAccount = { annotations = { "eks.amazonaws.com/role-arn" = lookup(var.ack_role_arns, svc, "") } }
    }
  } }
  addons = merge(local.ack, {
    kro = {
      wave    = -3
      repo    = "ghcr.io/kro-run/kro"
      chart   = "kro"
      version = "0.2.1"
      values  = {}
    }
    metrics = {
      wave    = 0
      repo    = "https://kubernetes-sigs.github.io/metrics-server"
      chart   = "metrics-server"
      version = "3.12.2"
      values  = {}
    }
  })
  destination = { server = "https://kubernetes.default.svc" }
}

# The root app-of-apps: everything else the platform runs comes from Git.
resource "kubernetes_manifest" "root" {
  manifest = {
    apiVersion = "argoproj.io/v1alpha1"
    kind       = "Application"
    metadata   = { name = "hub-bootstrap", namespace = var.namespace, labels = local.part_of }
    spec = {
      project     = "default"
      source      = { repoURL = var.git_url, targetRevision = var.git_revision, path = "hub/argocd/bootstrap" }
      destination = merge(local.destination, { namespace = var.namespace })
      syncPolicy  = { automated = { prune = true, selfHeal = true } }
    }
  }
  depends_on = [kubernetes_manifest.crd]
}

resource "kubernetes_manifest" "addon" {
  for_each = local.addons
  manifest = {
    apiVersion = "argoproj.io/v1alpha1"
    kind       = "Application"
    metadata = {
      name        = each.key
      namespace   = var.namespace
      labels      = local.part_of
      annotations = { "argocd.argoproj.io/sync-wave" = tostring(each.value.wave) }
    }
    spec = {
      project = "default"
      source = {
        repoURL        = each.value.repo
        chart          = each.value.chart
        targetRevision = each.value.version
        helm           = { values = yamlencode(each.value.values) }
      }
      destination = merge(local.destination, { namespace = each.key })
      syncPolicy  = { automated = { prune = true, selfHeal = true }, syncOptions = ["CreateNamespace=true"] }
    }
  }
  depends_on = [kubernetes_manifest.crd]
}

# One `<name>-infrastructure` Application per spoke described in config/spokes/*.yaml.
resource "kubernetes_manifest" "spoke_fleet" {
  manifest = {
    apiVersion = "argoproj.io/v1alpha1"
    kind       = "ApplicationSet"
    metadata = {
      name        = "spoke-fleet"
      namespace   = var.namespace
      labels      = local.part_of
      annotations = { "argocd.argoproj.io/sync-wave" = "3" }
    }
    spec = {
      generators = [{ git = { repoURL = var.git_url, revision = var.git_revision, files = [{ path = "config/spokes/*.yaml" }] } }]
      template = {
        metadata = { name = "{{name}}-infrastructure" }
        spec = {
          project     = "default"
          source      = { repoURL = var.git_url, targetRevision = var.git_revision, path = "spokes/{{name}}" }
          destination = merge(local.destination, { namespace = "{{name}}" })
        }
      }
    }
  }
  depends_on = [kubernetes_manifest.crd]
}
