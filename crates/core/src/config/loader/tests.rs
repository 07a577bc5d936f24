use super::*;
use crate::config::model::ResourceMode;
use crate::diag::Severity;
use std::fs;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, text).expect("write");
    }
}

pub(super) fn load_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Config, Diagnostics) {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), files);
    let (config, diags) = load(dir.path());
    (dir, config, diags)
}

/// (summary, line, column, file name) of every diagnostic, for compact assertions.
pub(super) fn located(config: &Config, diags: &Diagnostics) -> Vec<(String, usize, usize, String)> {
    diags
        .iter()
        .map(|d| {
            let span = d.subject.expect("every loader diagnostic has a subject");
            let loc = config.sources.location(span);
            let file = loc
                .path
                .file_name()
                .map(|f| f.to_string_lossy().to_string());
            (
                d.summary.clone(),
                loc.line,
                loc.column,
                file.unwrap_or_default(),
            )
        })
        .collect()
}

const FULL: &str = r#"
terraform {
  required_version = ">= 1.5"
  backend "s3" {
    bucket = "state"
    key    = "hub.tfstate"
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    kubernetes = "~> 2.0"
  }
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

variable "region" {
  type        = string
  default     = "us-east-1"
  description = "AWS region"
  sensitive   = true
  nullable    = false
  validation {
    condition     = length(var.region) > 0
    error_message = "Region must not be empty."
  }
}

locals {
  name = "hub"
}

locals {
  tags = { Name = local.name }
}

resource "aws_vpc" "this" {
  count      = 1
  cidr_block = "10.0.0.0/16"
  provider   = aws.west
  depends_on = [aws_kms_key.k]
  tags       = local.tags

  dynamic "ingress" {
    for_each = [1]
    content {
      port = ingress.value
    }
  }
  timeouts {
    create = "10m"
  }

  lifecycle {
    create_before_destroy = true
    prevent_destroy       = true
    ignore_changes        = [tags["Name"], cidr_block]
    replace_triggered_by  = [aws_kms_key.k.id]
    precondition {
      condition     = true
      error_message = "never"
    }
    postcondition {
      condition     = self.id != ""
      error_message = "no id"
    }
  }

  provisioner "local-exec" {
    command = "echo hi"
  }
}

resource "aws_kms_key" "k" {
  for_each = toset(["a"])
  lifecycle {
    ignore_changes = all
  }
}

data "aws_ami" "ubuntu" {
  most_recent = true
}

output "vpc_id" {
  value       = aws_vpc.this[0].id
  description = "The VPC"
  sensitive   = true
  depends_on  = [aws_vpc.this]
  precondition {
    condition     = true
    error_message = "x"
  }
}

moved {
  from = aws_vpc.old
  to   = aws_vpc.this[0]
}

removed {
  from = aws_subnet.gone
  lifecycle {
    destroy = false
  }
}
"#;

#[test]
fn every_block_kind_loads_with_its_fields() {
    let (_dir, config, diags) = load_files(&[("main.tf", FULL)]);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The provisioner is dropped with a warning.
    assert_eq!(diags.len(), 1);
    assert_eq!(diags.0[0].severity, Severity::Warning);
    assert_eq!(diags.0[0].summary, "Provisioners are not supported");

    let m = &config.root;
    let tf = &m.terraform;
    assert_eq!(
        tf.required_version.as_ref().map(|v| v.0.as_str()),
        Some(">= 1.5")
    );
    let backend = tf.backend.as_ref().expect("backend");
    assert_eq!(backend.kind, "s3");
    assert_eq!(backend.config.keys().collect::<Vec<_>>(), ["bucket", "key"]);
    assert_eq!(tf.required_providers["aws"], "hashicorp/aws");
    assert_eq!(tf.required_providers["kubernetes"], "hashicorp/kubernetes");

    assert_eq!(m.providers.len(), 2);
    assert_eq!(m.providers[1].alias.as_deref(), Some("west"));
    assert!(!m.providers[1].body.attributes.contains_key("alias"));
    assert!(m.providers[1].body.attributes.contains_key("region"));

    let v = &m.variables["region"];
    assert!(v.ty.is_some() && v.default.is_some());
    assert_eq!(v.description.as_deref(), Some("AWS region"));
    assert!(v.sensitive && !v.nullable);
    assert_eq!(v.validations.len(), 1);
    assert_eq!(config.sources.snippet(v.span), "variable \"region\"");

    assert_eq!(m.locals.keys().collect::<Vec<_>>(), ["name", "tags"]);
    assert_eq!(
        config.sources.snippet(m.locals["name"].span),
        "name = \"hub\""
    );

    let vpc = &m.resources["aws_vpc.this"];
    assert_eq!(
        config.sources.snippet(vpc.span),
        "resource \"aws_vpc\" \"this\""
    );
    assert!(vpc.count.is_some() && vpc.for_each.is_none());
    assert_eq!(
        vpc.provider.as_ref().map(|p| p.config_key()).as_deref(),
        Some("aws.west")
    );
    assert_eq!(vpc.depends_on.len(), 1);
    assert_eq!(
        config.sources.snippet(vpc.depends_on[0].span()),
        "aws_kms_key.k"
    );
    assert_eq!(
        vpc.body.attributes.keys().collect::<Vec<_>>(),
        ["cidr_block", "tags"]
    );
    let kinds: Vec<_> = vpc.body.blocks.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(kinds, ["dynamic", "timeouts"]);
    assert_eq!(vpc.body.blocks[0].labels, ["ingress"]);
    assert_eq!(vpc.body.blocks[0].body.blocks[0].kind, "content");
    let lc = &vpc.lifecycle;
    assert!(lc.create_before_destroy && lc.prevent_destroy.is_some() && !lc.ignore_all_changes);
    assert_eq!(lc.ignore_changes, ["tags", "cidr_block"]);
    assert_eq!(lc.replace_triggered_by.len(), 1);
    assert_eq!((lc.preconditions.len(), lc.postconditions.len()), (1, 1));

    let key = &m.resources["aws_kms_key.k"];
    assert!(key.for_each.is_some() && key.lifecycle.ignore_all_changes);
    assert_eq!(key.provider_name(), "aws");
    assert_eq!(m.resources["data.aws_ami.ubuntu"].mode, ResourceMode::Data);

    let out = &m.outputs["vpc_id"];
    assert_eq!(
        config.sources.snippet(out.expr.span()),
        "aws_vpc.this[0].id"
    );
    assert!(out.sensitive && out.depends_on.len() == 1 && out.preconditions.len() == 1);
    assert_eq!(out.description.as_deref(), Some("The VPC"));

    assert_eq!(
        (m.moved[0].from.as_str(), m.moved[0].to.as_str()),
        ("aws_vpc.old", "aws_vpc.this[0]")
    );
    assert_eq!(m.removed[0].from, "aws_subnet.gone");
    assert!(!m.removed[0].destroy);
}

#[test]
fn nested_modules_load_with_paths_and_providers() {
    let (dir, config, diags) = load_files(&[
        (
            "main.tf",
            "module \"net\" {\n  source    = \"./modules/net\"\n  cidr      = \"10.0.0.0/16\"\n  providers = { aws = aws.west }\n}\n",
        ),
        ("modules/net/main.tf", "variable \"cidr\" {}\nmodule \"sub\" {\n  source = \"../sub\"\n}\n"),
        ("modules/sub/main.tf", "output \"x\" {\n  value = 1\n}\n"),
    ]);
    assert!(diags.is_empty(), "{diags:#?}");
    let call = &config.root.module_calls["net"];
    assert_eq!(call.inputs.keys().collect::<Vec<_>>(), ["cidr"]);
    assert_eq!(call.providers["aws"].config_key(), "aws.west");
    assert!(call.providers["aws"].key.is_none());
    let net = &config.root.children["net"];
    assert_eq!(net.path, ["net"]);
    assert_eq!(net.dir, dir.path().join("modules/net"));
    assert!(net.variables.contains_key("cidr"));
    let sub = &net.children["sub"];
    assert_eq!(sub.path, ["net", "sub"]);
    assert_eq!(sub.dir, dir.path().join("modules/sub"));
    assert!(sub.outputs.contains_key("x"));
}

#[test]
fn files_load_in_name_order_and_duplicates_point_at_both() {
    let (_dir, config, diags) = load_files(&[
        ("b.tf", "resource \"aws_vpc\" \"this\" {}\n"),
        ("a.tf", "\n\nresource \"aws_vpc\" \"this\" {}\n"),
    ]);
    let d = &diags.0[0];
    assert_eq!(d.summary, "Duplicate resource \"aws_vpc\" configuration");
    let loc = config.sources.location(d.subject.expect("subject"));
    assert!(loc.path.ends_with("b.tf"));
    assert_eq!((loc.line, loc.column), (1, 1));
    let prev = config.sources.location(d.related[0].0);
    assert!(prev.path.ends_with("a.tf"));
    assert_eq!(
        (prev.line, d.related[0].1.as_str()),
        (3, "previous declaration")
    );
}

#[test]
fn several_errors_come_out_of_one_load_with_positions() {
    let src = r#"resource "aws_vpc" "a" {
  count    = 1
  for_each = {}
}
resource "aws_vpc" "a" {}
data "aws_ami" "x" {}
data "aws_ami" "x" {}
variable "v" {}
variable "v" {}
output "o" {
  description = "no value"
}
output "o2" { value = 1 }
output "o2" { value = 2 }
locals {
  l = 1
}
locals {
  l = 2
}
module "m" {
  version = "1"
}
module "m" {
  source = "git::https://example.com/x.git"
}
provider "aws" {}
provider "aws" {}
resorce "x" "y" {}
foo = 1
resource "only_one" {}
resource "aws_vpc" "1bad" {}
variable "d" {
  default = var.other
}
variable "f" {
  default = upper("x")
}
variable "w" {
  validation {
    condition = true
  }
}
check "c" {}
"#;
    let (_dir, config, diags) = load_files(&[("main.tf", src)]);
    let got = located(&config, &diags);
    let expect = [
        ("Invalid combination of \"count\" and \"for_each\"", 3, 3),
        ("Duplicate resource \"aws_vpc\" configuration", 5, 1),
        ("Duplicate data \"aws_ami\" configuration", 7, 1),
        ("Duplicate variable declaration", 9, 1),
        ("Missing required argument", 10, 1),
        ("Duplicate output definition", 14, 1),
        ("Duplicate local value definition", 19, 3),
        ("Missing required argument", 21, 1),
        ("Duplicate module call", 24, 1),
        ("Duplicate provider configuration", 28, 1),
        ("Unsupported block type", 29, 1),
        ("Unsupported argument", 30, 1),
        ("Missing name for resource", 31, 1),
        ("Invalid resource name", 32, 20),
        ("Variables not allowed", 34, 13),
        ("Function calls not allowed", 37, 13),
        ("Missing required argument", 40, 3),
        ("Missing assert block", 44, 1),
    ];
    let got_short: Vec<_> = got
        .iter()
        .map(|(s, l, c, _)| (s.as_str(), *l, *c))
        .collect();
    assert_eq!(got_short, expect);
    let misspelt = diags
        .0
        .iter()
        .find(|d| d.summary == "Unsupported block type");
    assert_eq!(
        misspelt.and_then(|d| d.help.as_deref()),
        Some("did you mean \"resource\"?")
    );
    let detail = "The argument \"error_message\" is required, but no definition was found.";
    assert!(diags.0.iter().any(|d| d.detail == detail), "{got:?}");
    // The duplicate module call is dropped, so its git source is never looked up.
}

