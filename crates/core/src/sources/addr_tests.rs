use super::*;

fn remote_of(s: &str) -> RemoteAddr {
    match parse(s).unwrap() {
        Source::Remote(r) => r,
        other => panic!("{s} parsed as {other:?}"),
    }
}

fn registry_of(s: &str) -> RegistryAddr {
    match parse(s).unwrap() {
        Source::Registry(r) => r,
        other => panic!("{s} parsed as {other:?}"),
    }
}

#[test]
fn local_paths() {
    assert_eq!(parse("./vpc").unwrap(), Source::Local("./vpc".into()));
    assert_eq!(parse("../m").unwrap(), Source::Local("../m".into()));
}

#[test]
fn registry_forms_with_and_without_host() {
    let r = registry_of("terraform-aws-modules/vpc/aws");
    assert_eq!(
        r.to_string(),
        "registry.terraform.io/terraform-aws-modules/vpc/aws"
    );
    let r = registry_of("127.0.0.1:8443/hub/eks/aws//modules/node");
    assert_eq!(r.host, "127.0.0.1:8443");
    assert_eq!(r.subdir.as_deref(), Some("modules/node"));
    assert_eq!(r.package(), "127.0.0.1:8443/hub/eks/aws");
    assert_eq!(registry_of("App.Example.com/a/b/c").host, "app.example.com");
}

#[test]
fn localhost_is_no_registry_host() {
    let e = parse("localhost:8080/ns/name/aws").unwrap_err();
    assert!(e.contains("could not be resolved"), "{e}");
}

#[test]
fn bad_provider_name_is_named() {
    let e = parse("ns/name/AWS").unwrap_err();
    assert!(e.contains("Invalid provider name \"AWS\""), "{e}");
}

#[test]
fn tfr_addresses() {
    let t = parse_tfr("tfr:///terraform-aws-modules/vpc/aws?version=5.1.0").unwrap();
    assert_eq!(t.addr.host, PUBLIC_REGISTRY);
    assert_eq!(t.version.as_deref(), Some("5.1.0"));
    let t = parse_tfr("tfr://reg.example.com/ns/n/aws//sub?version=1.0.0").unwrap();
    assert_eq!(t.addr.to_string(), "reg.example.com/ns/n/aws//sub");
    assert!(parse_tfr("tfr:///ns/n/aws?ref=x").is_err());
    assert_eq!(registry_of("tfr:///ns/n/aws").name, "n");
    assert!(parse("tfr:///ns/n/aws?version=1.0.0")
        .unwrap_err()
        .contains("\"version\" argument"));
}

#[test]
fn git_forms() {
    let r = remote_of("git::https://example.com/infra.git//modules/eks?ref=v1.4.0");
    assert_eq!(r.getter, Getter::Git);
    assert_eq!(r.url, "https://example.com/infra.git?ref=v1.4.0");
    assert_eq!(r.subdir.as_deref(), Some("modules/eks"));
    assert_eq!(r.query("ref").as_deref(), Some("v1.4.0"));
    assert_eq!(r.base_url(), "https://example.com/infra.git");
    assert_eq!(
        r.to_string(),
        "git::https://example.com/infra.git//modules/eks?ref=v1.4.0"
    );
    let r = remote_of("git@github.com:org/repo.git?depth=1");
    assert_eq!(r.url, "ssh://git@github.com/org/repo.git?depth=1");
    let r = remote_of("github.com/org/repo/modules/x?ref=main");
    assert_eq!(r.url, "https://github.com/org/repo.git?ref=main");
    assert_eq!(r.subdir.as_deref(), Some("modules/x"));
    assert_eq!(remote_of("git::file:///tmp/r").url, "file:///tmp/r");
    assert!(parse("git::http://example.com/r.git").is_err());
    assert!(parse("git::https://e.com/r.git?sshkey=abc")
        .unwrap_err()
        .contains("sshkey"));
}

#[test]
fn archives_and_s3() {
    let r = remote_of("https://example.com/m.tar.gz//sub");
    assert_eq!(
        (r.getter, r.url.as_str()),
        (Getter::Https, "https://example.com/m.tar.gz")
    );
    assert!(parse("http://example.com/m.zip")
        .unwrap_err()
        .contains("HTTPS"));
    let r = remote_of("s3::https://s3.amazonaws.com/bucket/m.zip");
    assert_eq!(r.getter, Getter::S3);
    assert_eq!(remote_of("s3::bucket/mods/m.zip").url, "bucket/mods/m.zip");
    assert!(parse("hg::https://e.com/r")
        .unwrap_err()
        .contains("\"hg\" getter"));
}

#[test]
fn subdir_cannot_escape() {
    assert!(parse("git::https://e.com/r.git//../x").is_err());
    assert_eq!(
        remote_of("git::https://e.com/r.git//a/../b/.")
            .subdir
            .as_deref(),
        Some("b")
    );
}
