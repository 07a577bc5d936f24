//! Where each input is set: the entry in the unit's `inputs`, or in the include's.

use super::*;

#[test]
fn each_input_knows_its_entry_and_the_dependencies_it_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = absolute(dir.path());
    let write = |p: &str, text: &str| {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "root.hcl",
        "inputs = {\n  region = \"r\"\n  name   = \"root\"\n}\n",
    );
    write("live/a/terragrunt.hcl", "");
    write(
        "live/b/terragrunt.hcl",
        "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n\
         dependency \"a\" {\n  config_path = \"../a\"\n}\n\
         inputs = {\n  name    = \"b\"\n  \"quoted\" = 1\n  vpc     = { id = dependency.a.outputs.id }\n}\n",
    );
    write(
        "live/c/terragrunt.hcl",
        "locals {\n  x = { k = 1 }\n}\ninputs = merge(local.x, { j = 2 })\n",
    );
    let l = Loader::new(Options {
        command: "plan",
        outputs: &NoOutputs,
        base: &root,
        mocks: false,
    });
    let b = l.unit(&root.join("live/b")).expect("b loads");
    let c = l.unit(&root.join("live/c")).expect("c loads");
    let (sources, diags) = l.finish();
    assert!(!diags.has_errors(), "{diags:?}");
    let at = |u: &UnitConfig, k: &str| {
        let s = &u.input_sources.get(k).expect(k);
        let loc = sources.location(s.span);
        let file = loc
            .path
            .strip_prefix(&root)
            .unwrap_or(&loc.path)
            .display()
            .to_string();
        (
            format!("{file}:{}:{}", loc.line, loc.column),
            s.dependencies.clone(),
        )
    };
    let none: Vec<String> = Vec::new();
    // The child's entry wins over the include's; the include's own entry is kept.
    assert_eq!(
        at(&b, "name"),
        ("live/b/terragrunt.hcl:8:3".into(), none.clone())
    );
    assert_eq!(at(&b, "region"), ("root.hcl:2:3".into(), none.clone()));
    assert_eq!(
        at(&b, "quoted"),
        ("live/b/terragrunt.hcl:9:3".into(), none.clone())
    );
    assert_eq!(
        at(&b, "vpc"),
        ("live/b/terragrunt.hcl:10:3".into(), vec!["a".to_string()])
    );
    // `inputs` built by a call: every input is at the attribute's value.
    assert_eq!(at(&c, "k").0, "live/c/terragrunt.hcl:4:10");
    assert_eq!(at(&c, "j").0, "live/c/terragrunt.hcl:4:10");
}
