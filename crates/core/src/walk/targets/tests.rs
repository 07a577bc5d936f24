use super::*;

#[test]
fn module_paths_match_their_targets_and_their_children() {
    let path = vec!["net".to_string(), "sub".to_string()];
    assert!(within_module(&path, "module.net"));
    assert!(within_module(&path, "module.net.module.sub"));
    assert!(!within_module(&path, "module.ne"));
    assert!(!within_module(&[], "module.net"));
}

#[test]
fn covered_addresses_are_the_target_and_what_is_under_it() {
    let t = Targets {
        addrs: vec!["aws_x.a".into(), "module.m".into()],
        ..Targets::default()
    };
    assert!(t.covers("aws_x.a"));
    assert!(t.covers("aws_x.a[\"k\"]"));
    assert!(t.covers("aws_x.a (deposed 00000001)"));
    assert!(t.covers("module.m.aws_y.b"));
    assert!(!t.covers("aws_x.ab"));
    assert!(!t.covers("aws_x.b"));
}

#[test]
fn a_module_instance_target_selects_only_its_instances() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("m")).expect("mkdir");
    std::fs::write(
        dir.path().join("main.tf"),
        "module \"x\" {\n  source   = \"./m\"\n  for_each = toset([\"a\", \"b\"])\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("m/main.tf"),
        "resource \"terraform_data\" \"t\" {\n  count = 2\n}\n",
    )
    .expect("write");
    let (config, d) = crate::config::load(dir.path());
    assert!(!d.has_errors(), "{d:?}");
    let (g, _) = crate::graph::build(&config);
    let n = g.resource_node("module.x.terraform_data.t").expect("node");
    let resolve = |targets: &[&str], excludes: &[&str]| {
        let sel = Selection {
            targets: targets.iter().map(|s| s.to_string()).collect(),
            excludes: excludes.iter().map(|s| s.to_string()).collect(),
        };
        Targets::resolve(&g, &State::new(), false, &sel)
    };
    let t = resolve(&["module.x[\"a\"]"], &[]);
    assert!(t.nodes.contains(&n));
    assert!(t.instance(n, "module.x[\"a\"].terraform_data.t[1]"));
    assert!(!t.instance(n, "module.x[\"b\"].terraform_data.t[0]"));
    let t = resolve(&["module.x[\"b\"].terraform_data.t[0]"], &[]);
    assert!(t.instance(n, "module.x[\"b\"].terraform_data.t[0]"));
    assert!(!t.instance(n, "module.x[\"b\"].terraform_data.t[1]"));
    let t = resolve(&["module.x"], &[]);
    assert!(t.instance(n, "module.x[\"b\"].terraform_data.t[1]"));
    // The mirror image.
    let t = resolve(&[], &["module.x[\"a\"]"]);
    assert!(t.nodes.contains(&n));
    assert!(!t.instance(n, "module.x[\"a\"].terraform_data.t[1]"));
    assert!(t.instance(n, "module.x[\"b\"].terraform_data.t[0]"));
    let t = resolve(&[], &["module.x"]);
    assert!(!t.nodes.contains(&n));
}
