//! The bytes of a saved plan file (`plan -out`), before any key is needed: plain JSON, or
//! a first line `HUBCTL-SEALED-PLAN/1 "<root dir>"` followed by a sealed envelope. The
//! format lives in the engine, not the CLI, so that its reader can be fuzzed without
//! linking the AWS SDK (`fuzz/fuzz_targets/planfile.rs`); the CLI adds the file I/O.

use super::Plan;
use std::path::PathBuf;

/// The first bytes of a sealed plan file; the root directory (JSON string) follows.
pub const SEALED: &str = "HUBCTL-SEALED-PLAN/1 ";

/// A plan file as read from disk, before any key is needed.
pub enum PlanFile {
    Plain(Box<Plan>),
    Sealed {
        root_dir: PathBuf,
        envelope: Vec<u8>,
    },
}

impl PlanFile {
    /// The root module the plan was made for.
    pub fn root_dir(&self) -> PathBuf {
        match self {
            PlanFile::Plain(p) => PathBuf::from(&p.root_dir),
            PlanFile::Sealed { root_dir, .. } => root_dir.clone(),
        }
    }
}

/// Splits a plan file's bytes; the error says, in a clause, why they are not a plan file.
pub fn parse(data: &[u8]) -> Result<PlanFile, String> {
    if let Some(rest) = data.strip_prefix(SEALED.as_bytes()) {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("the sealed plan's first line is cut off")?;
        let root_dir: String = serde_json::from_slice(&rest[..end])
            .map_err(|e| format!("the first line is damaged ({e})"))?;
        return Ok(PlanFile::Sealed {
            root_dir: PathBuf::from(root_dir),
            envelope: rest[end + 1..].to_vec(),
        });
    }
    serde_json::from_slice(data)
        .map(|p| PlanFile::Plain(Box::new(p)))
        .map_err(|e| match e.classify() {
            serde_json::error::Category::Eof => format!(
                "the file ends after {} bytes, in the middle of the plan ({e}): it was cut \
                 off while being written or copied. Make the plan again",
                data.len()
            ),
            _ => format!("it is not a hubctl plan file: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_json() -> Vec<u8> {
        let plan = Plan {
            format: super::super::PLAN_FORMAT.into(),
            format_version: super::super::PLAN_FORMAT_VERSION,
            hubctl_version: "0".into(),
            destroy: false,
            root_dir: "hub".into(),
            config_hash: "h".into(),
            state_lineage: None,
            state_serial: None,
            variables: Default::default(),
            ephemeral_variables: Vec::new(),
            changes: Vec::new(),
            output_changes: Vec::new(),
            errored: false,
            refresh_only: false,
            drift: Vec::new(),
            targets: Vec::new(),
            moved: Vec::new(),
            forgotten: Vec::new(),
            excludes: Vec::new(),
            checks: Vec::new(),
            timestamp: None,
            mocked: Vec::new(),
        };
        serde_json::to_vec(&plan).unwrap()
    }

    #[test]
    fn plain_and_sealed_plans_split() {
        let json = plan_json();
        assert_eq!(parse(&json).unwrap().root_dir(), PathBuf::from("hub"));
        let sealed = [format!("{SEALED}\"live/hub\"\n").as_bytes(), b"ENVELOPE"].concat();
        match parse(&sealed).unwrap() {
            PlanFile::Sealed { root_dir, envelope } => {
                assert_eq!(root_dir, PathBuf::from("live/hub"));
                assert_eq!(envelope, b"ENVELOPE");
            }
            PlanFile::Plain(_) => panic!("a sealed plan read as plain"),
        }
    }

    /// A plan cut off (a full disk, an interrupted copy) says so, not "not a plan file".
    #[test]
    fn truncated_plans_say_so() {
        let json = plan_json();
        let cut = &json[..json.len() / 2];
        let why = parse(cut).err().unwrap();
        assert!(
            why.contains(&format!("ends after {} bytes", cut.len())),
            "{why}"
        );
        let sealed = format!("{SEALED}\"live/hu");
        let why = parse(sealed.as_bytes()).err().unwrap();
        assert!(why.contains("first line is cut off"), "{why}");
        assert!(parse(b"\x00\x01")
            .err()
            .unwrap()
            .contains("not a hubctl plan file"));
    }

    /// The fuzz seeds (fuzz/seeds/planfile) are plan files this hubctl reads, so the fuzzer
    /// starts from inputs that get past the JSON schema.
    #[test]
    fn the_fuzz_seeds_parse() {
        let seeds =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/planfile");
        let plain = std::fs::read(seeds.join("plain.json")).expect("seed");
        let Ok(PlanFile::Plain(plan)) = parse(&plain) else {
            panic!("plain.json is not a plain plan");
        };
        assert_eq!(plan.changes.len(), 3);
        let _ = crate::plan::render::render_plan(&plan, Default::default());
        let sealed = std::fs::read(seeds.join("sealed.plan")).expect("seed");
        assert!(matches!(parse(&sealed), Ok(PlanFile::Sealed { .. })));
    }
}
