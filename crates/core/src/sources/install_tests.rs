//! Installation against an in-memory registry: version choice, nested registry modules,
//! offline loading from the manifest afterwards, "run hubctl init" on a moved constraint,
//! `-upgrade`, and nothing written outside `.hubctl/`.

use super::*;
use std::collections::BTreeMap;
use std::sync::Mutex;

type Files = Vec<(&'static str, String)>;

/// Registry packages `ns/name/provider` → version → files; remote packages by URL.
#[derive(Default)]
struct Fake {
    registry: Mutex<BTreeMap<String, BTreeMap<String, Files>>>,
}

#[async_trait::async_trait]
impl Fetcher for Fake {
    async fn versions(&self, pkg: &RegistryAddr) -> Result<Vec<String>, String> {
        let reg = self.registry.lock().unwrap();
        let key = format!("{}/{}/{}", pkg.namespace, pkg.name, pkg.provider);
        reg.get(&key)
            .map(|m| m.keys().cloned().collect())
            .ok_or_else(|| "404 Not Found".to_string())
    }
    async fn download_address(&self, pkg: &RegistryAddr, v: &str) -> Result<String, String> {
        Ok(format!(
            "https://dl.example.com/{}/{}/{v}.tar.gz",
            pkg.namespace, pkg.name
        ))
    }
    async fn fetch(&self, remote: &RemoteAddr, dest: &Path) -> Result<(), String> {
        let url = remote
            .base_url()
            .trim_start_matches("https://dl.example.com/");
        let (pkg, file) = url.rsplit_once('/').unwrap();
        let v = file.trim_end_matches(".tar.gz");
        let reg = self.registry.lock().unwrap();
        let files = reg
            .get(&format!("{pkg}/aws"))
            .and_then(|m| m.get(v))
            .ok_or("404")?;
        for (name, text) in files {
            let p = dest.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Ok(())
    }
}

impl Fake {
    fn publish(&self, pkg: &str, version: &str, files: Vec<(&'static str, String)>) {
        let mut reg = self.registry.lock().unwrap();
        reg.entry(pkg.to_string())
            .or_default()
            .insert(version.into(), files);
    }
}

fn mod_files(v: &str) -> Vec<(&'static str, String)> {
    vec![
        ("main.tf", format!("module \"leaf\" {{\n  source  = \"reg.example.com/hub/leaf/aws\"\n  version = \">= 1.0\"\n}}\noutput \"v\" {{ value = \"{v}\" }}\n")),
        ("sub/main.tf", "output \"s\" { value = 1 }\n".to_string()),
    ]
}

fn fake() -> Fake {
    let f = Fake::default();
    for v in ["1.1.0", "1.2.3", "1.3.0-beta", "2.0.0"] {
        f.publish("hub/mod/aws", v, mod_files(v));
    }
    f.publish(
        "hub/leaf/aws",
        "1.0.0",
        vec![("main.tf", "output \"l\" { value = 2 }\n".into())],
    );
    f
}

fn root_with(version: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        format!("module \"m\" {{\n  source  = \"reg.example.com/hub/mod/aws\"\n  version = \"{version}\"\n}}\n"),
    )
    .unwrap();
    d
}

fn run(f: &Fake, root: &Path, upgrade: bool) -> (Config, Diagnostics, Vec<String>) {
    let events = Mutex::new(Vec::new());
    let on = |e: Event| {
        if let Event::Downloading { key, version, .. } = e {
            events
                .lock()
                .unwrap()
                .push(format!("{key} {}", version.unwrap_or("-")));
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (c, d) = rt.block_on(install(root, Path::new("."), f, upgrade, &on));
    (c, d, events.into_inner().unwrap())
}

fn summaries(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[test]
fn installs_newest_match_and_nested_modules_then_loads_offline() {
    let f = fake();
    let root = root_with("~> 1.2");
    let (config, diags, events) = run(&f, root.path(), false);
    assert!(!diags.has_errors(), "{:?}", summaries(&diags));
    assert_eq!(events, ["m 1.2.3", "m.leaf 1.0.0"]);
    assert!(config.root.children["m"].children.contains_key("leaf"));
    let (m, _) = Manifest::read(root.path()).unwrap().unwrap();
    let rec = m.get("m").unwrap();
    assert_eq!(rec.version.as_deref(), Some("1.2.3"));
    assert_eq!(rec.source, "reg.example.com/hub/mod/aws");
    assert_eq!(rec.dir, ".hubctl/modules/m");
    // Everything written is under .hubctl/.
    let top: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut top = top;
    top.sort();
    assert_eq!(top, [".hubctl", "main.tf"]);

    // Offline: the plain loader finds both modules from the manifest.
    let (config, diags) = crate::config::load_in(root.path(), Path::new("."));
    assert!(diags.is_empty(), "{:?}", summaries(&diags));
    assert_eq!(
        config.root.children["m"].children["leaf"].path,
        ["m", "leaf"]
    );
}

#[test]
fn a_moved_version_is_refused_until_init_and_upgrade_moves_on() {
    let f = fake();
    let root = root_with("~> 1.2");
    assert!(!run(&f, root.path(), false).1.has_errors());
    std::fs::write(
        root.path().join("main.tf"),
        "module \"m\" {\n  source  = \"reg.example.com/hub/mod/aws\"\n  version = \"~> 2.0\"\n}\n",
    )
    .unwrap();
    let (_, diags) = crate::config::load_in(root.path(), Path::new("."));
    let d = diags.iter().next().unwrap();
    assert_eq!(d.summary, "Module version requirements have changed");
    assert!(
        d.detail.contains("(1.2.3)") && d.detail.contains("Run \"hubctl init\""),
        "{}",
        d.detail
    );
    assert_eq!(run(&f, root.path(), false).2, ["m 2.0.0"]);

    // Back to ~> 1.2: the installed 2.0.0 no longer fits, 1.2.3 is reinstalled; a publish
    // of 1.2.4 is only picked up with -upgrade.
    let root = root_with("~> 1.2");
    assert!(!run(&f, root.path(), false).1.has_errors());
    f.publish("hub/mod/aws", "1.2.4", mod_files("1.2.4"));
    assert_eq!(run(&f, root.path(), false).2, Vec::<String>::new());
    assert_eq!(run(&f, root.path(), true).2, ["m 1.2.4", "m.leaf 1.0.0"]);
    let (m, _) = Manifest::read(root.path()).unwrap().unwrap();
    assert_eq!(m.get("m").unwrap().version.as_deref(), Some("1.2.4"));
}

#[test]
fn no_match_lists_the_available_versions_at_the_source() {
    let f = fake();
    let root = root_with("~> 3.0");
    let (config, diags, _) = run(&f, root.path(), false);
    let d = diags.iter().next().unwrap();
    assert_eq!(d.summary, "Unresolvable module version constraint");
    assert!(
        d.detail
            .ends_with("Available versions: 1.1.0, 1.2.3, 1.3.0-beta, 2.0.0."),
        "{}",
        d.detail
    );
    let at = config.sources.location(d.subject.unwrap());
    assert_eq!((at.line, at.column), (2, 13));
}

#[test]
fn an_unknown_module_and_a_missing_subdir_are_named() {
    let f = fake();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("main.tf"),
        "module \"x\" {\n  source = \"reg.example.com/hub/none/aws\"\n}\nmodule \"s\" {\n  source = \"reg.example.com/hub/leaf/aws//nope\"\n}\n",
    )
    .unwrap();
    let got = summaries(&run(&f, root.path(), false).1);
    // Module calls are visited by name: "s" before "x".
    assert!(got[1].starts_with("Error accessing remote module registry: Failed to retrieve available versions for module \"x\" from reg.example.com: 404 Not Found."), "{got:?}");
    assert!(
        got[0].starts_with(
            "Unreadable module subdirectory: The directory .hubctl/modules/s/nope does not exist."
        ),
        "{got:?}"
    );
}

#[test]
fn a_tree_without_remote_modules_gets_no_manifest() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("main.tf"),
        "module \"l\" {\n  source = \"./l\"\n}\n",
    )
    .unwrap();
    std::fs::create_dir(root.path().join("l")).unwrap();
    std::fs::write(
        root.path().join("l/main.tf"),
        "output \"o\" { value = 1 }\n",
    )
    .unwrap();
    let (config, diags, events) = run(&fake(), root.path(), false);
    assert!(diags.is_empty() && events.is_empty());
    assert!(config.root.children.contains_key("l"));
    assert!(!root.path().join(".hubctl").exists());
}