#[test]
fn syntax_error_in_one_file_keeps_the_others() {
    let (_dir, config, diags) = load_files(&[
        ("a.tf", "resource \"aws_vpc\" \"a\" {\n  cidr_block = \n}\n"),
        ("b.tf", "variable \"ok\" {}\n"),
    ]);
    let got = located(&config, &diags);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "Syntax error");
    assert_eq!(got[0].3, "a.tf");
    assert_eq!(got[0].1, 2);
    assert!(!diags.0[0].detail.is_empty());
    assert!(config.root.variables.contains_key("ok"));
}

#[test]
fn duplicate_argument_is_reported_at_the_second_definition() {
    let (_dir, config, diags) =
        load_files(&[("main.tf", "resource \"a_b\" \"c\" {\n  x = 1\n  x = 2\n}\n")]);
    let got = located(&config, &diags);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].0.as_str(), got[0].1, got[0].2),
        ("Duplicate argument", 3, 3)
    );
}

#[test]
fn module_source_problems_are_reported_at_the_source() {
    let (_dir, config, diags) = load_files(&[
        ("main.tf", "module \"a\" {\n  source  = \"./missing\"\n}\nmodule \"b\" {\n  source  = \"./b\"\n  version = \"1.0\"\n}\n"),
        ("b/main.tf", "module \"back\" {\n  source = \"../\"\n}\n"),
    ]);
    let got = located(&config, &diags);
    let short: Vec<_> = got
        .iter()
        .map(|(s, l, c, f)| (s.as_str(), *l, *c, f.as_str()))
        .collect();
    assert_eq!(
        short,
        [
            ("Invalid version constraint", 6, 13, "main.tf"),
            ("Module source not found", 2, 13, "main.tf"),
            ("Module cycle", 2, 12, "main.tf"),
        ]
    );
    assert!(diags.0[1].detail.contains("missing"));
}

