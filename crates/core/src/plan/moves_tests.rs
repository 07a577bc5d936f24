use super::*;
use crate::state::{InstanceState, Mode, Status};
use serde_json::json;

fn inst(type_name: &str, deps: &[&str]) -> InstanceState {
    InstanceState {
        mode: Mode::Managed,
        type_name: type_name.into(),
        provider: "terraform".into(),
        attributes: json!({ "id": "x" }),
        sensitive_attributes: vec![],
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
        status: Status::Ready,
        create_before_destroy: false,
        create_token: None,
    }
}

fn state(keys: &[(&str, &str)]) -> State {
    let mut s = State::new();
    for (k, t) in keys {
        s.resources.insert(k.to_string(), inst(t, &[]));
    }
    s
}

fn keys(s: &State) -> Vec<&str> {
    s.resources.keys().map(String::as_str).collect()
}

fn p(s: &str) -> AddrPattern {
    AddrPattern::parse(s).unwrap()
}

#[test]
fn patterns_parse_and_match() {
    assert_eq!(
        p("module.a.module.b"),
        AddrPattern::Module("module.a.module.b".into())
    );
    assert_eq!(p("t.n"), AddrPattern::Resource("t.n".into()));
    assert_eq!(p("t.n[\"k\"]"), AddrPattern::Instance("t.n[\"k\"]".into()));
    assert!(AddrPattern::parse("module").is_err());
    assert!(p("module.a").matches("module.a.t.n"));
    assert!(!p("module.a").matches("module.ab.t.n"));
    assert!(p("t.n").matches("t.n[0]") && p("t.n").matches("t.n"));
    assert!(!p("t.n").matches("t.nn"));
    assert_eq!(p("t.n").within(&["vpc".into()]).as_str(), "module.vpc.t.n");
}

#[test]
fn rename_moves_every_instance_and_dependencies() {
    let mut s = state(&[("t.a[0]", "t"), ("t.a[1]", "t"), ("t.ab", "t")]);
    s.resources.insert("u.x".into(), inst("u", &["t.a"]));
    let pairs = rename(&mut s, &p("t.a"), &p("t.b")).unwrap();
    assert_eq!(pairs.len(), 2);
    assert_eq!(keys(&s), ["t.ab", "t.b[0]", "t.b[1]", "u.x"]);
    assert_eq!(s.resources["u.x"].dependencies, ["t.b"]);
}

#[test]
fn rename_modules_and_single_instances() {
    let mut s = state(&[
        ("module.a.t.x", "t"),
        ("module.a.module.c.t.y", "t"),
        ("t.z", "t"),
    ]);
    rename(&mut s, &p("module.a"), &p("module.b")).unwrap();
    assert_eq!(keys(&s), ["module.b.module.c.t.y", "module.b.t.x", "t.z"]);
    rename(&mut s, &p("t.z"), &p("t.z[\"k\"]")).unwrap();
    assert!(s.resources.contains_key("t.z[\"k\"]"));
}

#[test]
fn rename_refuses_and_leaves_state_untouched() {
    let mut s = state(&[
        ("t.a", "t"),
        ("t.b", "t"),
        ("u.c", "u"),
        ("t.m[0]", "t"),
        ("t.m[1]", "t"),
    ]);
    let before = s.clone();
    assert!(rename(&mut s, &p("t.a"), &p("t.b"))
        .unwrap_err()
        .contains("already has"));
    assert!(rename(&mut s, &p("t.a"), &p("u.d"))
        .unwrap_err()
        .contains("types differ"));
    assert!(rename(&mut s, &p("module.x"), &p("t.q")).is_err());
    assert!(rename(&mut s, &p("t.m"), &p("t.q[0]"))
        .unwrap_err()
        .contains("2 instances"));
    assert_eq!(s, before);
}

fn config(files: &[(&str, &str)]) -> (tempfile::TempDir, crate::config::Config) {
    let dir = tempfile::tempdir().unwrap();
    for (n, t) in files {
        let path = dir.path().join(n);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    }
    let (c, d) = crate::config::load(dir.path());
    assert!(!d.has_errors(), "{d:?}");
    (dir, c)
}

#[test]
fn config_moves_chain_and_work_inside_modules() {
    let (_d, c) = config(&[
        (
            "main.tf",
            "resource \"terraform_data\" \"c\" {}\nmoved {\n  from = terraform_data.a\n  to = terraform_data.b\n}\nmoved {\n  from = terraform_data.b\n  to = terraform_data.c\n}\nmodule \"m\" {\n  source = \"./m\"\n}\n",
        ),
        (
            "m/main.tf",
            "resource \"terraform_data\" \"new\" {}\nmoved {\n  from = terraform_data.old\n  to = terraform_data.new\n}\n",
        ),
    ]);
    assert!(has_refactorings(&c.root));
    let mut s = state(&[
        ("terraform_data.a", "terraform_data"),
        ("module.m.terraform_data.old", "terraform_data"),
    ]);
    let r = apply_refactorings(&c.root, &mut s);
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    assert_eq!(
        keys(&s),
        ["module.m.terraform_data.new", "terraform_data.c"]
    );
    assert_eq!(
        r.moved,
        [
            (
                "module.m.terraform_data.old".to_string(),
                "module.m.terraform_data.new".to_string()
            ),
            (
                "terraform_data.a".to_string(),
                "terraform_data.c".to_string()
            ),
        ]
    );
    // Applying the same blocks again (next run, already moved) changes nothing.
    let again = apply_refactorings(&c.root, &mut s);
    assert!(again.is_empty());
}

