# The ArgoCD bootstrap on a cluster whose address is known only after apply: here
# `terraform_data.cluster` stands in for `aws_eks_cluster.this` (its output for the
# endpoint), so one plan and one apply go from nothing to the bootstrap. With EKS:
#   host                   = aws_eks_cluster.this.endpoint
#   cluster_ca_certificate = base64decode(aws_eks_cluster.this.certificate_authority[0].data)
#   token                  = data.aws_eks_cluster_auth.this.token
variable "kube_api" {
  description = "The API server's URL (scripts/kube.sh start prints it as KUBE_API)."
  type        = string
}

variable "kube_token" {
  type      = string
  sensitive = true
}

variable "kube_ca_file" {
  description = "PEM file of the API server's CA."
  type        = string
}

resource "terraform_data" "cluster" {
  input = var.kube_api
}

provider "kubernetes" {
  host                   = terraform_data.cluster.output
  token                  = var.kube_token
  cluster_ca_certificate = file(var.kube_ca_file)
}

module "argocd" {
  source        = "../../modules/argocd-bootstrap"
  git_url       = "https://git.example.invalid/platform.git"
  hub           = { cluster_name = "hub", region = "us-east-1", vpc_id = "vpc-0abc", environment = "dev" }
  ack_role_arns = { ec2 = "arn:aws:iam::000000000000:role/ack-ec2", iam = "arn:aws:iam::000000000000:role/ack-iam", eks = "arn:aws:iam::000000000000:role/ack-eks" }
  spokes = {
    alpha = { server = "https://alpha.example.invalid", ca_data = "Q0E=", role_arn = "arn:aws:iam::000000000000:role/spoke-alpha" }
  }
}

output "root_application" {
  value = module.argocd.root_application
}

output "addon_waves" {
  value = module.argocd.addon_waves
}