#[test]
fn missing_or_empty_directory_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, diags) = load(dir.path());
    assert_eq!(diags.0[0].summary, "No configuration files");
    assert!(diags.0[0]
        .detail
        .contains(&dir.path().display().to_string()));
    let gone = dir.path().join("nope");
    let (_, diags) = load(&gone);
    assert!(diags.has_errors());
    assert!(diags.0[0].detail.contains("nope"));
}

#[test]
fn lexical_normalization_of_child_dirs() {
    assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
    assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    assert_eq!(normalize(Path::new("./")), PathBuf::from("."));
}

#[test]
fn module_repetition_loads_as_meta_arguments() {
    let (_dir, config, diags) = load_files(&[
        (
            "main.tf",
            "module \"a\" {\n  source = \"./m\"\n  count  = 2\n}\nmodule \"b\" {\n  source   = \"./m\"\n  for_each = {}\n  x        = each.key\n}\n",
        ),
        ("m/main.tf", "variable \"x\" {\n  default = 1\n}\n"),
    ]);
    assert!(!diags.has_errors(), "{diags:?}");
    let calls = &config.root.module_calls;
    assert!(calls["a"].count.is_some() && calls["a"].for_each.is_none());
    assert!(calls["b"].for_each.is_some() && calls["b"].count.is_none());
    // Meta-arguments are not inputs; the other arguments are.
    assert!(!calls["b"].inputs.contains_key("for_each"));
    assert!(calls["b"].inputs.contains_key("x"));
}

