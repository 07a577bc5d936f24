variable "namespace" {
  description = "Namespace Argo CD runs in."
  type        = string
  default     = "argocd"
}

variable "argocd_image" {
  description = "Argo CD image (controller, repo-server, server and applicationset-controller)."
  type        = string
  default     = "quay.io/argoproj/argocd"
}

variable "argocd_version" {
  description = "Argo CD image tag."
  type        = string
  default     = "v2.14.2"
}

variable "git_url" {
  description = "The platform Git repository the root app-of-apps points at."
  type        = string
}

variable "git_revision" {
  description = "Revision of the platform repository."
  type        = string
  default     = "HEAD"
}

variable "hub" {
  description = "The hub's metadata, carried as annotations on its cluster Secret for the cluster generator."
  type = object({
    cluster_name = string
    region       = string
    vpc_id       = string
    environment  = string
  })
}

variable "ack_role_arns" {
  description = "IRSA role ARNs of the ACK controllers, by service (ec2, iam, eks)."
  type        = map(string)
  default     = {}
}

variable "spokes" {
  description = "Spoke clusters registered in Argo CD as cluster Secrets."
  type = map(object({
    server   = string
    ca_data  = string
    role_arn = string
  }))
  default = {}
}
