# The environment every unit below this folder belongs to (read by live/root.hcl).
locals {
  env = "prod"
}