#[test]
fn import_blocks_load_in_the_root_module_only() {
    let (_dir, config, diags) = load_files(&[
        (
            "main.tf",
            "module \"net\" {\n  source = \"./net\"\n}\nimport {\n  to = module.net.aws_vpc.x[\"a\"]\n  id = \"vpc-${1}\"\n}\nimport {\n  id = \"x\"\n}\n",
        ),
        ("net/main.tf", "import {\n  to = aws_vpc.x\n  id = \"vpc-1\"\n}\n"),
    ]);
    let m = &config.root;
    assert_eq!(m.imports.len(), 1);
    assert_eq!(m.imports[0].to, "module.net.aws_vpc.x[\"a\"]");
    assert_eq!(
        config.sources.snippet(m.imports[0].id.span()),
        "\"vpc-${1}\""
    );
    let got = located(&config, &diags);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got
        .iter()
        .any(|d| d.0 == "Invalid import block" && d.1 == 1));
    assert!(got
        .iter()
        .any(|d| d.0.starts_with("Missing required argument") && d.1 == 8));
}

#[test]
fn required_providers_accept_what_hubctl_runs_and_name_each_unknown_use() {
    let tf = |body: &str| format!("terraform {{\n  required_providers {{\n{body}  }}\n}}\n");
    let ok = tf("    aws = { source = \"hashicorp/aws\", version = \"~> 5.0\" }\n    kubernetes = { source = \"registry.terraform.io/HashiCorp/kubernetes\" }\n    terraform = { source = \"terraform.io/builtin/terraform\" }\n");
    let (_dir, config, diags) = load_files(&[("main.tf", &ok)]);
    assert!(
        located(&config, &diags).is_empty(),
        "{:?}",
        located(&config, &diags)
    );

    let bad = tf("    random = { source = \"hashicorp/random\" }\n    aws = { source = \"hashicorp/aws\", version = \"=> 5\" }\n");
    let child = tf("    null = \"~> 3.0\"\n");
    let (_dir, config, diags) = load_files(&[
        (
            "main.tf",
            &format!("{bad}module \"c\" {{\n  source = \"./c\"\n}}\n"),
        ),
        ("c/main.tf", &child),
    ]);
    let got = located(&config, &diags);
    let short: Vec<_> = got
        .iter()
        .map(|(s, l, c, f)| (s.as_str(), *l, *c, f.as_str()))
        .collect();
    assert_eq!(
        short,
        [
            ("Provider not available", 3, 25, "main.tf"),
            ("Invalid version constraint", 4, 49, "main.tf"),
            // In c/main.tf (the helper shows file names only): the legacy string form.
            ("Provider not available", 3, 5, "main.tf"),
        ]
    );
    assert!(diags.0[0]
        .detail
        .contains("registry.terraform.io/hashicorp/random"));
    assert!(diags.0[2]
        .detail
        .contains("\"null\" from registry.terraform.io/hashicorp/null"));
}