#[test]
fn config_removed_forgets_only_without_destroy() {
    let (_d, c) = config(&[(
        "main.tf",
        "removed {\n  from = terraform_data.keep\n  lifecycle {\n    destroy = false\n  }\n}\nremoved {\n  from = terraform_data.kill\n}\n",
    )]);
    let mut s = state(&[
        ("terraform_data.keep[0]", "terraform_data"),
        ("terraform_data.kill", "terraform_data"),
    ]);
    let r = apply_refactorings(&c.root, &mut s);
    assert_eq!(r.forgotten, ["terraform_data.keep[0]"]);
    assert_eq!(keys(&s), ["terraform_data.kill"]);
    let ops = r.ops(&s);
    assert_eq!(
        ops,
        [StateOp::RemoveInstance {
            address: "terraform_data.keep[0]".into()
        }]
    );
}

#[test]
fn blocked_moves_warn_and_declared_sources_are_errors() {
    let (_d, c) = config(&[(
        "main.tf",
        "resource \"terraform_data\" \"b\" {}\nmoved {\n  from = terraform_data.a\n  to = terraform_data.b\n}\n",
    )]);
    let mut s = state(&[
        ("terraform_data.a", "terraform_data"),
        ("terraform_data.b", "terraform_data"),
    ]);
    let r = apply_refactorings(&c.root, &mut s);
    assert!(r.moved.is_empty() && !r.diags.has_errors() && r.diags.len() == 1);
    assert_eq!(keys(&s), ["terraform_data.a", "terraform_data.b"]);

    let (_d, c) = config(&[(
        "main.tf",
        "resource \"terraform_data\" \"a\" {}\nmoved {\n  from = terraform_data.a\n  to = terraform_data.b\n}\n",
    )]);
    let r = apply_refactorings(&c.root, &mut state(&[]));
    assert!(r.diags.has_errors());
}

#[test]
fn ops_replay_the_rewrite() {
    let mut s = state(&[("t.a", "t")]);
    s.resources.insert("u.x".into(), inst("u", &["t.a"]));
    let original = s.clone();
    let pairs = rename(&mut s, &p("t.a"), &p("t.b")).unwrap();
    let r = MoveReport {
        moved: pairs,
        ..Default::default()
    };
    let mut replay = original;
    for op in r.ops(&s) {
        replay.apply_op(&op);
    }
    assert_eq!(replay, s);
}

#[test]
fn module_instance_patterns_select_their_instances() {
    assert_eq!(
        p("module.a[\"x\"].module.b[0]"),
        AddrPattern::Module("module.a[\"x\"].module.b[0]".into())
    );
    // A call without a key selects every instance of it; a keyed one only itself.
    assert!(p("module.a").matches("module.a[\"x\"].t.n"));
    assert!(p("module.a").matches("module.a.t.n"));
    assert!(p("module.a[\"x\"]").matches("module.a[\"x\"].t.n[0]"));
    assert!(!p("module.a[\"x\"]").matches("module.a[\"y\"].t.n"));
    assert!(!p("module.a[\"x\"]").matches("module.a.t.n"));
}

#[test]
fn moves_between_module_instances() {
    let mut s = state(&[("module.a.t.n", "t"), ("module.a[\"y\"].t.n", "t")]);
    // The unkeyed instance to a keyed one: only the unkeyed instance moves.
    let pairs = rename(&mut s, &p("module.a"), &p("module.a[\"x\"]")).unwrap();
    assert_eq!(
        pairs,
        [(
            "module.a.t.n".to_string(),
            "module.a[\"x\"].t.n".to_string()
        )]
    );
    // One instance to another call's instance.
    rename(&mut s, &p("module.a[\"x\"]"), &p("module.b[\"x\"]")).unwrap();
    assert_eq!(keys(&s), ["module.a[\"y\"].t.n", "module.b[\"x\"].t.n"]);
    // A whole call keeps each instance's key.
    rename(&mut s, &p("module.a"), &p("module.c")).unwrap();
    assert_eq!(keys(&s), ["module.b[\"x\"].t.n", "module.c[\"y\"].t.n"]);
}

#[test]
fn resource_patterns_stay_in_their_module_instance() {
    assert!(p("module.a[\"x\"].t.n").matches("module.a[\"x\"].t.n[0]"));
    assert!(!p("module.a.t.n").matches("module.a[\"x\"].t.n"));
    assert!(p("t.n").matches("t.n (deposed 1234)"));
}
