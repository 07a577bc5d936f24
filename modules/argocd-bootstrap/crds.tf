# The Argo CD CRDs, vendored (see crds/LICENSE-NOTE.md). Each create waits until the CRD is
# Established; the custom resources below wait until their kind is served.
resource "kubernetes_manifest" "crd" {
  for_each = toset(["application", "appproject", "applicationset"])
  manifest = yamldecode(file("${path.module}/crds/${each.key}-crd.yaml"))
}