#[test]
fn a_module_with_its_own_provider_refuses_for_each_and_depends_on() {
    let (_dir, config, diags) = load_files(&[
        (
            "main.tf",
            "module \"a\" {\n  source   = \"./m\"\n  for_each = toset([\"x\"])\n}\nmodule \"b\" {\n  source     = \"./m\"\n  depends_on = [terraform_data.z]\n}\nmodule \"c\" {\n  source = \"./m\"\n}\nmodule \"p\" {\n  source = \"./proxy\"\n  count  = 1\n}\nresource \"terraform_data\" \"z\" {}\n",
        ),
        ("m/main.tf", "provider \"aws\" {\n  region = \"us-east-1\"\n}\n"),
        ("proxy/main.tf", "provider \"aws\" {}\n"),
    ]);
    let got = located(&config, &diags);
    let short: Vec<_> = got
        .iter()
        .map(|(s, l, c, _)| (s.as_str(), *l, *c))
        .collect();
    let summary = "Module is incompatible with count, for_each, and depends_on";
    assert_eq!(short, [(summary, 3, 14), (summary, 7, 17)]);
    assert!(diags.0[0]
        .detail
        .contains("The module at module.a is a legacy module"));
}

/// `ephemeral = true` on variables and outputs, and `ephemeral` blocks with their
/// meta-arguments, keyed `ephemeral.TYPE.NAME`.
#[test]
fn ephemeral_declarations_load() {
    let main = r#"
variable "token" {
  ephemeral = true
}
ephemeral "issuer_token" "t" {
  for_each   = toset(["a"])
  provider   = issuer.west
  depends_on = [var.token]
  name       = each.key
}
module "m" {
  source = "./m"
}
"#;
    let child = "output \"o\" {\n  value     = 1\n  ephemeral = true\n}\n";
    let (_, config, diags) = load_files(&[("main.tf", main), ("m/main.tf", child)]);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(config.root.variables["token"].ephemeral);
    let e = &config.root.resources["ephemeral.issuer_token.t"];
    assert_eq!(e.mode, ResourceMode::Ephemeral);
    assert!(e.for_each.is_some() && e.depends_on.len() == 1);
    assert_eq!(
        e.provider.as_ref().map(|p| p.config_key()).as_deref(),
        Some("issuer.west")
    );
    assert!(e.body.attributes.get("name").is_some());
    assert!(config.root.children["m"].outputs["o"].ephemeral);
}
