use super::*;
use std::io::Write;

/// One tar entry: (path as stored, raw; Some(target) for a symlink, else file contents).
enum E<'a> {
    File(&'a str, &'a [u8]),
    Link(&'a str, &'a str),
}

/// A gzipped tar written header by header, so names like `../x` (which `tar::Builder`
/// refuses) can be stored as a hostile archive would.
fn tar_gz(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_old();
        let (name, data, link) = match e {
            E::File(n, d) => (*n, *d, None),
            E::Link(n, t) => (*n, &[][..], Some(*t)),
        };
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        match link {
            Some(t) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.as_old_mut().linkname[..t.len()].copy_from_slice(t.as_bytes());
            }
            None => h.set_entry_type(tar::EntryType::Regular),
        }
        h.set_cksum();
        b.append(&h, data).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

fn run(kind: ArchiveKind, data: &[u8]) -> (tempfile::TempDir, Result<(), String>) {
    let dir = tempfile::tempdir().unwrap();
    let r = extract(kind, data, &dir.path().join("mod"), Limits::default());
    (dir, r)
}

#[test]
fn a_plain_archive_unpacks() {
    let data = tar_gz(&[
        E::File("main.tf", b"# root\n"),
        E::File("./modules/a/main.tf", b"# a\n"),
        E::Link("modules/b", "a"),
    ]);
    let (dir, r) = run(ArchiveKind::TarGz, &data);
    r.unwrap();
    let m = dir.path().join("mod");
    assert_eq!(
        std::fs::read_to_string(m.join("main.tf")).unwrap(),
        "# root\n"
    );
    assert_eq!(
        std::fs::read_to_string(m.join("modules/b/main.tf")).unwrap(),
        "# a\n"
    );
}

#[test]
fn dot_dot_and_absolute_entries_are_refused() {
    for name in ["../evil.tf", "a/../../evil.tf", "/etc/evil.tf"] {
        let (dir, r) = run(ArchiveKind::TarGz, &tar_gz(&[E::File(name, b"x")]));
        let e = r.unwrap_err();
        assert!(
            e.contains("points outside the module directory"),
            "{name}: {e}"
        );
        assert!(!dir.path().join("evil.tf").exists());
    }
}

#[test]
fn symlinks_out_or_through_links_are_refused() {
    for target in ["../..", "/etc/passwd", "a/../../x", "../outside"] {
        let (_d, r) = run(ArchiveKind::TarGz, &tar_gz(&[E::Link("l", target)]));
        assert!(r.unwrap_err().contains("symlink to"), "{target}");
    }
    // sub/l -> .. stays inside, but writing below it would escape via a second hop.
    let data = tar_gz(&[E::Link("sub/l", ".."), E::File("sub/l/x.tf", b"x")]);
    let (_d, r) = run(ArchiveKind::TarGz, &data);
    assert!(r.unwrap_err().contains("below a symlink"));
}

#[test]
fn sizes_and_entry_counts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b'x'; 4096];
    let data = tar_gz(&[E::File("a", &big), E::File("b", &big)]);
    let small = Limits {
        max_bytes: 6000,
        max_entries: 10,
    };
    let e = extract(ArchiveKind::TarGz, &data, dir.path(), small).unwrap_err();
    assert!(e.contains("more than 6000 bytes"), "{e}");
    let few = Limits {
        max_bytes: 1 << 20,
        max_entries: 1,
    };
    let e = extract(ArchiveKind::TarGz, &data, dir.path(), few).unwrap_err();
    assert!(e.contains("more than 1 entries"), "{e}");
}

fn zip_of(files: &[(&str, &str)], link: Option<(&str, &str)>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (n, body) in files {
        w.start_file(*n, opts).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    if let Some((n, t)) = link {
        w.add_symlink(n, t, opts).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn zip_archives_follow_the_same_rules() {
    let (dir, r) = run(ArchiveKind::Zip, &zip_of(&[("m/main.tf", "# m\n")], None));
    r.unwrap();
    assert!(dir.path().join("mod/m/main.tf").is_file());
    let (_d, r) = run(ArchiveKind::Zip, &zip_of(&[("../x.tf", "x")], None));
    assert!(r.unwrap_err().contains("outside the module directory"));
    let (_d, r) = run(ArchiveKind::Zip, &zip_of(&[], Some(("l", "../../etc"))));
    assert!(r.unwrap_err().contains("symlink to"));
}

#[test]
fn garbage_is_a_clear_error() {
    let (_d, r) = run(ArchiveKind::Zip, b"not a zip");
    assert!(r.unwrap_err().starts_with("Not a zip archive"));
    let (_d, r) = run(ArchiveKind::TarGz, b"not gzip at all");
    let e = r.unwrap_err();
    assert!(e.contains("tar archive"), "{e}");
}

#[test]
fn kinds_are_detected_from_url_or_query() {
    assert_eq!(
        ArchiveKind::detect("https://h/m.tgz", None),
        Some(ArchiveKind::TarGz)
    );
    assert_eq!(
        ArchiveKind::detect("https://h/M.ZIP", None),
        Some(ArchiveKind::Zip)
    );
    assert_eq!(
        ArchiveKind::detect("https://h/dl", Some("tar.gz")),
        Some(ArchiveKind::TarGz)
    );
    assert_eq!(ArchiveKind::detect("https://h/dl", None), None);
}
